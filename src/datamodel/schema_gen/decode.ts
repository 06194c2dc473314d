/**
 * The inverse of `emit.ts`: the schema data files beside `src/datamodel/generated/*.ts`
 * (`tr181_schema.txt`, read by {@linkcode readSchemaFile}) back to
 * {@linkcode SchemaEntry}s, all at once ({@linkcode decodeSchema}) or one object at a time
 * ({@linkcode lazySchema}).
 *
 * A data file is a header line `cwmp-agent-schema 1 <model> <shapes> <rows>`, then one
 * JSON text per line: the shapes, then the rows, ASCII only (so the runtime keeps the file as
 * one string of one byte per character, and each line is a slice of it). A shape holds every field of an entry but
 * `kind`, `path` and `version`; entries with the same facts share one shape (and its
 * arrays). Each row is one object and its parameters:
 * `[objectPath, shape, version | null, [[name, shape, version?], …]]`; a parameter
 * without a version has its object's.
 *
 * @module
 */
import { Schema, type SchemaEntry } from "../schema.ts";

type Shape = Record<string, unknown>;

/** The compact form of a schema: one JSON text per shape and per object row. */
export interface SchemaData {
  readonly shapes: readonly string[];
  readonly rows: readonly string[];
  /** The shapes' lines as one text (a slice of the file's), when read from a file. */
  readonly shapesText?: string;
}

/** The first word of a data file's header and the format's version. */
export const SCHEMA_MAGIC = "cwmp-agent-schema";
export const SCHEMA_FORMAT = "1";

/**
 * The shapes and rows of a data file's text, after checking its header names `model` and
 * this format, and that the line counts match it (a truncated or foreign file is refused).
 *
 * @throws {TypeError} naming what does not match.
 */
export function parseSchemaText(text: string, model: string): SchemaData {
  const lines = text.split("\n");
  const head = lines[0].split(" ");
  const shapes = Number(head[3]);
  const rows = Number(head[4]);
  if (
    head.length !== 5 || head[0] !== SCHEMA_MAGIC || head[1] !== SCHEMA_FORMAT ||
    head[2] !== model
  ) {
    throw new TypeError(
      `header is not "${SCHEMA_MAGIC} ${SCHEMA_FORMAT} ${model} …": "${lines[0].slice(0, 80)}"`,
    );
  }
  if (
    !Number.isSafeInteger(shapes) || !Number.isSafeInteger(rows) || shapes < 0 || rows < 0 ||
    lines.length !== shapes + rows + 2 || lines[lines.length - 1] !== ""
  ) {
    throw new TypeError(
      `the header announces ${head[3]} shapes and ${head[4]} rows; ${
        lines.length - 1
      } lines follow it`,
    );
  }
  // Shape lines start with "{", row lines with "[": the first row ends the shapes.
  const start = lines[0].length + 1;
  const end = shapes === 0 ? start : text.indexOf("\n[", start);
  return {
    shapes: lines.slice(1, 1 + shapes),
    rows: lines.slice(1 + shapes, 1 + shapes + rows),
    shapesText: text.slice(start, end),
  };
}

/** A schema data file that is missing, unreadable or not the model's (one-line message). */
export class SchemaFileError extends Error {
  override name = "SchemaFileError";
}

/**
 * Reads and checks the data file at `url` ({@linkcode parseSchemaText}).
 *
 * @throws {SchemaFileError} "Cannot load the <model> schema from <path>: <why>".
 */
export function readSchemaFile(url: URL, model: string): SchemaData {
  try {
    return parseSchemaText(Deno.readTextFileSync(url), model);
  } catch (error) {
    const path = url.protocol === "file:" ? decodeURIComponent(url.pathname) : url.href;
    throw new SchemaFileError(
      `Cannot load the ${model} schema from ${path}: ${(error as Error).message}`,
    );
  }
}
type ParameterRow = [name: string, shape: number, version?: string];
type ObjectRow = [path: string, shape: number, version: string | null, ParameterRow[]];

/** Decodes the shapes and rows of a data file, all of them. */
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
 * A {@linkcode Schema} over the shapes and rows of a data file that decodes an
 * object's row (and the shapes it uses) when the object or one of its parameters is first
 * asked for. Indexing reads only each row's path. `notable` is
 * {@linkcode Schema.notableParameters} as the generator listed it (without it, the first
 * call decodes every object).
 */
export function lazySchema(
  shapeTexts: readonly string[],
  rows: readonly string[],
  notable?: readonly string[],
  shapesText?: string,
): Schema {
  const shapes: Shape[] = [];
  const shape = (index: number): Shape => shapes[index] ??= JSON.parse(shapeTexts[index]);
  // A row starts `["<path>",`; paths are plain ASCII (names, dots, {i}): no escapes to undo.
  const paths = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    paths[i] = row.slice(2, row.indexOf('"', 2));
  }
  // A counter is some table's numEntriesParameter, which its shape holds as JSON text: found
  // by a search of the shapes, with no object decoded (the check of every parameter of an
  // object would otherwise decode all its child tables).
  // One search per object first: when no counter starts with the object's path, none of its
  // parameters is one (a search costs ~25 µs at start).
  let shapesAll = shapesText;
  const without = new Set<string>();
  const isCounter = (pattern: string) => {
    const object = pattern.slice(0, pattern.lastIndexOf(".") + 1);
    if (without.has(object)) return false;
    const text = shapesAll ??= shapeTexts.join("\n");
    if (!text.includes(`"numEntriesParameter":"${object}`)) {
      without.add(object);
      return false;
    }
    return text.includes(`"numEntriesParameter":"${pattern}"`);
  };
  return Schema.lazy(paths, (index) => decodeRow(rows[index], shape), notable, isCounter);
}
