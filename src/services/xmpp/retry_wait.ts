/**
 * The XMPP reconnection wait (TR-181 `Device.XMPP.Connection.{i}.ServerRetryInitialInterval`,
 * `ServerRetryIntervalMultiplier`, `ServerRetryMaxInterval`): the n-th wait is a random
 * number of seconds between 0 and initial × (multiplier / 1000)^(n − 1), and the maximum
 * interval when that bound passes it. With the defaults (60 s, 2000, 30720 s) the bounds
 * are 1, 2, 4 … 512 minutes, then 512 minutes on.
 *
 * @module
 */

/** The retry parameters of one Connection row. */
export interface XmppRetryOptions {
  /** Seconds, ≥ 1. */
  readonly initialInterval: number;
  /** Thousandths, 1000–65535. */
  readonly intervalMultiplier: number;
  /** Seconds, ≥ 1. */
  readonly maxInterval: number;
}

/** The upper bound, in ms, of the `n`-th wait (n ≥ 1). */
export function retryBoundMs(n: number, options: XmppRetryOptions): number {
  const bound = options.initialInterval *
    (options.intervalMultiplier / 1000) ** Math.max(0, n - 1);
  return Math.min(bound, options.maxInterval) * 1000;
}

/**
 * The `n`-th wait in ms: a uniform pick in [0, bound] by `random` (in [0, 1)).
 *
 * @example
 * ```ts
 * import { retryWait } from "./retry_wait.ts";
 * const o = { initialInterval: 60, intervalMultiplier: 2000, maxInterval: 30720 };
 * console.assert(retryWait(3, o, () => 0.5) === 120_000);
 * ```
 */
export function retryWait(n: number, options: XmppRetryOptions, random: () => number): number {
  return Math.floor(random() * retryBoundMs(n, options));
}
