/**
 * Session log lines in the style of icwmp's log (seed 000): "Send the Inform RPC
 * message to the ACS", "Get the InformResponse message from the ACS", "Send empty
 * message to the ACS", "Receive HTTP 204 No Content".
 *
 * @module
 */

import type { CwmpMessage } from "../soap/mod.ts";
import type { SessionState } from "../session/mod.ts";
import type { ExchangeResult } from "./acs_exchange.ts";

/** The line for a message the CPE sends. */
export function describeSent(message: CwmpMessage): string {
  if (message.kind === "Empty") return "Send empty message to the ACS";
  if (message.kind === "Fault") {
    return `Send the Fault ${message.faultCode} (${message.faultString}) to the ACS`;
  }
  if (message.kind.endsWith("Response")) return `Send the ${message.kind} message to the ACS`;
  return `Send the ${message.kind} RPC message to the ACS`;
}

/** The line for what the ACS answered. */
export function describeReceived(result: ExchangeResult): string {
  const event = result.event;
  if (event.kind === "transportError") return `Session failure: ${event.message}`;
  if (event.kind === "acsRequestRejected") {
    return `Receive a message the CPE cannot accept: fault ${event.fault.faultCode} (${event.fault.faultString})`;
  }
  if (!result.received || result.received.message.kind === "Empty") {
    return result.status === 204 ? "Receive HTTP 204 No Content" : "Receive an empty HTTP response";
  }
  const kind = result.received.message.kind;
  if (kind === "Fault") {
    const fault = result.received.message as Extract<CwmpMessage, { kind: "Fault" }>;
    return `Get the Fault ${fault.faultCode} (${fault.faultString}) from the ACS`;
  }
  if (kind.endsWith("Response")) return `Get the ${kind} message from the ACS`;
  return `Receive the ${kind} RPC message from the ACS`;
}

/**
 * The one line of a failed session: the reason, then what happens next (the retry with
 * the Inform's RetryCount and its time, or why there is none).
 */
export function describeFailure(reason: string, state: SessionState, now: number): string {
  let next: string;
  if (state.phase === "retryWait" && state.retryAt !== undefined) {
    const seconds = Math.max(0, Math.round((state.retryAt - now) / 1000));
    next = `retry ${state.persisted.retryCount} in ${seconds} s (at ${clock(state.retryAt)})`;
  } else if (state.phase === "halted") {
    next = "no retry: the ordered reboot or reset goes ahead";
  } else {
    next = `no retry (failure ${state.persisted.retryCount} in a row): nothing left to deliver`;
  }
  return `End session with failure: ${reason}; ${next}`;
}

function clock(ms: number): string {
  const t = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}`;
}
