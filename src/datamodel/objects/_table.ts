/**
 * Read-only providers over system snapshots, shared by the Linux object bindings:
 * one load per batch (per parent row), a reader per parameter, and every value
 * checked against its schema entry before it leaves (a value that does not fit
 * becomes the type's placeholder rather than breaking the schema contract).
 *
 * A row listed by `instances()` may be gone by the time `get()` runs (a process
 * exited, a neighbour expired): its parameters then read as placeholders.
 *
 * @module
 */

import { nullValue } from "../null_value.ts";
import type { ParameterRef, Provider } from "../provider.ts";
import type { ParameterSchema } from "../schema.ts";
import { validateValue } from "../validate.ts";
import { nameOf } from "./_fields.ts";

/** Reads one parameter from a loaded row or object snapshot. */
export type Readers<R> = Readonly<Record<string, (row: R) => string>>;

/** What a table (or an object below a table row) reads from the system. */
export interface TableSpec<R> {
  /** The rows under the parent row `parent` (its instance numbers), by instance number. */
  rows(parent: readonly number[]): Promise<ReadonlyMap<number, R>>;
  readonly readers: Readers<R>;
}

/**
 * A provider for the rows of a table: `instances()` lists `rows()`, `get()` reads each
 * ref from its row. With `listsInstances: false` it serves an object below the row
 * (e.g. `…Interface.{i}.Stats.`), whose refs carry the row's instance numbers.
 */
export function tableProvider<R>(spec: TableSpec<R>, listsInstances = true): Provider {
  const provider: Provider = {
    async get(refs: readonly ParameterRef[]): Promise<string[]> {
      // The rows of each parent row, all asked for at once, then every ref read from them
      // (no promise per ref: a whole-tree read asks for ~600 at a time).
      const groupOf = new Map<string, number>();
      const loads: Promise<ReadonlyMap<number, R>>[] = [];
      const group = new Array<number>(refs.length);
      for (let i = 0; i < refs.length; i++) {
        const key = parentKey(refs[i].instances);
        let g = groupOf.get(key);
        if (g === undefined) {
          groupOf.set(key, g = loads.length);
          loads.push(spec.rows(refs[i].instances.slice(0, -1)));
        }
        group[i] = g;
      }
      const loaded = await Promise.all(loads); // A failure: every other one handled.
      const values = new Array<string>(refs.length);
      for (let i = 0; i < refs.length; i++) {
        const ref = refs[i];
        const row = loaded[group[i]].get(ref.instances[ref.instances.length - 1]);
        values[i] = row === undefined ? nullValue(ref.schema) : read(spec.readers, ref, row);
      }
      return values;
    },
  };
  if (listsInstances) {
    provider.instances = async (_tablePath: string, parent: readonly number[]) =>
      [...(await spec.rows(parent)).keys()].sort((a, b) => a - b);
  }
  return provider;
}

/** The instance numbers above a row's own, as a map key. */
function parentKey(instances: readonly number[]): string {
  if (instances.length <= 1) return "";
  if (instances.length === 2) return String(instances[0]);
  return instances.slice(0, -1).join(".");
}

/** A provider for a single-instance object: one `load()` per batch. */
export function objectProvider<S>(load: () => Promise<S>, readers: Readers<S>): Provider {
  return {
    async get(refs: readonly ParameterRef[]): Promise<string[]> {
      const snapshot = await load();
      return refs.map((ref) => read(readers, ref, snapshot));
    },
  };
}

/** `value` if it fits `schema` (in its canonical form), else {@linkcode nullValue}. */
export function conform(schema: ParameterSchema, value: string): string {
  try {
    return validateValue(schema, value);
  } catch {
    return nullValue(schema);
  }
}

function read<R>(readers: Readers<R>, ref: ParameterRef, row: R): string {
  const reader = readers[nameOf(ref)];
  if (reader === undefined) throw new TypeError(`Parameter not served: "${ref.path}"`);
  return conform(ref.schema, reader(row));
}

/** Clamps a counter to an unsignedInt (32-bit counters wrap, TR-181 StatsCounter32). */
export function counter32(value: number | bigint): string {
  return (BigInt(value) % 2n ** 32n).toString();
}

/** Clamps a non-negative number to [0, 2^32 − 1] and drops the fraction. */
export function unsignedInt(value: number): string {
  if (!Number.isFinite(value) || value <= 0) return "0";
  return String(Math.min(Math.floor(value), 0xffffffff));
}

/** TR-106 dateTime in UTC with second precision. */
export function utcDateTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}
