/**
 * Which parameters to watch for value changes: every parameter of the tree whose
 * notification attribute is 1–6 (passive, active, and the lightweight kinds of CWMP 1.4):
 * the stored ones plus those whose
 * schema default is active (`forceEnabled`, `forceDefaultEnabled`), in every row.
 *
 * @module
 */

import type { AttributeStore } from "../datamodel/attributes.ts";
import { ParameterNameError } from "../datamodel/errors.ts";
import type { ParameterRef } from "../datamodel/provider.ts";
import type { SchemaEntry } from "../datamodel/schema.ts";
import type { ParameterTree } from "../datamodel/tree.ts";
import type { WatchedNotification, WatchedParameter } from "./value_change_detector.ts";

/**
 * The parameters of `model` with notification 1–6 in `store`; `entries` are the schema
 * parameters whose defaults count (the tree's own: `model.parameterSchemas()`, or just the
 * notable ones, `model.notableParameterSchemas()`, which hold every default that counts).
 * Stored paths the tree no longer has are skipped (the agent drops them with
 * `AttributeStore.forget`).
 */
export async function notifiedParameters(
  model: ParameterTree,
  store: AttributeStore,
  entries: Iterable<SchemaEntry>,
): Promise<WatchedParameter[]> {
  const refs = new Map<string, ParameterRef>();
  for (const entry of entries) {
    if (entry.kind !== "parameter") continue;
    if (entry.activeNotify !== "forceEnabled" && entry.activeNotify !== "forceDefaultEnabled") {
      continue;
    }
    for (const ref of await instancesOf(model, entry.path)) refs.set(ref.path, ref);
  }
  for (const path of store.paths()) {
    if (refs.has(path)) continue;
    const ref = await parameterOrNone(model, path);
    if (ref !== undefined) refs.set(path, ref);
  }
  const out: WatchedParameter[] = [];
  for (const ref of refs.values()) {
    const { notification } = store.get(ref);
    if (notification >= 1 && notification <= 6) {
      out.push({ ref, notification: notification as WatchedNotification });
    }
  }
  return out;
}

/** Concrete parameters of `pattern` (`Device.X.{i}.Y`) in the tree. */
async function instancesOf(model: ParameterTree, pattern: string): Promise<ParameterRef[]> {
  const cut = pattern.indexOf("{i}");
  if (cut < 0) {
    const ref = await parameterOrNone(model, pattern);
    return ref === undefined ? [] : [ref];
  }
  try {
    const refs = await model.refs(pattern.slice(0, cut));
    return refs.filter((ref) => ref.schema.path === pattern);
  } catch (error) {
    if (error instanceof ParameterNameError) return [];
    throw error;
  }
}

async function parameterOrNone(
  model: ParameterTree,
  path: string,
): Promise<ParameterRef | undefined> {
  try {
    return await model.parameter(path);
  } catch (error) {
    if (error instanceof ParameterNameError) return undefined;
    throw error;
  }
}
