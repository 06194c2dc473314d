/**
 * The contract between a UDP socket loop and a per-datagram service.
 *
 * A service (UDP echo, TWAMP Light reflector…) is a pure `DatagramHandler`: it never touches a
 * socket. A loop (`ffi_worker.ts` on libc recvmmsg/sendmmsg, or `deno_loop.ts` on
 * `Deno.listenDatagram`) owns the socket, hands each datagram to `handle()` and sends what it
 * writes into `reply`. Because a loop may run inside a Worker, the handler is named by a
 * `HandlerSpec` (module URL + structured-cloneable config) rather than passed as an object.
 *
 * @module
 */

/** Metadata of a received datagram. */
export interface DatagramMeta {
  /** Source address, textual ("192.0.2.1", "2001:db8::1"). */
  address: string;
  /** Source UDP port. */
  port: number;
  /** Address family of the source. */
  family: "IPv4" | "IPv6";
  /** IP TTL / hop limit if the path can read it (IP_RECVTTL), else undefined. */
  ttl?: number;
  /** Receive time, ns since the Unix epoch (as close to the socket as the path allows). */
  receivedNs: bigint;
}

/**
 * The receive time as two numbers (no bigint per datagram): seconds since the Unix epoch
 * and nanoseconds 0–999,999,999. The FFI loop's reused meta carries both next to a lazy
 * `receivedNs`.
 */
export interface ReceiveTime {
  receivedSec: number;
  receivedNsec: number;
}

/**
 * A pure per-datagram service: fills `reply` and returns its length, or -1 to send nothing.
 *
 * A handler that also implements `handleInPlace` and `stampReply` is served by the FFI
 * loop without a copy: the reply is built over the received datagram in the loop's
 * buffer, and the transmit time is written into every reply of a batch from one clock
 * read taken right before the batch's `sendmmsg`. Such a handler's `handle()` is usually
 * `handleInPlace` over a copy (see {@linkcode handleByCopy}), so both paths share one codec.
 */
export interface DatagramHandler {
  /**
   * Handle one datagram. `data` and `reply` are views into the loop's reusable buffers: valid
   * only during the call. `nowNs()` reads the clock (ns since the Unix epoch) at the moment the
   * handler asks, e.g. for a transmit timestamp.
   */
  handle(
    data: Uint8Array,
    meta: DatagramMeta,
    reply: Uint8Array,
    nowNs: () => bigint,
  ): number;
  /** Counters as a plain object (posted to the main thread on request). */
  stats(): Record<string, number | string>;
  /** Optional: take a new config without losing state the service keeps across it. */
  reconfigure?(config: unknown): void;
  /** Optional: called by the loop when a reply of `length` bytes could not be sent. */
  sendFailed?(length: number): void;
  /**
   * Optional: which per-datagram control data the handler uses now (asked again after
   * every `reconfigure`); absent means all of it. The FFI loop turns off what nobody
   * reads: each costs the kernel work per datagram. Without `kernelTimestamp` the receive
   * time is a clock read right after the datagram's batch arrives; without `ttl`,
   * `meta.ttl` is undefined.
   */
  controlNeeds?(): ControlNeeds;
  /**
   * Optional: handle the datagram in `buf[offset, offset + length)` and build the reply over
   * it, from `offset`, in at most `room` bytes (`room` ≥ `length`; bytes past `length` hold
   * whatever an earlier datagram left there). Returns the reply length, or -1 to send
   * nothing. `view` is a DataView over the whole of `buf`. The transmit time is not known
   * yet: `stampReply()` writes it.
   */
  handleInPlace?(
    buf: Uint8Array,
    view: DataView,
    offset: number,
    length: number,
    room: number,
    meta: DatagramMeta & ReceiveTime,
  ): number;
  /**
   * Optional (with `handleInPlace`): writes the transmit time (`sec`, `nsec` since the Unix
   * epoch) into a reply `handleInPlace` built at `offset`, `length` bytes long.
   */
  stampReply?(view: DataView, offset: number, length: number, sec: number, nsec: number): void;
}

