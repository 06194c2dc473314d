/**
 * resetStateDir(): `cwmp-agent reset-state` (MikroTik's reset-tr069-config). Removes
 * everything the agent persisted in its state directory (pending events, the ACS URL last
 * contacted, what the ACS set, instance numbers, attributes, queued transfers and their
 * files), so the next start is a `0 BOOTSTRAP` with the config file's values. Only under
 * the state directory's lock: never while an agent runs on it.
 *
 * @module
 */

import { JOURNAL_NAME } from "./state_journal.ts";
import { LOCK_NAME, lockStateDir } from "./state_lock.ts";

/** What {@linkcode resetStateDir} removed (entry names in the state directory). */
export interface ResetStateResult {
  removed: string[];
}

/**
 * Empties `dir` but for its lock file; a missing directory is already empty. Throws
 * `StateDirBusyError` when an agent holds the directory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resetStateDir } from "./reset_state.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/session.json`, "{}");
 * assert.deepEqual(await resetStateDir(dir), { removed: ["session.json"] });
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function resetStateDir(dir: string): Promise<ResetStateResult> {
  try {
    await Deno.stat(dir);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { removed: [] };
    throw error;
  }
  const lock = await lockStateDir(dir);
  try {
    const names: string[] = [];
    for await (const entry of Deno.readDir(dir)) {
      if (entry.name !== LOCK_NAME) names.push(entry.name);
    }
    // The journal first: a crash part way must not let its replay bring back old writes.
    names.sort((a, b) =>
      Number(b === JOURNAL_NAME) - Number(a === JOURNAL_NAME) || (a < b ? -1 : 1)
    );
    for (const name of names) await Deno.remove(`${dir}/${name}`, { recursive: true });
    return { removed: names };
  } finally {
    lock.release();
  }
}
