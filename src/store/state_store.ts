/**
 * Loads and saves the session engine's snapshot as JSON in a state directory
 * (`<dir>/session.json` by default), atomically. A file that cannot be read as a snapshot is
 * moved aside to `<file>.corrupt` and reported; the agent then starts as a new device.
 *
 * @module
 */

import { parseSnapshot, type SessionSnapshot } from "../session/snapshot.ts";
import { readTextIfPresent } from "./state_listing.ts";
import { dirnameOf, tempPrefixOf, writeFileAtomic } from "./write_file_atomic.ts";

/** Options of {@linkcode StateStore}. */
export interface StateStoreOptions {
  /** File name inside the state directory (default `session.json`). */
  fileName?: string;
}

/** What {@linkcode StateStore.load} found. */
export interface LoadResult {
  /** The snapshot; absent when there was none or it was corrupt. */
  snapshot?: SessionSnapshot;
  /** Set when the file was unreadable: where the copy went and why. */
  corrupt?: { path: string; message: string };
  /** Temp files of interrupted writes that were removed. */
  removedTempFiles: string[];
}

/** Snapshot persistence in one state directory. */
export class StateStore {
  #dir: string;
  #path: string;

  /** A store for `dir` (created on first load or save). */
  constructor(dir: string, options: StateStoreOptions = {}) {
    this.#dir = dir;
    this.#path = `${dir}/${options.fileName ?? "session.json"}`;
  }

  /** Path of the snapshot file. */
  get path(): string {
    return this.#path;
  }

  /** Path the corrupt file is moved to. */
  get corruptPath(): string {
    return `${this.#path}.corrupt`;
  }

  /**
   * Reads the snapshot, cleaning up leftovers of interrupted writes first. Once, at start:
   * synchronous calls (a small local file), no hops through the runtime's thread pool.
   */
  load(): Promise<LoadResult> {
    return Promise.try(() => this.#load());
  }

  #load(): LoadResult {
    Deno.mkdirSync(this.#dir, { recursive: true });
    const removedTempFiles = this.#removeTempFiles();
    const text = readTextIfPresent(this.#path);
    if (text === undefined) return { removedTempFiles };
    try {
      return { snapshot: parseSnapshot(JSON.parse(text)), removedTempFiles };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      Deno.renameSync(this.#path, this.corruptPath);
      return { corrupt: { path: this.corruptPath, message }, removedTempFiles };
    }
  }

  /** Writes the snapshot atomically. */
  async save(snapshot: SessionSnapshot): Promise<void> {
    await Deno.mkdir(this.#dir, { recursive: true });
    await writeFileAtomic(this.#path, `${JSON.stringify(snapshot, null, 2)}\n`);
  }

  /** Deletes the snapshot (factory reset): the next start raises `0 BOOTSTRAP`. */
  async clear(): Promise<void> {
    await Deno.remove(this.#path).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }

  #removeTempFiles(): string[] {
    const prefix = tempPrefixOf(this.#path);
    const removed: string[] = [];
    for (const entry of Deno.readDirSync(dirnameOf(this.#path))) {
      const full = `${this.#dir}/${entry.name}`;
      if (entry.isFile && full.startsWith(prefix)) {
        Deno.removeSync(full);
        removed.push(full);
      }
    }
    return removed;
  }
}
