/**
 * TWAMP Light reflector (RFC 5357 §4.2 and Appendix I; TR-390 via TR-181
 * `Device.IP.Interface.{i}.TWAMPReflector.{i}.`, FACTS §10) as a pure
 * {@linkcode DatagramHandler}: a UDP loop from `services/udp` owns the socket and calls
 * `handle()` per datagram. Module contract: `createHandler(config)`.
 *
 * Per datagram, in this order (the first failing rule drops it and counts the reason):
 *
 * | rule | counter |
 * |---|---|
 * | source address in IPAllowedList (empty = any) | `droppedIpNotAllowed` |
 * | source port in PortAllowedList (empty = any) | `droppedPortNotAllowed` |
 * | received TTL ≤ MaximumTTL | `droppedTtlExceeded` |
 * | TTL known, unless MaximumTTL is 255 or `unknownTtl: "reflect"` | `droppedTtlUnknown` |
 * | at least 14 bytes | `droppedMalformed` |
 * | Error Estimate Multiplier ≠ 0 (RFC 4656 SHOULD) | `droppedCorruptErrorEstimate` |
 * | at least 41 bytes, unless `shortPackets: "pad"` | `droppedTooShort` |
 * | the reply fits the loop's reply buffer | `droppedTooLarge` |
 *
 * Choices (FACTS §10 marks the RFC wording [U]):
 * - **Reply size = request size** (no amplification): the reply's padding is the first
 *   L − 41 bytes of the sender's padding, i.e. 27 bytes shorter (RFC 5357 §4.2.1 asks
 *   senders for ≥ 27 bytes of padding for exactly this).
 * - **14–40-byte requests are dropped** by default (`droppedTooShort`): a 41-byte reply
 *   would be up to 2.9× the request, a reflection amplifier. `shortPackets: "pad"`
 *   answers them with the bare 41-byte header for senders that pad nothing.
 * - **Unknown TTL** (the `Deno.listenDatagram` path cannot read it): MaximumTTL cannot be
 *   enforced, so such packets are dropped unless MaximumTTL is 255 (which allows every
 *   TTL) or `unknownTtl: "reflect"`; a reflected packet then carries Sender TTL 255.
 *   TR-181's default MaximumTTL 1 reflects only packets that arrive with TTL ≤ 1 (a
 *   sender on the link sending with TTL 1); routed or TTL-255 senders need it raised.
 * - **Own sequence numbers**: TWAMP Light has no session, so each sender (address +
 *   port) gets a counter starting at 0, +1 per reflected packet (wrapping at 2^32). The
 *   counters live in an LRU map of at most `maxSenders` entries (default 4096): a flood
 *   from many sources evicts old senders (`sendersEvicted`) instead of growing memory;
 *   an evicted sender starts again at 0. Dropped packets create no state.
 * - **Error Estimate**: S = `synchronized` (default false: we do not know that the clock
 *   follows UTC); Scale/Multiplier from `clockErrorSeconds` (default 0.001: Deno's clock
 *   reads are at best µs, and a millisecond also covers `Date.now()` resolution, so the
 *   claim is truthful), rounded up: 1 ms → Scale 15, Multiplier 132 (`0x0F84`).
 * - Receive Timestamp from the loop's receive time (the kernel's SO_TIMESTAMPNS on the
 *   FFI path); Timestamp from the clock read last: on the FFI path one read per batch,
 *   right before its `sendmmsg` (`stampReply`), in `handle()` `nowNs()` after the rest
 *   of the reply is written.
 * - **In place** (`handleInPlace`, RFC 5357 §4.2.1 layout): the reply is built over the
 *   request in the loop's buffer: the padding kept moves from 14 to 41 (`copyWithin`),
 *   the sender's Sequence Number, Timestamp and Error Estimate from 0–13 to 24–37 (the
 *   two layouts match byte for byte), then the reflector's fields are written; all of
 *   bytes 0–40 are written, so nothing an earlier, longer datagram left in the buffer
 *   reaches a 41-byte reply to a short request.
 *
 * @module
 */

import {
  type DatagramMeta,
  handleByCopy,
  type InPlaceHandler,
  type ReceiveTime,
} from "../udp/handler.ts";
import {
  ipAllowed,
  type IpPrefix,
  parseIpAllowedList,
  parsePortAllowedList,
  portAllowed,
  type PortRange,
} from "./allow_list.ts";
import {
  encodeErrorEstimate,
  errorEstimateFor,
  PADDING_SHRINK,
  REFLECTED_HEADER_LENGTH,
  SENDER_HEADER_LENGTH,
  UNKNOWN_TTL,
  writeNtp,
} from "./packet.ts";

