/**
 * A clock for tests: time moves only when the test says so. No sleeps.
 *
 * @module
 */

/** Manually advanced time in ms since the epoch. */
export class VirtualClock {
  #now: number;

  /** Starts at `start` (ms since the epoch, or an ISO string). */
  constructor(start: number | string = "2026-01-01T00:00:00Z") {
    this.#now = typeof start === "number" ? start : Date.parse(start);
  }

  /** The current virtual time. */
  now(): number {
    return this.#now;
  }

  /** Moves forward by `ms`. */
  advance(ms: number): number {
    if (ms < 0) throw new RangeError(`Cannot move the clock back by "${ms}" ms`);
    this.#now += ms;
    return this.#now;
  }

  /** Moves forward to `time` (never back). */
  advanceTo(time: number): number {
    if (time > this.#now) this.#now = time;
    return this.#now;
  }
}
