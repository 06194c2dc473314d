/**
 * The FFI fast path's socket: a UDP socket opened with libc, and a batch loop on
 * recvmmsg (MSG_WAITFORONE, SO_RCVTIMEO bounding each wait) / sendmmsg that hands every
 * datagram to a `DatagramHandler`. Synchronous and blocking: it runs inside a Worker
 * (`ffi_worker.ts`), never on the main thread.
 *
 * Buffers are allocated once (per slot: data, reply, sockaddr, control); per datagram the
 * loop only rewrites lengths and cached pointers. A datagram larger than
 * `maxDatagramSize` comes back with MSG_TRUNC and is dropped as `oversize`.
 *
 * @module
 */

import type { DatagramHandler, DatagramMeta } from "./handler.ts";
import {
  cmsgSpace,
  type ControlInfo,
  decodeControl,
  IPPROTO_IP,
  IPPROTO_IPV6,
  SOL_SOCKET,
} from "./cmsg.ts";
import {
  addressOf,
  EAGAIN,
  EINTR,
  ENODEV,
  EPERM,
  errno,
  IP_RECVTTL,
  IPV6_RECVHOPLIMIT,
  IPV6_V6ONLY,
  type Libc,
  MAX_DEVICE_NAME,
  MSG_TRUNC,
  MSG_WAITFORONE,
  SO_BINDTODEVICE,
  SO_RCVBUF,
  SO_RCVTIMEO,
  SO_SNDBUF,
  SO_TIMESTAMPNS,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
} from "./libc.ts";
import { encodeIovec, encodeMmsghdr, IOVEC_SIZE, mmsg, MMSGHDR_SIZE } from "./msghdr.ts";
import {
  AF_INET,
  AF_INET6,
  decodeSockaddr,
  encodeSockaddr,
  SOCKADDR_IN6_SIZE,
  type SocketAddress,
} from "./sockaddr.ts";

/** Options of {@linkcode FfiUdpSocket}. */
export interface FfiSocketOptions {
  /** IP literal to bind ("0.0.0.0", "::", "127.0.0.1"; "localhost" means 127.0.0.1). */
  hostname: string;
  /** UDP port; 0 picks a free one. */
  port: number;
  /**
   * Linux interface name ("eth0", at most 15 bytes) the socket is tied to with
   * SO_BINDTODEVICE before it binds: it then only receives what arrives on that device
   * and sends through it, and the same port can be bound once per device.
   */
  device?: string;
  /** Datagrams per recvmmsg/sendmmsg. Default 32. */
  batch?: number;
  /** Largest datagram handled; larger ones are dropped and counted. Default 9216. */
  maxDatagramSize?: number;
  /** SO_RCVBUF / SO_SNDBUF request in bytes. Default 1 MiB. */
  socketBufferBytes?: number;
  /** Longest a receive waits before the loop looks at its control flag. Default 50 ms. */
  waitMs?: number;
}

/** Loop counters. */
export interface FfiLoopStats {
  received: number;
  sent: number;
  oversize: number;
  sendErrors: number;
  receiveErrors: number;
}

const CONTROL_SLOT = 64; // TTL cmsg (24) + timespec cmsg (32), rounded up
const CLOCK_REALTIME = 0;

/** A bound UDP socket driven by libc (see the module doc). */
export class FfiUdpSocket {
  readonly port: number;
  readonly stats: FfiLoopStats = {
    received: 0,
    sent: 0,
    oversize: 0,
    sendErrors: 0,
    receiveErrors: 0,
  };
  #lib: Libc;
  #fd: number;
  #batch: number;
  #max: number;
  #recvData: Uint8Array;
  #replyViews: Uint8Array[];
  #names: Uint8Array;
  #control: Uint8Array;
  #controlView: DataView;
  #recvVec: Uint8Array;
  #recvView: DataView;
  #sendVec: Uint8Array;
  #sendView: DataView;
  #sendIovView: DataView;
  #namePtr: bigint[];
  #replyPtr: bigint[];
  #sendLen: Int32Array;
  #ts = new Uint8Array(16);
  #tsView = new DataView(this.#ts.buffer);
  #info: ControlInfo = { ttl: -1, sec: 0, nsec: 0 };
  #from: SocketAddress = { family: "IPv4", address: "", port: 0 };
  #meta: DatagramMeta = { address: "", port: 0, family: "IPv4", ttl: undefined, receivedNs: 0n };
  #keepAlive: Uint8Array[];
  nowNs: () => bigint = () => this.#clock();

