/**
 * BBF data-model XML (a flattened "full" CWMP model such as
 * tr-181-2-17-0-cwmp-full.xml) to {@linkcode SchemaEntry}s. Pure: text in, entries out.
 *
 * TR-106 Annex A (data model definition schema) rules applied here:
 * - named types (`<dataType ref="IPv4Address"/>`) resolve through `base=` chains to a
 *   primitive; facets merge with the most derived definition winning (size bounds
 *   one by one; ranges, enumerations, patterns and units as a whole). The model's
 *   own top-level `dataType`s override those of the optional TR-106 types file;
 * - `access` defaults to readOnly; `writeOnceReadOnly` becomes readWrite + `writeOnce`;
 * - `hidden="true"` and `secured="true"` both become `hidden` (CWMP has no role that
 *   may read a secured value);
 * - `status="deleted"` items are left out (with everything under a deleted object):
 *   the standard says they MUST NOT be implemented. Deprecated and obsoleted items stay,
 *   marked with `status`, since ACSs may still use them;
 * - a missing `version` is inherited from the enclosing object;
 * - descriptions, profiles, `component`s and the USP-only `command`/`event`
 *   elements (absent from CWMP files) are ignored.
 *
 * @module
 */
import type {
  Access,
  ActiveNotify,
  ListFacet,
  NumberRange,
  ObjectSchema,
  ParameterReference,
  ParameterSchema,
  ParameterType,
  SchemaEntry,
  Status,
  UniqueKey,
} from "../schema.ts";
import { PARAMETER_TYPES } from "../schema.ts";
import { readXml, type XmlNode } from "./_xml.ts";

/** What {@linkcode generateSchema} returns. */
export interface GeneratedSchema {
  /** The model's name attribute, e.g. `"Device:2.17"`. */
  model: string;
  /** Entries in XML order, parents first. */
  entries: SchemaEntry[];
  /** Flaws in the XML that were worked around, e.g. a dangling `numEntriesParameter`. */
  warnings: string[];
}

/** Options for {@linkcode generateSchema}. */
export interface GenerateSchemaOptions {
  /** tr-106-types.xml text: named types the model may reference without defining. */
  typesXml?: string;
}

/** Facets gathered from a syntax, a primitive element or a named type. */
interface Facets {
  minLength?: number;
  maxLength?: number;
  ranges?: NumberRange[];
  enumerations?: string[];
  patterns?: string[];
  units?: string;
  reference?: ParameterReference;
}

interface NamedType {
  base?: string;
  type?: ParameterType;
  list?: ListFacet;
  facets: Facets;
}

interface ResolvedType {
  type: ParameterType;
  list?: ListFacet;
  facets: Facets;
}

const PRIMITIVES = new Set<string>(PARAMETER_TYPES);
const ACTIVE_NOTIFY = new Set(["normal", "forceEnabled", "forceDefaultEnabled", "canDeny"]);

/**
 * Reads the first `model` of `modelXml` into schema entries.
 *
 * @throws {TypeError} when the XML has no model, an unknown type or access, or a
 * parameter without a type.
 */
export function generateSchema(
  modelXml: string,
  options: GenerateSchemaOptions = {},
): GeneratedSchema {
  const types = new Map<string, NamedType>();
  if (options.typesXml !== undefined) addNamedTypes(types, readXml(options.typesXml));
  const document = readXml(modelXml);
  addNamedTypes(types, document);
  const model = document.children.find((c) => c.name === "model");
  if (model === undefined) throw new TypeError("Cannot generate schema: no <model> element");
  const warnings: string[] = [];
  const entries = readModel(model, types, warnings);
  return { model: model.attrs.name, entries, warnings };
}

function addNamedTypes(types: Map<string, NamedType>, document: XmlNode): void {
  for (const node of document.children) {
    if (node.name !== "dataType" || node.attrs.name === undefined) continue;
    const named: NamedType = { base: node.attrs.base, facets: readFacets(node) };
    for (const child of node.children) {
      if (child.name === "list") named.list = readList(child);
      else if (PRIMITIVES.has(child.name)) {
        named.type = child.name as ParameterType;
        named.facets = mergeFacets(named.facets, readFacets(child));
      }
    }
    types.set(node.attrs.name, named);
  }
}

function resolveType(types: Map<string, NamedType>, name: string, depth = 0): ResolvedType {
  const named = types.get(name);
  if (named === undefined) throw new TypeError(`Cannot resolve data type "${name}"`);
  if (depth > 16) throw new TypeError(`Data type "${name}" has a base= cycle`);
  if (named.base === undefined) {
    if (named.type === undefined) throw new TypeError(`Data type "${name}" has no base type`);
    return { type: named.type, list: named.list, facets: named.facets };
  }
  const base = resolveType(types, named.base, depth + 1);
  return {
    type: named.type ?? base.type,
    list: named.list ?? base.list,
    facets: mergeFacets(base.facets, named.facets),
  };
}

