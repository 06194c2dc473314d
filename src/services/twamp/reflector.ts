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
 * - Receive Timestamp from `meta.receivedNs`; Timestamp from `nowNs()` read just
 *   before the reply is written.
 *
 * @module
 */

import type { DatagramHandler, DatagramMeta, HandlerSpec } from "../udp/handler.ts";
import { runtimeModuleUrl } from "../udp/runtime_module.ts";
import {
  ipAllowed,
  type IpPrefix,
  parseIpAllowedList,
  parsePortAllowedList,
  portAllowed,
  type PortRange,
} from "./allow_list.ts";
import {
  decodeTestPacket,
  encodeErrorEstimate,
  encodeReflectedPacket,
  errorEstimateFor,
  PADDING_SHRINK,
  REFLECTED_HEADER_LENGTH,
  unixNsToNtp,
  UNKNOWN_TTL,
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

interface Settings {
  maximumTtl: number;
  ips: IpPrefix[];
  ports: PortRange[];
  reflectUnknownTtl: boolean;
  padShort: boolean;
  errorEstimate: number;
  maxSenders: number;
}

/** The `HandlerSpec` that serves a reflector with `config` (for `startUdpService()`). */
export function twampReflectorSpec(config: TwampReflectorConfig = {}): HandlerSpec {
  return {
    module: runtimeModuleUrl("./reflector.ts", import.meta.url, "twamp_reflector.js"),
    config,
  };
}

/** The module contract of `services/udp`: builds a reflector from `config`. */
export function createHandler(config: unknown): TwampReflector {
  return new TwampReflector(config as TwampReflectorConfig);
}

/** A TWAMP Light reflector; see the module doc. */
export class TwampReflector implements DatagramHandler {
  #settings: Settings;
  /** `address port` → next own sequence number; Map order = least recently used first. */
  readonly #senders = new Map<string, number>();
  readonly #counters: Record<string, number> = {
    received: 0,
    reflected: 0,
    dropped: 0,
    ...Object.fromEntries(DROP_REASONS.map((r) => [r, 0])),
    sendersEvicted: 0,
    sendFailed: 0,
  };

  /** @throws {RangeError} or {TypeError} on an invalid `config` */
  constructor(config: TwampReflectorConfig = {}) {
    this.#settings = settingsOf(config);
  }

  /** Reflects one test packet into `reply`; returns its length, or -1 when dropped. */
  handle(data: Uint8Array, meta: DatagramMeta, reply: Uint8Array, nowNs: () => bigint): number {
    const s = this.#settings;
    this.#counters.received++;
    if (!ipAllowed(s.ips, meta.address)) return this.#drop("droppedIpNotAllowed");
    if (!portAllowed(s.ports, meta.port)) return this.#drop("droppedPortNotAllowed");
    if (meta.ttl === undefined) {
      if (s.maximumTtl < 255 && !s.reflectUnknownTtl) return this.#drop("droppedTtlUnknown");
    } else if (meta.ttl > s.maximumTtl) {
      return this.#drop("droppedTtlExceeded");
    }
    const packet = decodeTestPacket(data);
    if (packet === "malformed") return this.#drop("droppedMalformed");
    if (packet === "corruptErrorEstimate") return this.#drop("droppedCorruptErrorEstimate");
    // The sender's padding minus its last 27 bytes: the reply keeps the request's size.
    let padding: Uint8Array;
    if (data.length >= REFLECTED_HEADER_LENGTH) {
      padding = packet.padding.subarray(0, packet.padding.length - PADDING_SHRINK);
    } else if (s.padShort) {
      padding = packet.padding.subarray(0, 0);
    } else {
      return this.#drop("droppedTooShort");
    }
    if (reply.length < REFLECTED_HEADER_LENGTH + padding.length) {
      return this.#drop("droppedTooLarge");
    }
    const sequenceNumber = this.#nextSequence(`${meta.address} ${meta.port}`);
    const receiveTimestamp = unixNsToNtp(meta.receivedNs);
    this.#counters.reflected++;
    return encodeReflectedPacket({
      sequenceNumber,
      timestamp: unixNsToNtp(nowNs()),
      errorEstimate: s.errorEstimate,
      receiveTimestamp,
      senderSequenceNumber: packet.sequenceNumber,
      senderTimestamp: packet.timestamp,
      senderErrorEstimate: packet.errorEstimate,
      senderTtl: meta.ttl ?? UNKNOWN_TTL,
      padding,
    }, reply);
  }

  /**
   * Takes new settings (MaximumTTL, allow lists…) and keeps the sequence counters and
   * statistics. On an invalid config it throws and keeps the old settings.
   *
   * @throws {RangeError} or {TypeError} on an invalid `config`
   */
  reconfigure(config: unknown): void {
    this.#settings = settingsOf(config as TwampReflectorConfig);
    while (this.#senders.size > this.#settings.maxSenders) this.#evictOldest();
  }

  /** Counters: received, reflected, dropped (total and by reason), senders… */
  stats(): Record<string, number> {
    return { ...this.#counters, senders: this.#senders.size };
  }

  /** Counts a reply the loop could not send. */
  sendFailed(): void {
    this.#counters.sendFailed++;
  }

  #drop(reason: DropReason): -1 {
    this.#counters.dropped++;
    this.#counters[reason]++;
    return -1;
  }

  #nextSequence(key: string): number {
    let next = this.#senders.get(key);
    if (next === undefined) {
      next = 0;
      if (this.#senders.size >= this.#settings.maxSenders) this.#evictOldest();
    } else {
      this.#senders.delete(key); // re-inserted below: now the most recently used
    }
    this.#senders.set(key, (next + 1) >>> 0);
    return next;
  }

  #evictOldest(): void {
    const oldest = this.#senders.keys().next();
    if (oldest.done) return;
    this.#senders.delete(oldest.value);
    this.#counters.sendersEvicted++;
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
