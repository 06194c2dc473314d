/**
 * The MQTT reconnection wait (TR-181 `Device.MQTT.Client.{i}.ConnectRetryTime`,
 * `ConnectRetryIntervalMultiplier`, `ConnectRetryMaxInterval`): the n-th wait is a random
 * number of seconds between m·(k/1000)^(n−1) and m·(k/1000)^n, n counted up to 10 and
 * held there, each bound capped at the maximum interval. With the defaults (5 s, 2000,
 * 30720 s) the first wait is 5–10 s, the tenth and later 2560–5120 s.
 *
 * @module
 */

/** The retry parameters of one Client row. */
export interface MqttRetryOptions {
  /** ConnectRetryTime, seconds, ≥ 1 (m). */
  readonly retryTime: number;
  /** ConnectRetryIntervalMultiplier, thousandths, 1000–65535 (k). */
  readonly intervalMultiplier: number;
  /** ConnectRetryMaxInterval, seconds, ≥ 1. */
  readonly maxInterval: number;
}

/** The bounds, in ms, of the `n`-th wait (n ≥ 1). */
export function retryBoundsMs(n: number, options: MqttRetryOptions): [number, number] {
  const k = options.intervalMultiplier / 1000;
  const e = Math.min(Math.max(n, 1), 10);
  const cap = options.maxInterval;
  const low = Math.min(options.retryTime * k ** (e - 1), cap);
  const high = Math.min(options.retryTime * k ** e, cap);
  return [low * 1000, high * 1000];
}

/**
 * The `n`-th wait in ms: a uniform pick between the bounds by `random` (in [0, 1)).
 *
 * @example
 * ```ts
 * import { retryWait } from "./retry_wait.ts";
 * const o = { retryTime: 5, intervalMultiplier: 2000, maxInterval: 30720 };
 * console.assert(retryWait(1, o, () => 0.5) === 7500);
 * console.assert(retryWait(12, o, () => 0) === 2_560_000);
 * ```
 */
export function retryWait(n: number, options: MqttRetryOptions, random: () => number): number {
  const [low, high] = retryBoundsMs(n, options);
  return Math.floor(low + random() * (high - low));
}
