/**
 * Private: the time limits and the cancellation of one transfer. When one fires it
 * records the {@linkcode TransferError} to report and closes every connection it guards,
 * so whatever await was pending ends (a closed socket reads as end of stream); the
 * transfer then finds the error with {@linkcode Watchdog.check} or
 * {@linkcode Watchdog.error} instead of mistaking the close for the server's.
 *
 * - stall: no byte moved for `stallTimeoutMs` (checked a few times per limit, so a
 *   busy transfer does not re-arm a timer per chunk);
 * - total: `totalTimeoutMs` after the start;
 * - cancel: the request's `signal` aborted.
 *
 * @module
 */

import type { TransferError, TransferLimits } from "./client.ts";
import { clearTimer, setRepeating, setTimer, type Timer } from "../platform/timers.ts";

/** Which limit fired. */
export type WatchdogReason = "stall" | "total" | "cancel";

/** Something the watchdog closes when it fires. */
export interface Closable {
  close(): void;
}

/** Options of {@linkcode Watchdog}. */
export interface WatchdogOptions {
  limits: TransferLimits;
  signal?: AbortSignal;
  /** Builds the error to report when `reason` fires (it may count bytes so far). */
  onFire: (reason: WatchdogReason) => TransferError;
}

/** One transfer's limits; call {@linkcode Watchdog.stop} when the transfer ends. */
export class Watchdog {
  #options: WatchdogOptions;
  #error?: TransferError;
  #guarded = new Set<Closable>();
  #lastActivity = performance.now();
  #interval?: Timer;
  #total?: Timer;
  #onAbort = () => this.#fire("cancel");
  #rejectFired!: (e: TransferError) => void;
  /** Rejects with the error when a limit fires; never resolves. */
  readonly fired: Promise<never>;

  /** Starts the clocks now. */
  constructor(options: WatchdogOptions) {
    this.#options = options;
    this.fired = new Promise<never>((_, reject) => (this.#rejectFired = reject));
    this.fired.catch(() => {}); // observed through check()/race(), never unhandled
    const { stallTimeoutMs, totalTimeoutMs } = options.limits;
    this.#interval = setRepeating(() => {
      if (performance.now() - this.#lastActivity > stallTimeoutMs) this.#fire("stall");
    }, Math.max(10, Math.min(1000, Math.floor(stallTimeoutMs / 4))));
    this.#total = setTimer(() => this.#fire("total"), totalTimeoutMs);
    if (options.signal?.aborted) this.#fire("cancel");
    else options.signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** The error of the limit that fired, if one did. */
  get error(): TransferError | undefined {
    return this.#error;
  }

  /** Bytes moved: the stall clock starts again. */
  activity(): void {
    this.#lastActivity = performance.now();
  }

  /** Throws the error of the limit that fired, if one did. */
  check(): void {
    if (this.#error) throw this.#error;
  }

  /** `promise`, or the watchdog's error if a limit fires first. */
  race<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([promise, this.fired]);
  }

  /** Closes `c` if a limit fires while it is guarded (at once if one already has). */
  guard(c: Closable): void {
    if (this.#error) c.close();
    else this.#guarded.add(c);
  }

  /** No longer closes `c`. */
  release(c: Closable): void {
    this.#guarded.delete(c);
  }

  /** Stops the clocks and forgets the signal. */
  stop(): void {
    clearTimer(this.#interval);
    clearTimer(this.#total);
    this.#options.signal?.removeEventListener("abort", this.#onAbort);
    this.#guarded.clear();
  }

  #fire(reason: WatchdogReason): void {
    if (this.#error) return;
    this.#error = this.#options.onFire(reason);
    const guarded = [...this.#guarded];
    this.stop();
    for (const c of guarded) c.close();
    this.#rejectFired(this.#error);
  }
}
