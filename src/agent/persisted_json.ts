/**
 * Small state files of the data model (instance numbers, ACS-set values, attributes):
 * restored at start, rewritten atomically and fsynced after each change (through the
 * state journal, so all files one request changes are committed together), deleted by a
 * factory reset. A corrupt file is kept aside as `<name>.corrupt` and reported.
 *
 * @module
 */

import { readTextIfPresent, StateJournal } from "../store/mod.ts";

/** Something with a text form. */
export interface Serializable {
  serialize(): string;
  restore(text: string): void;
}

/** One state file bound to one serializable value. */
export class PersistedJson {
  readonly path: string;
  #target?: Serializable;
  #journal: StateJournal;

  /**
   * A file `<dir>/<name>`, written through `journal` (so it joins the request's
   * transaction); by default written on its own.
   */
  constructor(dir: string, name: string, journal: StateJournal = new StateJournal(dir)) {
    this.path = `${dir}/${name}`;
    this.#journal = journal;
  }

  /** Restores `target` from the file (if any) and saves it on every later `save()`. */
  attach(target: Serializable, onCorrupt: (message: string) => void): void {
    this.#target = target;
    const text = readTextIfPresent(this.path);
    if (text === undefined) return;
    try {
      target.restore(text);
    } catch (error) {
      Deno.renameSync(this.path, `${this.path}.corrupt`);
      onCorrupt(`Cannot restore "${this.path}" (${(error as Error).message}); kept as ".corrupt"`);
    }
  }

  /** Writes the attached value now. */
  save(): void {
    if (this.#target) this.#journal.write(this.path, this.#target.serialize());
  }

  /** Deletes the file (factory reset). */
  remove(): void {
    this.#journal.write(this.path, null);
  }
}
