/**
 * The `stat` text of every process, for the process table of a whole-tree read, at the
 * cost of one syscall per process. Opening `/proc/<pid>/stat` is most of what reading it
 * costs (a procfs path walk for each process); here each one is opened once, kept, and
 * read again with `pread(fd, …, 0)`, which makes procfs render the text anew. `/proc` is
 * listed with `getdents64` on a descriptor of its own, rewound with `lseek`, and only
 * the PID entries are decoded (no entry objects for the hundred others).
 *
 * A kept descriptor belongs to its process, not to its number: once that process is
 * reaped the read fails (ESRCH) and the descriptor is closed, and a process that has
 * since taken the same PID is opened afresh. Descriptors of PIDs no longer listed are
 * closed on each read; at most {@linkcode MAX_KEPT_DESCRIPTORS} are kept, and no more than
 * a quarter of the process's open-file limit (the rest are opened and closed per read, as
 * `read_small_file.ts` does), so the agent's sockets and files keep their room. Nothing is opened before the
 * first read of the process table. Each kept descriptor holds a page of kernel memory
 * (procfs's text buffer): about 0.3 MiB for a router's 70 processes, 1 MiB at most.
 *
 * Linux on x86_64 or aarch64 with the FFI permission (`ffi_libc.ts`); elsewhere
 * {@linkcode readProcStats} answers undefined and the caller lists and reads files. A libc
 * without `getdents64` (glibc before 2.30) lists `/proc` through `Deno.readDirSync`.
 *
 * getdents64(2), pread(2), lseek(2), proc_pid_stat(5).
 *
 * @module
 */

import {
  EINTR,
  errno,
  lazyLibc,
  O_CLOEXEC,
  O_DIRECTORY,
  O_RDONLY,
  openLibcWith,
} from "./ffi_libc.ts";
import { readSmallFile } from "./read_small_file.ts";

/** Most `/proc/<pid>/stat` descriptors kept open between reads. */
export const MAX_KEPT_DESCRIPTORS = 256;

const SEEK_SET = 0;
/** A `/proc/<pid>/stat` text is well under 1 KiB; one this long is read by path instead. */
const STAT_BYTES = 4096;
const DIRENT_BYTES = 32768;
/** Offsets in `struct linux_dirent64`: d_reclen (u16), d_name (NUL-terminated). */
const RECLEN_AT = 16;
const NAME_AT = 19;

