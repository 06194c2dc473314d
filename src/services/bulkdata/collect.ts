/**
 * What a Bulk Data report holds: each `Profile.{i}.Parameter.{i}` entry resolved through
 * the same tree as GetParameterValues, then read in one batch per provider.
 *
 * TR-069 Annex N.3.1 (TR-181 `Parameter.{i}.Reference` and `Name`):
 * - a Reference is a parameter path or an object path (ending in "."; every parameter
 *   below it), with `*` in place of any instance number ("all object instances of the
 *   referenced parameter are encoded");
 * - References are a filter applied to the data model at the time of the report: one
 *   that selects nothing now (a row that does not exist) adds nothing, it is no error;
 * - Name "" reports each parameter under its path. Otherwise Name replaces the path,
 *   then ".<instance>" for each wildcard, left to right (Annex N.3.1: `WiFi_AP_Assoc_BSent.1.10`),
 *   then, for an object path, "." and the rest of the parameter's path below it
 *   (`WiFi_AP1_Assoc10.BytesSent`; both: `WiFi_AP_Assoc.1.10.BytesSent`);
 * - Exclude (TR-181 2.16) removes what its Reference selects from the report.
 *
 * A parameter selected by two entries is reported under each of their names.
 *
 * @module
 */

import type { ParameterTree } from "../../datamodel/tree.ts";
import type { ParameterRef } from "../../datamodel/provider.ts";
import type { ParameterType } from "../../datamodel/schema.ts";

/** One `Parameter.{i}` row. */
export interface ParameterEntry {
  readonly name: string;
  readonly reference: string;
  readonly exclude?: boolean;
}

/** One reported parameter. */
export interface ReportItem {
  /** The name in the report (see the module doc). */
  readonly name: string;
  readonly value: string;
  /** TR-106 base type. */
  readonly type: ParameterType;
}

/** A selected parameter and the name it is reported under. */
export interface Selected {
  readonly ref: ParameterRef;
  readonly name: string;
}

/**
 * The parameters `reference` selects now, with the names they are reported under
 * (`name` "" = their paths). Unknown or absent paths select nothing.
 */
export async function resolveReference(
  model: ParameterTree,
  reference: string,
  name = "",
): Promise<Selected[]> {
  if (reference === "") return [];
  const segments = reference.split(".");
  // Expand wildcards: [concrete prefix, instance numbers the wildcards took].
  let prefixes: [string, string[]][] = [["", []]];
  for (let i = 0; i < segments.length - 1; i++) {
    const segment = segments[i];
    if (segment !== "*") {
      for (const p of prefixes) p[0] += segment + ".";
      continue;
    }
    const next: [string, string[]][] = [];
    for (const [table, taken] of prefixes) {
      for (const n of await rowsOf(model, table)) next.push([`${table}${n}.`, [...taken, n]]);
    }
    prefixes = next;
  }
  const last = segments[segments.length - 1];
  const out: Selected[] = [];
  for (const [prefix, taken] of prefixes) {
    const path = prefix + last;
    const base = name === "" ? "" : [name, ...taken].join(".");
    if (last !== "") {
      const ref = await parameterAt(model, path);
      if (ref !== undefined) out.push({ ref, name: base === "" ? ref.path : base });
      continue;
    }
    let items;
    try {
      items = await model.list(path, { objects: false });
    } catch {
      continue; // Not in the model now.
    }
    for (const item of items) {
      const ref = item.ref!;
      out.push({
        ref,
        name: base === "" ? ref.path : `${base}.${ref.path.slice(prefix.length)}`,
      });
    }
  }
  return out;
}

/** Resolves every entry (see the module doc): included selections in order, exclusions applied. */
export async function selectReportParameters(
  model: ParameterTree,
  entries: readonly ParameterEntry[],
): Promise<Selected[]> {
  const included: Selected[] = [];
  const excluded = new Set<string>();
  for (const entry of entries) {
    const selected = await resolveReference(model, entry.reference, entry.name);
    if (entry.exclude) { for (const s of selected) excluded.add(s.ref.path); }
    else for (const s of selected) included.push(s);
  }
  return excluded.size === 0 ? included : included.filter((s) => !excluded.has(s.ref.path));
}

/** Reads the selected parameters (one batch per provider) as report items. */
export async function collect(
  model: ParameterTree,
  selected: readonly Selected[],
): Promise<ReportItem[]> {
  const values = await model.read(selected.map((s) => s.ref));
  return selected.map((s, i) => ({ name: s.name, value: values[i], type: s.ref.schema.type }));
}

async function rowsOf(model: ParameterTree, table: string): Promise<string[]> {
  try {
    const items = await model.list(table, { depth: 1 });
    const rows: string[] = [];
    for (const item of items) {
      if (item.ref !== undefined || !item.path.endsWith(".")) continue;
      const n = item.path.slice(table.length, -1);
      if (/^[0-9]+$/.test(n)) rows.push(n);
    }
    return rows;
  } catch {
    return [];
  }
}

async function parameterAt(model: ParameterTree, path: string): Promise<ParameterRef | undefined> {
  try {
    return await model.parameter(path);
  } catch {
    return undefined;
  }
}
