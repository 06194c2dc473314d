/**
 * `Device.BulkData.` (TR-181 2.17; TR-069 Annex N): the profiles the ACS creates are
 * configuration, kept by the persisted provider given here and so across restarts; the
 * capabilities (Protocols, EncodingTypes, the limits) and Status come from the agent.
 * Every committed change (set, undo, AddObject, DeleteObject) calls `onChange`, so the
 * running reports follow at once.
 *
 * Checks beyond the schema, each a 9007 in the SetParameterValuesFault list:
 * - Profile.{i}.Protocol is one of Protocols (the registered transports), EncodingType
 *   one of EncodingTypes (TR-181 makes both enumerationRefs);
 * - ReportingInterval is at least MinReportingInterval ("The CPE MAY reject a request to
 *   set ReportingInterval to less than MinReportingInterval");
 * - Parameter.{i}.Reference is "" or a path of the data model (an object path ends in
 *   "."), with `*` in place of instance numbers ("patterns for instance identifiers are
 *   permitted with wildcards"; `[alias]` segments are not accepted there);
 *   RequestURIParameter.{i}.Reference is "" or a parameter;
 * - CSVEncoding separators and escape are one character each once XML character
 *   references (`&#10;`, `&quot;`) are decoded, RowSeparator `&#10;` or `&#13;&#10;`;
 * - HTTP.URL is "" or an http(s) URL, Method one of MethodsSupported, Compression one of
 *   CompressionsSupported or "None".
 *
 * A set that would make the profiles select more than MaxNumberOfParameterReferences
 * parameters (wildcards and partial paths expanded, all profiles together, TR-181) is
 * refused as a whole with 9004; so is an AddObject beyond MaxNumberOfProfiles, or beyond 16
 * RequestURIParameter rows of a profile.
 *
 * [U] TR-181 2.17's XML gives RowSeparator the object default " " (a space: TR-157's
 * `&#10;` lost in conversion); a new profile reads `&#10;` here.
 *
 * Unsupported: the IPDR parameters of Profile.{i} (StreamingHost, StreamingPort,
 * StreamingSessionID, FileTransferURL, FileTransferUsername, FileTransferPassword,
 * ControlFileFormat): Protocols lists neither Streaming nor File. `Profile.{i}.MQTT.` is
 * bound by the MQTT transport.
 *
 * @module
 */

import { ResourcesExceededError } from "../errors.ts";
import { objectOf } from "../schema.ts";
import type {
  Binding,
  ChangeObjection,
  ParameterChange,
  ParameterRef,
  Provider,
  SetOutcome,
} from "../provider.ts";
import type { PersistedProvider } from "../providers/persisted.ts";
import type { Schema } from "../schema.ts";

/** EncodingTypes this agent encodes. */
export const BULKDATA_ENCODING_TYPES: readonly string[] = ["CSV", "JSON"];
/** HTTP.MethodsSupported. */
export const BULKDATA_HTTP_METHODS: readonly string[] = ["POST", "PUT"];
/** HTTP.CompressionsSupported. */
export const BULKDATA_HTTP_COMPRESSIONS: readonly string[] = ["GZIP"];

/** `Device.BulkData.Profile.` */
export const BULKDATA_PROFILE_TABLE = "Device.BulkData.Profile.";

/** Writable parameters of each object, as kept by the persisted provider. */
export const BULKDATA_PARAMETERS: Readonly<Record<string, readonly string[]>> = {
  "Device.BulkData.": ["Enable"],
  "Device.BulkData.Profile.{i}.": [
    "Enable",
    "Alias",
    "Name",
    "NumberOfRetainedFailedReports",
    "Protocol",
    "EncodingType",
    "ReportingInterval",
    "TimeReference",
  ],
  "Device.BulkData.Profile.{i}.Parameter.{i}.": ["Name", "Reference", "Exclude"],
  "Device.BulkData.Profile.{i}.CSVEncoding.": [
    "FieldSeparator",
    "RowSeparator",
    "EscapeCharacter",
    "ReportFormat",
    "RowTimestamp",
  ],
  "Device.BulkData.Profile.{i}.JSONEncoding.": ["ReportFormat", "ReportTimestamp"],
  "Device.BulkData.Profile.{i}.HTTP.": [
    "URL",
    "Username",
    "Password",
    "Compression",
    "Method",
    "UseDateHeader",
    "RetryEnable",
    "RetryMinimumWaitInterval",
    "RetryIntervalMultiplier",
    "PersistAcrossReboot",
  ],
  "Device.BulkData.Profile.{i}.HTTP.RequestURIParameter.{i}.": ["Name", "Reference"],
};

/** The device's Bulk Data limits and state. */
export interface BulkDataRuntime {
  /** Device.BulkData.Status: "Enabled", "Disabled" or "Error". */
  status(): string;
  /** Protocols with a registered transport ("HTTP", later "MQTT"). */
  protocols(): readonly string[];
  /**
   * How many parameters the profiles' references select together, with `overrides`
   * (Reference path → value) in place of the stored values.
   */
  countReferences(overrides: ReadonlyMap<string, string>): Promise<number>;
}

