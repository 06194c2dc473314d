/**
 * A timer for long-lived loops that re-arm with a different delay each time (the session
 * engine's next wake-up, the next report of a schedule). Built on `timers.ts`'s scheduler,
 * which neither loads Deno's Node timers nor keeps anything per distinct delay, so
 * re-arming with delays that are all different costs nothing over months of sessions
 * (Deno 2.9's `setTimeout` + `clearTimeout` leak about 230 bytes each time), and waits past
 * `setTimeout`'s 2^31 − 1 ms are waited out in full.
 *
 * @module
 */

import { clearTimer, setTimer, type Timer } from "./timers.ts";

/** One re-armable timer. */
export class WakeTimer {
  #timer?: Timer;

  /** Calls `fn` once, `delayMs` from now (0 or less: on the next turn); cancels any earlier arm. */
  arm(delayMs: number, fn: () => void): void {
    this.cancel();
    const timer = setTimer(() => {
      if (this.#timer === timer) this.#timer = undefined;
      fn();
    }, Math.max(0, delayMs));
    this.#timer = timer;
  }

  /** True while armed. */
  get armed(): boolean {
    return this.#timer !== undefined;
  }

  /** Cancels the pending call, if any. */
  cancel(): void {
    clearTimer(this.#timer);
    this.#timer = undefined;
  }
}
