/**
 * Stable instance numbers for rows discovered on the system (interfaces, addresses,
 * hosts, DNS servers): a key (interface name, address…) keeps its number across reads
 * and, once the agent persists {@linkcode InstanceNumbers.serialize} and restores it,
 * across restarts. Numbers are never reused within a table (TR-069 §A.3.2.4 advises
 * against reuse): a new key gets one more than the highest number the table ever gave.
 *
 * Tables are named by a scope string, e.g. `Device.IP.Interface.` or
 * `Device.IP.Interface.eth0.IPv4Address.` (scoped by the parent's key, not its number).
 *
 * @module
 */

/** The persisted form: scope → next number and key → number. */
export interface InstanceNumbersData {
  readonly [scope: string]: { readonly next: number; readonly keys: Record<string, number> };
}

/** Options of {@linkcode InstanceNumbers}. */
export interface InstanceNumbersOptions {
  /**
   * Keys a table remembers; above it, keys absent from the latest assignment are
   * forgotten (their numbers are still not reused). Default 1024.
   */
  readonly maxKeys?: number;
  /** Called after a number was given to a new key (time to persist). */
  readonly onChange?: () => void;
}

interface Table {
  next: number;
  readonly keys: Map<string, number>;
}

/** Key → instance number maps, one per table scope. */
export class InstanceNumbers {
  readonly #tables = new Map<string, Table>();
  readonly #maxKeys: number;
  readonly #onChange?: () => void;

  /** Starts empty, or from `data` (see {@linkcode restore}). */
  constructor(data: InstanceNumbersData = {}, options: InstanceNumbersOptions = {}) {
    this.#maxKeys = options.maxKeys ?? 1024;
    this.#onChange = options.onChange;
    this.restore(data);
  }

  /**
   * Numbers of `keys` in `scope`, in the same order; keys seen for the first time get
   * new numbers in the order given.
   */
  assign(scope: string, keys: readonly string[]): number[] {
    let table = this.#tables.get(scope);
    if (table === undefined) this.#tables.set(scope, table = { next: 1, keys: new Map() });
    let changed = false;
    const numbers = keys.map((key) => {
      let n = table.keys.get(key);
      if (n === undefined) {
        n = table.next++;
        table.keys.set(key, n);
        changed = true;
      }
      return n;
    });
    if (table.keys.size > this.#maxKeys) {
      const present = new Set(keys);
      for (const key of table.keys.keys()) {
        if (table.keys.size <= this.#maxKeys) break;
        if (!present.has(key)) table.keys.delete(key);
      }
    }
    if (changed) this.#onChange?.();
    return numbers;
  }

  /** The persisted form of every table. */
  serialize(): InstanceNumbersData {
    const out: Record<string, { next: number; keys: Record<string, number> }> = {};
    for (const [scope, table] of this.#tables) {
      out[scope] = { next: table.next, keys: Object.fromEntries(table.keys) };
    }
    return out;
  }

  /**
   * Replaces every table with `data` (from {@linkcode serialize}); malformed entries
   * are skipped, and `next` is raised above every restored number.
   */
  restore(data: InstanceNumbersData): void {
    this.#tables.clear();
    if (typeof data !== "object" || data === null) return;
    for (const [scope, entry] of Object.entries(data)) {
      if (typeof entry !== "object" || entry === null) continue;
      const keys = new Map<string, number>();
      let next = Number.isSafeInteger(entry.next) && entry.next > 0 ? entry.next : 1;
      for (const [key, n] of Object.entries(entry.keys ?? {})) {
        if (!Number.isSafeInteger(n) || n < 1) continue;
        keys.set(key, n);
        next = Math.max(next, n + 1);
      }
      this.#tables.set(scope, { next, keys });
    }
  }
}
