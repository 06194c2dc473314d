/**
 * Opening libc through `Deno.dlopen` for the FFI paths (netlink dumps, small-file reads, the
 * UDP services' loop): glibc (`libc.so.6`) or musl (`libc.so`, `ld-musl-<arch>.so.1`), Linux
 * on x86_64 or aarch64 with the FFI permission only; and errno after a failed call.
 *
 * @module
 */

/** errno: a call interrupted by a signal, to be repeated. */
export const EINTR = 4;
/** open(2) flags, the same on x86_64 and aarch64. */
export const O_RDONLY = 0;
export const O_DIRECTORY = 0o200000;
export const O_CLOEXEC = 0o2000000;

/** Library names tried in order: glibc, then musl. */
export function libcCandidates(arch: string = Deno.build.arch): string[] {
  return ["libc.so.6", "libc.so", `/lib/ld-musl-${arch}.so.1`];
}

/**
 * Why no FFI path can run here (not Linux, another architecture, no `Deno.dlopen`, no FFI
 * permission), or undefined when it can, libc permitting.
 */
export function ffiPrecondition(): string | undefined {
  if (Deno.build.os !== "linux") return `FFI path needs Linux, not "${Deno.build.os}"`;
  if (Deno.build.arch !== "x86_64" && Deno.build.arch !== "aarch64") {
    return `FFI path needs x86_64 or aarch64, not "${Deno.build.arch}"`;
  }
  if (typeof Deno.dlopen !== "function") return "Deno.dlopen is not available";
  try {
    if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
      return "FFI permission not granted";
    }
  } catch (e) {
    return `Cannot query FFI permission: ${(e as Error).message}`;
  }
  return undefined;
}

/** Opens libc with `symbols` (glibc, then musl), or undefined if none loads them all. */
export function openLibcWith<S extends Deno.ForeignLibraryInterface>(
  symbols: S,
): Deno.DynamicLibrary<S> | undefined {
  for (const name of libcCandidates()) {
    try {
      return Deno.dlopen(name, symbols);
    } catch {
      // try the next name
    }
  }
  return undefined;
}

/**
 * A memoized opener of libc with `symbols` for one FFI path: the library, or undefined
 * (not tried again) where the FFI path cannot run or no libc has those symbols. Opened on
 * the first call, never at import.
 */
export function lazyLibc<S extends Deno.ForeignLibraryInterface>(
  symbols: S,
): () => Deno.DynamicLibrary<S> | undefined {
  let lib: Deno.DynamicLibrary<S> | null | undefined;
  return () => {
    lib ??= (ffiPrecondition() === undefined ? openLibcWith(symbols) : undefined) ?? null;
    return lib ?? undefined;
  };
}

/** Reads errno through `__errno_location()` (thread-local; call right after the failure). */
export function errno(
  lib: { symbols: { __errno_location(): Deno.PointerValue } },
): number {
  const p = lib.symbols.__errno_location();
  return p === null ? 0 : new Deno.UnsafePointerView(p).getInt32();
}