/** Options of {@linkcode bindBulkData}. */
export interface BulkDataBindingOptions {
  /** Keeps the profiles (the agent's persisted provider). */
  readonly store: PersistedProvider;
  /** The schema references are checked against. */
  readonly schema: Schema;
  readonly runtime: BulkDataRuntime;
  /** After every committed change of Bulk Data configuration. */
  onChange(): void;
  /** Factory value of Device.BulkData.Enable. */
  readonly enable: boolean;
  readonly minReportingInterval: number;
  readonly maxProfiles: number;
  readonly maxParameterReferences: number;
}

/** Values read when nothing was stored (see the module doc), by schema path. */
function factoryDefaults(enable: boolean): Map<string, string> {
  return new Map([
    ["Device.BulkData.Enable", String(enable)],
    ["Device.BulkData.Profile.{i}.CSVEncoding.RowSeparator", "&#10;"],
  ]);
}

/** The bindings of `Device.BulkData.` (MQTT excepted). */
export function bindBulkData(options: BulkDataBindingOptions): Binding[] {
  const { store, runtime } = options;
  const defaults = factoryDefaults(options.enable);
  const after = async <T>(result: T | Promise<T>): Promise<T> => {
    const value = await result;
    options.onChange();
    return value;
  };
  const config: Provider = {
    get(refs: readonly ParameterRef[]) {
      const values = store.get(refs);
      for (let i = 0; i < refs.length; i++) {
        const fallback = defaults.get(refs[i].schema.path);
        if (fallback !== undefined && !store.has(refs[i].path)) values[i] = fallback;
      }
      return values;
    },
    check: (changes) => check(changes, options),
    set: (changes) =>
      after(store.set(changes)).then((outcome): SetOutcome =>
        outcome.undo === undefined ? outcome : {
          ...outcome,
          undo: () => after(outcome.undo!()),
        }
      ),
    instances: (tablePath) => store.instances(tablePath),
    addInstance: (tablePath, instances, n) => after(store.addInstance(tablePath, instances, n)),
    deleteInstance: (rowPath) => after(store.deleteInstance(rowPath)),
  };
  const capabilities = new Map<string, () => string>([
    ["Status", () => runtime.status()],
    ["MinReportingInterval", () => String(options.minReportingInterval)],
    ["Protocols", () => runtime.protocols().join(",")],
    ["EncodingTypes", () => BULKDATA_ENCODING_TYPES.join(",")],
    ["ParameterWildCardSupported", () => "true"],
    ["MaxNumberOfProfiles", () => String(options.maxProfiles)],
    ["MaxNumberOfParameterReferences", () => String(options.maxParameterReferences)],
    ["CompressionsSupported", () => BULKDATA_HTTP_COMPRESSIONS.join(",")],
    ["MethodsSupported", () => BULKDATA_HTTP_METHODS.join(",")],
  ]);
  const fixed: Provider = {
    get: (refs) => refs.map((ref) => capabilities.get(lastName(ref.schema.path))!()),
  };
  const maxEntries: Record<string, number> = {
    "Device.BulkData.Profile.{i}.": options.maxProfiles,
    "Device.BulkData.Profile.{i}.Parameter.{i}.": options.maxParameterReferences,
    "Device.BulkData.Profile.{i}.HTTP.RequestURIParameter.{i}.": 16,
  };
  const bindings: Binding[] = Object.entries(BULKDATA_PARAMETERS).map(([object, parameters]) =>
    maxEntries[object] === undefined
      ? { object, parameters, provider: config }
      : { object, parameters, provider: config, maxEntries: maxEntries[object] }
  );
  bindings.push(
    {
      object: "Device.BulkData.",
      parameters: [
        "Status",
        "MinReportingInterval",
        "Protocols",
        "EncodingTypes",
        "ParameterWildCardSupported",
        "MaxNumberOfProfiles",
        "MaxNumberOfParameterReferences",
      ],
      provider: fixed,
    },
    {
      object: "Device.BulkData.Profile.{i}.HTTP.",
      parameters: ["CompressionsSupported", "MethodsSupported"],
      provider: fixed,
    },
  );
  return bindings.filter((b) => options.schema.object(b.object) !== undefined);
}

/**
 * Decodes the XML character references TR-181 writes separators with (`&#10;`,
 * `&#x9;`, `&quot;`, `&amp;`, `&lt;`, `&gt;`, `&apos;`); other text is taken as is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeCharacterReferences } from "./bulk_data.ts";
 * assert.equal(decodeCharacterReferences("&#13;&#10;"), "\r\n");
 * ```
 */
export function decodeCharacterReferences(text: string): string {
  return text.replace(/&(#[0-9]+|#x[0-9a-fA-F]+|quot|amp|lt|gt|apos);/g, (_, ref: string) => {
    if (ref[0] === "#") {
      const code = ref[1] === "x" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code <= 0x10ffff ? String.fromCodePoint(code) : _;
    }
    return NAMED[ref];
  });
}

