/**
 * The Provider contract: one suite every Provider implementation runs (memory, Linux
 * objects, persisted, script…), in the manner of hono's `common.case.test.ts`.
 *
 * Usage, in a `_test.ts` file:
 *
 * ```ts ignore
 * runProviderContract("MemoryProvider", () => ({
 *   bindings: [{ object: "Device.DNS.Client.Server.{i}.", parameters: ["DNSServer"], provider }],
 *   validSets: [[{ path: "Device.DNS.Client.Server.1.DNSServer", value: "192.0.2.1" }]],
 * }));
 * ```
 *
 * The factory is called once per test and must return a fresh subject. Its bindings
 * name objects of the TR-181 2.17 schema (or `schema`) and must include the bindings
 * that list the instances of every enclosing table. Values must not change between
 * two reads unless the subject's `mutate()` changes them (use fixtures, not the live
 * system). What is checked:
 *
 * - bindings name schema objects and parameters, no parameter twice, and every table
 *   on a bound path has a provider with `instances()`;
 * - `get()` answers one string per ref, in request order (duplicates too), each
 *   canonical and valid for its schema entry (`validateValue(schema, v) === v`);
 * - `instances()` answers ascending, unique, positive integers, the same twice;
 * - `set()` (when present) applies each `validSets` batch so that `get()` reads it
 *   back, `undo()` restores every value, and each `failingSets` batch throws with
 *   nothing changed; `check()` (when present) changes nothing;
 * - after `mutate()` (the system changes under the provider: rows go away), `get()` of
 *   the old refs still answers one valid value per ref without throwing, and
 *   `instances()` is still ascending;
 * - `addInstance()`/`deleteInstance()` (when present): a new row is listed, a deleted
 *   one is not, and a `get()` of the deleted row's refs does not throw.
 *
 * @module
 */

import assert from "node:assert/strict";
import { tr181Entries } from "../../src/datamodel/generated/tr181.ts";
import type {
  Binding,
  MaybePromise,
  ParameterChange,
  ParameterRef,
  Provider,
} from "../../src/datamodel/provider.ts";
import { Schema } from "../../src/datamodel/schema.ts";
import { validateValue } from "../../src/datamodel/validate.ts";

/** A change by concrete path; `value` must already be canonical. */
export interface ContractChange {
  readonly path: string;
  readonly value: string;
}

/** What one contract test runs against. */
export interface ContractSubject {
  readonly bindings: readonly Binding[];
  /** Batches `set()` must apply (each to a single provider). */
  readonly validSets?: readonly (readonly ContractChange[])[];
  /** Batches `set()` must refuse by throwing, changing nothing. */
  readonly failingSets?: readonly (readonly ContractChange[])[];
  /** Changes the system under the providers so that some rows disappear. */
  mutate?(): MaybePromise<void>;
}

/** Options of {@linkcode runProviderContract}. */
export interface ProviderContractOptions {
  /** The schema the bindings use. Default: TR-181 2.17. */
  readonly schema?: Schema;
}

let tr181: Schema | undefined;

