/**
 * The inverse of `emit.ts`: the compact JSON texts embedded in
 * `src/datamodel/generated/*.ts` back to {@linkcode SchemaEntry}s, all at once
 * ({@linkcode decodeSchema}) or one object at a time ({@linkcode lazySchema}).
 *
 * There is one JSON text per shape and one per row. A shape holds every field of an entry but
 * `kind`, `path` and `version`; entries with the same facts share one shape (and its
 * arrays). Each row is one object and its parameters:
 * `[objectPath, shape, version | null, [[name, shape, version?], …]]`; a parameter
 * without a version has its object's.
 *
 * @module
 */
import { Schema, type SchemaEntry } from "../schema.ts";

type Shape = Record<string, unknown>;
type ParameterRow = [name: string, shape: number, version?: string];
type ObjectRow = [path: string, shape: number, version: string | null, ParameterRow[]];

/** Decodes the shapes and rows `emitSchemaModule()` embeds, all of them. */
export function decodeSchema(
  shapeTexts: readonly string[],
  rows: readonly string[],
): SchemaEntry[] {
  const shapes = shapeTexts.map((text) => JSON.parse(text) as Shape);
  return rows.flatMap((row) => decodeRow(row, (index) => shapes[index]));
}

function decodeRow(text: string, shape: (index: number) => Shape): SchemaEntry[] {
  const [path, objectShape, version, parameters] = JSON.parse(text) as ObjectRow;
  const entries = [entry("object", path, shape(objectShape), version ?? undefined)];
  for (const [name, parameterShape, parameterVersion] of parameters) {
    entries.push(
      entry("parameter", path + name, shape(parameterShape), parameterVersion ?? version),
    );
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

/**
 * A {@linkcode Schema} over the shapes and rows `emitSchemaModule()` embeds that decodes an
 * object's row (and the shapes it uses) when the object or one of its parameters is first
 * asked for. Indexing reads only each row's path.
 */
export function lazySchema(shapeTexts: readonly string[], rows: readonly string[]): Schema {
  const shapes: Shape[] = [];
  const shape = (index: number): Shape => shapes[index] ??= JSON.parse(shapeTexts[index]);
  // A row starts `["<path>",`; paths are plain ASCII (names, dots, {i}): no escapes to undo.
  const paths = rows.map((row) => row.slice(2, row.indexOf('"', 2)));
  return Schema.lazy(paths, (index) => decodeRow(rows[index], shape));
}