  constructor(lib: Libc, options: FfiSocketOptions) {
    this.#lib = lib;
    this.#batch = options.batch ?? 32;
    this.#max = options.maxDatagramSize ?? 9216;
    const host = options.hostname === "localhost" ? "127.0.0.1" : options.hostname;
    const v6 = host.includes(":");
    const s = lib.symbols;
    const fd = s.socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw new Error(`Cannot open UDP socket: errno ${errno(lib)}`);
    this.#fd = fd;
    try {
      const bufBytes = options.socketBufferBytes ?? 1 << 20;
      this.#opt(SOL_SOCKET, SO_RCVBUF, bufBytes, false);
      this.#opt(SOL_SOCKET, SO_SNDBUF, bufBytes, false);
      this.#opt(SOL_SOCKET, SO_TIMESTAMPNS, 1, false);
      if (v6) {
        this.#opt(IPPROTO_IPV6, IPV6_V6ONLY, host === "::" ? 0 : 1, false);
        this.#opt(IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1, false);
      }
      this.#opt(IPPROTO_IP, IP_RECVTTL, 1, false); // also IPv4-mapped traffic on "::"
      const tv = new DataView(new ArrayBuffer(16));
      const waitMs = options.waitMs ?? 50;
      tv.setBigInt64(0, BigInt(Math.floor(waitMs / 1000)), true);
      tv.setBigInt64(8, BigInt((waitMs % 1000) * 1000), true);
      if (s.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, new Uint8Array(tv.buffer), 16) !== 0) {
        throw new Error(`Cannot set SO_RCVTIMEO: errno ${errno(lib)}`);
      }
      if (options.device !== undefined) bindToDevice(lib, fd, options.device);
      const addr = new Uint8Array(SOCKADDR_IN6_SIZE);
      const len = encodeSockaddr(addr, 0, {
        family: v6 ? "IPv6" : "IPv4",
        address: host,
        port: options.port,
      });
      if (s.bind(fd, addr, len) !== 0) {
        const e = errno(lib);
        throw new Error(
          `Cannot bind UDP ${host} port ${options.port}${
            options.device === undefined ? "" : ` on device "${options.device}"`
          }: ${e === 98 ? "address in use" : `errno ${e}`}`,
        );
      }
      const lenBuf = new Uint32Array([SOCKADDR_IN6_SIZE]);
      s.getsockname(fd, addr, new Uint8Array(lenBuf.buffer));
      const out: SocketAddress = { family: "IPv4", address: "", port: 0 };
      decodeSockaddr(addr, 0, out);
      this.port = out.port;
    } catch (e) {
      s.close(fd);
      throw e;
    }