/** Registers the contract tests, named `${name} …`, for subjects made by `factory`. */
export function runProviderContract(
  name: string,
  factory: () => MaybePromise<ContractSubject>,
  options: ProviderContractOptions = {},
): void {
  const schemaOf = () => options.schema ?? (tr181 ??= new Schema(tr181Entries()));

  Deno.test(`${name} binds only schema parameters, each once, with listed tables`, async () => {
    const schema = schemaOf();
    const { bindings } = await factory();
    const seen = new Set<string>();
    for (const binding of bindings) {
      assert.ok(schema.object(binding.object), `no schema object "${binding.object}"`);
      for (const parameter of binding.parameters) {
        const path = binding.object + parameter;
        assert.ok(schema.parameter(path), `no schema parameter "${path}"`);
        assert.ok(!seen.has(path), `"${path}" bound twice`);
        seen.add(path);
      }
      for (const row of tablePatterns(binding.object)) {
        assert.ok(listerOf(bindings, row), `no provider lists the instances of "${row}"`);
      }
    }
  });

  Deno.test(`${name} get() answers one canonical, schema-valid value per ref`, async () => {
    const { bindings } = await factory();
    for (const { provider, refs } of await walk(schemaOf(), bindings)) {
      const values = await provider.get(refs);
      assert.equal(values.length, refs.length);
      values.forEach((value, i) => assertValid(refs[i], value));
    }
  });

  Deno.test(`${name} get() answers in request order, duplicates included`, async () => {
    const { bindings } = await factory();
    for (const { provider, refs } of await walk(schemaOf(), bindings)) {
      const forward = await provider.get(refs);
      const reversed = [...refs].reverse();
      assert.deepEqual(await provider.get(reversed), [...forward].reverse());
      if (refs.length > 0) {
        const twice = await provider.get([refs[0], refs[0]]);
        assert.deepEqual(twice, [forward[0], forward[0]]);
      }
    }
  });

  Deno.test(`${name} instances() are ascending, unique, positive and stable`, async () => {
    const { bindings } = await factory();
    for (const table of await tables(bindings)) {
      const first = await table.provider.instances!(table.path, table.instances);
      assertAscending(first, table.path);
      assert.deepEqual(await table.provider.instances!(table.path, table.instances), first);
    }
  });

  Deno.test(`${name} set() is all or nothing and undo() restores`, async () => {
    const subject = await factory();
    const walked = await walk(schemaOf(), subject.bindings);
    const snapshot = async () => await Promise.all(walked.map((w) => w.provider.get(w.refs)));
    const before = await snapshot();
    for (const batch of subject.failingSets ?? []) {
      const { provider, changes } = resolve(walked, batch);
      assert.ok(provider.set, "failingSets given for a provider without set()");
      await assert.rejects(async () => await provider.set!(changes));
      assert.deepEqual(await snapshot(), before, "a failed set() changed values");
    }
    for (const batch of subject.validSets ?? []) {
      const { provider, changes } = resolve(walked, batch);
      if (provider.check) {
        await provider.check(changes);
        assert.deepEqual(await snapshot(), before, "check() changed values");
      }
      assert.ok(provider.set, "validSets given for a provider without set()");
      const outcome = await provider.set!(changes);
      assert.ok(outcome.status === 0 || outcome.status === 1);
      assert.deepEqual(await provider.get(changes), changes.map((c) => c.value));
      await outcome.undo?.();
      if (outcome.undo) assert.deepEqual(await snapshot(), before, "undo() left changes");
    }
  });

  Deno.test(`${name} get() of rows that went away still answers valid values`, async () => {
    const subject = await factory();
    if (subject.mutate === undefined) return;
    const walked = await walk(schemaOf(), subject.bindings);
    await subject.mutate();
    for (const { provider, refs } of walked) {
      const values = await provider.get(refs);
      assert.equal(values.length, refs.length);
      values.forEach((value, i) => assertValid(refs[i], value));
    }
    for (const table of await tables(subject.bindings)) {
      assertAscending(await table.provider.instances!(table.path, table.instances), table.path);
    }
  });

  Deno.test(`${name} addInstance() and deleteInstance() change the listed rows`, async () => {
    const { bindings } = await factory();
    for (const table of await tables(bindings)) {
      const { provider, path, instances } = table;
      if (!provider.addInstance) continue;
      const before = await provider.instances!(path, instances);
      const added = await provider.addInstance(path, instances);
      assert.ok(!before.includes(added), `addInstance() reused ${added} in "${path}"`);
      assert.ok((await provider.instances!(path, instances)).includes(added));
      if (!provider.deleteInstance) continue;
      await provider.deleteInstance(`${path}${added}.`, [...instances, added]);
      assert.deepEqual(await provider.instances!(path, instances), before);
      const refs = refsOfRow(schemaOf(), bindings, table.rowPattern, `${path}${added}.`, [
        ...instances,
        added,
      ]).filter((r) => r.provider === provider).map((r) => r.ref);
      assert.equal((await provider.get(refs)).length, refs.length);
    }
  });
}

interface Walked {
  readonly provider: Provider;
  readonly refs: ParameterRef[];
}

interface Table {
  readonly provider: Provider;
  /** Concrete table path, e.g. `Device.IP.Interface.2.IPv4Address.`. */
  readonly path: string;
  readonly instances: readonly number[];
  readonly rowPattern: string;
}

interface Row {
  readonly path: string;
  readonly instances: readonly number[];
}

/** The row patterns (`….{i}.`) on the way to `pattern`, outermost first. */
function tablePatterns(pattern: string): string[] {
  const out: string[] = [];
  for (let i = pattern.indexOf("{i}."); i >= 0; i = pattern.indexOf("{i}.", i + 1)) {
    out.push(pattern.slice(0, i + 4));
  }
  return out;
}

function listerOf(bindings: readonly Binding[], rowPattern: string): Provider | undefined {
  return bindings.find((b) => b.object === rowPattern && b.provider.instances)?.provider;
}

