/**
 * The inverse of `emit.ts`: the compact JSON text embedded in
 * `src/datamodel/generated/*.ts` back to {@linkcode SchemaEntry}s. Runs once, at the
 * first use of a generated schema.
 *
 * The text is `{"shapes":[…],"rows":[…]}`. A shape holds every field of an entry but
 * `kind`, `path` and `version`; entries with the same facts share one shape (and its
 * arrays). Each row is one object and its parameters:
 * `[objectPath, shape, version | null, [[name, shape, version?], …]]`; a parameter
 * without a version has its object's.
 *
 * @module
 */
import type { SchemaEntry } from "../schema.ts";

type Shape = Record<string, unknown>;
type ParameterRow = [name: string, shape: number, version?: string];
type ObjectRow = [path: string, shape: number, version: string | null, ParameterRow[]];

/** Decodes the text `emitSchemaModule()` embeds. */
export function decodeSchema(text: string): SchemaEntry[] {
  const { shapes, rows } = JSON.parse(text) as { shapes: Shape[]; rows: ObjectRow[] };
  const entries: SchemaEntry[] = [];
  for (const [path, shape, version, parameters] of rows) {
    entries.push(entry("object", path, shapes[shape], version ?? undefined));
    for (const [name, parameterShape, parameterVersion] of parameters) {
      entries.push(
        entry("parameter", path + name, shapes[parameterShape], parameterVersion ?? version),
      );
    }
  }
  return entries;
}

function entry(
  kind: SchemaEntry["kind"],
  path: string,
  shape: Shape,
  version: string | null | undefined,
): SchemaEntry {
  const decoded: Shape = { kind, path, ...shape };
  if (version !== null && version !== undefined) decoded.version = version;
  return decoded as unknown as SchemaEntry;
}
