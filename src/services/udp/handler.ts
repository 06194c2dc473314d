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

/** A pure per-datagram service: fills `reply` and returns its length, or -1 to send nothing. */
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
}

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