const SYMBOLS = {
  // open(2) is variadic; its third argument is only read with O_CREAT or O_TMPFILE.
  open: { parameters: ["buffer", "i32"], result: "i32" },
  pread: { parameters: ["i32", "buffer", "usize", "i64"], result: "isize" },
  close: { parameters: ["i32"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;
const LISTING = {
  open: SYMBOLS.open,
  lseek: { parameters: ["i32", "i64", "i32"], result: "i64" },
  getdents64: { parameters: ["i32", "buffer", "usize"], result: "isize" },
} as const;

type Libc = Deno.DynamicLibrary<typeof SYMBOLS>;
type Listing = Deno.DynamicLibrary<typeof LISTING>;

const openLibc = lazyLibc(SYMBOLS);
let keepAtMost: number | undefined;
let listing: { lib: Listing; fd: number } | null | undefined;
/** PID → its kept `stat` descriptor. */
const kept = new Map<number, number>();
const text = new Uint8Array(STAT_BYTES);
const dirents = new Uint8Array(DIRENT_BYTES);
const direntView = new DataView(dirents.buffer);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * PID → the text of its `/proc/<pid>/stat`, for every process listed in `/proc` whose
 * file could be read (one that ended in between is left out); undefined when this
 * platform has no FFI path.
 *
 * @example
 * ```ts
 * import { readProcStats } from "./proc_stats.ts";
 * readProcStats()?.get(Deno.pid); // "1234 (deno) R 1 …"
 * ```
 */
export function readProcStats(): Map<number, string> | undefined {
  const lib = openLibc();
  if (lib === undefined) return undefined;
  const pids = listPids();
  const out = new Map<number, string>();
  const listed = new Set(pids);
  for (const [pid, fd] of kept) {
    if (!listed.has(pid)) forget(lib, pid, fd);
  }
  for (const pid of pids) {
    const read = readKept(lib, pid);
    const stat = read === undefined ? readSmallFile(`/proc/${pid}/stat`) : read;
    if (stat) out.set(pid, stat);
  }
  return out;
}

/** How many descriptors are kept now (for tests). */
export function keptDescriptors(): number {
  return kept.size;
}

/**
 * {@linkcode MAX_KEPT_DESCRIPTORS}, or a quarter of the soft open-file limit where that is
 * lower (the "Max open files" row of `/proc/self/limits`).
 */
export function keptLimit(limits = readSmallFile("/proc/self/limits")): number {
  const soft = /^Max open files\s+(\d+)/m.exec(limits ?? "")?.[1];
  return soft === undefined
    ? MAX_KEPT_DESCRIPTORS
    : Math.min(MAX_KEPT_DESCRIPTORS, Math.floor(Number(soft) / 4));
}

/**
 * The text through the kept descriptor of `pid` (opened now if there is room); null when
 * the process is gone; undefined when it must be read by path (no room, or a text
 * longer than the buffer).
 */
function readKept(lib: Libc, pid: number): string | null | undefined {
  let fd = kept.get(pid);
  const fresh = fd === undefined;
  if (fd === undefined) {
    if (kept.size >= (keepAtMost ??= keptLimit())) return undefined;
    fd = lib.symbols.open(encoder.encode(`/proc/${pid}/stat\0`), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return null;
    kept.set(pid, fd);
  }
  for (;;) {
    const n = Number(lib.symbols.pread(fd, text, BigInt(STAT_BYTES), 0n));
    if (n < 0 && errno(lib) === EINTR) continue;
    if (n > 0 && n < STAT_BYTES) return decoder.decode(text.subarray(0, n));
    forget(lib, pid, fd);
    if (n >= STAT_BYTES) return undefined;
    // Its process was reaped (ESRCH): one that now holds the same PID is opened afresh.
    return fresh ? null : readKept(lib, pid);
  }
}

function forget(lib: Libc, pid: number, fd: number): void {
  lib.symbols.close(fd);
  kept.delete(pid);
}

/** The PIDs in `/proc`, through getdents64 where libc has it. */
function listPids(): number[] {
  const l = openListing();
  if (l === undefined) return listPidsWithDeno();
  if (Number(l.lib.symbols.lseek(l.fd, 0n, SEEK_SET)) !== 0) return listPidsWithDeno();
  const pids: number[] = [];
  for (;;) {
    const n = Number(l.lib.symbols.getdents64(l.fd, dirents, BigInt(DIRENT_BYTES)));
    if (n < 0) return listPidsWithDeno();
    if (n === 0) return pids;
    for (let at = 0; at < n; at += direntView.getUint16(at + RECLEN_AT, true)) {
      const pid = decimalAt(at + NAME_AT);
      if (pid > 0) pids.push(pid);
    }
  }
}

/** The name at `at` as a PID, or 0 when it is not all digits. */
function decimalAt(at: number): number {
  let value = 0;
  let i = at;
  for (; dirents[i] !== 0; i++) {
    const digit = dirents[i] - 0x30;
    if (digit < 0 || digit > 9 || i - at > 9) return 0;
    value = value * 10 + digit;
  }
  return i === at ? 0 : value;
}

function listPidsWithDeno(): number[] {
  const pids: number[] = [];
  try {
    for (const entry of Deno.readDirSync("/proc")) {
      if (/^[1-9][0-9]{0,9}$/.test(entry.name)) pids.push(Number(entry.name));
    }
  } catch {
    // no /proc: no processes to tell of
  }
  return pids;
}

function openListing(): { lib: Listing; fd: number } | undefined {
  if (listing === undefined) {
    listing = null;
    const lib = openLibcWith(LISTING);
    if (lib !== undefined) {
      const fd = lib.symbols.open(encoder.encode("/proc\0"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (fd >= 0) listing = { lib, fd };
      else lib.close();
    }
  }
  return listing ?? undefined;
}
