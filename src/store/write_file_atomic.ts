/**
 * Crash-safe file replacement: write a temp file in the same directory, fsync it, rename it
 * over the target, fsync the directory. A crash at any point leaves either the old file or the
 * new one, never a mix; at worst a `<name>.tmp-<id>` file stays behind.
 *
 * @module
 */

import { forgetStateListing } from "./state_listing.ts";

/** Options of {@linkcode writeFileAtomic}. */
export interface WriteFileAtomicOptions {
  /** File mode of a newly created file (default 0o600). */
  mode?: number;
  /** Test hook run after the temp file is synced and before the rename. */
  beforeRename?: () => void | Promise<void>;
}

/** The directory part of `path` (`"."` for a bare name). */
export function dirnameOf(path: string): string {
  const i = path.lastIndexOf("/");
  if (i < 0) return ".";
  return i === 0 ? "/" : path.slice(0, i);
}

/** The temp-file prefix used for `path`; leftovers start with it. */
export function tempPrefixOf(path: string): string {
  return `${path}.tmp-`;
}

async function syncDirectory(dir: string): Promise<void> {
  let handle: Deno.FsFile;
  try {
    handle = await Deno.open(dir, { read: true });
  } catch {
    return; // Some platforms cannot open a directory; the rename is still atomic there.
  }
  try {
    await handle.sync();
  } catch {
    // fsync of a directory is not supported everywhere (e.g. some network filesystems).
  } finally {
    handle.close();
  }
}

/**
 * Replaces `path` with `data` atomically and durably.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeFileAtomic } from "./write_file_atomic.ts";
 * const dir = await Deno.makeTempDir();
 * await writeFileAtomic(`${dir}/a.json`, "{}");
 * assert.equal(await Deno.readTextFile(`${dir}/a.json`), "{}");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const temp = `${tempPrefixOf(path)}${crypto.randomUUID().slice(0, 8)}`;
  const file = await Deno.open(temp, {
    write: true,
    createNew: true,
    mode: options.mode ?? 0o600,
  });
  try {
    try {
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
      await file.sync();
    } finally {
      file.close();
    }
    await options.beforeRename?.();
    await Deno.rename(temp, path);
    forgetStateListing(dirnameOf(path));
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
  await syncDirectory(dirnameOf(path));
}

/**
 * The synchronous twin of {@linkcode writeFileAtomic}, for small files that must be
 * durable before a synchronous caller returns (e.g. settings the ACS just set).
 */
export function writeFileAtomicSync(
  path: string,
  data: string | Uint8Array,
  options: Omit<WriteFileAtomicOptions, "beforeRename"> = {},
): void {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const temp = `${tempPrefixOf(path)}${crypto.randomUUID().slice(0, 8)}`;
  try {
    const file = Deno.openSync(temp, { write: true, createNew: true, mode: options.mode ?? 0o600 });
    try {
      let written = 0;
      while (written < bytes.length) written += file.writeSync(bytes.subarray(written));
      file.syncSync();
    } finally {
      file.close();
    }
    Deno.renameSync(temp, path);
    forgetStateListing(dirnameOf(path));
  } catch (error) {
    try {
      Deno.removeSync(temp);
    } catch { /* never created or already renamed */ }
    throw error;
  }
  try {
    const dir = Deno.openSync(dirnameOf(path), { read: true });
    try {
      dir.syncSync();
    } finally {
      dir.close();
    }
  } catch { /* directory fsync unsupported here; the rename is still atomic */ }
}
