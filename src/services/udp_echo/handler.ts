/**
 * TR-143 UDP echo server as a pure `DatagramHandler` (TR-181
 * `Device.IP.Diagnostics.UDPEchoConfig.`; CWMP-FACTS §9.1).
 *
 * - Plain echo (RFC 862): the reply is the request, byte for byte. The reply is never
 *   larger than the request (no amplification).
 * - Source filter: with `sourceIPAddress` set, datagrams from other addresses are
 *   ignored (not counted, no reply; counted apart as `Filtered`).
 * - Echo Plus (TR-143 §A.1.4), when `echoPlusEnabled` and the payload has ≥ 20 bytes
 *   (shorter ones get a plain echo), five u32 in network byte order at offset 0:
 *   TestGenSN (kept), TestRespSN (this server's count of responses sent before this one),
 *   TestRespRecvTimeStamp, TestRespReplyTimeStamp, TestRespReplyFailureCount; the rest of
 *   the payload is echoed as received.
 *   [U] time base: TR-143 leaves it open; we use wall-clock µs since the Unix epoch
 *   modulo 2^32 (wraps every ~71.6 min), so a client's own µs wall clock compares.
 * - Counters (TR-181): PacketsReceived / PacketsResponded, BytesReceived / BytesResponded
 *   including the 8-byte UDP header, TimeFirst/LastPacketReceived as µs dateTime.
 *   A reply the loop fails to send moves from "responded" to TestRespReplyFailureCount.
 * - In place (`handleInPlace`): the reply is the received datagram itself, so plain echo
 *   copies nothing; Echo Plus writes its fields over it, TestRespReplyTimeStamp last, from
 *   the FFI loop's one clock read right before the batch is sent (`stampReply`).
 *
 * @module
 */

import {
  type ControlNeeds,
  type DatagramHandler,
  type DatagramMeta,
  handleByCopy,
  type InPlaceHandler,
  type ReceiveTime,
  splitNs,
} from "../udp/handler.ts";
import { canonicalIp } from "../udp/ip_address.ts";

/** Configuration of {@linkcode createHandler} (structured-cloneable). */
export interface UdpEchoHandlerConfig {
  /** Answer only this source (IPv4 or IPv6 literal); "" or absent: any. */
  sourceIPAddress?: string;
  /** Fill in the Echo Plus fields. Default false. */
  echoPlusEnabled?: boolean;
  /** The `stats()` of a previous handler, to carry the counters across a rebind. */
  resume?: Record<string, number | string>;
}

/** UDP header bytes counted in BytesReceived/BytesResponded (TR-181). */
export const UDP_HEADER_BYTES = 8;
/** Smallest payload that carries the Echo Plus fields. */
export const ECHO_PLUS_MIN = 20;
/** TR-106 Unknown Time. */
export const UNKNOWN_TIME = "0001-01-01T00:00:00Z";

/** TR-106 dateTime with microseconds of `ns` since the Unix epoch: `2026-01-02T03:04:05.123456Z`. */
export function dateTimeMicros(ns: bigint): string {
  const us = ns / 1000n;
  const sec = us / 1_000_000n;
  const frac = String(us % 1_000_000n).padStart(6, "0");
  return `${new Date(Number(sec) * 1000).toISOString().slice(0, 19)}.${frac}Z`;
}

/** `ns` as wall-clock µs modulo 2^32. */
export function micros32(ns: bigint): number {
  return Number((ns / 1000n) & 0xffffffffn);
}

/** {@linkcode micros32} of `sec` s + `nsec` ns since the Unix epoch, without a bigint. */
export function micros32Of(sec: number, nsec: number): number {
  // sec × 10^6 stays below 2^53 until the year 2255: exact.
  return (sec * 1_000_000 + Math.floor(nsec / 1000)) % 4294967296;
}

const NO_TIME = -1;

function nsOf(sec: number, nsec: number): bigint {
  return BigInt(sec) * 1_000_000_000n + BigInt(nsec);
}

class UdpEchoHandler implements InPlaceHandler {
  #source = "";
  #echoPlus = false;
  packetsReceived = 0;
  packetsResponded = 0;
  bytesReceived = 0;
  bytesResponded = 0;
  respSN = 0;
  failures = 0;
  filtered = 0;
  oversize = 0;
  // Receive times as numbers (a bigint per datagram would allocate): NO_TIME when none.
  firstSec = NO_TIME;
  firstNsec = 0;
  lastSec = NO_TIME;
  lastNsec = 0;