/** `derived` restricts `base`: its size bounds win one by one, its other facets as a whole. */
function mergeFacets(base: Facets, derived: Facets): Facets {
  const merged: Facets = { ...base };
  for (const [key, value] of Object.entries(derived)) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}

function readFacets(node: XmlNode): Facets {
  const facets: Facets = {};
  for (const child of node.children) {
    const a = child.attrs;
    if (a.status === "deleted") continue;
    switch (child.name) {
      case "size":
        if (a.minLength !== undefined) facets.minLength = Number(a.minLength);
        if (a.maxLength !== undefined) facets.maxLength = Number(a.maxLength);
        break;
      case "range": {
        const range: { min?: number; max?: number; step?: number } = {};
        if (a.minInclusive !== undefined) range.min = Number(a.minInclusive);
        if (a.maxInclusive !== undefined) range.max = Number(a.maxInclusive);
        if (a.step !== undefined) range.step = Number(a.step);
        (facets.ranges ??= []).push(range);
        break;
      }
      case "enumeration":
        (facets.enumerations ??= []).push(a.value);
        break;
      case "pattern":
        (facets.patterns ??= []).push(a.value);
        break;
      case "units":
        facets.units = a.value;
        break;
      case "pathRef":
      case "instanceRef":
      case "enumerationRef":
        facets.reference = readReference(child);
        break;
    }
  }
  return facets;
}

function readReference(node: XmlNode): ParameterReference {
  const reference: Record<string, string> = { kind: node.name };
  for (const key of REFERENCE_KEYS) {
    if (node.attrs[key] !== undefined) reference[key] = node.attrs[key];
  }
  return reference as unknown as ParameterReference;
}

const REFERENCE_KEYS = [
  "refType",
  "targetParent",
  "targetType",
  "targetDataType",
  "targetParam",
  "nullValue",
] as const;

function readList(node: XmlNode): ListFacet {
  const list: { minItems?: number; maxItems?: number; maxLength?: number } = {};
  if (node.attrs.minItems !== undefined) list.minItems = Number(node.attrs.minItems);
  if (node.attrs.maxItems !== undefined) list.maxItems = Number(node.attrs.maxItems);
  const size = node.children.find((c) => c.name === "size" && c.attrs.status !== "deleted");
  if (size?.attrs.maxLength !== undefined) list.maxLength = Number(size.attrs.maxLength);
  return list;
}

function readModel(
  model: XmlNode,
  types: Map<string, NamedType>,
  warnings: string[],
): SchemaEntry[] {
  const entries: SchemaEntry[] = [];
  const objects = new Map<string, ObjectSchema>();
  const deleted: string[] = [];
  const pending: { index: number; numEntries?: string; enable?: string }[] = [];
  for (const node of model.children) {
    if (node.name !== "object") continue;
    const path = node.attrs.name;
    if (node.attrs.status === "deleted" || deleted.some((prefix) => path.startsWith(prefix))) {
      deleted.push(path);
      continue;
    }
    const parent = parentObject(objects, path);
    const version = node.attrs.version ?? parent?.version;
    const object = readObject(node, path, version);
    objects.set(path, object);
    pending.push({
      index: entries.push(object) - 1,
      numEntries: node.attrs.numEntriesParameter === undefined
        ? undefined
        : `${objectOf(path)}${node.attrs.numEntriesParameter}`,
      enable: node.attrs.enableParameter === undefined
        ? undefined
        : `${path}${node.attrs.enableParameter}`,
    });
    for (const child of node.children) {
      if (child.name !== "parameter" || child.attrs.status === "deleted") continue;
      entries.push(readParameter(child, path, version, types));
    }
  }
  // Table links name parameters that may come later in the XML; check them at the end.
  const parameters = new Set(entries.filter((e) => e.kind === "parameter").map((e) => e.path));
  const linked = (object: ObjectSchema, path: string | undefined) => {
    if (path === undefined || parameters.has(path)) return path;
    warnings.push(`Object "${object.path}" names a missing "${path}"`);
    return undefined;
  };
  for (const { index, numEntries, enable } of pending) {
    const { uniqueKeys, status, version, ...object } = entries[index] as ObjectSchema;
    const withLinks: Record<string, unknown> = {
      ...object,
      numEntriesParameter: linked(object, numEntries),
      enableParameter: linked(object, enable),
      uniqueKeys,
      status,
      version,
    };
    entries[index] = dropUndefined(withLinks) as unknown as ObjectSchema;
  }
  return entries;
}

