/**
 * The agent's lightweight notifications (TR-069 Annex M): the sender of
 * `services/lwn/sender.ts` fed with each poll's lightweight changes (notification 3–6),
 * reading ManagementServer's LightweightNotification* and UDPLightweightNotification*
 * settings anew for every decision. The receiver is UDPLightweightNotificationHost, or the
 * ACS URL's host when that is empty; the port is UDPLightweightNotificationPort (7547, the
 * TR-181 default, when it is 0).
 *
 * @module
 */

import type { DeviceIdentity } from "../datamodel/mod.ts";
import { type Logger, LogThrottle } from "../log/mod.ts";
import { LwnSender, type LwnSettings, type SendDatagrams } from "../services/lwn/mod.ts";
import type { StoredSettings } from "./settings_store.ts";

/** TR-181 UDPLightweightNotificationPort when not given. */
export const DEFAULT_LWN_PORT = 7547;

/** What {@linkcode startLightweightNotifications} needs. */
export interface LwnOptions {
  settings(): StoredSettings;
  identity: DeviceIdentity;
  now(): number;
  logger: Logger;
  /** Default: a UDP socket per batch. */
  send?: SendDatagrams;
}

/** The sender's settings from the stored ManagementServer settings. */
export function lwnSettingsOf(s: StoredSettings): LwnSettings {
  return {
    enabled: s.lightweightNotificationProtocolsUsed.split(",").some((p) => p.trim() === "UDP"),
    host: (s.udpLightweightNotificationHost || hostOf(s.url)).replace(/^\[|\]$/g, ""),
    port: s.udpLightweightNotificationPort || DEFAULT_LWN_PORT,
    triggerInterval: s.lightweightNotificationTriggerInterval,
    triggerTime: s.lightweightNotificationTriggerTime,
    username: s.username,
    password: s.password,
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return "";
  }
}

/** A sender wired to the agent's settings and log. */
export function startLightweightNotifications(options: LwnOptions): LwnSender {
  const { logger } = options;
  const throttle = new LogThrottle({ periodMs: 60_000 });
  const warn = (key: string, line: string) => {
    const verdict = throttle.admit(key, options.now());
    if (!verdict.log) return;
    const more = verdict.suppressed > 0 ? `; ${verdict.suppressed} more since the last` : "";
    logger.warning(line + more);
  };
  return new LwnSender({
    settings: () => lwnSettingsOf(options.settings()),
    identity: {
      oui: options.identity.manufacturerOui,
      productClass: options.identity.productClass,
      serialNumber: options.identity.serialNumber,
    },
    now: options.now,
    send: options.send,
    onSent: ({ host, port, datagrams, params }) =>
      logger.info(
        `Lightweight notification to ${host}:${port}: ${params.map((p) => p.name).join(", ")}${
          datagrams > 1 ? ` (${datagrams} datagrams)` : ""
        }`,
      ),
    onTooLarge: (param) =>
      warn(
        `large ${param.name}`,
        `Lightweight notification of "${param.name}" not sent: its value does not fit in one datagram`,
      ),
    onError: (message) => warn("error", message),
  });
}
