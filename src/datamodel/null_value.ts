/**
 * What a parameter reads as when nothing is known or set: its default from the schema
 * (TR-106 `default`), else the null value of its type that still fits its facets.
 *
 * @module
 */

import { UNKNOWN_TIME } from "../soap/messages.ts";
import type { ParameterSchema } from "./schema.ts";
import { validateValue } from "./validate.ts";

const PREFERRED_NULLS = ["NotPresent", "Disabled", "Down", "Unknown", "Error"];

/**
 * A value that fits `schema` and says "nothing known": false, the lowest allowed
 * number (usually 0), Unknown Time, "" or the most neutral enumerated value.
 */
export function nullValue(schema: ParameterSchema): string {
  switch (schema.type) {
    case "boolean":
      return "false";
    case "dateTime":
      return UNKNOWN_TIME;
    case "int":
    case "unsignedInt":
    case "long":
    case "unsignedLong":
    case "decimal": {
      const low = schema.ranges?.[0]?.min;
      return low !== undefined && low > 0 ? String(low) : "0";
    }
    default: {
      const values = schema.enumerations;
      if (values === undefined || values.length === 0 || schema.list) return "";
      return PREFERRED_NULLS.find((v) => values.includes(v)) ?? values[0];
    }
  }
}

/** The schema's default (canonical) if it fits the parameter's facets, else {@linkcode nullValue}. */
export function defaultValue(schema: ParameterSchema): string {
  const given = schema.objectDefault ?? schema.defaultValue;
  if (given !== undefined) {
    try {
      return validateValue(schema, given);
    } catch {
      // A default the schema's own facets refuse: use the null value.
    }
  }
  return nullValue(schema);
}
