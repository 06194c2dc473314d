/**
 * Synchronous reads of small files (`/proc/<pid>/stat`, `/etc/TZ`, `/etc/resolv.conf`)
 * at the cost of their syscalls. A whole-tree read opens one `/proc/<pid>/stat` per
 * process; `Deno.readTextFileSync` takes about nine syscalls for each (it stats the
 * file, and `/proc` reports size 0, so it reads in growing steps) and builds an Error
 * for a missing file. Here: `open`, `read` until end of file, `close`, through libc
 * (`Deno.dlopen`), into one buffer reused by every call; a missing or unreadable file
 * answers undefined without an exception.
 *
 * libc is opened on the first read, never at start. Linux on x86_64 or aarch64 with the
 * FFI permission only (`ffi_libc.ts`); elsewhere, or when libc cannot be opened,
 * {@linkcode readSmallFile} falls back to `Deno.readTextFileSync`. The FFI permission
 * already grants everything, so reading around Deno's read permission gives nothing
 * away.
 *
 * open(2), read(2), close(2).
 *
 * @module
 */

import { EINTR, errno, lazyLibc, O_CLOEXEC, O_RDONLY } from "./ffi_libc.ts";

/** Bytes read per call; a file this long or longer is read in several calls. */
const CHUNK_BYTES = 4096;
/** Longest path, NUL included (PATH_MAX). */
const PATH_BYTES = 4096;

const SYMBOLS = {
  // open(2) is variadic; its third argument is only read with O_CREAT or O_TMPFILE.
  open: { parameters: ["buffer", "i32"], result: "i32" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  close: { parameters: ["i32"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

type Libc = Deno.DynamicLibrary<typeof SYMBOLS>;

const openLibc = lazyLibc(SYMBOLS);
const chunk = new Uint8Array(CHUNK_BYTES);
const pathBytes = new Uint8Array(PATH_BYTES);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The text of the file at the absolute `path` (UTF-8, invalid bytes replaced), or
 * undefined when it does not exist or cannot be read. Meant for small files that never
 * wait for storage: the kernel's pseudo-filesystems, `/etc`, `/run`, `/tmp`.
 *
 * @example
 * ```ts
 * import { readSmallFile } from "./read_small_file.ts";
 * readSmallFile("/proc/self/stat"); // "1234 (deno) R 1 …"
 * readSmallFile("/no/such/file"); // undefined
 * ```
 */
export function readSmallFile(path: string): string | undefined {
  const lib = openLibc();
  if (lib === undefined) return readWithDeno(path);
  const { read, written } = encoder.encodeInto(path, pathBytes);
  // Too long for the buffer, or a NUL inside: the kernel would see another path.
  if (read < path.length || written >= PATH_BYTES || pathBytes.subarray(0, written).includes(0)) {
    return readWithDeno(path);
  }
  pathBytes[written] = 0;
  const fd = lib.symbols.open(pathBytes, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return undefined;
  try {
    return readAll(lib, fd);
  } finally {
    lib.symbols.close(fd);
  }
}

function readAll(lib: Libc, fd: number): string | undefined {
  // Up to one chunk in the shared buffer; beyond that, the chunks are gathered in a
  // growing copy of their own (the shared buffer stays small).
  let whole: Uint8Array | undefined;
  let length = 0;
  for (;;) {
    const n = Number(lib.symbols.read(fd, chunk, BigInt(CHUNK_BYTES)));
    if (n < 0) {
      if (errno(lib) === EINTR) continue;
      return undefined;
    }
    if (n === 0) break;
    if (whole === undefined && length === 0 && n < CHUNK_BYTES) {
      // The usual case: the whole file in one read. One more read confirms the end.
      length = n;
      const m = Number(lib.symbols.read(fd, chunk.subarray(n), BigInt(CHUNK_BYTES - n)));
      if (m === 0) return decoder.decode(chunk.subarray(0, n));
      if (m < 0 && errno(lib) !== EINTR) return undefined;
      whole = chunk.slice(0, n + Math.max(m, 0));
      length = whole.length;
      continue;
    }
    whole ??= new Uint8Array(2 * CHUNK_BYTES);
    if (length + n > whole.length) {
      const grown = new Uint8Array(Math.max(2 * whole.length, length + n));
      grown.set(whole.subarray(0, length));
      whole = grown;
    }
    whole.set(chunk.subarray(0, n), length);
    length += n;
  }
  return decoder.decode(whole === undefined ? chunk.subarray(0, 0) : whole.subarray(0, length));
}

function readWithDeno(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
}
