/** Checks one TOML value against its KeyKind; pure, no positions. */

import { type KeyKind, UNKNOWN_TIME } from "./schema.ts";

/** The checked value, or why it was rejected (the text after `key: `). */
export type Checked = { ok: true; value: unknown } | { ok: false; detail: string };

/** Describes a TOML value for `got …` in error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object" && value !== null) return "a table";
  return String(value);
}

const ok = (value: unknown): Checked => ({ ok: true, value });
const bad = (expected: string, value: unknown): Checked => ({
  ok: false,
  detail: `expected ${expected}, got ${describeValue(value)}`,
});

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** Formats a Date as xsd:dateTime in UTC without milliseconds. */
function toDateTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function checkDateTime(value: unknown): Checked {
  const expected = "a date-time with a time zone (or epoch seconds)";
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value < 0) return bad(expected, value);
    return ok(value === 0 ? UNKNOWN_TIME : toDateTime(new Date(value * 1000)));
  }
  if (value instanceof Date) {
    // smol-toml's TomlDate: local dates and times have no instant.
    const toml = value as Date & { isLocal?: () => boolean; isDateTime?: () => boolean };
    if (toml.isLocal?.() || toml.isDateTime?.() === false) return bad(expected, value);
    return ok(toDateTime(new Date(value.getTime())));
  }
  if (typeof value === "string" && DATE_TIME.test(value)) {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return ok(toDateTime(date));
  }
  return bad(expected, value);
}

function checkUrl(value: unknown, allowEmpty: boolean): Checked {
  const expected = "an http:// or https:// URL";
  if (typeof value !== "string") return bad(expected, value);
  if (value === "" && allowEmpty) return ok(value);
  try {
    const parsed = new URL(value);
    if ((parsed.protocol === "http:" || parsed.protocol === "https:") && parsed.hostname !== "") {
      return ok(value);
    }
  } catch {
    // falls through to the error
  }
  return bad(expected, value);
}

/** A vendor FileType (TR-069 A.3.2.8, A.4.1.5): `X <OUI> <name>`. */
const VENDOR_FILE_TYPE = /^X [0-9A-F]{6} \S.{0,55}$/;

function checkVendorFileTypes(value: unknown): Checked {
  const expected = 'a table of "X <OUI> <name>" = [command, args…]';
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return bad(expected, value);
  }
  const table: Record<string, string[]> = {};
  for (const [type, command] of Object.entries(value)) {
    if (!VENDOR_FILE_TYPE.test(type)) {
      return {
        ok: false,
        detail: `${JSON.stringify(type.slice(0, 64))} is not a vendor FileType ` +
          '("X", six upper-case hex digits of an OUI, a name; at most 64 characters)',
      };
    }
    const checked = checkValue({ type: "argv" }, command);
    if (checked.ok && (checked.value as string[]).length === 0) {
      return { ok: false, detail: `${JSON.stringify(type)}: the command is empty` };
    }
    if (!checked.ok) return { ok: false, detail: `${JSON.stringify(type)}: ${checked.detail}` };
    table[type] = checked.value as string[];
  }
  return ok(table);
}

/** Checks `value` against `kind` (secrets are checked by the loader). */
export function checkValue(kind: KeyKind, value: unknown): Checked {
  switch (kind.type) {
    case "string":
    case "secret":
      return typeof value === "string" ? ok(value) : bad("a string", value);
    case "boolean":
      return typeof value === "boolean" ? ok(value) : bad("true or false", value);
    case "integer": {
      const range = kind.max === undefined
        ? `an integer ≥ ${kind.min}`
        : `an integer from ${kind.min} to ${kind.max}`;
      const good = typeof value === "number" && Number.isSafeInteger(value) &&
        value >= kind.min && (kind.max === undefined || value <= kind.max);
      return good ? ok(value) : bad(range, value);
    }
    case "enum": {
      const expected = `one of ${kind.values.map((v) => JSON.stringify(v)).join(", ")}`;
      if (typeof value !== "string") return bad(expected, value);
      const found = kind.values.find((v) =>
        kind.ignoreCase ? v.toLowerCase() === value.toLowerCase() : v === value
      );
      return found === undefined ? bad(expected, value) : ok(found);
    }
    case "url":
      return checkUrl(value, kind.allowEmpty);
    case "oui":
      return typeof value === "string" && /^([0-9A-F]{6})?$/.test(value)
        ? ok(value)
        : bad("6 upper-case hex digits", value);
    case "urlPath":
      return typeof value === "string" && value.startsWith("/") && !/[\s?#]/.test(value)
        ? ok(value)
        : bad('a path starting with "/"', value);
    case "argv":
      return Array.isArray(value) && value.every((v) => typeof v === "string" && v !== "")
        ? ok([...value])
        : bad("an array of non-empty strings", value);
    case "dateTime":
      return checkDateTime(value);
    case "vendorFileTypes":
      return checkVendorFileTypes(value);
  }
}
