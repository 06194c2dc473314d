/**
 * The agent's own RPC handlers besides the parameter RPCs: Reboot, FactoryReset and
 * ScheduleInform only validate and answer; the session engine carries out the
 * effect once the response went out (TR-069 A.3.2.9, A.4.1.6, A.4.1.2).
 *
 * @module
 */

import { InvalidArgumentsError, ResourcesExceededError } from "../datamodel/mod.ts";
import type { Handlers } from "../rpc/mod.ts";

/** Options of {@linkcode agentHandlers}. */
export interface AgentHandlerOptions {
  /** FactoryReset is offered only when a command is configured. */
  factoryReset: boolean;
  /** How many ScheduleInforms are waiting to fire or to be reported. */
  scheduledInforms(): number;
}

/**
 * The most ScheduleInforms waiting at once. [U] TR-069 sets no limit; each one is state
 * kept across restarts and an `M ScheduleInform` in a later Inform, so 32 (9004 beyond).
 */
export const MAX_SCHEDULED_INFORMS = 32;

/** Handlers for the RPCs the agent itself implements. */
export function agentHandlers(options: AgentHandlerOptions): Handlers {
  const handlers: Handlers = {
    Reboot: () => ({ kind: "RebootResponse" }),
    ScheduleInform: (request) => {
      // [U] DelaySeconds 0 is not forbidden by the schema; it schedules the Inform for
      // right after this session, which is what GenieACS's "ScheduleInform now" expects.
      if (!Number.isInteger(request.delaySeconds) || request.delaySeconds < 0) {
        throw new InvalidArgumentsError(`Invalid DelaySeconds "${request.delaySeconds}"`);
      }
      if (request.commandKey.length > 32) {
        throw new InvalidArgumentsError("CommandKey longer than 32 characters");
      }
      if (options.scheduledInforms() >= MAX_SCHEDULED_INFORMS) {
        throw new ResourcesExceededError(
          `Already ${MAX_SCHEDULED_INFORMS} ScheduleInforms waiting to fire`,
        );
      }
      return { kind: "ScheduleInformResponse" };
    },
  };
  if (options.factoryReset) handlers.FactoryReset = () => ({ kind: "FactoryResetResponse" });
  return handlers;
}
