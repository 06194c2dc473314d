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
 * The text has one shape or row per line, which {@linkcode lazySchema} relies on to
 * decode one object at a time.
 *
 * @module
 */
import { Schema, type SchemaEntry } from "../schema.ts";

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

/**
 * A {@linkcode Schema} over the text `emitSchemaModule()` embeds that decodes an object's
 * row (and the shapes it uses) when the object or one of its parameters is first asked
 * for. Indexing reads only each row's path.
 *
 * @throws {TypeError} when the text is not laid out one shape and one row per line.
 */
export function lazySchema(text: string): Schema {
  const lines = text.split("\n");
  const rowsAt = lines.indexOf('],"rows":[');
  if (lines[0] !== '{"shapes":[' || rowsAt < 0 || lines[lines.length - 1] !== "]}") {
    throw new TypeError("Schema text is not one shape and one row per line");
  }
  const item = (line: string) => line.endsWith(",") ? line.slice(0, -1) : line;
  const shapeLines = lines.slice(1, rowsAt);
  const rowLines = lines.slice(rowsAt + 1, -1);
  const shapes: Shape[] = [];
  const shape = (index: number): Shape => shapes[index] ??= JSON.parse(item(shapeLines[index]));
  // Paths are plain ASCII (names, dots, {i}): no JSON escapes to undo.
  const paths = rowLines.map((line) => line.slice(2, line.indexOf('"', 2)));
  return Schema.lazy(paths, (index) => {
    const [path, objectShape, version, parameters] = JSON.parse(item(rowLines[index])) as ObjectRow;
    const entries = [entry("object", path, shape(objectShape), version ?? undefined)];
    for (const [name, parameterShape, parameterVersion] of parameters) {
      entries.push(
        entry("parameter", path + name, shape(parameterShape), parameterVersion ?? version),
      );
    }
    return entries;
  });
}
