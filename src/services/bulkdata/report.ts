/**
 * Bulk Data report encoders (TR-069 Annex N.3; TR-181 2.17 `Device.BulkData.Profile.{i}.`
 * CSVEncoding and JSONEncoding): collections in, one body out. Pure: no clock, no I/O.
 *
 * A body carries every collection given, oldest first: the failed reports retained
 * (NumberOfRetainedFailedReports) and then the current one. Annex N.3 says how:
 * "For JSON Encoded data the report for the current reporting interval is added onto the
 * existing appended as a new ... instance" of the `Report` array; "For CSV Encoded data
 * the content of new reporting interval is added onto the existing content without any
 * header data".
 *
 * JSON (Annex N.3.5): `{"Report":[{…},{…}]}`, one object per collection, starting with
 * `"CollectionTime"` unless ReportTimestamp is None. ObjectHierarchy nests the name's
 * dot-separated parts ("The translated JSON Object name does not contain the trailing
 * period"); NameValuePair keeps each name whole. Values by TR-106 base type (Annex N.3.5
 * "Translating Data Types"): boolean → JSON boolean; int, long, unsignedInt, unsignedLong
 * → JSON number (digits written as they are, so 64-bit counters stay exact); everything
 * else, dateTime included, → JSON string. A number or boolean the provider could not give
 * ("") is written as the string "".
 *
 * CSV (Annex N.3.4, RFC 4180 with the configured characters): a header line, always;
 * ParameterPerRow: `[ReportTimestamp,]ParameterName,ParameterValue,ParameterType`, one row
 * per parameter, the type being its TR-106 base type; ParameterPerColumn:
 * `[ReportTimestamp,]<name>,<name>…`, one row per collection. A field holding the field
 * separator, the escape character, CR or LF is enclosed in the escape character, and an
 * escape character inside it doubled (RFC 4180 §2.6–2.7). Every row, the last one too,
 * ends with the row separator.
 *
 * Timestamps (TR-181 RowTimestamp, ReportTimestamp): Unix-Epoch is "milliseconds since
 * Jan 1, 1970 UTC" (TR-181 2.17; Annex N's examples show seconds, the data model's text
 * wins), or the milliseconds since boot when the CPE has no time; ISO-8601 is a TR-106
 * dateTime, and without time the TR-069 Table 12 dateTime rule: Unknown Time plus the
 * time since boot (`0001-01-01T00:03:20Z`). The CPE "has no time" when the collection's
 * clock reads before 2000 (no NTP yet on a router without an RTC).
 *
 * [U] ParameterPerColumn with retained reports whose parameters differ from the current
 * one: the header is the current report's names, and each older row gives, per column,
 * the value its collection has under that name ("" when none).
 *
 * @module
 */

import type { ReportItem } from "./collect.ts";
import type { EncodedReport, ReportFormat } from "./transport.ts";

/** One collection of a report interval. */
export interface Collection {
  /** Wall clock at collection, ms since the Unix epoch. */
  readonly collectedAt: number;
  /** Time since boot at collection, ms. */
  readonly uptime: number;
  readonly items: readonly ReportItem[];
}

/** TR-181 RowTimestamp / ReportTimestamp. */
export type TimestampFormat = "Unix-Epoch" | "ISO-8601" | "None";

/** How a profile encodes (EncodingType and its CSVEncoding/JSONEncoding). */
export type EncodingSettings =
  | {
    readonly encoding: "JSON";
    readonly reportFormat: "ObjectHierarchy" | "NameValuePair";
    readonly reportTimestamp: TimestampFormat;
  }
  | {
    readonly encoding: "CSV";
    readonly reportFormat: "ParameterPerRow" | "ParameterPerColumn";
    readonly rowTimestamp: TimestampFormat;
    /** Decoded characters (not `&#10;`). */
    readonly fieldSeparator: string;
    readonly rowSeparator: string;
    readonly escapeCharacter: string;
  };

/** JSON media type (Annex N.3: media type and charset MUST be present). */
export const JSON_CONTENT_TYPE = "application/json; charset=UTF-8";
/** CSV media type; "the media type MUST indicate the presence of the header line". */
export const CSV_CONTENT_TYPE = "text/csv; charset=UTF-8; header=present";

/** Clock readings before this are "unable to acquire a time" (see the module doc). */
const TIME_KNOWN_FROM = Date.UTC(2000, 0, 1);
/** TR-106 Unknown Time, 0001-01-01T00:00:00Z (Date.UTC would read year 1 as 1901). */
const UNKNOWN_TIME_MS = new Date(0).setUTCFullYear(1, 0, 1);

/**
 * Encodes `collections` (oldest first) as one report body.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeReport } from "./report.ts";
 * const items = [{ name: "Device.X.Count", value: "7", type: "unsignedInt" as const }];
 * const report = encodeReport([{ collectedAt: 1_700_000_000_000, uptime: 5, items }], {
 *   encoding: "JSON",
 *   reportFormat: "NameValuePair",
 *   reportTimestamp: "None",
 * });
 * assert.equal(new TextDecoder().decode(report.body), '{"Report":[{"Device.X.Count":7}]}');
 * ```
 *
 * @throws {RangeError} when `collections` is empty.
 */
export function encodeReport(
  collections: readonly Collection[],
  settings: EncodingSettings,
): EncodedReport {
  if (collections.length === 0) throw new RangeError("Cannot encode a report of no collection");
  const text = settings.encoding === "JSON"
    ? encodeJson(collections, settings.reportFormat, settings.reportTimestamp)
    : encodeCsv(collections, settings);
  return {
    body: new TextEncoder().encode(text),
    contentType: settings.encoding === "JSON" ? JSON_CONTENT_TYPE : CSV_CONTENT_TYPE,
    encoding: settings.encoding,
    format: settings.reportFormat as ReportFormat,
    reports: collections.length,
    collectedAt: collections[collections.length - 1].collectedAt,
  };
}