function readObject(node: XmlNode, path: string, version: string | undefined): ObjectSchema {
  const a = node.attrs;
  const uniqueKeys: UniqueKey[] = node.children
    .filter((c) => c.name === "uniqueKey")
    .map((key) => ({
      parameters: key.children.filter((c) => c.name === "parameter").map((c) => c.attrs.ref),
      functional: key.attrs.functional !== "false",
    }));
  const object: Record<string, unknown> = {
    kind: "object",
    path,
    access: readAccess(a.access ?? "readOnly", path),
    minEntries: Number(a.minEntries ?? "1"),
    maxEntries: a.maxEntries === "unbounded" ? "unbounded" : Number(a.maxEntries ?? "1"),
  };
  // Filled in after all objects are read; the keys are placed here to keep field order.
  object.numEntriesParameter = undefined;
  object.enableParameter = undefined;
  if (uniqueKeys.length > 0) object.uniqueKeys = uniqueKeys;
  if (a.status !== undefined && a.status !== "current") object.status = a.status as Status;
  if (version !== undefined) object.version = version;
  return object as unknown as ObjectSchema;
}

function readParameter(
  node: XmlNode,
  objectPath: string,
  objectVersion: string | undefined,
  types: Map<string, NamedType>,
): ParameterSchema {
  const a = node.attrs;
  const path = `${objectPath}${a.name}`;
  const syntax = node.children.find((c) => c.name === "syntax");
  if (syntax === undefined) throw new TypeError(`Parameter "${path}" has no <syntax>`);
  let type: ParameterType | undefined;
  let dataType: string | undefined;
  let list: ListFacet | undefined;
  let facets: Facets = {};
  let defaultValue: string | undefined;
  let objectDefault: string | undefined;
  for (const child of syntax.children) {
    if (child.name === "list") list = readList(child);
    else if (child.name === "dataType") {
      // `<dataType base="X">` is an anonymous restriction of X; record X either way.
      dataType = child.attrs.ref ?? child.attrs.base;
      const resolved = resolveType(types, dataType);
      type = resolved.type;
      list ??= resolved.list;
      facets = mergeFacets(resolved.facets, readFacets(child));
    } else if (PRIMITIVES.has(child.name)) {
      type = child.name as ParameterType;
      facets = readFacets(child);
    } else if (child.name === "default" && child.attrs.status !== "deleted") {
      if (child.attrs.type === "factory") defaultValue = child.attrs.value;
      else if (child.attrs.type === "object") objectDefault = child.attrs.value;
    }
  }
  if (type === undefined) throw new TypeError(`Parameter "${path}" has no known type`);
  const access = a.access ?? "readOnly";
  const p: Record<string, unknown> = {
    kind: "parameter",
    path,
    type,
    access: access === "writeOnceReadOnly" ? "readWrite" : readAccess(access, path),
    dataType,
    list,
    minLength: facets.minLength,
    maxLength: facets.maxLength,
    ranges: facets.ranges,
    enumerations: facets.enumerations,
    patterns: facets.patterns,
    units: facets.units,
    hidden: syntax.attrs.hidden === "true" || syntax.attrs.secured === "true" || undefined,
    command: syntax.attrs.command === "true" || undefined,
    writeOnce: access === "writeOnceReadOnly" || undefined,
    reference: facets.reference,
    forcedInform: a.forcedInform === "true" || undefined,
    activeNotify: readActiveNotify(a.activeNotify, path),
    defaultValue,
    objectDefault,
    status: a.status !== undefined && a.status !== "current" ? a.status : undefined,
    version: a.version ?? objectVersion,
  };
  return dropUndefined(p) as unknown as ParameterSchema;
}

function dropUndefined(record: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(record)) if (record[key] === undefined) delete record[key];
  return record;
}

function readAccess(access: string, path: string): Access {
  if (access === "readOnly" || access === "readWrite") return access;
  throw new TypeError(`"${path}" has unknown access "${access}"`);
}

function readActiveNotify(value: string | undefined, path: string): ActiveNotify | undefined {
  if (value === undefined || value === "normal") return undefined;
  if (ACTIVE_NOTIFY.has(value)) return value as ActiveNotify;
  throw new TypeError(`"${path}" has unknown activeNotify "${value}"`);
}

/** The object holding a table or a child object: `A.B.{i}.C.{i}.` → `A.B.{i}.`. */
function objectOf(objectPath: string): string {
  const trimmed = objectPath.endsWith("{i}.") ? objectPath.slice(0, -4) : objectPath;
  return trimmed.slice(0, trimmed.lastIndexOf(".", trimmed.length - 2) + 1);
}

function parentObject(
  objects: Map<string, ObjectSchema>,
  path: string,
): ObjectSchema | undefined {
  for (let p = objectOf(path); p !== ""; p = objectOf(p)) {
    const found = objects.get(p);
    if (found) return found;
  }
  return undefined;
}
