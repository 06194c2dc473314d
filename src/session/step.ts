/**
 * `step(state, event, now)`: the engine's one entry point. Looks the event up in the
 * transition table, runs the handler on a draft, adds `persist` when the snapshot changed and
 * computes `wakeAt`. Pure: no clock, no I/O, randomness from `state.random`.
 *
 * @module
 */

import type { SessionAction } from "./actions.ts";
import { addEvents } from "./event_queue.ts";
import type { SessionEvent } from "./events.ts";
import type { SessionSnapshot } from "./snapshot.ts";
import type { SessionState } from "./states.ts";
import { findTransition } from "./transitions.ts";
import { type Context, draftOf } from "./_context.ts";
import { nextTransferAt } from "./transfers.ts";

/** The result of one {@linkcode step}. */
export interface Step {
  state: SessionState;
  /** To perform in order; a `persist` comes first. */
  actions: SessionAction[];
  /** ms since the epoch at which to feed `timerFired`; absent = no timer. */
  wakeAt?: number;
}

/** The snapshot to persist for `state`: in-flight events count as pending. */
export function snapshotOf(state: SessionState): SessionSnapshot {
  const p = state.persisted;
  const snapshot: SessionSnapshot = {
    version: p.version,
    pendingEvents: addEvents(state.session?.inFlightEvents ?? [], p.pendingEvents),
    retryCount: p.retryCount,
    queuedRequests: p.queuedRequests,
    scheduledInforms: p.scheduledInforms,
    transfers: p.transfers,
  };
  if (p.lastTransferId !== undefined) snapshot.lastTransferId = p.lastTransferId;
  if (p.lastAcsUrl !== undefined) snapshot.lastAcsUrl = p.lastAcsUrl;
  if (p.rebootCommandKey !== undefined) snapshot.rebootCommandKey = p.rebootCommandKey;
  if (p.rebootPending !== undefined) snapshot.rebootPending = p.rebootPending;
  if (p.rebootBootId !== undefined) snapshot.rebootBootId = p.rebootBootId;
  if (p.factoryResetPending === true) snapshot.factoryResetPending = true;
  return snapshot;
}

/** The earliest pending timer of `state` as of `now`, or undefined. */
export function wakeAtOf(state: SessionState, now: number): number | undefined {
  if (state.phase === "stopped" || state.phase === "halted") return undefined;
  const times: number[] = state.persisted.scheduledInforms.map((x) => x.at);
  // A transfer due now starts when the session (or the running transfer) ends, not on a
  // timer: only future starts and window ends arm one (else a due transfer would spin it).
  const transferAt = nextTransferAt({ s: state }, now);
  if (transferAt !== undefined && transferAt > now) times.push(transferAt);
  if (state.nextPeriodicAt !== undefined) times.push(state.nextPeriodicAt);
  if (state.nextHeartbeatAt !== undefined) times.push(state.nextHeartbeatAt);
  // While EnableCWMP is false a due retry waits for the setting, not for a timer.
  if (state.phase === "retryWait" && state.retryAt !== undefined && state.settings.enableCwmp) {
    times.push(state.retryAt);
  }
  if (state.session?.deadline !== undefined) times.push(state.session.deadline);
  return times.length === 0 ? undefined : Math.min(...times);
}

function isStale(state: SessionState, event: SessionEvent): boolean {
  return "session" in event && event.session !== state.session?.number;
}

/**
 * Feeds one event to the engine.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createSessionState, step } from "./mod.ts";
 * const s0 = createSessionState({ acsUrl: "http://acs.example/" }, { random: () => 0 });
 * const { actions } = step(s0, { kind: "start" }, Date.UTC(2026, 0, 1));
 * assert.deepEqual(actions.map((a) => a.kind), ["persist", "collectInform"]);
 * ```
 */
export function step(state: SessionState, event: SessionEvent, now: number): Step {
  const transition = findTransition(state.phase, event.kind);
  if (!transition || isStale(state, event)) {
    return withWakeAt({ state, actions: [] }, now);
  }
  const ctx: Context = { s: draftOf(state), actions: [], now };
  transition.run(ctx, event);
  if (!transition.to.includes(ctx.s.phase)) {
    throw new Error(
      `Cannot move from "${state.phase}" to "${ctx.s.phase}" on "${event.kind}": not in the table`,
    );
  }
  const before = snapshotOf(state);
  const after = snapshotOf(ctx.s);
  const actions = JSON.stringify(before) === JSON.stringify(after)
    ? ctx.actions
    : [{ kind: "persist" as const, snapshot: after }, ...ctx.actions];
  return withWakeAt({ state: ctx.s, actions }, now);
}

function withWakeAt(result: { state: SessionState; actions: SessionAction[] }, now: number): Step {
  const wakeAt = wakeAtOf(result.state, now);
  return wakeAt === undefined ? result : { ...result, wakeAt };
}