/** The timestamp of a collection in `format`, as text (Unix-Epoch: digits). */
export function formatTimestamp(collection: Collection, format: TimestampFormat): string {
  const known = collection.collectedAt >= TIME_KNOWN_FROM;
  if (format === "Unix-Epoch") {
    return String(Math.floor(known ? collection.collectedAt : collection.uptime));
  }
  if (format === "ISO-8601") {
    const ms = known ? collection.collectedAt : UNKNOWN_TIME_MS + collection.uptime;
    return isoDateTime(ms);
  }
  return "";
}

/** TR-106 dateTime in UTC, whole seconds. */
function isoDateTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.000Z$/, "Z");
}

// ---- JSON ----

class Leaf {
  constructor(readonly json: string) {}
}
type Node = Map<string, Node | Leaf>;

function encodeJson(
  collections: readonly Collection[],
  format: "ObjectHierarchy" | "NameValuePair",
  timestamp: TimestampFormat,
): string {
  const reports: string[] = [];
  for (const collection of collections) {
    const parts: string[] = [];
    if (timestamp !== "None") {
      const stamp = formatTimestamp(collection, timestamp);
      parts.push(`"CollectionTime":${timestamp === "Unix-Epoch" ? stamp : JSON.stringify(stamp)}`);
    }
    if (format === "NameValuePair") {
      for (const item of collection.items) {
        parts.push(`${JSON.stringify(item.name)}:${jsonValue(item)}`);
      }
    } else {
      const root: Node = new Map();
      for (const item of collection.items) place(root, item);
      for (const [key, child] of root) parts.push(`${JSON.stringify(key)}:${nodeJson(child)}`);
    }
    reports.push(`{${parts.join(",")}}`);
  }
  return `{"Report":[${reports.join(",")}]}`;
}

/**
 * Puts `item` into the hierarchy. [U] A name that is both a value and an object
 * (`A.B` and `A.B.C`, possible only with renamed parameters) keeps what came first.
 */
function place(root: Node, item: ReportItem): void {
  const parts = item.name.split(".");
  let node = root;
  for (let i = 0; i < parts.length - 1; i++) {
    let child = node.get(parts[i]);
    if (child === undefined) node.set(parts[i], child = new Map());
    if (child instanceof Leaf) return;
    node = child;
  }
  const key = parts[parts.length - 1];
  if (!node.has(key)) node.set(key, new Leaf(jsonValue(item)));
}

function nodeJson(node: Node | Leaf): string {
  if (node instanceof Leaf) return node.json;
  const parts: string[] = [];
  for (const [key, child] of node) parts.push(`${JSON.stringify(key)}:${nodeJson(child)}`);
  return `{${parts.join(",")}}`;
}

const INTEGER = /^-?(0|[1-9][0-9]*)$/;

function jsonValue(item: ReportItem): string {
  switch (item.type) {
    case "boolean":
      if (item.value === "true" || item.value === "1") return "true";
      if (item.value === "false" || item.value === "0") return "false";
      return JSON.stringify(item.value);
    case "int":
    case "long":
    case "unsignedInt":
    case "unsignedLong":
      return INTEGER.test(item.value) ? item.value : JSON.stringify(item.value);
    default:
      return JSON.stringify(item.value);
  }
}

// ---- CSV ----

function encodeCsv(
  collections: readonly Collection[],
  s: Extract<EncodingSettings, { encoding: "CSV" }>,
): string {
  const field = csvEscaper(s.fieldSeparator, s.escapeCharacter);
  const rows: string[] = [];
  const stamped = s.rowTimestamp !== "None";
  const row = (fields: string[]) => rows.push(fields.map(field).join(s.fieldSeparator));
  if (s.reportFormat === "ParameterPerRow") {
    const header = ["ParameterName", "ParameterValue", "ParameterType"];
    row(stamped ? ["ReportTimestamp", ...header] : header);
    for (const collection of collections) {
      const stamp = formatTimestamp(collection, s.rowTimestamp);
      for (const item of collection.items) {
        row(
          stamped ? [stamp, item.name, item.value, item.type] : [item.name, item.value, item.type],
        );
      }
    }
  } else {
    const current = collections[collections.length - 1].items;
    const names = current.map((item) => item.name);
    row(stamped ? ["ReportTimestamp", ...names] : names);
    for (const collection of collections) {
      const values = sameNames(collection.items, names)
        ? collection.items.map((item) => item.value)
        : valuesByName(collection.items, names);
      row(stamped ? [formatTimestamp(collection, s.rowTimestamp), ...values] : values);
    }
  }
  return rows.join(s.rowSeparator) + s.rowSeparator;
}

/** RFC 4180 §2.6–2.7 with the profile's characters. */
function csvEscaper(separator: string, escape: string): (field: string) => string {
  const doubled = escape + escape;
  return (field) => {
    if (
      !field.includes(separator) && !field.includes(escape) && !field.includes("\n") &&
      !field.includes("\r")
    ) return field;
    return escape + field.replaceAll(escape, doubled) + escape;
  };
}

function sameNames(items: readonly ReportItem[], names: readonly string[]): boolean {
  if (items.length !== names.length) return false;
  for (let i = 0; i < names.length; i++) if (items[i].name !== names[i]) return false;
  return true;
}

function valuesByName(items: readonly ReportItem[], names: readonly string[]): string[] {
  const byName = new Map<string, string>();
  for (const item of items) if (!byName.has(item.name)) byName.set(item.name, item.value);
  return names.map((name) => byName.get(name) ?? "");
}
