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
 * Listings of the tree shared by the references of one report: the parameters below a
 * path (`*` references filter the listing of the path before their first wildcard) and
 * those of one object (concrete references), each walked once however many references
 * need it. A 10,000-reference profile costs a few walks, not 10,000 lookups.
 */
export class TreeListings {
  readonly #model: ParameterTree;
  readonly #below = new Map<string, readonly ParameterRef[]>();
  readonly #objects = new Map<string, Map<string, ParameterRef>>();

  /** Listings of `model`, taken when first asked for. */
  constructor(model: ParameterTree) {
    this.#model = model;
  }

  /** Every parameter at and below the object path `path` ([] when it is absent). */
  async below(path: string): Promise<readonly ParameterRef[]> {
    let refs = this.#below.get(path);
    if (refs === undefined) {
      try {
        refs = await this.#model.refs(path);
      } catch {
        refs = []; // Not in the model now.
      }
      this.#below.set(path, refs);
    }
    return refs;
  }

  /**
   * The parameter at `path`, if the model has it now. Inside a table, from the index of
   * the outermost table's listing (one walk serves every row's references); elsewhere
   * from its object's listing.
   */
  async parameter(path: string): Promise<ParameterRef | undefined> {
    const table = /\.[0-9]+\./.exec(path);
    const key = table === null
      ? path.slice(0, path.lastIndexOf(".") + 1)
      : path.slice(0, table.index + 1);
    let refs = this.#objects.get(key);
    if (refs === undefined) {
      refs = new Map();
      const listed = table === null
        ? await this.#model.list(key, { objects: false, depth: 1 }).then(
          (items) => items.map((item) => item.ref!),
          () => [],
        )
        : await this.below(key);
      for (const ref of listed) refs.set(ref.path, ref);
      this.#objects.set(key, refs);
    }
    return refs.get(path);
  }
}

/**
 * The parameters `reference` selects now, with the names they are reported under
 * (`name` "" = their paths). Unknown or absent paths select nothing.
 */
export async function resolveReference(
  model: ParameterTree,
  reference: string,
  name = "",
  listings: TreeListings = new TreeListings(model),
): Promise<Selected[]> {
  if (reference === "" || !reference.startsWith("Device.")) return [];
  const star = reference.indexOf(".*.");
  if (star < 0) {
    if (!reference.endsWith(".")) {
      const ref = await listings.parameter(reference);
      return ref === undefined ? [] : [{ ref, name: name === "" ? ref.path : name }];
    }
    return (await listings.below(reference)).map((ref) => ({
      ref,
      name: name === "" ? ref.path : `${name}.${ref.path.slice(reference.length)}`,
    }));
  }
  // `*` stands for one instance number; a partial path ends in "." and takes the rest.
  const partial = reference.endsWith(".");
  const pattern = new RegExp(
    "^" +
      reference.split(".").map((segment) =>
        segment === "*" ? "([0-9]+)" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
      ).join("\\.") + (partial ? "(.+)$" : "$"),
  );
  const out: Selected[] = [];
  for (const ref of await listings.below(reference.slice(0, star + 1))) {
    const m = pattern.exec(ref.path);
    if (m === null) continue;
    if (name === "") {
      out.push({ ref, name: ref.path });
      continue;
    }
    // Name, then ".<instance>" per wildcard, then ".<rest>" for a partial path.
    const taken = partial ? m.slice(1, -1) : m.slice(1);
    const rest = partial ? `.${m[m.length - 1]}` : "";
    out.push({ ref, name: `${[name, ...taken].join(".")}${rest}` });
  }
  return out;
}

/** Resolves every entry (see the module doc): included selections in order, exclusions applied. */
export async function selectReportParameters(
  model: ParameterTree,
  entries: readonly ParameterEntry[],
): Promise<Selected[]> {
  const listings = new TreeListings(model);
  const included: Selected[] = [];
  const excluded = new Set<string>();
  for (const entry of entries) {
    const selected = await resolveReference(model, entry.reference, entry.name, listings);
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
