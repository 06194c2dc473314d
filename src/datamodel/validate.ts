/**
 * Value validation before any set (TR-106 Amd 11 §3.2, TR-069 Annex A Table 4):
 * syntax per type, then the schema's size, range, enumeration and pattern facets.
 * Returns the canonical text that providers store and GPV returns.
 *
 * Canonical forms: booleans `true`/`false` (`1`/`0` accepted on input), integers
 * without sign or leading zeros, other types as given (surrounding whitespace dropped
 * for every type except string).
 *
 * @module
 */

import { isDateTime } from "./date_time.ts";
import { InvalidTypeError, InvalidValueError } from "./errors.ts";
import type { NumberRange, ParameterSchema, ParameterType } from "./schema.ts";
import { acceptsXsiType } from "./xsi_type.ts";

const INTEGER = /^[+-]?\d+$/;
/** Canonical non-negative integers below 10^9: in range for every integer type as written. */
const SMALL_CANONICAL = /^(?:0|[1-9]\d{0,8})$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HEX = /^(?:[0-9A-Fa-f]{2})*$/;
const INTEGER_BOUNDS: Partial<Record<ParameterType, [bigint, bigint]>> = {
  int: [-(2n ** 31n), 2n ** 31n - 1n],
  unsignedInt: [0n, 2n ** 32n - 1n],
  long: [-(2n ** 63n), 2n ** 63n - 1n],
  unsignedLong: [0n, 2n ** 64n - 1n],
};
const patternCache = new Map<string, RegExp>();

/**
 * Checks `value` (declared with xsi:type `declaredType`) against `schema` and returns
 * its canonical text.
 *
 * @example
 * ```ts
 * import { validateValue } from "./validate.ts";
 * import { SLICE_SCHEMA } from "./schema_slice.ts";
 * const enable = SLICE_SCHEMA.find((e) => e.path.endsWith(".PeriodicInformEnable"));
 * if (enable?.kind === "parameter") validateValue(enable, "1", "xsd:boolean"); // "true"
 * ```
 * @throws {InvalidTypeError} (9006) when `declaredType` does not fit the parameter.
 * @throws {InvalidValueError} (9007) when the value breaks the syntax or a facet.
 */
export function validateValue(schema: ParameterSchema, value: string, declaredType = ""): string {
  if (!acceptsXsiType(schema.type, declaredType)) {
    throw new InvalidTypeError(
      `Type "${declaredType}" does not fit "${schema.path}" (${schema.type})`,
    );
  }
  if (schema.list === undefined) return checkScalar(schema, value);
  const list = schema.list;
  if (list.maxLength !== undefined && length(value) > list.maxLength) {
    throw invalid(schema, value, `is longer than ${list.maxLength} characters`);
  }
  const items = value.trim() === "" ? [] : value.split(",").map((item) => item.trim());
  if (list.maxItems !== undefined && items.length > list.maxItems) {
    throw invalid(schema, value, `has more than ${list.maxItems} items`);
  }
  if (list.minItems !== undefined && items.length < list.minItems) {
    throw invalid(schema, value, `has fewer than ${list.minItems} items`);
  }
  return items.map((item) => checkScalar(schema, item)).join(",");
}

function checkScalar(schema: ParameterSchema, raw: string): string {
  const text = schema.type === "string" ? raw : raw.trim();
  const canonical = checkSyntax(schema, text);
  checkFacets(schema, canonical);
  return canonical;
}

function checkSyntax(schema: ParameterSchema, text: string): string {
  const type = schema.type;
  switch (type) {
    case "string":
      return text;
    case "boolean":
      if (text === "true" || text === "1") return "true";
      if (text === "false" || text === "0") return "false";
      throw invalid(schema, text, "is not a boolean");
    case "int":
    case "unsignedInt":
    case "long":
    case "unsignedLong": {
      if (SMALL_CANONICAL.test(text)) return text;
      const [low, high] = INTEGER_BOUNDS[type]!;
      if (!INTEGER.test(text)) throw invalid(schema, text, "is not an integer");
      const n = BigInt(text);
      if (n < low || n > high) throw invalid(schema, text, `is out of ${type} range`);
      return n.toString();
    }
    case "decimal":
      if (!DECIMAL.test(text)) throw invalid(schema, text, "is not a decimal");
      return text;
    case "dateTime":
      if (!isDateTime(text)) throw invalid(schema, text, "is not a TR-106 dateTime");
      return text;
    case "base64":
      if (!BASE64.test(text)) throw invalid(schema, text, "is not base64");
      return text;
    case "hexBinary":
      if (!HEX.test(text)) throw invalid(schema, text, "is not hexBinary");
      return text;
  }
}

