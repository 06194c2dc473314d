/**
 * The operator commands' answers (JSON lines from the agent, see
 * `agent/operator_ops.ts`) as text for people; `--json` prints the lines as they came.
 *
 * @module
 */

import type { OperatorOp } from "../agent/operator_ops.ts";

type Json = Record<string, unknown>;

/** Local time `2026-12-06 04:12:33` of an ISO time, or the text itself if it is not one. */
function local(iso: unknown): string {
  const ms = Date.parse(String(iso));
  if (!Number.isFinite(ms)) return String(iso);
  const t = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())} ` +
    `${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}`;
}

function list(value: unknown): string {
  return Array.isArray(value) && value.length > 0 ? value.join(", ") : "none";
}

function statusText(s: Json): string[] {
  const rows: [string, string][] = [];
  const state = s.state === "halted"
    ? "halted (a reboot or factory reset is under way)"
    : String(s.state) + (s.enableCwmp === false ? " (EnableCWMP is false)" : "");
  rows.push(["State", state]);
  rows.push(["Up since", `${local(s.upSince)} (pid ${s.pid})`]);
  rows.push(["ACS URL", String(s.acsUrl) || "(none)"]);
  const current = s.currentSession as Json | undefined;
  if (current) rows.push(["Session", `since ${local(current.start)}: ${list(current.events)}`]);
  const last = s.lastSession as Json | undefined;
  rows.push([
    "Last session",
    last === undefined
      ? "none since start"
      : `${local(last.start)} to ${local(last.end)}: ${
        last.result === "ok" ? "ok" : `failed: ${last.reason ?? "unknown reason"}`
      }`,
  ]);
  const next = s.nextSession as Json | undefined;
  rows.push(["Next session", next === undefined ? "none due" : `${local(next.at)} (${next.why})`]);
  rows.push(["Retry count", String(s.retryCount)]);
  rows.push(["Pending events", list(s.pendingEvents)]);
  const periodic = s.periodicInform as Json | undefined;
  if (periodic) {
    rows.push([
      "Periodic inform",
      periodic.enable ? `every ${periodic.interval} s` : "disabled",
    ]);
  }
  rows.push(["Connection request URL", String(s.connectionRequestUrl) || "(disabled)"]);
  rows.push(["Pending transfers", String(s.pendingTransfers)]);
  rows.push(["Pending CPE requests", String(s.pendingRequests)]);
  const sources = (s.settingSources as Json[] | undefined)?.filter((r) => r.source === "acs");
  if (sources && sources.length > 0) {
    rows.push(["Set by the ACS", sources.map((r) => String(r.key)).join(", ")]);
  }
  const width = Math.max(...rows.map(([k]) => k.length)) + 1;
  return rows.map(([k, v]) => `${(k + ":").padEnd(width)} ${v}`);
}

const INFORM_TEXT: Record<string, string> = {
  started: "session started",
  queued: "queued: it goes in the session right after the current one",
  disabled: "queued: EnableCWMP is false, it goes once the ACS may be contacted again",
};

/**
 * The reply of `op` as text lines. An error line (`{"error": …}` or a fault) comes back
 * as its message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { operatorText } from "./operator_text.ts";
 * assert.deepEqual(operatorText("log", ['{"line":"a"}']), ["a"]);
 * ```
 */
export function operatorText(op: OperatorOp, lines: readonly string[]): string[] {
  const values = lines.map((l) => JSON.parse(l) as Json);
  const error = values.find((v) => typeof v.error === "string");
  if (error) return [String(error.error)];
  const [first] = values;
  switch (op) {
    case "status":
      return first ? statusText(first) : [];
    case "inform":
      return [`${first.event}: ${INFORM_TEXT[String(first.session)] ?? first.session}`];
    case "reload": {
      const out = [`Reloaded; applied: ${list(first.applied)}`];
      if (Array.isArray(first.restart) && first.restart.length > 0) {
        out.push(`Changed but in effect only after a restart: ${list(first.restart)}`);
      }
      return out;
    }
    case "reset-state":
      return ["State reset: the agent restarts and its next session is a 0 BOOTSTRAP"];
    case "log":
      return values.map((v) => String(v.line));
  }
}
