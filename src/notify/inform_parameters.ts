/**
 * The tree side of the Inform ParameterList (CWMP-FACTS §4.1): reads the
 * `ManagementServer.InformParameter.{i}` table, expands its ParameterName patterns
 * (`*` in place of an instance number; a partial path means every parameter below it)
 * and reads forced and InformParameter values, then assembles with
 * {@linkcode assembleInformList}. A pattern that matches nothing adds nothing (TR-181).
 *
 * @module
 */

import { ParameterNameError } from "../datamodel/errors.ts";
import type { ParameterRef } from "../datamodel/provider.ts";
import type { ParameterTree } from "../datamodel/tree.ts";
import { xsiType } from "../datamodel/xsi_type.ts";
import {
  assembleInformList,
  informEventCodes,
  type InformList,
  informParameterApplies,
  type InformParameterEntry,
} from "./inform_list.ts";
import type { ChangedParameter } from "./value_change_detector.ts";

/** Where TR-181 keeps the InformParameter table. */
export const INFORM_PARAMETER_TABLE = "Device.ManagementServer.InformParameter.";

/**
 * The rows of the InformParameter table at `table`, in instance order; [] when the tree
 * does not serve it.
 */
export async function readInformParameterTable(
  model: ParameterTree,
  table: string = INFORM_PARAMETER_TABLE,
): Promise<InformParameterEntry[]> {
  const refs = await refsOrNone(model, table);
  const values = await model.read(refs);
  const rows = new Map<string, { enable: boolean; parameterName: string; eventList: string }>();
  refs.forEach((ref, i) => {
    const at = ref.path.lastIndexOf(".") + 1;
    const rowPath = ref.path.slice(0, at);
    let row = rows.get(rowPath);
    if (row === undefined) {
      rows.set(rowPath, row = { enable: false, parameterName: "", eventList: "" });
    }
    const name = ref.path.slice(at);
    if (name === "Enable") row.enable = values[i] === "true" || values[i] === "1";
    else if (name === "ParameterName") row.parameterName = values[i];
    else if (name === "EventList") row.eventList = values[i];
  });
  return [...rows.values()];
}

/** The parameters `pattern` names now (see the module doc); [] when none or malformed. */
export async function resolveParameterPattern(
  model: ParameterTree,
  pattern: string,
): Promise<ParameterRef[]> {
  const segments = pattern.split(".");
  const star = segments.indexOf("*");
  if (star < 0) {
    if (pattern === "" || pattern.endsWith(".")) {
      return await refsOrNone(model, pattern);
    }
    try {
      const ref = await model.parameter(pattern);
      return ref === undefined ? [] : [ref];
    } catch (error) {
      if (error instanceof ParameterNameError) return [];
      throw error;
    }
  }
  if (star === 0) return [];
  const prefix = `${segments.slice(0, star).join(".")}.`;
  const partial = pattern.endsWith(".");
  const body = segments.slice(0, partial ? -1 : undefined)
    .map((s) => s === "*" ? "[1-9][0-9]*" : s.replace(/[\\^$.|?*+()[\]{}-]/g, "\\$&"))
    .join("\\.");
  const match = new RegExp(partial ? `^${body}\\.` : `^${body}$`);
  return (await refsOrNone(model, prefix)).filter((ref) => match.test(ref.path));
}

/** Arguments of {@linkcode buildInformList}. */
export interface BuildInformListOptions {
  /** The event codes the engine put in the Inform. */
  readonly eventCodes: readonly string[];
  /** Forced-inform parameters (`forcedInformRefs()` of `agent/inform_data.ts`). */
  readonly forcedRefs: readonly ParameterRef[];
  /** Changes to deliver (`NotificationQueue.pending()`). */
  readonly changed: readonly ChangedParameter[];
  /** InformParameter table path; default {@linkcode INFORM_PARAMETER_TABLE}. */
  readonly informParameterTable?: string;
}

/**
 * Reads and assembles the whole ParameterList. InformParameter entries are matched
 * against the final event codes (`4 VALUE CHANGE` added when there are changes).
 */
export async function buildInformList(
  model: ParameterTree,
  options: BuildInformListOptions,
): Promise<InformList> {
  const codes = informEventCodes(options.eventCodes, options.changed);
  const taken = new Set(options.forcedRefs.map((r) => r.path));
  for (const change of options.changed) taken.add(change.name);
  const extra: ParameterRef[] = [];
  for (const entry of await readInformParameterTable(model, options.informParameterTable)) {
    if (!informParameterApplies(entry, codes)) continue;
    for (const ref of await resolveParameterPattern(model, entry.parameterName)) {
      if (taken.has(ref.path)) continue;
      taken.add(ref.path);
      extra.push(ref);
    }
  }
  const values = await model.read([...options.forcedRefs, ...extra]);
  const struct = (ref: ParameterRef, value: string) => ({
    name: ref.name ?? ref.path,
    value,
    type: xsiType(ref.schema.type),
  });
  const n = options.forcedRefs.length;
  return assembleInformList({
    forced: options.forcedRefs.map((ref, i) => struct(ref, values[i])),
    changed: options.changed,
    informParameters: extra.map((ref, i) => struct(ref, values[n + i])),
  });
}

async function refsOrNone(model: ParameterTree, path: string) {
  try {
    return await model.refs(path);
  } catch (error) {
    if (error instanceof ParameterNameError) return [];
    throw error;
  }
}