/** Configuration of a reflector (structured-cloneable: it may cross into a Worker). */
export interface TwampReflectorConfig {
  /** TR-181 MaximumTTL, 1–255; default 1. */
  readonly maximumTtl?: number;
  /** TR-181 IPAllowedList: comma-separated text or items; empty = any source. */
  readonly ipAllowedList?: string | readonly string[];
  /** TR-181 PortAllowedList: comma-separated text or items; empty = any port. */
  readonly portAllowedList?: string | readonly string[];
  /** What to do when the loop cannot read the TTL; default "drop" (see the module doc). */
  readonly unknownTtl?: "drop" | "reflect";
  /** Requests of 14–40 bytes; default "drop" (see the module doc). */
  readonly shortPackets?: "drop" | "pad";
  /** Error Estimate S bit: clock synchronised to UTC; default false. */
  readonly synchronized?: boolean;
  /** Clock error to state, seconds; default 0.001. */
  readonly clockErrorSeconds?: number;
  /** Senders whose sequence counters are kept (LRU); default 4096. */
  readonly maxSenders?: number;
}

/** Counter names of {@linkcode TwampReflector.stats}. */
export const DROP_REASONS = [
  "droppedIpNotAllowed",
  "droppedPortNotAllowed",
  "droppedTtlExceeded",
  "droppedTtlUnknown",
  "droppedMalformed",
  "droppedCorruptErrorEstimate",
  "droppedTooShort",
  "droppedTooLarge",
] as const;

/** Why a datagram was not reflected. */
export type DropReason = typeof DROP_REASONS[number];

const DROP_INDEX = Object.fromEntries(DROP_REASONS.map((r, i) => [r, i])) as Record<
  DropReason,
  number
>;

interface Settings {
  maximumTtl: number;
  ips: IpPrefix[];
  ports: PortRange[];
  reflectUnknownTtl: boolean;
  padShort: boolean;
  errorEstimate: number;
  maxSenders: number;
}

export { twampReflectorSpec } from "./reflector_spec.ts";

/** The module contract of `services/udp`: builds a reflector from `config`. */
export function createHandler(config: unknown): TwampReflector {
  return new TwampReflector(config as TwampReflectorConfig);
}

/** One sender's next own sequence number (mutable: no Map write per datagram). */
interface SenderEntry {
  next: number;
}

/** A TWAMP Light reflector; see the module doc. */
export class TwampReflector implements InPlaceHandler {
  #settings: Settings;
  /** `address port` → next own sequence number; Map order = least recently used first. */
  readonly #senders = new Map<string, SenderEntry>();
  // The most recently used sender (last in the Map's order): a run of datagrams from one
  // sender touches no Map. `#mruAddress` is compared by identity first (the loop reuses
  // one string while the sender stays the same).
  #mruAddress = "";
  #mruPort = -1;
  #mru: SenderEntry | undefined;
  // IPAllowedList verdict of the last source address (parsing it per datagram is costly).
  #allowAddress: string | undefined;
  #allowVerdict = false;
  // Plain fields (a Record built from entries would be a slow dictionary-mode object).
  #received = 0;
  #reflected = 0;
  #dropped = 0;
  readonly #drops = new Float64Array(DROP_REASONS.length);
  #sendersEvicted = 0;
  #sendFailed = 0;

  /** @throws {RangeError} or {TypeError} on an invalid `config` */
  constructor(config: TwampReflectorConfig = {}) {
    this.#settings = settingsOf(config);
  }

  /** Reflects one test packet into `reply`; returns its length, or -1 when dropped. */
  handle(data: Uint8Array, meta: DatagramMeta, reply: Uint8Array, nowNs: () => bigint): number {
    return handleByCopy(this, data, meta, reply, nowNs);
  }