function checkFacets(schema: ParameterSchema, text: string): void {
  if (schema.maxLength !== undefined || schema.minLength !== undefined) {
    const size = sizeOf(schema.type, text);
    if (schema.maxLength !== undefined && size > schema.maxLength) {
      throw invalid(schema, text, `is longer than ${schema.maxLength} ${unit(schema.type)}`);
    }
    if (schema.minLength !== undefined && size < schema.minLength) {
      throw invalid(schema, text, `is shorter than ${schema.minLength} ${unit(schema.type)}`);
    }
  }
  if (schema.ranges !== undefined && !schema.ranges.some((r) => inRange(schema.type, text, r))) {
    throw invalid(schema, text, `is outside ${schema.ranges.map(describe).join(" or ")}`);
  }
  if (schema.enumerations !== undefined && !schema.enumerations.includes(text)) {
    throw invalid(schema, text, "is not one of the enumerated values");
  }
  if (schema.patterns !== undefined && !schema.patterns.some((p) => compile(p).test(text))) {
    throw invalid(schema, text, "does not match the required pattern");
  }
}

function sizeOf(type: ParameterType, text: string): number {
  if (type === "hexBinary") return text.length / 2;
  if (type === "base64") {
    return (text.length / 4) * 3 - (text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0);
  }
  return length(text);
}

function length(text: string): number {
  // Characters, not UTF-16 units (TR-106 sizes count characters): a surrogate pair is one,
  // as a for-of over the string counts it (which allocates a result per character).
  let n = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0xd800 || unit > 0xdbff) continue;
    const next = text.charCodeAt(i + 1);
    if (next >= 0xdc00 && next <= 0xdfff) {
      n--;
      i++;
    }
  }
  return n;
}

function unit(type: ParameterType): string {
  return type === "hexBinary" || type === "base64" ? "bytes" : "characters";
}

function inRange(type: ParameterType, text: string, range: NumberRange): boolean {
  if (type === "decimal") {
    const n = Number(text);
    return (range.min === undefined || n >= range.min) &&
      (range.max === undefined || n <= range.max);
  }
  if (text.length <= 15) {
    // Exact as a double (|n| < 10^15 < 2^53); the bounds are doubles already.
    const n = Number(text);
    if (range.min !== undefined && n < range.min) return false;
    if (range.max !== undefined && n > range.max) return false;
    if (range.step === undefined) return true;
    const offset = n - (range.min ?? 0);
    if (Number.isSafeInteger(offset) && Number.isSafeInteger(range.step) && range.step !== 0) {
      return offset % range.step === 0;
    }
  }
  const n = BigInt(text);
  if (range.min !== undefined && n < BigInt(range.min)) return false;
  if (range.max !== undefined && n > BigInt(range.max)) return false;
  return range.step === undefined || (n - BigInt(range.min ?? 0)) % BigInt(range.step) === 0n;
}

function describe(range: NumberRange): string {
  return `[${range.min ?? "-∞"}, ${range.max ?? "∞"}]${range.step ? ` step ${range.step}` : ""}`;
}

function compile(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (re === undefined) {
    re = new RegExp(`^(?:${pattern})$`, "u");
    patternCache.set(pattern, re);
  }
  return re;
}

function invalid(schema: ParameterSchema, value: string, why: string): InvalidValueError {
  const shown = value.length > 64 ? `${value.slice(0, 64)}…` : value;
  return new InvalidValueError(`Invalid value for "${schema.path}": "${shown}" ${why}`);
}
