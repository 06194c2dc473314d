/**
 * TWAMP test packets, unauthenticated mode: the pure codec of the reflector
 * (RFC 5357 §4.2.1, with the sender layout of RFC 4656 §4.1.2; FACTS §10.1).
 * No I/O, no clock: times arrive as Unix nanoseconds (bigint).
 *
 * ```
 * Session-Sender → reflector (≥ 14 bytes)      Reflector → sender (41 bytes + padding)
 *  0  Sequence Number          u32              0  Sequence Number (reflector's own)  u32
 *  4  Timestamp                NTP 64           4  Timestamp (at send)                NTP 64
 * 12  Error Estimate           u16             12  Error Estimate                     u16
 * 14  Packet Padding …                         14  MBZ                                u16
 *                                              16  Receive Timestamp                  NTP 64
 *                                              24  Sender Sequence Number             u32
 *                                              28  Sender Timestamp                   NTP 64
 *                                              36  Sender Error Estimate              u16
 *                                              38  MBZ                                u16
 *                                              40  Sender TTL (255 if unknown)        u8
 *                                              41  Packet Padding …
 * ```
 *
 * Timestamps are 64-bit NTP: seconds since 1900-01-01 (32 bits) and a binary
 * fraction (unit 2^-32 s). Seconds wrap every 2^32 s (NTP era 1 starts 2036-02-07);
 * decoding assumes era 0 unless given a pivot time (see {@linkcode ntpToUnixNs}).
 *
 * Error Estimate (RFC 4656 §4.1.2): `S`(1) `Z`(1) `Scale`(6) `Multiplier`(8);
 * error = Multiplier × 2^(Scale − 32) s. Multiplier MUST NOT be 0, and a received
 * estimate with Multiplier 0 SHOULD be treated as corrupt. Z was MBZ in RFC 4656/5357
 * (RFC 8186 reuses it for the timestamp format); we send 0 and carry the sender's as is.
 *
 * @module
 */

/** Seconds from 1900-01-01 (NTP epoch) to 1970-01-01 (Unix epoch). */
export const NTP_UNIX_OFFSET_SECONDS = 2_208_988_800n;

/** Bytes of a Session-Sender test packet before its padding. */
export const SENDER_HEADER_LENGTH = 14;

/** Bytes of a reflected packet before its padding. */
export const REFLECTED_HEADER_LENGTH = 41;

/**
 * How much shorter the reflected padding is than the sender's when the reply keeps the
 * request's size (41 − 14 = 27; RFC 5357 §4.2.1 asks senders for ≥ 27 bytes of padding).
 */
export const PADDING_SHRINK = REFLECTED_HEADER_LENGTH - SENDER_HEADER_LENGTH;

/** Sender TTL when the received TTL/Hop Limit cannot be read. */
export const UNKNOWN_TTL = 255;

const NS_PER_S = 1_000_000_000n;
const TWO_32 = 1n << 32n;

/**
 * Unix time in ns → 64-bit NTP timestamp. Fractions are truncated (so a timestamp
 * never claims a later instant than the clock read); seconds wrap modulo 2^32 (era).
 *
 * @throws {RangeError} when `unixNs` is before 1900-01-01
 */
export function unixNsToNtp(unixNs: bigint): bigint {
  const seconds = floorDiv(unixNs, NS_PER_S);
  const ntpSeconds = seconds + NTP_UNIX_OFFSET_SECONDS;
  if (ntpSeconds < 0n) throw new RangeError(`Time before the NTP epoch: "${unixNs}" ns`);
  const rest = unixNs - seconds * NS_PER_S; // 0 … 999_999_999
  const fraction = (rest << 32n) / NS_PER_S;
  return ((ntpSeconds % TWO_32) << 32n) | fraction;
}

const NTP_UNIX_OFFSET = Number(NTP_UNIX_OFFSET_SECONDS);

/**
 * The 32-bit NTP fraction of `nsec` (0–999,999,999) nanoseconds, truncated as
 * {@linkcode unixNsToNtp} does, without a bigint: ⌊nsec × 2^32 / 10^9⌋ =
 * ⌊nsec × 2^23 / 5^9⌋, whose numerator stays below 2^53 (exact), corrected by the
 * remainder.
 */
export function ntpFraction(nsec: number): number {
  const n = nsec * 8388608; // 2^23
  let q = Math.floor(n / 1953125); // 5^9
  const r = n - q * 1953125;
  if (r < 0) q--;
  else if (r >= 1953125) q++;
  return q;
}

