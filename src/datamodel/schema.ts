/**
 * Schema entries: one per TR-181 object or parameter, in the shape the BBF XML
 * generator (issue #3) will emit. Paths are patterns: `Device.IP.Interface.{i}.Name`.
 * Facts follow TR-106 (types, access, size/range/enumeration/pattern facets,
 * forcedInform, activeNotify, hidden).
 *
 * `schema_slice.ts` holds the hand-transcribed entries of the first slice.
 *
 * @module
 */

/** TR-106 primitive data types. Named types (URL, IPAddress…) reduce to one of these. */
export type ParameterType =
  | "string"
  | "int"
  | "unsignedInt"
  | "long"
  | "unsignedLong"
  | "boolean"
  | "dateTime"
  | "base64"
  | "hexBinary"
  | "decimal";

/** Every {@linkcode ParameterType}. */
export const PARAMETER_TYPES: readonly ParameterType[] = [
  "string",
  "int",
  "unsignedInt",
  "long",
  "unsignedLong",
  "boolean",
  "dateTime",
  "base64",
  "hexBinary",
  "decimal",
];

/** TR-106 access: objects use readWrite for "AddObject/DeleteObject allowed". */
export type Access = "readOnly" | "readWrite";

/** TR-106 activeNotify attribute (default "normal"). */
export type ActiveNotify = "normal" | "forceEnabled" | "forceDefaultEnabled" | "canDeny";

/**
 * TR-106 status of a definition that is on its way out. Entries with status
 * "deleted" are not in the schema at all.
 */
export type Status = "deprecated" | "obsoleted";

/**
 * Where a reference parameter points (TR-106 `pathRef`, `instanceRef`,
 * `enumerationRef`). Attribute values are as written in the XML: `targetParent` may
 * use the relative `#`/`.` forms and may list several space-separated patterns.
 */
export interface ParameterReference {
  readonly kind: "pathRef" | "instanceRef" | "enumerationRef";
  /** "strong" or "weak" (pathRef, instanceRef). */
  readonly refType?: string;
  readonly targetParent?: string;
  /** "any", "parameter", "object", "single", "table" or "row" (pathRef). */
  readonly targetType?: string;
  readonly targetDataType?: string;
  /** The parameter whose value list gives the enumeration (enumerationRef). */
  readonly targetParam?: string;
  /** The value meaning "none" (enumerationRef). */
  readonly nullValue?: string;
}

/** A TR-106 `uniqueKey`: parameter names (relative to the row) unique across rows. */
export interface UniqueKey {
  readonly parameters: readonly string[];
  /** False for keys such as Alias that carry no meaning for the device. */
  readonly functional: boolean;
}

/** An inclusive numeric range facet; a missing bound is open. */
export interface NumberRange {
  readonly min?: number;
  readonly max?: number;
  readonly step?: number;
}

/** The list facet: the value is a comma-separated list of items of the parameter's type. */
export interface ListFacet {
  readonly minItems?: number;
  readonly maxItems?: number;
  /** Maximum length of the whole list string. */
  readonly maxLength?: number;
}

/** A parameter. Size facets count characters (string) or bytes (base64, hexBinary). */
export interface ParameterSchema {
  readonly kind: "parameter";
  /** Full pattern, e.g. `Device.DeviceInfo.UpTime`. */
  readonly path: string;
  readonly type: ParameterType;
  readonly access: Access;
  /** TR-106 named data type this parameter was declared with, e.g. `"URL"`. */
  readonly dataType?: string;
  readonly list?: ListFacet;
  readonly minLength?: number;
  readonly maxLength?: number;
  /** The value must fall in one of these (numeric types). */
  readonly ranges?: readonly NumberRange[];
  readonly enumerations?: readonly string[];
  /** XML Schema regular expressions; the value must match one of them entirely. */
  readonly patterns?: readonly string[];
  readonly units?: string;
  /**
   * Reads return "" (TR-106 `hidden`, e.g. passwords; also `secured`, which CWMP
   * cannot exempt any reader from).
   */
  readonly hidden?: boolean;
  /** Setting it triggers an action; reads return the type's null value (TR-106 `command`). */
  readonly command?: boolean;
  /**
   * TR-106 `writeOnceReadOnly` (e.g. `Alias`): `access` is "readWrite" but the value
   * may be set only once, when or just after the row is created.
   */
  readonly writeOnce?: boolean;
  /** A reference parameter's target (pathRef, instanceRef or enumerationRef). */
  readonly reference?: ParameterReference;
  readonly status?: Status;
  /** Always in the Inform ParameterList. */
  readonly forcedInform?: boolean;
  readonly activeNotify?: ActiveNotify;
  /** Factory default, as text (TR-106 `default type="factory"`). */
  readonly defaultValue?: string;
  /** Value in a newly created row, as text (TR-106 `default type="object"`). */
  readonly objectDefault?: string;
  /** Data model version that added it, e.g. `"2.0"`. */
  readonly version?: string;
}

/** An object; a pattern ending in `{i}.` is a multi-instance table row. */
export interface ObjectSchema {
  readonly kind: "object";
  /** Pattern ending in ".", e.g. `Device.IP.Interface.{i}.`. */
  readonly path: string;
  readonly access: Access;
  readonly minEntries: number;
  readonly maxEntries: number | "unbounded";
  /** Full path of the parameter counting this table's rows, e.g. `Device.IP.InterfaceNumberOfEntries`. */
  readonly numEntriesParameter?: string;
  /** Full path of the row's enable parameter, e.g. `Device.IP.Interface.{i}.Enable`. */
  readonly enableParameter?: string;
  readonly uniqueKeys?: readonly UniqueKey[];
  readonly status?: Status;
  readonly version?: string;
}

/** One schema entry. */
export type SchemaEntry = ObjectSchema | ParameterSchema;

/** Entries indexed by pattern. */
export class Schema {
  readonly #entries: readonly SchemaEntry[];
  readonly #byPath = new Map<string, SchemaEntry>();

  /**
   * Indexes `entries`, which come parents first (the order of the BBF XML).
   *
   * @throws {TypeError} on a duplicate path or a parameter whose object is missing.
   */
  constructor(entries: readonly SchemaEntry[]) {
    this.#entries = entries;
    for (const entry of entries) {
      if (this.#byPath.has(entry.path)) {
        throw new TypeError(`Duplicate schema entry: "${entry.path}"`);
      }
      if (entry.kind === "parameter" && !this.#byPath.has(objectOf(entry.path))) {
        throw new TypeError(`Schema entry "${entry.path}" has no object "${objectOf(entry.path)}"`);
      }
      this.#byPath.set(entry.path, entry);
    }
  }

  /** Every entry, in schema order. */
  get entries(): readonly SchemaEntry[] {
    return this.#entries;
  }

  /** The object entry at `pattern`, if any. */
  object(pattern: string): ObjectSchema | undefined {
    const entry = this.#byPath.get(pattern);
    return entry?.kind === "object" ? entry : undefined;
  }

  /** The parameter entry at `pattern`, if any. */
  parameter(pattern: string): ParameterSchema | undefined {
    const entry = this.#byPath.get(pattern);
    return entry?.kind === "parameter" ? entry : undefined;
  }
}

/** The object pattern a parameter pattern belongs to: `Device.DeviceInfo.UpTime` → `Device.DeviceInfo.`. */
export function objectOf(parameterPath: string): string {
  return parameterPath.slice(0, parameterPath.lastIndexOf(".") + 1);
}
