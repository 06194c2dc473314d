/**
 * Helpers shared by the single-instance object bindings: the parameter name of a
 * ref, and conversion from canonical text to record fields.
 *
 * @module
 */

import type { ParameterRef } from "../provider.ts";

/** How a record field is written as a parameter value. */
export type FieldKind = "string" | "boolean" | "number";

/** Last segment of the ref's pattern: `Device.DeviceInfo.UpTime` → `UpTime`. */
export function nameOf(ref: ParameterRef): string {
  const path = ref.schema.path;
  return path.slice(path.lastIndexOf(".") + 1);
}

/** Record field from canonical text (validated upstream, so no checks here). */
export function fromText(kind: FieldKind, text: string): string | boolean | number {
  if (kind === "boolean") return text === "true";
  if (kind === "number") return Number(text);
  return text;
}
