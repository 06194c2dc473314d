/**
 * `cwmp-agent inform [EVENT]`: which event a locally asked Inform may carry. Like icwmp's
 * `ubus call tr069 inform`, the default is `6 CONNECTION REQUEST`: to the ACS it means
 * "the CPE is here, send what you have", it asks for nothing else, and it is not retried
 * when the session fails (TR-069 Table 7), which suits a one-off request.
 *
 * Only events that claim nothing untrue are allowed. Refused: `0 BOOTSTRAP` (the ACS may
 * wipe and re-provision the device; `reset-state` is the way to a real BOOTSTRAP), `1 BOOT`
 * (claims a boot), `3 SCHEDULED`, `5 KICKED` and every `M …` (each answers an ACS method,
 * with its CommandKey), `4 VALUE CHANGE` (claims changed parameters the Inform would not
 * carry), `7 TRANSFER COMPLETE`, `8 DIAGNOSTICS COMPLETE`, `9 REQUEST DOWNLOAD` and
 * `10 AUTONOMOUS TRANSFER COMPLETE` (each goes with a result or a request: the agent raises
 * them itself, or `request-download` / `autonomous-transfer-complete` do).
 *
 * @module
 */

/** The event of a local Inform when none is named. */
export const DEFAULT_LOCAL_INFORM_EVENT = "6 CONNECTION REQUEST";

/** Events `inform` accepts, besides vendor events (`X <OUI> <name>`). */
export const LOCAL_INFORM_EVENTS = ["2 PERIODIC", "6 CONNECTION REQUEST"] as const;

/** TR-069 §3.7.1.5: `X <OUI> <event>`, the OUI as 6 hexadecimal digits. */
const VENDOR_EVENT = /^X [0-9A-F]{6} [\x21-\x7e][\x20-\x7e]{0,50}$/;

/**
 * The EventCode for `inform [EVENT]`; throws TypeError naming the allowed ones.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { localInformEvent } from "./local_inform.ts";
 * assert.equal(localInformEvent(undefined), "6 CONNECTION REQUEST");
 * assert.throws(() => localInformEvent("1 BOOT"), TypeError);
 * ```
 */
export function localInformEvent(arg: string | undefined): string {
  if (arg === undefined) return DEFAULT_LOCAL_INFORM_EVENT;
  const code = arg.trim().replace(/\s+/g, " ");
  if ((LOCAL_INFORM_EVENTS as readonly string[]).includes(code.toUpperCase())) {
    return code.toUpperCase();
  }
  if (VENDOR_EVENT.test(code)) return code;
  throw new TypeError(
    `Cannot inform with event "${arg.slice(0, 64)}": a local Inform may carry ${
      LOCAL_INFORM_EVENTS.map((e) => `"${e}"`).join(", ")
    } or a vendor event "X <OUI> <name>"; the others report something that did not happen`,
  );
}
