/**
 * The FFI fast path's socket: a UDP socket opened with libc, and a batch loop on
 * recvmmsg (MSG_WAITFORONE, SO_RCVTIMEO bounding each wait) / sendmmsg that hands every
 * datagram to a `DatagramHandler`. Synchronous and blocking: it runs inside a Worker
 * (`ffi_worker.ts`), never on the main thread.
 *
 * Per batch: one `recvmmsg` of up to `batch` datagrams, the handler per datagram, one
 * clock read, one `sendmmsg` of every reply (more only when the kernel takes part of
 * them). Nothing is allocated per datagram: the mmsghdr/iovec vectors, the data slots,
 * the sender names and the control buffers are allocated once and reused, the structs
 * are read and written through Uint32Array views, the receive time stays two numbers
 * (`receivedSec`, `receivedNsec`; `receivedNs` is a lazy bigint), and the sender's text
 * address is decoded only when its sockaddr differs from the previous datagram's.
 *
 * An in-place handler (`handleInPlace` + `stampReply`, see `handler.ts`) builds its reply
 * over the received datagram, in its slot: `sendmmsg` sends the slots themselves, no copy.
 * Any other handler gets the datagram as a view and writes into a reply slot of its own
 * (allocated on first use).
 *
 * A datagram larger than `maxDatagramSize` comes back with MSG_TRUNC and is dropped as
 * `oversize`.
 *
 * @module
 */

import {
  type ControlNeeds,
  type DatagramHandler,
  type DatagramMeta,
  isInPlace,
} from "./handler.ts";
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
import {
  encodeIovec,
  encodeMmsghdr,
  IOVEC_SIZE,
  MMSG_LEN_OFFSET,
  MMSGHDR_SIZE,
  MSG_CONTROLLEN_OFFSET,
  MSG_FLAGS_OFFSET,
  MSG_NAMELEN_OFFSET,
} from "./msghdr.ts";
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
  /** Datagrams per recvmmsg/sendmmsg. Default {@linkcode DEFAULT_BATCH}. */
  batch?: number;
  /** Largest datagram handled; larger ones are dropped and counted. Default 9216. */
  maxDatagramSize?: number;
  /** SO_RCVBUF / SO_SNDBUF request in bytes. Default 1 MiB. */
  socketBufferBytes?: number;
  /** Longest a receive waits before the loop looks at its control flag. Default 50 ms. */
  waitMs?: number;
}

/** Datagrams per recvmmsg/sendmmsg unless told otherwise. */
export const DEFAULT_BATCH = 64;

/** Loop counters. */
export interface FfiLoopStats {
  received: number;
  sent: number;
  oversize: number;
  sendErrors: number;
  receiveErrors: number;
  /** recvmmsg calls that returned datagrams (received / batches = mean batch depth). */
  batches: number;
}

const ALL_CONTROL: ControlNeeds = { ttl: true, kernelTimestamp: true };
const CONTROL_SLOT = 64; // TTL cmsg (24) + timespec cmsg (32), rounded up
const CLOCK_REALTIME = 0;
const NS_PER_S = 1_000_000_000n;
// Uint32 indexes into one mmsghdr / iovec entry.
const M32 = MMSGHDR_SIZE / 4;
const M_NAMELEN = MSG_NAMELEN_OFFSET / 4;
const M_CONTROLLEN = MSG_CONTROLLEN_OFFSET / 4;
const M_FLAGS = MSG_FLAGS_OFFSET / 4;
const M_LEN = MMSG_LEN_OFFSET / 4;
const NAME32 = SOCKADDR_IN6_SIZE / 4; // 7
const IOV32 = IOVEC_SIZE / 4;

/**
 * The meta the loop hands the handler, one object reused for every datagram: the
 * receive time as numbers, and `receivedNs` computed only when a handler asks.
 */
class LoopMeta implements DatagramMeta {
  address = "";
  port = 0;
  family: "IPv4" | "IPv6" = "IPv4";
  ttl: number | undefined = undefined;
  receivedSec = 0;
  receivedNsec = 0;
  get receivedNs(): bigint {
    return BigInt(this.receivedSec) * NS_PER_S + BigInt(this.receivedNsec);
  }
}

