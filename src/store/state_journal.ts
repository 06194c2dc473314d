/**
 * All-or-nothing writes across the state directory's files.
 *
 * The agent keeps what the ACS set in several small files (settings.json, values.json,
 * instances.json, attributes.json …). One SetParameterValues, AddObject or DeleteObject may
 * change several of them; a crash between two atomic file writes would leave one new and one
 * old. So the writes of one request are collected in a transaction and committed through a
 * redo journal:
 *
 * 1. `journal.json` (every new file content, `null` for a deletion) is written atomically
 *    (temp file, fsync, rename, directory fsync): this rename is the commit point;
 * 2. each file is replaced atomically;
 * 3. the journal is removed.
 *
 * At start, {@linkcode recoverStateDir} replays a journal left by a crash (so a committed
 * request is complete) and removes the temp files of interrupted writes. A transaction with
 * a single file skips the journal: its atomic write is the commit.
 *
 * Transactions run one at a time (a second waits for the first to commit), so a response
 * never goes out before what it reports is on disk. Writes made outside a transaction are
 * written at once, or, while one is open, join it.
 *
 * @module
 */

import { noteStateListing, readTextIfPresent } from "./state_listing.ts";
import { dirnameOf, writeFileAtomicSync } from "./write_file_atomic.ts";

/** Name of the journal file in the state directory. */
export const JOURNAL_NAME = "journal.json";

/** A temp file of an interrupted atomic write: `<name>.tmp-<8 hex>`. */
const TEMP_FILE = /\.tmp-[0-9a-f]{8}$/;

interface JournalData {
  version: 1;
  /** File name in the state directory → its new content; null = delete it. */
  files: Record<string, string | null>;
}

/** What {@linkcode recoverStateDir} did. */
export interface RecoverResult {
  /** Files rewritten from a committed journal. */
  replayed: string[];
  /** Temp files of interrupted writes that were removed. */
  removedTempFiles: string[];
  /** Set when a journal could not be read (it is kept as `journal.json.corrupt`). */
  corrupt?: string;
}

function isPlainName(name: string): boolean {
  return name !== "" && name !== "." && name !== ".." && !name.includes("/") &&
    !name.includes("\0");
}

function parseJournal(text: string): JournalData {
  const value = JSON.parse(text);
  if (typeof value !== "object" || value === null || value.version !== 1) {
    throw new TypeError("Cannot read journal: not a version 1 journal");
  }
  const files = value.files;
  if (typeof files !== "object" || files === null || Array.isArray(files)) {
    throw new TypeError('Cannot read journal: bad "files"');
  }
  for (const [name, content] of Object.entries(files)) {
    if (!isPlainName(name) || (content !== null && typeof content !== "string")) {
      throw new TypeError(`Cannot read journal: bad entry "${name}"`);
    }
  }
  return value as JournalData;
}

function removeSync(path: string): void {
  try {
    Deno.removeSync(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

function syncDirSync(dir: string): void {
  try {
    const handle = Deno.openSync(dir, { read: true });
    try {
      handle.syncSync();
    } finally {
      handle.close();
    }
  } catch { /* directory fsync unsupported here; the renames are still atomic */ }
}

function apply(dir: string, files: Record<string, string | null>): void {
  for (const [name, content] of Object.entries(files)) {
    const path = `${dir}/${name}`;
    if (content === null) removeSync(path);
    else writeFileAtomicSync(path, content);
  }
}

/**
 * Brings the state directory to a consistent state before anything reads it: removes the
 * temp files of interrupted writes and replays a committed journal.
 */
export function recoverStateDir(dir: string): RecoverResult {
  const removedTempFiles: string[] = [];
  const names: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    if (entry.isFile && TEMP_FILE.test(entry.name)) {
      removeSync(`${dir}/${entry.name}`);
      removedTempFiles.push(`${dir}/${entry.name}`);
    } else {
      names.push(entry.name);
    }
  }
  const journal = `${dir}/${JOURNAL_NAME}`;
  if (!names.includes(JOURNAL_NAME)) {
    // Nothing to replay: the listing tells the start which state files are absent.
    noteStateListing(dir, names);
    return { replayed: [], removedTempFiles };
  }
  const text = readTextIfPresent(journal);
  if (text === undefined) return { replayed: [], removedTempFiles };
  let data: JournalData;
  try {
    data = parseJournal(text);
  } catch (error) {
    // Written atomically, so this is damage from outside; the files keep their old state.
    Deno.renameSync(journal, `${journal}.corrupt`);
    return { replayed: [], removedTempFiles, corrupt: (error as Error).message };
  }
  apply(dir, data.files);
  removeSync(journal);
  syncDirSync(dir);
  return { replayed: Object.keys(data.files).map((n) => `${dir}/${n}`), removedTempFiles };
}

/** Collects and commits the state directory's writes (see the module doc). */
export class StateJournal {
  readonly #dir: string;
  #pending: Map<string, string | null> | undefined;
  #tail: Promise<unknown> = Promise.resolve();
  /** Test hook: runs after the journal is committed, before the files are replaced. */
  afterJournal?: () => void;

  /** A journal for the state directory `dir`. */
  constructor(dir: string) {
    this.#dir = dir;
  }

  /** The state directory. */
  get dir(): string {
    return this.#dir;
  }

  /**
   * Writes `content` to `path` (a file directly in the state directory), or deletes it when
   * `content` is null: at once outside a transaction (throws if it cannot), else at commit.
   */
  write(path: string, content: string | null): void {
    const name = this.#nameOf(path);
    if (this.#pending !== undefined) {
      this.#pending.set(name, content);
      return;
    }
    apply(this.#dir, { [name]: content });
  }

  /**
   * Runs `work`, collecting every {@linkcode write} made meanwhile, and commits them all
   * at once when it settles (also when it throws: what it changed in memory is then on
   * disk too). Transactions run one after the other. A failed commit rejects.
   */
  transaction<T>(work: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      this.#pending = new Map();
      try {
        return await work();
      } finally {
        const pending = this.#pending;
        this.#pending = undefined;
        this.#commit(pending);
      }
    };
    const result = this.#tail.then(run, run);
    this.#tail = result.catch(() => {});
    return result;
  }

  #commit(pending: Map<string, string | null>): void {
    if (pending.size === 0) return;
    const files = Object.fromEntries(pending);
    if (pending.size === 1) return apply(this.#dir, files);
    const journal = `${this.#dir}/${JOURNAL_NAME}`;
    const data: JournalData = { version: 1, files };
    writeFileAtomicSync(journal, JSON.stringify(data));
    this.afterJournal?.();
    apply(this.#dir, files);
    removeSync(journal);
    syncDirSync(this.#dir);
  }

  #nameOf(path: string): string {
    if (dirnameOf(path) !== this.#dir) {
      throw new RangeError(`Cannot journal "${path}": not in "${this.#dir}"`);
    }
    return path.slice(this.#dir.length + 1);
  }
}
