/**
 * One agent per state directory: an exclusive lock (flock) on `<dir>/agent.lock`, held for
 * the life of the process and released by the kernel when it dies, so a crash never leaves
 * a stale lock behind. The file holds the holder's PID, for the refusal message.
 *
 * @module
 */

/** Name of the lock file in the state directory. */
export const LOCK_NAME = "agent.lock";

/** A held lock. */
export interface StateLock {
  readonly path: string;
  /** Releases the lock (the file stays). */
  release(): void;
}

/** Thrown when another process holds the state directory. */
export class StateDirBusyError extends Error {
  override name = "StateDirBusyError";
}

/**
 * Takes the lock of `dir`, or throws {@linkcode StateDirBusyError} naming the holder.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lockStateDir } from "./state_lock.ts";
 * const dir = await Deno.makeTempDir();
 * const lock = await lockStateDir(dir);
 * assert.equal(await Deno.readTextFile(lock.path), `${Deno.pid}\n`);
 * lock.release();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function lockStateDir(dir: string): Promise<StateLock> {
  return Promise.try(() => lock(dir));
}

function lock(dir: string): StateLock {
  const path = `${dir}/${LOCK_NAME}`;
  // Synchronous: once, at start, before anything else runs (no thread-pool hops).
  const file = Deno.openSync(path, { read: true, write: true, create: true, mode: 0o600 });
  let locked: boolean;
  try {
    locked = file.tryLockSync(true);
  } catch (error) {
    file.close();
    throw error;
  }
  if (!locked) {
    file.close();
    let holder = "";
    try {
      holder = Deno.readTextFileSync(path).trim();
    } catch { /* unreadable: named without a PID */ }
    const who = /^\d{1,10}$/.test(holder) ? ` (pid ${holder})` : "";
    throw new StateDirBusyError(
      `State directory "${dir}" is in use by another cwmp-agent${who}: lock "${path}" is held`,
    );
  }
  file.truncateSync(0);
  const bytes = new TextEncoder().encode(`${Deno.pid}\n`);
  let written = 0;
  while (written < bytes.length) written += file.writeSync(bytes.subarray(written));
  let released = false;
  return {
    path,
    release() {
      if (released) return;
      released = true;
      try {
        file.unlockSync();
      } finally {
        file.close();
      }
    },
  };
}
