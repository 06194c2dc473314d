/**
 * The parameters a list of names selects (GetParameterValues, GetParameterAttributes):
 * each name is a parameter or a partial path ("" = the whole tree), resolved under a
 * {@linkcode ResponseBudget}.
 *
 * Repeats and overlaps: [U] TR-069 A.3.2.2/A.3.2.5 do not say what a CPE does with a
 * name given twice, or one already covered by an earlier partial path. The answer
 * stays faithful (one item per parameter per name, in request order, repeats
 * included), and every item counts against the budget. The work does not multiply:
 * each distinct name is walked once and each parameter is selected once
 * ({@linkcode Selection.unique}), so its value is read once and a repeated item shows
 * the same value.
 *
 * @module
 */

import type { ParameterRef } from "../datamodel/provider.ts";
import type { ParameterTree } from "../datamodel/tree.ts";
import { textBytes } from "../soap/encoded_size.ts";
import type { ResponseBudget } from "./response_budget.ts";

/**
 * Encoded bytes of the name an item is answered with. A concrete path is schema
 * names, dots and instance numbers (ASCII, no markup: one byte a character, no scan);
 * only names shown with `[alias]` segments (InstanceMode InstanceAlias) can carry
 * anything.
 */
export function nameBytes(item: { readonly path: string; readonly name?: string }): number {
  return item.name === undefined ? item.path.length : textBytes(item.name);
}

/** What {@linkcode selectParameters} found. */
export interface Selection {
  /** Each selected parameter once, in order of first appearance. */
  readonly unique: readonly ParameterRef[];
  /** The response's items as indexes into `unique`, in request order. */
  readonly order: readonly number[];
}

/**
 * Resolves `names` in `model`, charging `budget` one item of `bytesOf(ref)` bytes per
 * selected parameter per name (`bytesOf` is called once per parameter).
 *
 * @throws {ParameterNameError} (9005) when a name is malformed or unknown.
 * @throws {ResourcesExceededError} (9004) once the budget is passed; a walk stops then.
 */
export async function selectParameters(
  model: ParameterTree,
  names: readonly string[],
  budget: ResponseBudget,
  bytesOf: (ref: ParameterRef) => number,
): Promise<Selection> {
  if (names.length === 1) return await selectOne(model, names[0], budget, bytesOf);
  const unique: ParameterRef[] = [];
  const uniqueBytes: number[] = [];
  const order: number[] = [];
  const byPath = new Map<string, number>();
  const listed = new Map<string, { indexes: number[]; bytes: number }>();
  for (const name of names) {
    let found = listed.get(name);
    if (found === undefined) {
      const refs = await refsWithin(model, name, budget);
      const indexes = new Array<number>(refs.length);
      let bytes = 0;
      for (let i = 0; i < refs.length; i++) {
        const ref = refs[i];
        let k = byPath.get(ref.path);
        if (k === undefined) {
          k = unique.length;
          unique.push(ref);
          uniqueBytes.push(bytesOf(ref));
          byPath.set(ref.path, k);
        }
        indexes[i] = k;
        bytes += uniqueBytes[k];
      }
      found = { indexes, bytes };
      listed.set(name, found);
    }
    budget.charge(found.bytes, found.indexes.length);
    for (const k of found.indexes) order.push(k);
  }
  return { unique, order };
}

/** One name (the hot path of a whole-tree GPV): its parameters are the selection as listed. */
async function selectOne(
  model: ParameterTree,
  name: string,
  budget: ResponseBudget,
  bytesOf: (ref: ParameterRef) => number,
): Promise<Selection> {
  const unique = await refsWithin(model, name, budget);
  const order = new Array<number>(unique.length);
  let bytes = 0;
  for (let i = 0; i < unique.length; i++) {
    order[i] = i;
    bytes += bytesOf(unique[i]);
  }
  budget.charge(bytes, unique.length);
  return { unique, order };
}

/** The parameters `name` selects; throws 9004 once they are more than the budget's items left. */
async function refsWithin(
  model: ParameterTree,
  name: string,
  budget: ResponseBudget,
): Promise<ParameterRef[]> {
  const left = budget.itemsLeft;
  const refs = await model.refs(name, { self: true, limit: left });
  if (refs.length > left) budget.charge(0, refs.length); // Throws.
  return refs;
}
