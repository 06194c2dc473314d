/**
 * A UDP socket whose outgoing datagrams carry a chosen TOS / traffic class byte
 * (`IP_TOS`, `IPV6_TCLASS`: DSCP << 2), for clients that must mark their packets
 * (UDPEchoDiagnostics DSCP). `Deno.listenDatagram` offers no socket options, so this
 * opens the socket with libc through `Deno.dlopen`, like the FFI fast path (same
 * targets: Linux x86_64/aarch64, FFI permission; see {@linkcode tosSocketUnavailable}).
 *
 * Unlike `ffi_socket.ts` it runs on the main thread: sends are one `sendto`, and a
 * receive waits in `poll` as a nonblocking FFI call (a pool thread, at most
 * {@linkcode POLL_SLICE_MS} per call, so an abort or close is seen quickly), then
 * reads with `recvmsg(MSG_DONTWAIT)`. Each datagram received reports the TOS byte it
 * arrived with (`IP_RECVTOS` / `IPV6_RECVTCLASS`), which lets tests capture marking.
 *
 * @module
 */

import { cmsgAlign, CMSGHDR_SIZE, IPPROTO_IP, IPPROTO_IPV6 } from "./cmsg.ts";
import {
  addressOf,
  EAGAIN,
  EINTR,
  errno,
  ffiUnavailable,
  libcCandidates,
  MSG_DONTWAIT,
  openLibcWith,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
} from "./libc.ts";
import {
  encodeIovec,
  encodeMsghdr,
  IOVEC_SIZE,
  MSG_CONTROLLEN_OFFSET,
  MSGHDR_SIZE,
} from "./msghdr.ts";
import {
  AF_INET,
  AF_INET6,
  decodeSockaddr,
  encodeSockaddr,
  SOCKADDR_IN6_SIZE,
  type SocketAddress,
} from "./sockaddr.ts";

/** Linux `IP_TOS` (option and cmsg type). */
export const IP_TOS = 1;
/** Linux `IP_RECVTOS`. */
export const IP_RECVTOS = 13;
/** Linux `IPV6_TCLASS` (option and cmsg type). */
export const IPV6_TCLASS = 67;
/** Linux `IPV6_RECVTCLASS`. */
export const IPV6_RECVTCLASS = 66;
/** Longest single `poll` wait of {@linkcode TosSocket.receive}, ms. */
export const POLL_SLICE_MS = 50;

const POLLIN = 1;
const CONTROL_SIZE = 64;
const MAX_DATAGRAM = 65535;