    const n = this.#batch;
    this.#recvData = new Uint8Array(n * this.#max);
    const replyData = new Uint8Array(n * this.#max);
    this.#replyViews = Array.from(
      { length: n },
      (_, i) => replyData.subarray(i * this.#max, (i + 1) * this.#max),
    );
    this.#names = new Uint8Array(n * SOCKADDR_IN6_SIZE);
    this.#control = new Uint8Array(n * CONTROL_SLOT);
    this.#controlView = new DataView(this.#control.buffer);
    const recvIov = new Uint8Array(n * IOVEC_SIZE);
    this.#recvVec = new Uint8Array(n * MMSGHDR_SIZE);
    this.#recvView = new DataView(this.#recvVec.buffer);
    const sendIov = new Uint8Array(n * IOVEC_SIZE);
    this.#sendIovView = new DataView(sendIov.buffer);
    this.#sendVec = new Uint8Array(n * MMSGHDR_SIZE);
    this.#sendView = new DataView(this.#sendVec.buffer);
    this.#keepAlive = [replyData, recvIov, sendIov];
    this.#namePtr = [];
    this.#replyPtr = [];
    this.#sendLen = new Int32Array(n);
    const recvIovView = new DataView(recvIov.buffer);
    for (let i = 0; i < n; i++) {
      this.#namePtr.push(addressOf(this.#names, i * SOCKADDR_IN6_SIZE));
      this.#replyPtr.push(addressOf(replyData, i * this.#max));
      encodeIovec(recvIovView, i * IOVEC_SIZE, {
        base: addressOf(this.#recvData, i * this.#max),
        length: this.#max,
      });
      encodeMmsghdr(this.#recvView, i * MMSGHDR_SIZE, {
        name: this.#namePtr[i],
        nameLength: SOCKADDR_IN6_SIZE,
        iov: addressOf(recvIov, i * IOVEC_SIZE),
        iovLength: 1,
        control: addressOf(this.#control, i * CONTROL_SLOT),
        controlLength: CONTROL_SLOT,
        flags: 0,
      });
      encodeMmsghdr(this.#sendView, i * MMSGHDR_SIZE, {
        name: 0n,
        nameLength: 0,
        iov: addressOf(sendIov, i * IOVEC_SIZE),
        iovLength: 1,
        control: 0n,
        controlLength: 0,
        flags: 0,
      });
    }
    if (cmsgSpace(4) + cmsgSpace(16) > CONTROL_SLOT) throw new RangeError("Control slot too small");
  }

