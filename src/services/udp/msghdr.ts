/**
 * Codec of `struct iovec` (16 bytes), `struct msghdr` (56) and `struct mmsghdr` (64) on
 * LP64 Linux (x86_64, aarch64). glibc declares `msg_iovlen` and `msg_controllen` as
 * `size_t`; musl declares them `int`/`socklen_t` followed by explicit padding: on a
 * little-endian machine writing the full 8 bytes (padding zero) and reading them back is
 * correct for both, and the kernel writes the 64-bit value.
 *
 * ```
 * iovec:   0 iov_base ptr | 8 iov_len u64                                        = 16
 * msghdr:  0 msg_name ptr | 8 msg_namelen u32 | 12 pad | 16 msg_iov ptr
 *          | 24 msg_iovlen u64 | 32 msg_control ptr | 40 msg_controllen u64
 *          | 48 msg_flags i32 | 52 pad                                           = 56
 * mmsghdr: 0 msg_hdr msghdr | 56 msg_len u32 | 60 pad                            = 64
 * ```
 *
 * Pointers are bigints (`Deno.UnsafePointer.value()`), written as u64 little-endian.
 *
 * @module
 */

/** sizeof(struct iovec). */
export const IOVEC_SIZE = 16;
/** sizeof(struct msghdr). */
export const MSGHDR_SIZE = 56;
/** sizeof(struct mmsghdr). */
export const MMSGHDR_SIZE = 64;
/** Offset of `msg_len` in struct mmsghdr. */
export const MMSG_LEN_OFFSET = 56;
/** Offset of `msg_namelen` in struct msghdr. */
export const MSG_NAMELEN_OFFSET = 8;
/** Offset of `msg_controllen` in struct msghdr. */
export const MSG_CONTROLLEN_OFFSET = 40;
/** Offset of `msg_flags` in struct msghdr. */
export const MSG_FLAGS_OFFSET = 48;

/** One `struct iovec`. */
export interface Iovec {
  base: bigint;
  length: number;
}

/** One `struct msghdr`. */
export interface Msghdr {
  name: bigint;
  nameLength: number;
  iov: bigint;
  iovLength: number;
  control: bigint;
  controlLength: number;
  flags: number;
}

/** Writes an iovec at `offset`. */
export function encodeIovec(view: DataView, offset: number, iov: Iovec): void {
  view.setBigUint64(offset, iov.base, true);
  view.setBigUint64(offset + 8, BigInt(iov.length), true);
}

/** Reads an iovec at `offset`. */
export function decodeIovec(view: DataView, offset: number): Iovec {
  return {
    base: view.getBigUint64(offset, true),
    length: Number(view.getBigUint64(offset + 8, true)),
  };
}

/** Writes a msghdr at `offset`, padding included. */
export function encodeMsghdr(view: DataView, offset: number, msg: Msghdr): void {
  view.setBigUint64(offset, msg.name, true);
  view.setUint32(offset + 8, msg.nameLength, true);
  view.setUint32(offset + 12, 0, true);
  view.setBigUint64(offset + 16, msg.iov, true);
  view.setBigUint64(offset + 24, BigInt(msg.iovLength), true);
  view.setBigUint64(offset + 32, msg.control, true);
  view.setBigUint64(offset + 40, BigInt(msg.controlLength), true);
  view.setInt32(offset + 48, msg.flags, true);
  view.setUint32(offset + 52, 0, true);
}

/** Reads a msghdr at `offset`. */
export function decodeMsghdr(view: DataView, offset: number): Msghdr {
  return {
    name: view.getBigUint64(offset, true),
    nameLength: view.getUint32(offset + 8, true),
    iov: view.getBigUint64(offset + 16, true),
    iovLength: Number(view.getBigUint64(offset + 24, true)),
    control: view.getBigUint64(offset + 32, true),
    controlLength: Number(view.getBigUint64(offset + 40, true)),
    flags: view.getInt32(offset + 48, true),
  };
}

/** Writes an mmsghdr (msghdr + msg_len) at `offset`. */
export function encodeMmsghdr(view: DataView, offset: number, msg: Msghdr, length = 0): void {
  encodeMsghdr(view, offset, msg);
  view.setUint32(offset + MMSG_LEN_OFFSET, length, true);
  view.setUint32(offset + 60, 0, true);
}

/** Reads an mmsghdr at `offset`. */
export function decodeMmsghdr(view: DataView, offset: number): Msghdr & { length: number } {
  return { ...decodeMsghdr(view, offset), length: view.getUint32(offset + MMSG_LEN_OFFSET, true) };
}

/**
 * Hot-loop accessors: the fields the kernel rewrites on every recvmmsg, read and reset in
 * place without allocating.
 */
export const mmsg = {
  /** Bytes received (`msg_len`) of entry `i` of an mmsghdr vector. */
  length(view: DataView, i: number): number {
    return view.getUint32(i * MMSGHDR_SIZE + MMSG_LEN_OFFSET, true);
  },
  /** `msg_flags` of entry `i`. */
  flags(view: DataView, i: number): number {
    return view.getInt32(i * MMSGHDR_SIZE + MSG_FLAGS_OFFSET, true);
  },
  /** `msg_namelen` of entry `i`. */
  nameLength(view: DataView, i: number): number {
    return view.getUint32(i * MMSGHDR_SIZE + MSG_NAMELEN_OFFSET, true);
  },
  /** `msg_controllen` of entry `i` (fits 32 bits). */
  controlLength(view: DataView, i: number): number {
    return view.getUint32(i * MMSGHDR_SIZE + MSG_CONTROLLEN_OFFSET, true);
  },
  /** Resets the in/out lengths of entry `i` before the next receive. */
  reset(view: DataView, i: number, nameLength: number, controlLength: number): void {
    const o = i * MMSGHDR_SIZE;
    view.setUint32(o + MSG_NAMELEN_OFFSET, nameLength, true);
    view.setUint32(o + MSG_CONTROLLEN_OFFSET, controlLength, true);
    view.setInt32(o + MSG_FLAGS_OFFSET, 0, true);
  },
};
