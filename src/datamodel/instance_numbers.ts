/**
 * Instance numbers of AddObject (TR-069 A.3.2.6, TR-106 §3.6): each table hands out
 * numbers that were never used before in it, even after the row is deleted and the
 * agent restarts. The agent persists the counters (`serialize()` / `restore()`) in its
 * state directory.
 *
 * [U] TR-069 leaves reuse open (CWMP-FACTS §5.1); never reusing a number is what ACSs
 * expect (a cached `X.3.` must not silently become a different row).
 *
 * @module
 */

import { ResourcesExceededError } from "./errors.ts";

/** Largest instance number (unsignedInt). */
export const MAX_INSTANCE_NUMBER = 0xffffffff;

/** Allocates instance numbers per concrete table path (`Device.IP.Interface.2.IPv4Address.`). */
export interface InstanceNumbers {
  /**
   * A number for a new row of `tablePath`: greater than every number handed out before
   * for it and than every number in `inUse`. Reserves it even if the add then fails.
   *
   * @throws {ResourcesExceededError} (9004) when the numbers are exhausted.
   */
  allocate(tablePath: string, inUse: readonly number[]): number;
  /** Drops the counters of tables below the deleted row `rowPath` (they cannot recur). */
  forget?(rowPath: string): void;
}

/** Options of {@linkcode MemoryInstanceNumbers}. */
export interface MemoryInstanceNumbersOptions {
  /** Called after every change of the counters, e.g. to persist `serialize()`. */
  readonly onChange?: () => void;
}

/** {@linkcode InstanceNumbers} in memory, with a text form for atomic persistence. */
export class MemoryInstanceNumbers implements InstanceNumbers {
  readonly #last = new Map<string, number>();
  readonly #onChange?: () => void;

  /** Starts with no counters. */
  constructor(options: MemoryInstanceNumbersOptions = {}) {
    this.#onChange = options.onChange;
  }

  /** See {@linkcode InstanceNumbers.allocate}. */
  allocate(tablePath: string, inUse: readonly number[]): number {
    let last = this.#last.get(tablePath) ?? 0;
    for (const n of inUse) if (n > last) last = n;
    if (last >= MAX_INSTANCE_NUMBER) {
      throw new ResourcesExceededError(`No instance numbers left in "${tablePath}"`);
    }
    this.#last.set(tablePath, last + 1);
    this.#onChange?.();
    return last + 1;
  }

  /** See {@linkcode InstanceNumbers.forget}. */
  forget(rowPath: string): void {
    let changed = false;
    for (const key of this.#last.keys()) {
      if (key.startsWith(rowPath)) changed = this.#last.delete(key);
    }
    if (changed) this.#onChange?.();
  }

  /** The counters as JSON text: `{"Device.Hosts.AccessControl.":3}`. */
  serialize(): string {
    return JSON.stringify(Object.fromEntries(this.#last));
  }

  /**
   * Replaces the counters with those of `text` (from {@linkcode serialize}).
   *
   * @throws {SyntaxError} when `text` is not JSON; {TypeError} when its shape is wrong.
   */
  restore(text: string): void {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new TypeError("Cannot restore instance numbers: expected an object");
    }
    const entries = Object.entries(parsed);
    for (const [key, value] of entries) {
      if (!Number.isInteger(value) || value < 0 || value > MAX_INSTANCE_NUMBER) {
        throw new TypeError(`Cannot restore instance numbers: bad counter of "${key}"`);
      }
    }
    this.#last.clear();
    for (const [key, value] of entries) this.#last.set(key, value as number);
  }
}
