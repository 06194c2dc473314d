/**
 * NETLINK_ROUTE dumps through libc (`Deno.dlopen`): what `ip -j addr` and `ip -j neigh`
 * read from the kernel, without a process per request. One request (`RTM_GETADDR` or
 * `RTM_GETNEIGH` or `RTM_GETLINK` with `NLM_F_DUMP`, family AF_UNSPEC) on a fresh `AF_NETLINK` socket,
 * then `recv` until `NLMSG_DONE`; the raw messages go back to the caller, which parses
 * them (`datamodel/providers/linux/netlink_messages.ts`). `RTM_GETLINK` answers what
 * `/sys/class/net/<if>/` holds for every interface at once (flags, MTU, operstate,
 * MAC, the statistics). libc is opened on the first
 * dump, never at start. Linux on x86_64 or aarch64 with the FFI permission only (the
 * structures below are those of both); elsewhere {@linkcode netlinkDump} answers
 * undefined and the callers use `/proc` or `ip`.
 *
 * rtnetlink(7), netlink(7).
 *
 * @module
 */

import { EINTR, errno, lazyLibc } from "./ffi_libc.ts";

/** `RTM_GETLINK`: every interface with its counters (answered with `RTM_NEWLINK`). */
export const RTM_GETLINK = 18;
/** `RTM_GETADDR`: every interface address (answered with `RTM_NEWADDR`). */
export const RTM_GETADDR = 22;
/** `RTM_GETNEIGH`: every neighbour table entry (answered with `RTM_NEWNEIGH`). */
export const RTM_GETNEIGH = 30;

const AF_NETLINK = 16;
const SOCK_RAW = 3;
const SOCK_CLOEXEC = 0o2000000;
const NETLINK_ROUTE = 0;
const SOL_SOCKET = 1;
const SO_RCVTIMEO = 20;
const NLM_F_REQUEST = 1;
const NLM_F_DUMP = 0x300;
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
/** A dump bigger than this is refused (a router's tables are a few KiB). */
const MAX_DUMP_BYTES = 4 * 1024 * 1024;

const SYMBOLS = {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  sendto: { parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"], result: "isize" },
  recv: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  close: { parameters: ["i32"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

type Libc = Deno.DynamicLibrary<typeof SYMBOLS>;

const openLibc = lazyLibc(SYMBOLS);
let sequence = 0;

/**
 * The messages the kernel answers a dump request of `type` with (every `nlmsghdr`,
 * the final `NLMSG_DONE` included), or undefined when netlink cannot be used here
 * (no FFI permission, not Linux, no libc) or the dump failed.
 */
export function netlinkDump(type: number): Uint8Array | undefined {
  const lib = openLibc();
  if (lib === undefined) return undefined;
  const fd = lib.symbols.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return undefined;
  try {
    // A kernel that never answers must not hang the agent: recv gives up after 1 s.
    const timeout = new BigInt64Array([1n, 0n]);
    lib.symbols.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, new Uint8Array(timeout.buffer), 16);
    const seq = ++sequence;
    // nlmsghdr (16) + a zeroed family header: ifinfomsg (16), ifaddrmsg (8) or ndmsg (12).
    const request = new Uint8Array(
      16 + (type === RTM_GETLINK ? 16 : type === RTM_GETNEIGH ? 12 : 8),
    );
    const view = new DataView(request.buffer);
    view.setUint32(0, request.length, true);
    view.setUint16(4, type, true);
    view.setUint16(6, NLM_F_REQUEST | NLM_F_DUMP, true);
    view.setUint32(8, seq, true);
    const kernel = new Uint8Array(12); // sockaddr_nl { AF_NETLINK, 0, pid 0, groups 0 }
    new DataView(kernel.buffer).setUint16(0, AF_NETLINK, true);
    if (Number(lib.symbols.sendto(fd, request, BigInt(request.length), 0, kernel, 12)) < 0) {
      return undefined;
    }
    return receive(lib, fd, seq);
  } finally {
    lib.symbols.close(fd);
  }
}

function receive(lib: Libc, fd: number, seq: number): Uint8Array | undefined {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const buffer = new Uint8Array(32 * 1024);
  for (;;) {
    const n = Number(lib.symbols.recv(fd, buffer, BigInt(buffer.length), 0));
    if (n < 0) {
      if (errno(lib) === EINTR) continue;
      return undefined;
    }
    if (n === 0) return undefined;
    const chunk = buffer.slice(0, n);
    const view = new DataView(chunk.buffer);
    let done = false;
    for (let at = 0; at + 16 <= n;) {
      const length = view.getUint32(at, true);
      const kind = view.getUint16(at + 4, true);
      if (length < 16 || view.getUint32(at + 8, true) !== seq) break;
      if (kind === NLMSG_ERROR && view.getInt32(at + 16, true) !== 0) return undefined;
      if (kind === NLMSG_DONE || kind === NLMSG_ERROR) done = true;
      at += (length + 3) & ~3;
    }
    chunks.push(chunk);
    total += n;
    if (done) break;
    if (total > MAX_DUMP_BYTES) return undefined;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
