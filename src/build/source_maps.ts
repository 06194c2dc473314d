/**
 * The source maps shipped beside the release bundle. Deno reads a bundle's linked map when
 * it formats a stack trace (not at start), so an error logged by the agent names the
 * original file and line (`…/src/agent.ts:412:11`) while the bundle keeps minified names,
 * which cost start-up time and memory to keep (`deno bundle --keep-names` sets the `name` of
 * every function and class as the modules load).
 *
 * What ships is rewritten: no `sourcesContent` (the sources are not needed to map a
 * position: 2.8 MB of maps become 0.8 MB), and source paths that say where a file is in the
 * repository rather than on the build machine: `../src/…` from `app/` (so a trace reads
 * `<install dir>/src/agent.ts:412:11`) and `../npm/<package>/<version>/…` for npm packages.
 *
 * @module
 */

import { relative, resolve } from "node:path";

/** Where a map was written and the repository it was built from. */
export interface SourceMapPlace {
  /** The directory the bundler wrote the map into (its `sources` are relative to it). */
  mapDir: string;
  /** The repository root. */
  root: string;
}

/**
 * The map text `text` rewritten for the release (see the module doc), its generated columns
 * moved by `edits`: the shifts of each edit made to the bundle after it was written, in the
 * order they were made.
 *
 * @throws {TypeError} when `text` is not a source map (no `mappings` or `sources`).
 */
export function releaseSourceMap(
  text: string,
  place: SourceMapPlace,
  edits: readonly (readonly ColumnShift[])[] = [],
): string {
  const map = JSON.parse(text) as Record<string, unknown>;
  if (typeof map.mappings !== "string" || !Array.isArray(map.sources)) {
    throw new TypeError("Not a source map: no mappings or sources");
  }
  delete map.sourcesContent;
  delete map.sourceRoot;
  map.mappings = edits.reduce(
    (m: string, shifts) => shiftGeneratedColumns(m, shifts),
    map.mappings,
  );
  const root = resolve(place.root);
  map.sources = map.sources.map((source: unknown) => {
    const path = resolve(place.mapDir, String(source));
    const npm = path.indexOf("/registry.npmjs.org/");
    if (npm >= 0) return `../npm/${path.slice(npm + "/registry.npmjs.org/".length)}`;
    const inRepo = relative(root, path);
    if (!inRepo.startsWith("..")) return `../${inRepo}`;
    return `../${path.slice(path.lastIndexOf("/") + 1)}`;
  });
  return JSON.stringify(map);
}

/** Columns inserted on one generated line: from `column` on, positions move by `delta`. */
export interface ColumnShift {
  /** 0-based generated line. */
  line: number;
  /** 0-based column of the insertion in the original generated text. */
  column: number;
  delta: number;
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function decodeVlq(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = BASE64.indexOf(char);
    if (digit < 0) throw new TypeError(`Bad VLQ digit "${char}" in source map`);
    value += (digit & 31) * 2 ** shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    values.push(value % 2 === 1 ? -(value - 1) / 2 : value / 2);
    value = 0;
    shift = 0;
  }
  return values;
}

function encodeVlq(values: readonly number[]): string {
  let out = "";
  for (const v of values) {
    let rest = v < 0 ? -v * 2 + 1 : v * 2;
    do {
      let digit = rest % 32;
      rest = Math.floor(rest / 32);
      if (rest > 0) digit |= 32;
      out += BASE64[digit];
    } while (rest > 0);
  }
  return out;
}

/**
 * `mappings` (a source map's VLQ field) with the generated columns moved by `shifts`: a
 * segment at or after an insertion's column moves by its delta (insertions on one line add
 * up). Only generated columns change; what each segment maps to stays.
 */
export function shiftGeneratedColumns(mappings: string, shifts: readonly ColumnShift[]): string {
  if (shifts.length === 0) return mappings;
  const byLine = new Map<number, ColumnShift[]>();
  for (const s of shifts) byLine.set(s.line, [...(byLine.get(s.line) ?? []), s]);
  return mappings.split(";").map((line, index) => {
    const here = byLine.get(index);
    if (here === undefined || line === "") return line;
    let column = 0;
    let previous = 0;
    return line.split(",").map((segment) => {
      const fields = decodeVlq(segment);
      column += fields[0];
      let moved = column;
      for (const s of here) if (column >= s.column) moved += s.delta;
      fields[0] = moved - previous;
      previous = moved;
      return encodeVlq(fields);
    }).join(",");
  }).join(";");
}

/**
 * Where one contiguous replacement that made `after` out of `before` moved the columns: what
 * follows the common prefix moves by the change in length (none when the texts are equal).
 *
 * @throws {TypeError} when the replacement spans lines (its columns could not be moved).
 */
export function editShifts(before: string, after: string): ColumnShift[] {
  if (before === after) return [];
  let prefix = 0;
  while (prefix < before.length && before[prefix] === after[prefix]) prefix++;
  const delta = after.length - before.length;
  const lineStart = before.lastIndexOf("\n", prefix - 1) + 1;
  const changed = before.slice(prefix, before.length - commonSuffix(before, after, prefix));
  if (
    changed.includes("\n") || after.slice(prefix, prefix + changed.length + delta).includes("\n")
  ) {
    throw new TypeError("An edit across lines cannot be mapped");
  }
  const line = before.slice(0, lineStart).split("\n").length - 1;
  return [{ line, column: prefix - lineStart, delta }];
}

function commonSuffix(a: string, b: string, floor: number): number {
  let n = 0;
  while (
    n < a.length - floor && n < b.length - floor && a[a.length - 1 - n] === b[b.length - 1 - n]
  ) n++;
  return n;
}
