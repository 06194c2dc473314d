/**
 * The operator's commands on the control socket: `status`, `inform [EVENT]`, `reload`,
 * `reset-state` and `log [N]`. Each answers JSON lines (the CLI turns them into text for
 * people); the work is done by the agent through {@linkcode OperatorDeps}.
 *
 * @module
 */

import type { AgentStatus } from "./status.ts";
import { localInformEvent } from "./local_inform.ts";
import type { ConfigChanges } from "./reload.ts";

/** The operator's commands, as `cwmp-agent <op>` names them. */
export const OPERATOR_OPS = ["status", "inform", "reload", "reset-state", "log"] as const;
/** One of {@linkcode OPERATOR_OPS}. */
export type OperatorOp = typeof OPERATOR_OPS[number];

/** Lines `log` prints when no count is given. */
export const DEFAULT_LOG_LINES = 50;

/** What `inform` did with the event. */
export type InformOutcome =
  /** A session opened for it. */
  | "started"
  /** A session is open: it goes in the next one, right after. */
  | "queued"
  /** EnableCWMP is false: it waits until the ACS may be contacted again. */
  | "disabled";

/** What `reload` did. */
export interface ReloadOutcome extends ConfigChanges {
  /** ManagementServer settings whose value in force changed. */
  changedSettings: string[];
}

/** What the agent provides to the commands. */
export interface OperatorDeps {
  status(): AgentStatus;
  inform(eventCode: string): Promise<InformOutcome>;
  /** Throws with a one-line message when the new config is invalid (nothing changes). */
  reload(): Promise<ReloadOutcome>;
  /** Schedules the wipe and restart; throws when it cannot be done now. */
  resetState(): Promise<void>;
  recentLog(limit: number): string[];
}

/** True when `op` names an operator command. */
export function isOperatorOp(op: string): op is OperatorOp {
  return (OPERATOR_OPS as readonly string[]).includes(op);
}

/** Checks the arguments of `op` (before any I/O); throws TypeError with the usage. */
export function checkOperatorArgs(op: OperatorOp, args: readonly string[]): void {
  const usage = (text: string) => new TypeError(`Usage: cwmp-agent ${op}${text}`);
  switch (op) {
    case "inform":
      if (args.length > 1) throw usage(' [EVENT]  (e.g. "2 PERIODIC", quoted)');
      localInformEvent(args[0]);
      return;
    case "log":
      if (args.length > 1 || (args.length === 1 && !/^\d{1,6}$/.test(args[0]))) {
        throw usage(" [LINES]");
      }
      return;
    default:
      if (args.length > 0) throw usage("");
  }
}

/** Runs one operator command; the reply as JSON lines. */
export async function runOperatorOp(
  op: OperatorOp,
  args: readonly string[],
  deps: OperatorDeps,
): Promise<{ lines: string[]; ok: boolean }> {
  checkOperatorArgs(op, args);
  const line = (value: unknown) => JSON.stringify(value);
  switch (op) {
    case "status":
      return { lines: [line(deps.status())], ok: true };
    case "inform": {
      const event = localInformEvent(args[0]);
      const outcome = await deps.inform(event);
      return { lines: [line({ status: 0, event, session: outcome })], ok: true };
    }
    case "reload":
      return { lines: [line({ status: 0, ...(await deps.reload()) })], ok: true };
    case "reset-state":
      await deps.resetState();
      return { lines: [line({ status: 0, restarting: true })], ok: true };
    case "log": {
      const limit = args[0] === undefined ? DEFAULT_LOG_LINES : Number(args[0]);
      return { lines: deps.recentLog(limit).map((text) => line({ line: text })), ok: true };
    }
  }
}
