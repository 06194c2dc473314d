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

interface DecodedObject {
  readonly object: ObjectSchema;
  readonly parameters: Map<string, ParameterSchema>;
}

/**
 * Decodes the object at `index` of a lazily decoded schema: its entry first, then its
 * parameters in schema order.
 */
export type DecodeObject = (index: number) => readonly SchemaEntry[];

/**
 * Entries indexed by pattern. A schema made with {@linkcode Schema.lazy} decodes an
 * object and its parameters when one of them is first asked for: the agent's tree needs
 * a few hundred of TR-181's 7,255 entries, and decoding all of them cost more than the
 * rest of the start-up.
 */
export class Schema {
  /** Object pattern → its position among the schema's objects. */
  readonly #index = new Map<string, number>();
  /** Per position, the object and its parameters once decoded. */
  readonly #decodedAt: (DecodedObject | undefined)[] = [];
  #paths: readonly string[];
  #decode?: DecodeObject;
  #entries?: readonly SchemaEntry[];
  #children?: Map<string, string[]>;
  #notable?: readonly string[];
  #isCounter?: (pattern: string) => boolean;

  /**
   * Indexes `entries`, which come parents first (the order of the BBF XML).
   *
   * @throws {TypeError} on a duplicate path or a parameter whose object is missing.
   */
  constructor(entries: readonly SchemaEntry[]) {
    this.#entries = entries;
    const objects: string[] = [];
    for (const entry of entries) {
      if (entry.kind === "object") {
        if (this.#index.has(entry.path)) {
          throw new TypeError(`Duplicate schema entry: "${entry.path}"`);
        }
        this.#index.set(entry.path, objects.length);
        this.#decodedAt.push({ object: entry, parameters: new Map() });
        objects.push(entry.path);
        continue;
      }
      const at = this.#index.get(objectOf(entry.path));
      const record = at === undefined ? undefined : this.#decodedAt[at];
      if (record === undefined) {
        throw new TypeError(`Schema entry "${entry.path}" has no object "${objectOf(entry.path)}"`);
      }
      const name = entry.path.slice(objectOf(entry.path).length);
      if (record.parameters.has(name)) {
        throw new TypeError(`Duplicate schema entry: "${entry.path}"`);
      }
      record.parameters.set(name, entry);
    }
    this.#paths = objects;
  }

  /**
   * A schema of the objects `paths` (parents first) whose entries `decode` gives on
   * first use. The decoded entries are trusted to match `paths`.
   */
  static lazy(
    paths: readonly string[],
    decode: DecodeObject,
    notable?: readonly string[],
    isCounter?: (pattern: string) => boolean,
  ): Schema {
    const schema = new Schema([]);
    schema.#entries = undefined;
    schema.#paths = paths;
    schema.#decode = decode;
    schema.#notable = notable;
    schema.#isCounter = isCounter;
    for (let index = 0; index < paths.length; index++) schema.#index.set(paths[index], index);
    return schema;
  }

  /** Every entry, in schema order (decodes a lazy schema whole). */
  get entries(): readonly SchemaEntry[] {
    if (this.#entries === undefined) {
      const all: SchemaEntry[] = [];
      for (const path of this.#paths) {
        const record = this.#decoded(path)!;
        all.push(record.object, ...record.parameters.values());
      }
      this.#entries = all;
    }
    return this.#entries;
  }

  /**
   * The parameters the schema itself puts in play (in schema order): always in the Inform
   * (`forcedInform`) or with active notification on by default (`activeNotify`
   * `forceEnabled` / `forceDefaultEnabled`). A lazy schema made with the list knows them
   * without decoding any object; one made without decodes them all once.
   */
  notableParameters(): readonly string[] {
    return this.#notable ??= this.entries.filter(isNotable).map((entry) => entry.path);
  }

  /** The object entry at `pattern`, if any. */
  object(pattern: string): ObjectSchema | undefined {
    return this.#decoded(pattern)?.object;
  }

  /** The parameter entry at `pattern`, if any. */
  parameter(pattern: string): ParameterSchema | undefined {
    const object = objectOf(pattern);
    return this.#decoded(object)?.parameters.get(pattern.slice(object.length));
  }

  /** The parameters of the object `pattern`, in schema order (none for an unknown object). */
  parametersOf(pattern: string): Iterable<ParameterSchema> {
    return this.#decoded(pattern)?.parameters.values() ?? [];
  }

  /** The position of the object `pattern` among the schema's objects; -1 when absent. */
  objectIndex(pattern: string): number {
    return this.#index.get(pattern) ?? -1;
  }

  /**
   * The objects right below `pattern` (`pattern` + `Name.` or `Name.{i}.`), in schema
   * order.
   */
  childObjects(pattern: string): readonly string[] {
    if (this.#children === undefined) {
      this.#children = new Map();
      for (const path of this.#paths) {
        const parent = parentObjectOf(path);
        if (parent === undefined) continue;
        const list = this.#children.get(parent);
        if (list === undefined) this.#children.set(parent, [path]);
        else list.push(path);
      }
    }
    return this.#children.get(pattern) ?? [];
  }

  /**
   * Whether the parameter `pattern` counts the rows of a table (some table's
   * `numEntriesParameter`; TR-106 puts it in the table's parent object).
   */
  isCounter(pattern: string): boolean {
    if (this.#isCounter !== undefined) return this.#isCounter(pattern);
    return this.childObjects(objectOf(pattern)).some((child) =>
      this.object(child)?.numEntriesParameter === pattern
    );
  }

  #decoded(pattern: string): DecodedObject | undefined {
    const at = this.#index.get(pattern);
    if (at === undefined) return undefined;
    const known = this.#decodedAt[at];
    if (known !== undefined) return known;
    const [object, ...parameters] = this.#decode!(at);
    const byName = new Map<string, ParameterSchema>();
    for (const parameter of parameters) {
      byName.set(parameter.path.slice(pattern.length), parameter as ParameterSchema);
    }
    return this.#decodedAt[at] = { object: object as ObjectSchema, parameters: byName };
  }
}

/** The object `pattern` sits in: `Device.IP.Interface.{i}.` and `Device.IP.Interface.` → `Device.IP.`. */
function parentObjectOf(pattern: string): string | undefined {
  let end = pattern.length - 1; // The final ".".
  if (pattern.endsWith(".{i}.")) end -= 4;
  const cut = pattern.lastIndexOf(".", end - 1);
  return cut < 0 ? undefined : pattern.slice(0, cut + 1);
}

/** The object pattern a parameter pattern belongs to: `Device.DeviceInfo.UpTime` → `Device.DeviceInfo.`. */
export function objectOf(parameterPath: string): string {
  return parameterPath.slice(0, parameterPath.lastIndexOf(".") + 1);
}

/** Whether the schema puts `entry` in play: see {@linkcode Schema.notableParameters}. */
export function isNotable(entry: SchemaEntry): boolean {
  return entry.kind === "parameter" &&
    (entry.forcedInform === true || entry.activeNotify === "forceEnabled" ||
      entry.activeNotify === "forceDefaultEnabled");
}
