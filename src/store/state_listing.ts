/**
 * Reads of state files that may be absent, without an exception per absent file while the
 * agent starts. A first start finds none of its ~15 state files, and a reboot several; each
 * miss was a thrown `NotFound` (20–50 µs, the first one ~0.5 ms). The recovery of the state
 * directory lists it anyway ({@linkcode noteStateListing}); until the next write into that
 * directory through `write_file_atomic.ts`, or {@linkcode forgetStateListing} once the start
 * is done, a file the listing lacks reads as absent without a system call. Any other file,
 * or any file afterwards, is read and a `NotFound` answered as absent.
 *
 * @module
 */

let listing: { dir: string; names: ReadonlySet<string> } | undefined;

/** Takes `names` as what `dir` holds, until a write into `dir` or {@linkcode forgetStateListing}. */
export function noteStateListing(dir: string, names: Iterable<string>): void {
  listing = { dir: trimSlash(dir), names: new Set(names) };
}

/** Drops the listing (of `dir` only, when given): reads go to the file system again. */
export function forgetStateListing(dir?: string): void {
  if (dir === undefined || listing?.dir === trimSlash(dir)) listing = undefined;
}

/**
 * The text of `path`, or undefined when it does not exist.
 *
 * @throws {Deno.errors.PermissionDenied} and any other read error but `NotFound`.
 */
export function readTextIfPresent(path: string): string | undefined {
  if (listing !== undefined) {
    const cut = path.lastIndexOf("/");
    if (path.slice(0, cut) === listing.dir && !listing.names.has(path.slice(cut + 1))) {
      return undefined;
    }
  }
  try {
    return Deno.readTextFileSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

function trimSlash(dir: string): string {
  return dir.length > 1 && dir.endsWith("/") ? dir.slice(0, -1) : dir;
}