/** Concrete rows of the object `pattern`. */
async function rowsOf(bindings: readonly Binding[], pattern: string): Promise<Row[]> {
  let rows: Row[] = [{ path: "", instances: [] }];
  let done = 0;
  for (const rowPattern of tablePatterns(pattern)) {
    const lister = listerOf(bindings, rowPattern)!;
    const tail = rowPattern.slice(done, -4);
    const next: Row[] = [];
    for (const row of rows) {
      const tablePath = row.path + tail;
      for (const n of await lister.instances!(tablePath, row.instances)) {
        next.push({ path: `${tablePath}${n}.`, instances: [...row.instances, n] });
      }
    }
    rows = next;
    done = rowPattern.length;
  }
  return rows.map((r) => ({ path: r.path + pattern.slice(done), instances: r.instances }));
}

async function tables(bindings: readonly Binding[]): Promise<Table[]> {
  const out: Table[] = [];
  for (const binding of bindings) {
    if (!binding.object.endsWith("{i}.") || !binding.provider.instances) continue;
    const parent = binding.object.slice(0, -4);
    const parentObject = parent.slice(0, parent.slice(0, -1).lastIndexOf(".") + 1);
    const name = parent.slice(parentObject.length);
    for (const row of await rowsOf(bindings, parentObject)) {
      out.push({
        provider: binding.provider,
        path: row.path + name,
        instances: row.instances,
        rowPattern: binding.object,
      });
    }
  }
  return out;
}

function refsOfRow(
  schema: Schema,
  bindings: readonly Binding[],
  pattern: string,
  path: string,
  instances: readonly number[],
): { provider: Provider; ref: ParameterRef }[] {
  return bindings.filter((b) => b.object === pattern).flatMap((b) =>
    b.parameters.map((p) => ({
      provider: b.provider,
      ref: { path: path + p, schema: schema.parameter(b.object + p)!, instances },
    }))
  );
}

/** Every ref of every binding, grouped by provider. */
async function walk(schema: Schema, bindings: readonly Binding[]): Promise<Walked[]> {
  const groups = new Map<Provider, ParameterRef[]>();
  for (const binding of bindings) {
    for (const row of await rowsOf(bindings, binding.object)) {
      for (
        const { provider, ref } of refsOfRow(
          schema,
          [binding],
          binding.object,
          row.path,
          row.instances,
        )
      ) {
        groups.set(provider, [...(groups.get(provider) ?? []), ref]);
      }
    }
  }
  return [...groups].map(([provider, refs]) => ({ provider, refs }));
}

function resolve(
  walked: readonly Walked[],
  batch: readonly ContractChange[],
): { provider: Provider; changes: ParameterChange[] } {
  let provider: Provider | undefined;
  const changes = batch.map((change) => {
    const found = walked.find((w) => w.refs.some((r) => r.path === change.path));
    assert.ok(found, `no bound parameter "${change.path}"`);
    assert.ok(provider === undefined || provider === found.provider, "batch spans providers");
    provider = found.provider;
    const ref = found.refs.find((r) => r.path === change.path)!;
    return { ...ref, value: change.value };
  });
  assert.ok(provider, "empty batch");
  return { provider, changes };
}

function assertValid(ref: ParameterRef, value: string): void {
  assert.equal(typeof value, "string", `"${ref.path}" is not a string`);
  let canonical: string;
  try {
    canonical = validateValue(ref.schema, value);
  } catch (error) {
    assert.fail(`"${ref.path}" = "${value}": ${(error as Error).message}`);
  }
  assert.equal(value, canonical, `"${ref.path}" is not canonical`);
}

function assertAscending(numbers: readonly number[], path: string): void {
  for (let i = 0; i < numbers.length; i++) {
    assert.ok(Number.isSafeInteger(numbers[i]) && numbers[i] > 0, `bad instance in "${path}"`);
    if (i > 0) assert.ok(numbers[i] > numbers[i - 1], `"${path}" not strictly ascending`);
  }
}

/**
 * Every value the bindings serve, by concrete path (walks tables like the contract
 * does). For tests that pin parsed values.
 */
export async function readBindings(
  bindings: readonly Binding[],
  schema: Schema = tr181 ??= new Schema(tr181Entries()),
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const { provider, refs } of await walk(schema, bindings)) {
    const values = await provider.get(refs);
    refs.forEach((ref, i) => out[ref.path] = values[i]);
  }
  return out;
}