/** Per-datagram control data a handler reads (see `DatagramHandler.controlNeeds`). */
export interface ControlNeeds {
  /** The IP TTL / hop limit (IP_RECVTTL, IPV6_RECVHOPLIMIT). */
  ttl: boolean;
  /** The kernel's receive time (SO_TIMESTAMPNS). */
  kernelTimestamp: boolean;
}

/** A handler the FFI loop can serve in place. */
export type InPlaceHandler =
  & DatagramHandler
  & Required<
    Pick<DatagramHandler, "handleInPlace" | "stampReply">
  >;

/** Whether `handler` builds its replies in place. */
export function isInPlace(handler: DatagramHandler): handler is InPlaceHandler {
  return typeof handler.handleInPlace === "function" && typeof handler.stampReply === "function";
}

/** Splits ns since the Unix epoch into whole seconds (floor) and nanoseconds 0–999,999,999. */
export function splitNs(ns: bigint, out: ReceiveTime): void {
  let sec = ns / 1_000_000_000n;
  let nsec = ns - sec * 1_000_000_000n;
  if (nsec < 0n) {
    sec -= 1n;
    nsec += 1_000_000_000n;
  }
  out.receivedSec = Number(sec);
  out.receivedNsec = Number(nsec);
}

/**
 * `DatagramHandler.handle()` of an in-place handler: copies `data` into `reply` (when it
 * fits; otherwise the handler sees `room` smaller than `length` and must drop it without
 * reading past its first bytes: they are copied up to `reply.length`), runs
 * `handleInPlace` there and stamps the reply with `nowNs()` read last.
 */
export function handleByCopy(
  handler: InPlaceHandler,
  data: Uint8Array,
  meta: DatagramMeta,
  reply: Uint8Array,
  nowNs: () => bigint,
): number {
  const full = scratch;
  full.address = meta.address;
  full.port = meta.port;
  full.family = meta.family;
  full.ttl = meta.ttl;
  full.receivedNs = meta.receivedNs;
  splitNs(meta.receivedNs, full);
  let buf = reply;
  let view: DataView;
  if (data.length <= reply.length) {
    reply.set(data);
    if (scratchView?.buffer !== reply.buffer || scratchBuf !== reply) {
      scratchView = new DataView(reply.buffer, reply.byteOffset, reply.byteLength);
      scratchBuf = reply;
    }
    view = scratchView;
  } else {
    buf = data.slice(); // too large for `reply`: the handler drops it (room < length)
    view = new DataView(buf.buffer);
  }
  const n = handler.handleInPlace(buf, view, 0, data.length, reply.length, full);
  if (n < 0 || buf !== reply) return -1;
  splitNs(nowNs(), stamp);
  handler.stampReply(view, 0, n, stamp.receivedSec, stamp.receivedNsec);
  return n;
}

// handleByCopy()'s reused objects (the deno path calls it per datagram).
const scratch: DatagramMeta & ReceiveTime = {
  address: "",
  port: 0,
  family: "IPv4",
  ttl: undefined,
  receivedNs: 0n,
  receivedSec: 0,
  receivedNsec: 0,
};
const stamp: ReceiveTime = { receivedSec: 0, receivedNsec: 0 };
let scratchBuf: Uint8Array | undefined;
let scratchView: DataView | undefined;

/** How a loop builds its handler (also inside a Worker): a module URL exporting `createHandler(config)`. */
export interface HandlerSpec {
  /** Absolute module URL (e.g. `new URL("../udp_echo/handler.ts", import.meta.url).href`). */
  module: string;
  /** Structured-cloneable configuration passed to `createHandler`. */
  config: unknown;
}

/** The shape of a handler module named by `HandlerSpec.module`. */
export interface HandlerModule {
  createHandler(config: unknown): DatagramHandler;
}

/** Import the module named by `spec` and build its handler. */
export async function loadHandler(spec: HandlerSpec): Promise<DatagramHandler> {
  const mod = (await import(spec.module)) as Partial<HandlerModule>;
  if (typeof mod.createHandler !== "function") {
    throw new TypeError(`Cannot load handler: "${spec.module}" exports no createHandler`);
  }
  return mod.createHandler(spec.config);
}
