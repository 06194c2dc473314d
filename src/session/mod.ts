/**
 * Sans-I/O CWMP session engine (TR-069 §3.2, §3.4, §3.7): `step(state, event, now)` returns
 * the next state, the actions for the agent to perform and when to wake it up.
 *
 * The agent loop: load the snapshot, `createSessionState(settings, { snapshot, random })`,
 * `step(…, { kind: "start" }, now)`; then perform each returned action in order and feed the
 * answers back (`collectInform` → `informData`, `send` → `acsMessage` | `acsRequestRejected`
 * | `transportError`, `dispatch` → `rpcResult`, echoing `session`), keep one timer for
 * `wakeAt` (→ `timerFired`), and feed `connectionRequest`, `addEvent` and `settingsChanged`
 * as they happen.
 *
 * @module
 */

export type * from "./actions.ts";
export type * from "./events.ts";
export * from "./event_queue.ts";
export * from "./periodic.ts";
export * from "./retry_delay.ts";
export * from "./snapshot.ts";
export * from "./states.ts";
export * from "./step.ts";
export { findTransition, type Transition, TRANSITIONS } from "./transitions.ts";
export * from "./version.ts";
export { currentTime } from "./exchange.ts";