/** A bound UDP socket driven by libc (see the module doc). */
export class FfiUdpSocket {
  readonly port: number;
  readonly stats: FfiLoopStats = {
    received: 0,
    sent: 0,
    oversize: 0,
    sendErrors: 0,
    receiveErrors: 0,
    batches: 0,
  };
  #lib: Libc;
  #fd: number;
  #batch: number;
  #max: number;
  #data: Uint8Array;
  #dataView: DataView;
  #names: Uint8Array;
  #names32: Int32Array;
  #control: Uint8Array;
  #controlView: DataView;
  #recvVec: Uint8Array;
  #recv32: Uint32Array;
  #sendVec: Uint8Array;
  #send32: Uint32Array;
  #sendIov32: Uint32Array;
  // Addresses as two u32 halves (written into the send vector without a bigint).
  #nameLo: Uint32Array;
  #nameHi: Uint32Array;
  #dataLo: Uint32Array;
  #dataHi: Uint32Array;
  // Per reply of the batch being built: its slot and length.
  #sendSlot: Int32Array;
  #sendLen: Int32Array;
  // Copying handlers only: a reply slot per datagram slot (allocated on first use).
  #reply: Uint8Array | undefined;
  #replyViews: Uint8Array[] = [];
  #replyLo: Uint32Array;
  #replyHi: Uint32Array;
  #ts = new Uint8Array(16);
  #tsView = new DataView(this.#ts.buffer);
  #clockSec = 0;
  #clockNsec = 0;
  #info: ControlInfo = { ttl: -1, sec: 0, nsec: 0 };
  #from: SocketAddress = { family: "IPv4", address: "", port: 0 };
  #meta = new LoopMeta();
  #lastName = new Int32Array(NAME32);
  #lastNameValid = false;
  #v6 = false;
  #needs: ControlNeeds | undefined;
  #primed = 0; // entries to reset before the next recvmmsg: those the kernel filled last time
  #keepAlive: Uint8Array[];
  nowNs: () => bigint = () => {
    this.#readClock();
    return BigInt(this.#clockSec) * NS_PER_S + BigInt(this.#clockNsec);
  };

  constructor(lib: Libc, options: FfiSocketOptions) {
    this.#lib = lib;
    this.#batch = options.batch ?? DEFAULT_BATCH;
    this.#max = options.maxDatagramSize ?? 9216;
    if (!Number.isInteger(this.#batch) || this.#batch < 1 || this.#batch > 1024) {
      throw new RangeError(`Batch must be 1–1024 datagrams: "${this.#batch}"`);
    }
    if (!Number.isInteger(this.#max) || this.#max < 1 || this.#max > 65535) {
      throw new RangeError(`maxDatagramSize must be 1–65535 bytes: "${this.#max}"`);
    }
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
      if (v6) this.#opt(IPPROTO_IPV6, IPV6_V6ONLY, host === "::" ? 0 : 1, false);
      this.#v6 = v6;
      this.#applyNeeds(ALL_CONTROL);
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
    this.#data = new Uint8Array(n * this.#max);
    this.#dataView = new DataView(this.#data.buffer);
    this.#names = new Uint8Array(n * SOCKADDR_IN6_SIZE);
    this.#names32 = new Int32Array(this.#names.buffer);
    this.#control = new Uint8Array(n * CONTROL_SLOT);
    this.#controlView = new DataView(this.#control.buffer);
    const recvIov = new Uint8Array(n * IOVEC_SIZE);
    this.#recvVec = new Uint8Array(n * MMSGHDR_SIZE);
    this.#recv32 = new Uint32Array(this.#recvVec.buffer);
    const sendIov = new Uint8Array(n * IOVEC_SIZE);
    this.#sendIov32 = new Uint32Array(sendIov.buffer);
    this.#sendVec = new Uint8Array(n * MMSGHDR_SIZE);
    this.#send32 = new Uint32Array(this.#sendVec.buffer);
    this.#keepAlive = [recvIov, sendIov];
    this.#nameLo = new Uint32Array(n);
    this.#nameHi = new Uint32Array(n);
    this.#dataLo = new Uint32Array(n);
    this.#dataHi = new Uint32Array(n);
    this.#replyLo = new Uint32Array(n);
    this.#replyHi = new Uint32Array(n);
    this.#sendSlot = new Int32Array(n);
    this.#sendLen = new Int32Array(n);
    const recvView = new DataView(this.#recvVec.buffer);
    const sendView = new DataView(this.#sendVec.buffer);
    const recvIovView = new DataView(recvIov.buffer);
    for (let i = 0; i < n; i++) {
      const name = addressOf(this.#names, i * SOCKADDR_IN6_SIZE);
      const data = addressOf(this.#data, i * this.#max);
      this.#nameLo[i] = Number(name & 0xffffffffn);
      this.#nameHi[i] = Number(name >> 32n);
      this.#dataLo[i] = Number(data & 0xffffffffn);
      this.#dataHi[i] = Number(data >> 32n);
      encodeIovec(recvIovView, i * IOVEC_SIZE, { base: data, length: this.#max });
      encodeMmsghdr(recvView, i * MMSGHDR_SIZE, {
        name,
        nameLength: SOCKADDR_IN6_SIZE,
        iov: addressOf(recvIov, i * IOVEC_SIZE),
        iovLength: 1,
        control: addressOf(this.#control, i * CONTROL_SLOT),
        controlLength: CONTROL_SLOT,
        flags: 0,
      });
      // Entry i of the send vector always points at iovec i; the loop fills in the name
      // and the iovec of the i-th reply of each batch.
      encodeMmsghdr(sendView, i * MMSGHDR_SIZE, {
        name: 0n,
        nameLength: 0,
        iov: addressOf(sendIov, i * IOVEC_SIZE),
        iovLength: 1,
        control: 0n,
        controlLength: 0,
        flags: 0,
      });
    }
    this.#primed = n;
    if (cmsgSpace(4) + cmsgSpace(16) > CONTROL_SLOT) throw new RangeError("Control slot too small");
  }

  /** Turns the control messages on or off to match `needs` (only what changed). */
  #applyNeeds(needs: ControlNeeds): void {
    const now = this.#needs;
    if (now === undefined || now.kernelTimestamp !== needs.kernelTimestamp) {
      this.#opt(SOL_SOCKET, SO_TIMESTAMPNS, needs.kernelTimestamp ? 1 : 0, false);
    }
    if (now === undefined || now.ttl !== needs.ttl) {
      const on = needs.ttl ? 1 : 0;
      if (this.#v6) this.#opt(IPPROTO_IPV6, IPV6_RECVHOPLIMIT, on, false);
      this.#opt(IPPROTO_IP, IP_RECVTTL, on, false); // also IPv4-mapped traffic on "::"
    }
    this.#needs = { ...needs };
  }

  #opt(level: number, name: number, value: number, required: boolean): void {
    const v = new Int32Array([value]);
    const rc = this.#lib.symbols.setsockopt(this.#fd, level, name, new Uint8Array(v.buffer), 4);
    if (rc !== 0 && required) throw new Error(`Cannot set socket option ${level}/${name}`);
  }

  /** CLOCK_REALTIME into `#clockSec` / `#clockNsec` (no bigint). */
  #readClock(): void {
    this.#lib.symbols.clock_gettime(CLOCK_REALTIME, this.#ts);
    const v = this.#tsView;
    this.#clockSec = v.getUint32(0, true) + v.getInt32(4, true) * 4294967296;
    this.#clockNsec = v.getUint32(8, true);
  }

  #replySlots(): Uint8Array {
    if (this.#reply === undefined) {
      const n = this.#batch, max = this.#max;
      const reply = new Uint8Array(n * max);
      for (let i = 0; i < n; i++) {
        this.#replyViews.push(reply.subarray(i * max, (i + 1) * max));
        const p = addressOf(reply, i * max);
        this.#replyLo[i] = Number(p & 0xffffffffn);
        this.#replyHi[i] = Number(p >> 32n);
      }
      this.#reply = reply;
    }
    return this.#reply;
  }

  /**
   * Receives, handles and answers batches until `stop()` says so (checked before every
   * batch, so after every batch and every receive timeout).
   */
  run(handler: DatagramHandler, stop: () => boolean): void {
    const s = this.#lib.symbols;
    const fd = this.#fd;
    const n = this.#batch;
    const r32 = this.#recv32;
    const s32 = this.#send32;
    const iov32 = this.#sendIov32;
    const names = this.#names;
    const names32 = this.#names32;
    const last = this.#lastName;
    const meta = this.#meta;
    const from = this.#from;
    const info = this.#info;
    const max = this.#max;
    const data = this.#data;
    const dataView = this.#dataView;
    const sendSlot = this.#sendSlot;
    const sendLen = this.#sendLen;
    this.#applyNeeds(handler.controlNeeds?.() ?? ALL_CONTROL);
    const inPlace = isInPlace(handler) ? handler : undefined;
    if (inPlace === undefined) this.#replySlots();
    const bufLo = inPlace ? this.#dataLo : this.#replyLo;
    const bufHi = inPlace ? this.#dataHi : this.#replyHi;
    const nowNs = this.nowNs;
    while (!stop()) {
      // The kernel rewrote namelen, controllen, flags and len of the entries it filled.
      for (let i = 0; i < this.#primed; i++) {
        const m = i * M32;
        r32[m + M_NAMELEN] = SOCKADDR_IN6_SIZE;
        r32[m + M_CONTROLLEN] = CONTROL_SLOT;
        r32[m + M_FLAGS] = 0;
      }
      const got = s.recvmmsg(fd, this.#recvVec, n, MSG_WAITFORONE, null);
      if (got <= 0) {
        if (got < 0) {
          const e = errno(this.#lib);
          if (e !== EAGAIN && e !== EINTR) this.stats.receiveErrors++;
        }
        continue;
      }
      this.#primed = got;
      this.stats.batches++;
      this.stats.received += got;
      let fallbackRead = false;
      let out = 0;
      for (let i = 0; i < got; i++) {
        const m = i * M32;
        if ((r32[m + M_FLAGS] & MSG_TRUNC) !== 0) {
          this.stats.oversize++;
          continue;
        }
        const len = r32[m + M_LEN];
        const nameLen = r32[m + M_NAMELEN];
        // The sender's text address is decoded only when its sockaddr changed.
        const words = nameLen >= SOCKADDR_IN6_SIZE ? NAME32 : 4;
        const w = i * NAME32;
        let same = this.#lastNameValid;
        for (let k = 0; same && k < words; k++) same = names32[w + k] === last[k];
        if (!same) {
          if (!decodeSockaddr(names, i * SOCKADDR_IN6_SIZE, from)) continue;
          for (let k = 0; k < NAME32; k++) last[k] = k < words ? names32[w + k] : 0;
          this.#lastNameValid = true;
          meta.address = from.address;
          meta.port = from.port;
          meta.family = from.family;
        }
        decodeControl(this.#controlView, i * CONTROL_SLOT, r32[m + M_CONTROLLEN], info);
        meta.ttl = info.ttl >= 0 ? info.ttl : undefined;
        if (info.sec !== 0) {
          meta.receivedSec = info.sec;
          meta.receivedNsec = info.nsec;
        } else {
          if (!fallbackRead) {
            this.#readClock();
            fallbackRead = true;
          }
          meta.receivedSec = this.#clockSec;
          meta.receivedNsec = this.#clockNsec;
        }
        const at = i * max;
        const r = inPlace
          ? inPlace.handleInPlace(data, dataView, at, len, max, meta)
          : handler.handle(data.subarray(at, at + len), meta, this.#replyViews[i], nowNs);
        if (r < 0) continue;
        const so = out * M32;
        s32[so] = this.#nameLo[i];
        s32[so + 1] = this.#nameHi[i];
        s32[so + M_NAMELEN] = nameLen;
        const io = out * IOV32;
        iov32[io] = bufLo[i];
        iov32[io + 1] = bufHi[i];
        iov32[io + 2] = r;
        sendSlot[out] = at;
        sendLen[out] = r;
        out++;
      }
      if (out === 0) continue;
      if (inPlace !== undefined) {
        // One clock read for the batch, as late as possible: the transmit timestamps.
        this.#readClock();
        const sec = this.#clockSec, nsec = this.#clockNsec;
        for (let k = 0; k < out; k++) {
          inPlace.stampReply(dataView, sendSlot[k], sendLen[k], sec, nsec);
        }
      }
      this.#send(out, handler);
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