/**
 * Writes the 64-bit NTP timestamp of `sec` s + `nsec` ns since the Unix epoch at
 * `offset` (big-endian), as {@linkcode unixNsToNtp} would: seconds modulo 2^32, fraction
 * truncated. For the reflector's hot path: no bigint.
 */
export function writeNtp(view: DataView, offset: number, sec: number, nsec: number): void {
  view.setUint32(offset, (sec + NTP_UNIX_OFFSET) % 4294967296);
  view.setUint32(offset + 4, ntpFraction(nsec));
}

/** Options of {@linkcode ntpToUnixNs}. */
export interface NtpToUnixOptions {
  /**
   * Unix ns near the expected result (e.g. now): picks the NTP era whose result is
   * closest to it. Default: era 0 (1900–2036).
   */
  readonly pivotNs?: bigint;
}

/**
 * 64-bit NTP timestamp → Unix time in ns, rounded to the nearest ns (exact inverse of
 * {@linkcode unixNsToNtp} for any ns value it produced, since 2^-32 s < 1 ns).
 */
export function ntpToUnixNs(ntp: bigint, options: NtpToUnixOptions = {}): bigint {
  const ntpSeconds = (ntp >> 32n) & 0xffff_ffffn;
  const fraction = ntp & 0xffff_ffffn;
  const fractionNs = (fraction * NS_PER_S + (1n << 31n)) >> 32n;
  let seconds = ntpSeconds - NTP_UNIX_OFFSET_SECONDS;
  if (options.pivotNs !== undefined) {
    const pivotSeconds = floorDiv(options.pivotNs, NS_PER_S);
    const era = (pivotSeconds - seconds + TWO_32 / 2n) / TWO_32;
    seconds += (era > 0n ? era : 0n) * TWO_32;
  }
  return seconds * NS_PER_S + fractionNs;
}

/** The fields of a 16-bit Error Estimate. */
export interface ErrorEstimate {
  /** S: the clock is synchronised to UTC from an external source. */
  readonly synchronized: boolean;
  /** Z: MBZ in RFC 4656/5357; RFC 8186 timestamp format (0 NTP, 1 PTP). */
  readonly z: 0 | 1;
  /** 0–63. */
  readonly scale: number;
  /** 1–255 (0 is invalid on the wire). */
  readonly multiplier: number;
}

/** Packs an Error Estimate into its 16 bits. @throws {RangeError} on an out-of-range field */
export function encodeErrorEstimate(estimate: ErrorEstimate): number {
  const { scale, multiplier } = estimate;
  if (!Number.isInteger(scale) || scale < 0 || scale > 63) {
    throw new RangeError(`Error Estimate Scale must be 0–63: "${scale}"`);
  }
  if (!Number.isInteger(multiplier) || multiplier < 1 || multiplier > 255) {
    throw new RangeError(`Error Estimate Multiplier must be 1–255: "${multiplier}"`);
  }
  return (estimate.synchronized ? 0x8000 : 0) | (estimate.z << 14) | (scale << 8) | multiplier;
}

/** Unpacks the 16 bits of an Error Estimate (Multiplier 0 is returned as is). */
export function decodeErrorEstimate(bits: number): ErrorEstimate {
  return {
    synchronized: (bits & 0x8000) !== 0,
    z: ((bits >> 14) & 1) as 0 | 1,
    scale: (bits >> 8) & 0x3f,
    multiplier: bits & 0xff,
  };
}

/** The error an estimate states, in seconds: Multiplier × 2^(Scale − 32). */
export function errorSeconds(estimate: ErrorEstimate): number {
  return estimate.multiplier * 2 ** (estimate.scale - 32);
}

/**
 * The smallest estimate that states at least `seconds` of error: the lowest Scale
 * whose Multiplier (rounded up) fits in 8 bits. For 1 ms that is Scale 15,
 * Multiplier 132 (132 × 2^-17 s ≈ 1.007 ms), i.e. `0x0F84` unsynchronised.
 *
 * @throws {RangeError} when `seconds` is not positive or exceeds 255 × 2^31 s
 */
export function errorEstimateFor(seconds: number, synchronized = false): ErrorEstimate {
  if (!(seconds > 0) || seconds > 255 * 2 ** 31) {
    throw new RangeError(`Error estimate must be above 0 and at most 255 × 2^31 s: "${seconds}"`);
  }
  for (let scale = 0; scale <= 63; scale++) {
    const multiplier = Math.ceil(seconds / 2 ** (scale - 32));
    if (multiplier <= 255) return { synchronized, z: 0, scale, multiplier };
  }
  throw new RangeError(`Error estimate out of range: "${seconds}"`); // unreachable
}

