/**
 * Which connection the connection-request listener (`cr_listener.ts`) closes to make room:
 * by progress and source, not by age alone. Pure: time arrives as `now` (ms).
 *
 * A connection is *protected*, never closed to make room, while
 * - it is busy: its request head is complete and the request is being answered, or
 * - it is fresh: it has sent no byte of its (next) request yet and was accepted, or
 *   answered and kept open, less than `graceMs` ago, so a head already on its way still
 *   gets read.
 * Of the others, the victim comes from the source holding the most connections, and within
 * it is the one idle longest (since its last byte, or since it became fresh if it sent
 * none). A client that sends its head in one segment is therefore never closed before the
 * listener reads it, however fast others reconnect: churn only delays its accept.
 *
 * @module
 */

/** What the policy sees of one open connection. */
export interface AdmissionSlot {
  /** The peer's source, from {@linkcode sourceOf}. */
  readonly source: string;
  /** When the connection was accepted, or its last response left with the connection kept. */
  readonly since: number;
  /** When the last byte of the current request head arrived; `since` before any. */
  readonly lastByte: number;
  /** Bytes of the current request head received so far. */
  readonly bytes: number;
  /** True from the complete head until the response has left. */
  readonly busy: boolean;
}

/** Options of {@linkcode chooseVictim}. */
export interface ChooseVictimOptions {
  /** How long a connection that has sent nothing yet stays protected. */
  graceMs: number;
  /** Only consider connections of this source. */
  source?: string;
}

/** When `slot` stops being protected: `Infinity` while busy, `-Infinity` if it is not. */
export function protectedUntil(slot: AdmissionSlot, graceMs: number): number {
  if (slot.busy) return Infinity;
  return slot.bytes === 0 ? slot.since + graceMs : -Infinity;
}

/**
 * The connection to close to make room, or undefined when every candidate is protected.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { chooseVictim } from "./cr_admission.ts";
 * const fresh = { source: "192.0.2.1", since: 990, lastByte: 990, bytes: 0, busy: false };
 * const slow = { source: "192.0.2.2", since: 0, lastByte: 800, bytes: 40, busy: false };
 * assert.equal(chooseVictim([fresh, slow], 1000, { graceMs: 100 }), slow);
 * assert.equal(chooseVictim([fresh], 1000, { graceMs: 100 }), undefined);
 * ```
 */
export function chooseVictim<T extends AdmissionSlot>(
  slots: Iterable<T>,
  now: number,
  options: ChooseVictimOptions,
): T | undefined {
  const all = [...slots];
  const perSource = new Map<string, number>();
  for (const s of all) perSource.set(s.source, (perSource.get(s.source) ?? 0) + 1);
  let victim: T | undefined;
  let best = [-1, -Infinity];
  for (const s of all) {
    if (options.source !== undefined && s.source !== options.source) continue;
    if (protectedUntil(s, options.graceMs) > now) continue;
    const rank = [perSource.get(s.source)!, now - s.lastByte];
    if (rank[0] > best[0] || (rank[0] === best[0] && rank[1] > best[1])) {
      victim = s;
      best = rank;
    }
  }
  return victim;
}

/**
 * The source a peer address counts under: an IPv4 address (also IPv4-mapped IPv6) as is,
 * an IPv6 address by its /64 prefix (one host usually owns a whole /64).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sourceOf } from "./cr_admission.ts";
 * assert.equal(sourceOf("::ffff:192.0.2.7"), "192.0.2.7");
 * assert.equal(sourceOf("2001:db8::1"), "2001:db8:0:0::/64");
 * ```
 */
export function sourceOf(hostname: string): string {
  const address = hostname.replace(/%.*$/, "").toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mapped) return mapped[1];
  if (!address.includes(":")) return address;
  const [head, tail] = address.split("::");
  const front = head === "" ? [] : head.split(":");
  const back = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups = tail === undefined
    ? front
    : [...front, ...new Array(Math.max(0, 8 - front.length - back.length)).fill("0"), ...back];
  const prefix = groups.slice(0, 4).map((g) => (parseInt(g, 16) || 0).toString(16));
  return `${prefix.join(":")}::/64`;
}