const NAMED: Record<string, string> = { quot: '"', amp: "&", lt: "<", gt: ">", apos: "'" };

/**
 * Whether `reference` names something the schema has: a parameter, or an object when it
 * ends in "."; instance numbers and `*` stand for `{i}` (only where the schema has a
 * table). `parameterOnly` refuses objects and wildcards.
 */
export function isKnownReference(
  schema: Schema,
  reference: string,
  parameterOnly = false,
): boolean {
  if (reference.length > 1024 || !reference.startsWith("Device.")) return false;
  const segments = reference.split(".");
  let pattern = "";
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    const last = i === segments.length - 1;
    if (last) {
      if (segment === "") return !parameterOnly && schema.object(pattern) !== undefined;
      return schema.parameter(pattern + segment) !== undefined;
    }
    if (segment === "*" || /^[1-9][0-9]*$/.test(segment)) {
      if (segment === "*" && parameterOnly) return false;
      pattern += "{i}.";
      if (schema.object(pattern) === undefined) return false;
    } else {
      if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) return false;
      pattern += segment + ".";
    }
  }
  return false;
}

function lastName(path: string): string {
  return path.slice(path.lastIndexOf(".") + 1);
}

async function check(
  changes: readonly ParameterChange[],
  options: BulkDataBindingOptions,
): Promise<ChangeObjection[]> {
  const objections: ChangeObjection[] = [];
  const refuse = (change: ParameterChange, message: string) =>
    objections.push({ path: change.path, message });
  const references = new Map<string, string>();
  for (const change of changes) {
    const schemaPath = change.schema.path;
    const object = objectOf(schemaPath).slice("Device.BulkData.".length);
    const name = lastName(schemaPath);
    const value = change.value;
    switch (`${object}${name}`) {
      case "Profile.{i}.Protocol":
        if (!options.runtime.protocols().includes(value)) {
          refuse(change, `Protocol must be one of ${options.runtime.protocols()}: "${value}"`);
        }
        break;
      case "Profile.{i}.EncodingType":
        if (!BULKDATA_ENCODING_TYPES.includes(value)) {
          refuse(change, `EncodingType must be one of ${BULKDATA_ENCODING_TYPES}: "${value}"`);
        }
        break;
      case "Profile.{i}.ReportingInterval":
        if (Number(value) < options.minReportingInterval) {
          refuse(
            change,
            `ReportingInterval must be at least MinReportingInterval (${options.minReportingInterval}): "${value}"`,
          );
        }
        break;
      case "Profile.{i}.Parameter.{i}.Reference":
        if (value !== "" && !isKnownReference(options.schema, value)) {
          refuse(change, `Reference names nothing in the data model: "${value}"`);
        }
        references.set(change.path, value);
        break;
      case "Profile.{i}.HTTP.RequestURIParameter.{i}.Reference":
        if (value !== "" && !isKnownReference(options.schema, value, true)) {
          refuse(change, `Reference must name a parameter of the data model: "${value}"`);
        }
        break;
      case "Profile.{i}.CSVEncoding.FieldSeparator":
      case "Profile.{i}.CSVEncoding.EscapeCharacter":
        if ([...decodeCharacterReferences(value)].length !== 1) {
          refuse(change, `${name} must be one character: "${value}"`);
        }
        break;
      case "Profile.{i}.CSVEncoding.RowSeparator": {
        const decoded = decodeCharacterReferences(value);
        if (decoded !== "\n" && decoded !== "\r\n") {
          refuse(change, `RowSeparator must be "&#10;" or "&#13;&#10;": "${value}"`);
        }
        break;
      }
      case "Profile.{i}.HTTP.URL":
        if (value !== "" && !/^https?:\/\/[^/?#\s]+/i.test(value)) {
          refuse(change, `URL must be an http or https URL: "${value}"`);
        }
        break;
      case "Profile.{i}.HTTP.Method":
        if (!BULKDATA_HTTP_METHODS.includes(value)) {
          refuse(change, `Method must be one of ${BULKDATA_HTTP_METHODS}: "${value}"`);
        }
        break;
      case "Profile.{i}.HTTP.Compression":
        if (value !== "None" && !BULKDATA_HTTP_COMPRESSIONS.includes(value)) {
          refuse(
            change,
            `Compression must be None or one of ${BULKDATA_HTTP_COMPRESSIONS}: "${value}"`,
          );
        }
        break;
    }
  }
  if (objections.length === 0 && references.size > 0) {
    const count = await options.runtime.countReferences(references);
    if (count > options.maxParameterReferences) {
      throw new ResourcesExceededError(
        `Bulk Data references would select ${count} parameters, more than MaxNumberOfParameterReferences (${options.maxParameterReferences})`,
      );
    }
  }
  return objections;
}