  constructor(config: UdpEchoHandlerConfig) {
    this.reconfigure(config);
    const r = config.resume;
    if (r !== undefined) {
      const num = (k: string) => typeof r[k] === "number" ? r[k] as number : 0;
      this.packetsReceived = num("PacketsReceived");
      this.packetsResponded = num("PacketsResponded");
      this.bytesReceived = num("BytesReceived");
      this.bytesResponded = num("BytesResponded");
      this.respSN = num("TestRespSN");
      this.failures = num("TestRespReplyFailureCount");
      this.filtered = num("Filtered");
      this.oversize = num("Oversize");
      const time = (k: string): ReceiveTime => {
        const t = { receivedSec: NO_TIME, receivedNsec: 0 };
        if (typeof r[k] === "string" && r[k] !== "") splitNs(BigInt(r[k]), t);
        return t;
      };
      const first = time("TimeFirstPacketReceivedNs");
      const last = time("TimeLastPacketReceivedNs");
      this.firstSec = first.receivedSec;
      this.firstNsec = first.receivedNsec;
      this.lastSec = last.receivedSec;
      this.lastNsec = last.receivedNsec;
    }
  }

  reconfigure(config: unknown): void {
    const c = (config ?? {}) as UdpEchoHandlerConfig;
    const src = (c.sourceIPAddress ?? "").trim();
    if (src === "") this.#source = "";
    else {
      const canonical = canonicalIp(src);
      if (canonical === undefined) {
        throw new TypeError(`Cannot filter on SourceIPAddress "${src}": not an IP address`);
      }
      this.#source = canonical;
    }
    this.#echoPlus = c.echoPlusEnabled === true;
  }

  handle(data: Uint8Array, meta: DatagramMeta, reply: Uint8Array, nowNs: () => bigint): number {
    return handleByCopy(this, data, meta, reply, nowNs);
  }

  handleInPlace(
    _buf: Uint8Array,
    view: DataView,
    offset: number,
    length: number,
    room: number,
    meta: DatagramMeta & ReceiveTime,
  ): number {
    if (this.#source !== "" && meta.address !== this.#source) {
      this.filtered++;
      return -1;
    }
    this.packetsReceived++;
    this.bytesReceived += length + UDP_HEADER_BYTES;
    if (this.firstSec === NO_TIME) {
      this.firstSec = meta.receivedSec;
      this.firstNsec = meta.receivedNsec;
    }
    this.lastSec = meta.receivedSec;
    this.lastNsec = meta.receivedNsec;
    if (length > room) {
      this.oversize++;
      this.failures++;
      return -1;
    }
    if (this.#echoPlus && length >= ECHO_PLUS_MIN) {
      view.setUint32(offset + 4, this.respSN);
      view.setUint32(offset + 8, micros32Of(meta.receivedSec, meta.receivedNsec));
      view.setUint32(offset + 16, this.failures);
      // TestRespReplyTimeStamp (offset 12): stampReply(), right before the send.
    }
    this.respSN = (this.respSN + 1) >>> 0;
    this.packetsResponded++;
    this.bytesResponded += length + UDP_HEADER_BYTES;
    return length;
  }

  /**
   * No TTL; the kernel's receive time only for Echo Plus (TestRespRecvTimeStamp): the
   * TimeFirst/LastPacketReceived statistics take the loop's clock read at the batch's
   * arrival, which spares the kernel a timestamp per datagram.
   */
  controlNeeds(): ControlNeeds {
    return { ttl: false, kernelTimestamp: this.#echoPlus };
  }

  stampReply(view: DataView, offset: number, length: number, sec: number, nsec: number): void {
    if (this.#echoPlus && length >= ECHO_PLUS_MIN) {
      view.setUint32(offset + 12, micros32Of(sec, nsec));
    }
  }

  sendFailed(length: number): void {
    this.packetsResponded--;
    this.bytesResponded -= length + UDP_HEADER_BYTES;
    this.failures++;
  }

  stats(): Record<string, number | string> {
    const first = this.firstSec === NO_TIME ? undefined : nsOf(this.firstSec, this.firstNsec);
    const last = this.lastSec === NO_TIME ? undefined : nsOf(this.lastSec, this.lastNsec);
    return {
      PacketsReceived: this.packetsReceived,
      PacketsResponded: this.packetsResponded,
      BytesReceived: this.bytesReceived,
      BytesResponded: this.bytesResponded,
      TimeFirstPacketReceived: first === undefined ? UNKNOWN_TIME : dateTimeMicros(first),
      TimeLastPacketReceived: last === undefined ? UNKNOWN_TIME : dateTimeMicros(last),
      TimeFirstPacketReceivedNs: first === undefined ? "" : String(first),
      TimeLastPacketReceivedNs: last === undefined ? "" : String(last),
      TestRespSN: this.respSN,
      TestRespReplyFailureCount: this.failures,
      Filtered: this.filtered,
      Oversize: this.oversize,
    };
  }
}

/** Builds a UDP echo handler (the `HandlerSpec` entry point). */
export function createHandler(config: unknown): DatagramHandler {
  return new UdpEchoHandler((config ?? {}) as UdpEchoHandlerConfig);
}

export { UDP_ECHO_HANDLER_MODULE } from "./handler_module.ts";
