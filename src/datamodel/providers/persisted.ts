/**
 * Persisted provider: configuration-only objects, whose values the ACS sets and no
 * system provider backs (e.g. `Device.Hosts.AccessControl.{i}.`). It keeps values and
 * rows in memory; the agent saves {@linkcode PersistedProvider.serialize} atomically
 * from the `onChange` hook, which runs after every committed batch (and after an undo).
 *
 * Unset parameters read their default: the schema's object default (new rows), else
 * its factory default, else the type's zero value ("", false, 0, Unknown Time).
 * Deleting a row deletes its values and every table below it.
 *
 * @module
 */

import { defaultValue } from "../null_value.ts";
import { isInstanceNumber } from "../path.ts";
import type { Binding, ParameterChange, ParameterRef, Provider, SetOutcome } from "../provider.ts";
import type { Schema } from "../schema.ts";

/** Options of {@linkcode PersistedProvider}. */
export interface PersistedProviderOptions {
  /** Called after each committed change (set, undo, add, delete). */
  readonly onChange?: () => void;
}

interface Saved {
  values: Record<string, string>;
  rows: Record<string, number[]>;
}

/** Holds values and rows of the objects it is bound to; see the module doc. */
export class PersistedProvider implements Provider {
  readonly #values = new Map<string, string>();
  /** Concrete table path → instance numbers, ascending. */
  readonly #rows = new Map<string, number[]>();
  readonly #onChange?: () => void;

  /** Starts empty. */
  constructor(options: PersistedProviderOptions = {}) {
    this.#onChange = options.onChange;
  }

  /**
   * A binding of `object` (pattern) to this provider for `parameters`; a table's rows
   * may be bounded with `maxEntries`.
   */
  bind(object: string, parameters: readonly string[], maxEntries?: number): Binding {
    return maxEntries === undefined
      ? { object, parameters, provider: this }
      : { object, parameters, provider: this, maxEntries };
  }

  /** Stored values, or defaults for what was never set. */
  get(refs: readonly ParameterRef[]): string[] {
    const out = new Array<string>(refs.length);
    for (let i = 0; i < refs.length; i++) {
      const ref = refs[i];
      out[i] = this.#values.get(ref.path) ?? defaultValue(ref.schema);
    }
    return out;
  }

  /** Whether a value was stored at `path` (else it reads its default). */
  has(path: string): boolean {
    return this.#values.has(path);
  }

  /** Stores the batch (nothing can fail once validated) and returns its undo. */
  set(changes: readonly ParameterChange[]): SetOutcome {
    const before = changes.map((c) => [c.path, this.#values.get(c.path)] as const);
    for (const change of changes) this.#values.set(change.path, change.value);
    this.#onChange?.();
    return {
      status: 0,
      undo: () => {
        for (const [path, old] of before.reverse()) {
          if (old === undefined) this.#values.delete(path);
          else this.#values.set(path, old);
        }
        this.#onChange?.();
      },
    };
  }

  /** Instance numbers of the table at `tablePath`, ascending. */
  instances(tablePath: string): readonly number[] {
    return this.#rows.get(tablePath) ?? [];
  }

  /**
   * Adds a row numbered `instanceNumber` (or one above the highest present) with
   * default values.
   *
   * @throws {RangeError} when that number is in use.
   */
  addInstance(tablePath: string, _instances: readonly number[], instanceNumber?: number): number {
    const rows = this.#rows.get(tablePath) ?? [];
    const n = instanceNumber ?? (rows.length === 0 ? 1 : rows[rows.length - 1] + 1);
    if (rows.includes(n)) throw new RangeError(`Instance in use: "${tablePath}${n}."`);
    const next = [...rows, n].sort((a, b) => a - b);
    this.#rows.set(tablePath, next);
    this.#onChange?.();
    return n;
  }

  /** Deletes the row at `rowPath`, its values and every table below it. */
  deleteInstance(rowPath: string): void {
    const cut = rowPath.slice(0, -1).lastIndexOf(".") + 1;
    const tablePath = rowPath.slice(0, cut);
    const n = Number(rowPath.slice(cut, -1));
    const rows = this.#rows.get(tablePath) ?? [];
    this.#rows.set(tablePath, rows.filter((m) => m !== n));
    for (const key of this.#values.keys()) if (key.startsWith(rowPath)) this.#values.delete(key);
    for (const key of this.#rows.keys()) if (key.startsWith(rowPath)) this.#rows.delete(key);
    this.#onChange?.();
  }

  /**
   * Fills a table without going through AddObject (seeding, tests, benchmarks):
   * rows `numbers` of `tablePath` with `values` by concrete path. Does not call `onChange`.
   */
  load(tablePath: string, numbers: readonly number[], values: Record<string, string> = {}): void {
    const rows = new Set([...(this.#rows.get(tablePath) ?? []), ...numbers]);
    this.#rows.set(tablePath, [...rows].sort((a, b) => a - b));
    for (const [path, value] of Object.entries(values)) this.#values.set(path, value);
  }

  /** Everything as JSON text, for {@linkcode restore}. */
  serialize(): string {
    const saved: Saved = {
      values: Object.fromEntries(this.#values),
      rows: Object.fromEntries(this.#rows),
    };
    return JSON.stringify(saved);
  }

  /**
   * Replaces everything with the state in `text` (from {@linkcode serialize}).
   *
   * @throws {SyntaxError} when `text` is not JSON; {TypeError} when its shape is wrong
   * (and then nothing changes).
   */
  restore(text: string): void {
    const saved = JSON.parse(text) as Partial<Saved> | null;
    const values = saved?.values;
    const rows = saved?.rows;
    if (!isRecord(values) || !isRecord(rows)) {
      throw new TypeError('Cannot restore persisted values: expected "values" and "rows"');
    }
    for (const [path, value] of Object.entries(values)) {
      if (typeof value !== "string") {
        throw new TypeError(`Cannot restore persisted values: bad value of "${path}"`);
      }
    }
    for (const [path, numbers] of Object.entries(rows)) {
      if (!Array.isArray(numbers) || !numbers.every((n) => isInstanceNumber(String(n)))) {
        throw new TypeError(`Cannot restore persisted values: bad rows of "${path}"`);
      }
    }
    this.#values.clear();
    this.#rows.clear();
    for (const [path, value] of Object.entries(values)) this.#values.set(path, value);
    for (const [path, numbers] of Object.entries(rows)) {
      this.#rows.set(path, [...numbers as number[]].sort((a, b) => a - b));
    }
  }
}

/**
 * Names of the parameters of the schema object `pattern` a persisted binding can
 * serve: all but the `…NumberOfEntries` counters (the tree derives those).
 */
export function persistableParameters(schema: Schema, pattern: string): string[] {
  const names: string[] = [];
  for (const entry of schema.parametersOf(pattern)) {
    if (!schema.isCounter(entry.path)) names.push(entry.path.slice(pattern.length));
  }
  return names;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