  #opt(level: number, name: number, value: number, required: boolean): void {
    const v = new Int32Array([value]);
    const rc = this.#lib.symbols.setsockopt(this.#fd, level, name, new Uint8Array(v.buffer), 4);
    if (rc !== 0 && required) throw new Error(`Cannot set socket option ${level}/${name}`);
  }

  #clock(): bigint {
    this.#lib.symbols.clock_gettime(CLOCK_REALTIME, this.#ts);
    const v = this.#tsView;
    const sec = v.getUint32(0, true) + v.getInt32(4, true) * 2 ** 32;
    return BigInt(sec) * 1_000_000_000n + BigInt(v.getUint32(8, true));
  }

  /**
   * Receives, handles and answers batches until `stop()` says so (checked after every
   * batch and every receive timeout).
   */
  run(handler: DatagramHandler, stop: () => boolean): void {
    const s = this.#lib.symbols;
    const fd = this.#fd;
    const n = this.#batch;
    const rv = this.#recvView;
    const sv = this.#sendView;
    const iv = this.#sendIovView;
    const meta = this.#meta;
    const from = this.#from;
    const info = this.#info;
    const max = this.#max;
    const nowNs = this.nowNs;
    let lastName0 = -1, lastName1 = -1;
    while (!stop()) {
      for (let i = 0; i < n; i++) mmsg.reset(rv, i, SOCKADDR_IN6_SIZE, CONTROL_SLOT);
      const got = s.recvmmsg(fd, this.#recvVec, n, MSG_WAITFORONE, null);
      if (got <= 0) {
        if (got < 0) {
          const e = errno(this.#lib);
          if (e !== EAGAIN && e !== EINTR) this.stats.receiveErrors++;
        }
        continue;
      }
      let fallbackNs = -1n;
      let out = 0;
      for (let i = 0; i < got; i++) {
        this.stats.received++;
        if ((mmsg.flags(rv, i) & MSG_TRUNC) !== 0) {
          this.stats.oversize++;
          continue;
        }
        const len = mmsg.length(rv, i);
        const no = i * SOCKADDR_IN6_SIZE;
        // Same sender as the previous datagram (IPv4 or v4-mapped): keep the decoded text.
        const nv = this.#names;
        const k0 = nv[no] | (nv[no + 1] << 8) | (nv[no + 2] << 16) | (nv[no + 3] << 24);
        const k1 = nv[no + 4] | (nv[no + 5] << 8) | (nv[no + 6] << 16) | (nv[no + 7] << 24);
        if (k0 !== lastName0 || k1 !== lastName1 || nv[no] !== 2) {
          if (!decodeSockaddr(nv, no, from)) continue;
          lastName0 = nv[no] === 2 ? k0 : -1;
          lastName1 = k1;
        }
        decodeControl(this.#controlView, i * CONTROL_SLOT, mmsg.controlLength(rv, i), info);
        meta.address = from.address;
        meta.port = from.port;
        meta.family = from.family;
        meta.ttl = info.ttl >= 0 ? info.ttl : undefined;
        if (info.sec !== 0) {
          meta.receivedNs = BigInt(info.sec) * 1_000_000_000n + BigInt(info.nsec);
        } else {
          if (fallbackNs < 0n) fallbackNs = nowNs();
          meta.receivedNs = fallbackNs;
        }
        const data = this.#recvData.subarray(i * max, i * max + len);
        const r = handler.handle(data, meta, this.#replyViews[i], nowNs);
        if (r < 0) continue;
        const so = out * MMSGHDR_SIZE;
        sv.setBigUint64(so, this.#namePtr[i], true);
        sv.setUint32(so + 8, mmsg.nameLength(rv, i), true);
        iv.setBigUint64(out * IOVEC_SIZE, this.#replyPtr[i], true);
        iv.setUint32(out * IOVEC_SIZE + 8, r, true);
        this.#sendLen[out] = r;
        out++;
      }
      if (out > 0) this.#send(out, handler);
    }
  }

  #send(count: number, handler: DatagramHandler): void {
    let done = 0;
    let retries = 0;
    while (done < count) {
      const vec = done === 0 ? this.#sendVec : this.#sendVec.subarray(done * MMSGHDR_SIZE);
      const sent = this.#lib.symbols.sendmmsg(this.#fd, vec, count - done, 0);
      if (sent > 0) {
        done += sent;
        this.stats.sent += sent;
        continue;
      }
      const e = errno(this.#lib);
      if ((e === EINTR || e === EAGAIN) && retries++ < 3) continue;
      // The first remaining datagram failed: count it and go on with the rest.
      this.stats.sendErrors++;
      handler.sendFailed?.(this.#sendLen[done]);
      done++;
    }
  }

  /** Closes the socket. */
  close(): void {
    if (this.#fd >= 0) this.#lib.symbols.close(this.#fd);
    this.#fd = -1;
    this.#keepAlive.length = 0;
  }
}

/**
 * SO_BINDTODEVICE `device` on `fd` (the value is the name, NUL-terminated). Throws when
 * the name is not a possible interface name or the kernel refuses it (ENODEV: no such
 * interface; EPERM: kernels before 5.7 ask for CAP_NET_RAW).
 */
export function bindToDevice(lib: Libc, fd: number, device: string): void {
  const name = new TextEncoder().encode(device);
  if (name.length === 0 || name.length > MAX_DEVICE_NAME || name.includes(0)) {
    throw new RangeError(
      `Cannot bind UDP socket to device "${device}": not an interface name (1–${MAX_DEVICE_NAME} bytes)`,
    );
  }
  const value = new Uint8Array(name.length + 1); // zero-filled: the NUL terminator
  value.set(name);
  if (lib.symbols.setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, value, value.length) !== 0) {
    const e = errno(lib);
    const why = e === ENODEV
      ? "no such device"
      : e === EPERM
      ? "permission denied (CAP_NET_RAW needed)"
      : `errno ${e}`;
    throw new Error(`Cannot bind UDP socket to device "${device}": ${why}`);
  }
}