/** A decoded Session-Sender test packet (unauthenticated). */
export interface TestPacket {
  readonly sequenceNumber: number;
  /** NTP 64-bit, as received. */
  readonly timestamp: bigint;
  /** The 16 bits as received. */
  readonly errorEstimate: number;
  /** Bytes after the 14-byte header (a view into the input). */
  readonly padding: Uint8Array;
}

/** Why a datagram is not a test packet. */
export type TestPacketProblem = "malformed" | "corruptErrorEstimate";

/**
 * Decodes an unauthenticated test packet, or names its problem: shorter than 14 bytes
 * → `"malformed"`; Error Estimate Multiplier 0 → `"corruptErrorEstimate"` (RFC 4656
 * SHOULD drop).
 */
export function decodeTestPacket(data: Uint8Array): TestPacket | TestPacketProblem {
  if (data.length < SENDER_HEADER_LENGTH) return "malformed";
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const errorEstimate = view.getUint16(12);
  if ((errorEstimate & 0xff) === 0) return "corruptErrorEstimate";
  return {
    sequenceNumber: view.getUint32(0),
    timestamp: view.getBigUint64(4),
    errorEstimate,
    padding: data.subarray(SENDER_HEADER_LENGTH),
  };
}

/** Encodes a Session-Sender test packet (for tests and a future sender). */
export function encodeTestPacket(packet: TestPacket): Uint8Array {
  const out = new Uint8Array(SENDER_HEADER_LENGTH + packet.padding.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, packet.sequenceNumber);
  view.setBigUint64(4, packet.timestamp);
  view.setUint16(12, packet.errorEstimate);
  out.set(packet.padding, SENDER_HEADER_LENGTH);
  return out;
}

/** The fields of a reflected packet. */
export interface ReflectedPacket {
  /** The reflector's own counter. */
  readonly sequenceNumber: number;
  /** NTP 64-bit send time. */
  readonly timestamp: bigint;
  readonly errorEstimate: number;
  /** NTP 64-bit receive time of the test packet. */
  readonly receiveTimestamp: bigint;
  readonly senderSequenceNumber: number;
  readonly senderTimestamp: bigint;
  readonly senderErrorEstimate: number;
  /** 0–255; {@linkcode UNKNOWN_TTL} when unknown. */
  readonly senderTtl: number;
  /** Bytes after the 41-byte header. */
  readonly padding: Uint8Array;
}

/**
 * Writes `packet` into `out` (41 bytes + padding; MBZ fields zeroed) and returns its
 * length. `packet.padding` may overlap `out` (copied first, as `TypedArray.set` does).
 *
 * @throws {RangeError} when `out` is too small
 */
export function encodeReflectedPacket(packet: ReflectedPacket, out: Uint8Array): number {
  const length = REFLECTED_HEADER_LENGTH + packet.padding.length;
  if (out.length < length) {
    throw new RangeError(`Reply buffer too small: ${out.length} < ${length} bytes`);
  }
  out.set(packet.padding, REFLECTED_HEADER_LENGTH);
  const view = new DataView(out.buffer, out.byteOffset, length);
  view.setUint32(0, packet.sequenceNumber >>> 0);
  view.setBigUint64(4, packet.timestamp);
  view.setUint16(12, packet.errorEstimate);
  view.setUint16(14, 0);
  view.setBigUint64(16, packet.receiveTimestamp);
  view.setUint32(24, packet.senderSequenceNumber >>> 0);
  view.setBigUint64(28, packet.senderTimestamp);
  view.setUint16(36, packet.senderErrorEstimate);
  view.setUint16(38, 0);
  view.setUint8(40, packet.senderTtl);
  return length;
}

/** Decodes a reflected packet (for tests and a future sender); undefined when < 41 bytes. */
export function decodeReflectedPacket(data: Uint8Array): ReflectedPacket | undefined {
  if (data.length < REFLECTED_HEADER_LENGTH) return undefined;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return {
    sequenceNumber: view.getUint32(0),
    timestamp: view.getBigUint64(4),
    errorEstimate: view.getUint16(12),
    receiveTimestamp: view.getBigUint64(16),
    senderSequenceNumber: view.getUint32(24),
    senderTimestamp: view.getBigUint64(28),
    senderErrorEstimate: view.getUint16(36),
    senderTtl: view.getUint8(40),
    padding: data.subarray(REFLECTED_HEADER_LENGTH),
  };
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b < 0n ? q - 1n : q;
}