  /**
   * Reflects the test packet in `buf[offset, offset + length)` over itself (see the module
   * doc); returns the reply's length, or -1 when dropped. The Timestamp is left for
   * {@linkcode stampReply}.
   */
  handleInPlace(
    buf: Uint8Array,
    view: DataView,
    offset: number,
    length: number,
    room: number,
    meta: DatagramMeta & ReceiveTime,
  ): number {
    const s = this.#settings;
    this.#received++;
    if (s.ips.length !== 0) {
      if (meta.address !== this.#allowAddress) {
        this.#allowVerdict = ipAllowed(s.ips, meta.address);
        this.#allowAddress = meta.address;
      }
      if (!this.#allowVerdict) return this.#drop("droppedIpNotAllowed");
    }
    if (!portAllowed(s.ports, meta.port)) return this.#drop("droppedPortNotAllowed");
    const ttl = meta.ttl;
    if (ttl === undefined) {
      if (s.maximumTtl < 255 && !s.reflectUnknownTtl) return this.#drop("droppedTtlUnknown");
    } else if (ttl > s.maximumTtl) {
      return this.#drop("droppedTtlExceeded");
    }
    if (length < SENDER_HEADER_LENGTH) return this.#drop("droppedMalformed");
    // RFC 4656: Multiplier 0 is a corrupt Error Estimate.
    if (buf[offset + 13] === 0) return this.#drop("droppedCorruptErrorEstimate");
    let replyLength = length; // the padding loses its last 27 bytes: same size as the request
    if (length < REFLECTED_HEADER_LENGTH) {
      if (!s.padShort) return this.#drop("droppedTooShort");
      replyLength = REFLECTED_HEADER_LENGTH; // the bare header, no padding
    }
    if (room < replyLength) return this.#drop("droppedTooLarge");
    const sequenceNumber = this.#nextSequence(meta.address, meta.port);
    this.#reflected++;
    const o = offset;
    // The padding kept, 14 … L−28 → 41 … L−1: an overlapping move up, so from the end.
    const padding = length - REFLECTED_HEADER_LENGTH;
    if (padding > 64) {
      buf.copyWithin(
        o + REFLECTED_HEADER_LENGTH,
        o + SENDER_HEADER_LENGTH,
        o + length - PADDING_SHRINK,
      );
    } else {
      for (let k = padding - 1; k >= 0; k--) {
        buf[o + REFLECTED_HEADER_LENGTH + k] = buf[o + SENDER_HEADER_LENGTH + k];
      }
    }
    // Sender Sequence Number, Timestamp, Error Estimate: 0 … 13 → 24 … 37 (same layout).
    view.setUint16(o + 36, view.getUint16(o + 12));
    view.setUint32(o + 32, view.getUint32(o + 8));
    view.setUint32(o + 28, view.getUint32(o + 4));
    view.setUint32(o + 24, view.getUint32(o));
    view.setUint32(o, sequenceNumber);
    view.setUint32(o + 4, 0); // Timestamp: stampReply()
    view.setUint32(o + 8, 0);
    view.setUint16(o + 12, s.errorEstimate);
    view.setUint16(o + 14, 0);
    writeNtp(view, o + 16, meta.receivedSec, meta.receivedNsec);
    view.setUint16(o + 38, 0);
    buf[o + 40] = ttl ?? UNKNOWN_TTL;
    return replyLength;
  }

  /** Writes the Timestamp (send time) of a reply built by {@linkcode handleInPlace}. */
  stampReply(view: DataView, offset: number, _length: number, sec: number, nsec: number): void {
    writeNtp(view, offset + 4, sec, nsec);
  }

  /**
   * Takes new settings (MaximumTTL, allow lists…) and keeps the sequence counters and
   * statistics. On an invalid config it throws and keeps the old settings.
   *
   * @throws {RangeError} or {TypeError} on an invalid `config`
   */
  reconfigure(config: unknown): void {
    this.#settings = settingsOf(config as TwampReflectorConfig);
    this.#allowAddress = undefined;
    while (this.#senders.size > this.#settings.maxSenders) this.#evictOldest();
  }

  /** Counters: received, reflected, dropped (total and by reason), senders… */
  stats(): Record<string, number> {
    return {
      received: this.#received,
      reflected: this.#reflected,
      dropped: this.#dropped,
      ...Object.fromEntries(DROP_REASONS.map((r, i) => [r, this.#drops[i]])),
      sendersEvicted: this.#sendersEvicted,
      sendFailed: this.#sendFailed,
      senders: this.#senders.size,
    };
  }

  /** Counts a reply the loop could not send. */
  sendFailed(): void {
    this.#sendFailed++;
  }

  #drop(reason: DropReason): -1 {
    this.#dropped++;
    this.#drops[DROP_INDEX[reason]]++;
    return -1;
  }

  #nextSequence(address: string, port: number): number {
    let entry = this.#mru;
    if (entry === undefined || port !== this.#mruPort || address !== this.#mruAddress) {
      const key = `${address} ${port}`;
      entry = this.#senders.get(key);
      if (entry === undefined) {
        entry = { next: 0 };
        if (this.#senders.size >= this.#settings.maxSenders) this.#evictOldest();
      } else {
        this.#senders.delete(key); // re-inserted below: now the most recently used
      }
      this.#senders.set(key, entry);
      this.#mru = entry;
      this.#mruAddress = address;
      this.#mruPort = port;
    }
    const next = entry.next;
    entry.next = (next + 1) >>> 0;
    return next;
  }

  #evictOldest(): void {
    const oldest = this.#senders.keys().next();
    if (oldest.done) return;
    this.#senders.delete(oldest.value);
    this.#sendersEvicted++;
    if (this.#senders.size === 0) this.#mru = undefined;
  }
}

function settingsOf(config: TwampReflectorConfig): Settings {
  if (config === null || typeof config !== "object") {
    throw new TypeError("TWAMP reflector config must be an object");
  }
  const maximumTtl = config.maximumTtl ?? 1;
  if (!Number.isInteger(maximumTtl) || maximumTtl < 1 || maximumTtl > 255) {
    throw new RangeError(`MaximumTTL must be 1–255: "${maximumTtl}"`);
  }
  const maxSenders = config.maxSenders ?? 4096;
  if (!Number.isInteger(maxSenders) || maxSenders < 1) {
    throw new RangeError(`maxSenders must be a positive integer: "${maxSenders}"`);
  }
  const estimate = errorEstimateFor(config.clockErrorSeconds ?? 0.001, config.synchronized);
  return {
    maximumTtl,
    ips: parseIpAllowedList(config.ipAllowedList ?? ""),
    ports: parsePortAllowedList(config.portAllowedList ?? ""),
    reflectUnknownTtl: config.unknownTtl === "reflect",
    padShort: config.shortPackets === "pad",
    errorEstimate: encodeErrorEstimate(estimate),
    maxSenders,
  };
}