const SYMBOLS = {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
  getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  sendto: { parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"], result: "isize" },
  recvmsg: { parameters: ["i32", "buffer", "i32"], result: "isize" },
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32", nonblocking: true },
  close: { parameters: ["i32"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

type TosLibc = Deno.DynamicLibrary<typeof SYMBOLS>;

/** Why a {@linkcode TosSocket} cannot be opened here, or undefined if it can. */
export function tosSocketUnavailable(): string | undefined {
  return ffiUnavailable();
}

/** Options of {@linkcode TosSocket}. */
export interface TosSocketOptions {
  /** IP literal to bind ("0.0.0.0", "::", "127.0.0.1"). */
  readonly hostname: string;
  /** UDP port; 0 picks a free one. */
  readonly port: number;
  /** TOS / traffic class byte of every datagram sent (DSCP << 2), 0–255. */
  readonly tos: number;
}

/** One datagram received. */
export interface TosDatagram {
  readonly data: Uint8Array;
  readonly address: string;
  readonly port: number;
  /** The TOS / traffic class byte it arrived with; undefined when the kernel gave none. */
  readonly tos: number | undefined;
}

/** A bound libc UDP socket that marks what it sends (see the module doc). */
export class TosSocket {
  /** Bound address as the kernel reports it ("0.0.0.0" / "::" for the wildcard). */
  readonly hostname: string;
  /** Bound port. */
  readonly port: number;
  /** The TOS byte the socket carries, read back with `getsockopt`. */
  readonly tos: number;
  #lib: TosLibc;
  #fd: number;
  #v6: boolean;
  #data = new Uint8Array(MAX_DATAGRAM);
  #name = new Uint8Array(SOCKADDR_IN6_SIZE);
  #control = new Uint8Array(CONTROL_SIZE);
  #iov = new Uint8Array(IOVEC_SIZE);
  #msg = new Uint8Array(MSGHDR_SIZE);
  #to = new Uint8Array(SOCKADDR_IN6_SIZE);
  #pollfd = new Uint8Array(8);
  #polling: Promise<number> | undefined;
  #closed = false;

  /** Opens and binds the socket; throws when libc, the option or the bind fails. */
  constructor(options: TosSocketOptions) {
    if (!Number.isInteger(options.tos) || options.tos < 0 || options.tos > 255) {
      throw new RangeError(`Cannot open TOS socket: TOS "${options.tos}" out of range`);
    }
    const lib = openLibcWith(SYMBOLS);
    if (lib === undefined) {
      throw new Error(`Cannot open TOS socket: no libc (tried ${libcCandidates().join(", ")})`);
    }
    this.#lib = lib;
    this.#v6 = options.hostname.includes(":");
    const s = lib.symbols;
    const fd = s.socket(this.#v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      const e = this.#errno();
      lib.close();
      throw new Error(`Cannot open TOS socket: errno ${e}`);
    }
    this.#fd = fd;
    try {
      const [level, option, recv] = this.#v6
        ? [IPPROTO_IPV6, IPV6_TCLASS, IPV6_RECVTCLASS]
        : [IPPROTO_IP, IP_TOS, IP_RECVTOS];
      this.#setInt(level, option, options.tos);
      this.#setInt(level, recv, 1);
      const out = new Int32Array(1);
      const len = new Uint32Array([4]);
      if (s.getsockopt(fd, level, option, new Uint8Array(out.buffer), new Uint8Array(len.buffer))) {
        throw new Error(`Cannot read TOS back: errno ${this.#errno()}`);
      }
      this.tos = out[0];
      const family = this.#v6 ? "IPv6" : "IPv4";
      const addr = new Uint8Array(SOCKADDR_IN6_SIZE);
      const n = encodeSockaddr(addr, 0, { family, address: options.hostname, port: options.port });
      if (s.bind(fd, addr, n) !== 0) {
        throw new Error(
          `Cannot bind UDP ${options.hostname} port ${options.port}: errno ${this.#errno()}`,
        );
      }
      const nameLen = new Uint32Array([SOCKADDR_IN6_SIZE]);
      s.getsockname(fd, addr, new Uint8Array(nameLen.buffer));
      const bound: SocketAddress = { family, address: "", port: 0 };
      decodeSockaddr(addr, 0, bound);
      this.hostname = bound.address;
      this.port = bound.port;
    } catch (e) {
      s.close(fd);
      lib.close();
      throw e;
    }
    const pollView = new DataView(this.#pollfd.buffer);
    pollView.setInt32(0, fd, true);
    pollView.setInt16(4, POLLIN, true);
    encodeIovec(new DataView(this.#iov.buffer), 0, {
      base: addressOf(this.#data),
      length: MAX_DATAGRAM,
    });
  }

  /** Sends `data` to `address` (an IP literal of the socket's family) and `port`. */
  send(data: Uint8Array, address: string, port: number): void {
    this.#open();
    const family = this.#v6 ? "IPv6" : "IPv4";
    const len = encodeSockaddr(this.#to, 0, { family, address, port });
    const sent = this.#lib.symbols.sendto(this.#fd, data, BigInt(data.length), 0, this.#to, len);
    if (Number(sent) < 0) {
      throw new Error(`Cannot send to ${address} port ${port}: errno ${this.#errno()}`);
    }
  }

  /**
   * The next datagram, or undefined when none came within `timeoutMs` or `signal`
   * aborted (seen within {@linkcode POLL_SLICE_MS}).
   */
  async receive(timeoutMs: number, signal?: AbortSignal): Promise<TosDatagram | undefined> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      this.#open();
      const got = this.#read();
      if (got !== undefined) return got;
      const left = deadline - performance.now();
      if (left <= 0 || signal?.aborted) return undefined;
      const wait = Math.min(Math.ceil(left), POLL_SLICE_MS);
      this.#polling = this.#lib.symbols.poll(this.#pollfd, 1n, wait);
      try {
        await this.#polling;
      } finally {
        this.#polling = undefined;
      }
      if (this.#closed) return undefined;
    }
  }

  /** Closes the socket once no `poll` is in flight. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#polling?.catch(() => 0);
    this.#lib.symbols.close(this.#fd);
    this.#lib.close();
  }

  #read(): TosDatagram | undefined {
    encodeMsghdr(new DataView(this.#msg.buffer), 0, {
      name: addressOf(this.#name),
      nameLength: SOCKADDR_IN6_SIZE,
      iov: addressOf(this.#iov),
      iovLength: 1,
      control: addressOf(this.#control),
      controlLength: CONTROL_SIZE,
      flags: 0,
    });
    const n = Number(this.#lib.symbols.recvmsg(this.#fd, this.#msg, MSG_DONTWAIT));
    if (n < 0) {
      const e = this.#errno();
      if (e === EAGAIN || e === EINTR) return undefined;
      throw new Error(`Cannot receive: errno ${e}`);
    }
    const from: SocketAddress = { family: "IPv4", address: "", port: 0 };
    if (!decodeSockaddr(this.#name, 0, from)) return undefined;
    const view = new DataView(this.#msg.buffer);
    const controlLength = Number(view.getBigUint64(MSG_CONTROLLEN_OFFSET, true));
    return {
      data: this.#data.slice(0, n),
      address: from.address,
      port: from.port,
      tos: receivedTos(new DataView(this.#control.buffer), controlLength),
    };
  }

  #setInt(level: number, option: number, value: number): void {
    const v = new Int32Array([value]);
    if (this.#lib.symbols.setsockopt(this.#fd, level, option, new Uint8Array(v.buffer), 4) !== 0) {
      throw new Error(`Cannot set socket option ${level}/${option}: errno ${this.#errno()}`);
    }
  }

  #open(): void {
    if (this.#closed) throw new Error("TOS socket is closed");
  }

  #errno(): number {
    return errno(this.#lib);
  }
}

/** The TOS byte of an `IP_TOS` (1 byte) or `IPV6_TCLASS` (int) control message. */
function receivedTos(view: DataView, length: number): number | undefined {
  let o = 0;
  while (o + CMSGHDR_SIZE <= length) {
    const len = view.getUint32(o, true);
    if (len < CMSGHDR_SIZE || o + len > length) return undefined;
    const level = view.getInt32(o + 8, true);
    const type = view.getInt32(o + 12, true);
    if (level === IPPROTO_IP && type === IP_TOS && len > CMSGHDR_SIZE) {
      return view.getUint8(o + CMSGHDR_SIZE);
    }
    if (level === IPPROTO_IPV6 && type === IPV6_TCLASS && len >= CMSGHDR_SIZE + 4) {
      return view.getInt32(o + CMSGHDR_SIZE, true) & 0xff;
    }
    o += cmsgAlign(len);
  }
  return undefined;
}
