/**
 * The working copy a transition handler edits. `step()` makes fresh shallow copies of the
 * state, its settings, persisted part and session, so handlers may assign their fields; arrays
 * are replaced, never mutated in place.
 *
 * @module
 */

import type { SessionAction } from "./actions.ts";
import type { ActiveSession, SessionState } from "./states.ts";

/** The draft state, the actions emitted so far and the current time. */
export interface Context {
  s: SessionState;
  actions: SessionAction[];
  now: number;
}

/** A copy of `state` whose nested records may be assigned without touching `state`. */
export function draftOf(state: SessionState): SessionState {
  return {
    ...state,
    settings: { ...state.settings },
    persisted: { ...state.persisted },
    session: state.session && { ...state.session },
  };
}

/** The open session; throws when there is none (a bug in the table). */
export function sessionOf(ctx: Context): ActiveSession {
  if (!ctx.s.session) throw new Error(`No open session in phase "${ctx.s.phase}"`);
  return ctx.s.session;
}

/** The next cwmp:ID for one of our own requests. */
export function nextMessageId(ctx: Context): string {
  const id = ctx.s.nextMessageId;
  ctx.s.nextMessageId = id + 1;
  return `cpe-${id}`;
}
