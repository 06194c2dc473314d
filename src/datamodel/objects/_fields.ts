/**
 * Helpers shared by the single-instance object bindings: the parameter name of a
 * ref, and conversion from canonical text to record fields.
 *
 * @module
 */

import type { ParameterChange, ParameterRef, SetOutcome } from "../provider.ts";

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

/** A settings store as the field bindings see it: read all, set a patch. */
export interface FieldStore<T> {
  get(): T;
  set(changes: Partial<T>): void;
}

/**
 * Applies `changes` to `store` as one patch through `fields` (parameter name → record
 * field and kind); the outcome's undo puts the previous values back.
 */
export function setFields<T>(
  store: FieldStore<T>,
  fields: Readonly<Record<string, readonly [keyof T, FieldKind]>>,
  changes: readonly ParameterChange[],
): SetOutcome {
  const current = store.get();
  const patch: Partial<T> = {};
  const before: Partial<T> = {};
  for (const change of changes) {
    const [key, kind] = fields[nameOf(change)];
    patch[key] = fromText(kind, change.value) as T[keyof T];
    before[key] = current[key];
  }
  store.set(patch);
  return { status: 0, undo: () => store.set(before) };
}
