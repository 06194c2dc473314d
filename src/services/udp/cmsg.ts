/**
 * Codec of ancillary data (`struct cmsghdr`, LP64 Linux): `cmsg_len` u64 (musl: u32 +
 * pad, same bytes on little-endian), `cmsg_level` i32, `cmsg_type` i32, data from byte 16,
 * each header aligned to 8 (CMSG_ALIGN).
 *
 * ```
 * cmsghdr: 0 cmsg_len u64 | 8 cmsg_level i32 | 12 cmsg_type i32 | 16 data…   (CMSG_ALIGN 8)
 * ```
 *
 * The loop asks for three: the IPv4 TTL (IP_RECVTTL → IPPROTO_IP/IP_TTL, int), the IPv6
 * hop limit (IPV6_RECVHOPLIMIT → IPPROTO_IPV6/IPV6_HOPLIMIT, int) and the kernel receive
 * time (SO_TIMESTAMPNS → SOL_SOCKET/SCM_TIMESTAMPNS, struct timespec {i64 sec; i64 nsec}).
 *
 * @module
 */

/** sizeof(struct cmsghdr). */
export const CMSGHDR_SIZE = 16;
/** Linux SOL_SOCKET. */
export const SOL_SOCKET = 1;
/** Linux IPPROTO_IP. */
export const IPPROTO_IP = 0;
/** Linux IPPROTO_IPV6. */
export const IPPROTO_IPV6 = 41;
/** cmsg type of the received IPv4 TTL (IP_TTL). */
export const IP_TTL = 2;
/** cmsg type of the received IPv6 hop limit (IPV6_HOPLIMIT). */
export const IPV6_HOPLIMIT = 52;
/** cmsg type of the kernel receive time (SCM_TIMESTAMPNS == SO_TIMESTAMPNS). */
export const SCM_TIMESTAMPNS = 35;

/** CMSG_ALIGN: round up to 8. */
export function cmsgAlign(n: number): number {
  return (n + 7) & ~7;
}

/** CMSG_SPACE(n): room a message with `n` data bytes takes in the buffer. */
export function cmsgSpace(n: number): number {
  return CMSGHDR_SIZE + cmsgAlign(n);
}

/** CMSG_LEN(n): the `cmsg_len` of a message with `n` data bytes. */
export function cmsgLen(n: number): number {
  return CMSGHDR_SIZE + n;
}

/** One control message (for tests and the encoder). */
export interface ControlMessage {
  level: number;
  type: number;
  data: Uint8Array;
}

/** Writes `messages` at `offset` as the kernel would; returns the bytes used (msg_controllen). */
export function encodeControl(view: DataView, offset: number, messages: ControlMessage[]): number {
  let o = offset;
  for (const m of messages) {
    view.setBigUint64(o, BigInt(cmsgLen(m.data.length)), true);
    view.setInt32(o + 8, m.level, true);
    view.setInt32(o + 12, m.type, true);
    new Uint8Array(view.buffer, view.byteOffset + o + CMSGHDR_SIZE, m.data.length).set(m.data);
    o += cmsgSpace(m.data.length);
  }
  return o - offset;
}

/** What the loop reads from one datagram's control data (reused; no allocation). */
export interface ControlInfo {
  /** TTL / hop limit, or -1 when absent. */
  ttl: number;
  /** Kernel receive time: seconds (0 when absent) and nanoseconds. */
  sec: number;
  nsec: number;
}

/**
 * Walks the control messages in `[offset, offset + length)` (CMSG_FIRSTHDR/NXTHDR) and
 * fills `out`. Stops at a truncated or malformed header instead of reading past the end.
 */
export function decodeControl(
  view: DataView,
  offset: number,
  length: number,
  out: ControlInfo,
): void {
  out.ttl = -1;
  out.sec = 0;
  out.nsec = 0;
  const end = offset + length;
  let o = offset;
  while (o + CMSGHDR_SIZE <= end) {
    const len = view.getUint32(o, true) + view.getUint32(o + 4, true) * 2 ** 32;
    if (len < CMSGHDR_SIZE || o + len > end) return;
    const level = view.getInt32(o + 8, true);
    const type = view.getInt32(o + 12, true);
    const dataLen = len - CMSGHDR_SIZE;
    if (
      ((level === IPPROTO_IP && type === IP_TTL) ||
        (level === IPPROTO_IPV6 && type === IPV6_HOPLIMIT)) && dataLen >= 4
    ) {
      out.ttl = view.getInt32(o + CMSGHDR_SIZE, true);
    } else if (level === SOL_SOCKET && type === SCM_TIMESTAMPNS && dataLen >= 16) {
      const d = o + CMSGHDR_SIZE;
      out.sec = view.getUint32(d, true) + view.getInt32(d + 4, true) * 2 ** 32;
      out.nsec = view.getUint32(d + 8, true);
    }
    o += cmsgAlign(len);
  }
}
