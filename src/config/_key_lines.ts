/**
 * Finds the line of every table header and key in TOML text, because smol-toml
 * reports positions only for syntax errors. A line scanner, not a parser: it
 * understands headers, dotted and quoted keys, and skips multi-line strings,
 * which is enough to point error messages at the right line.
 */

const SEGMENT = /\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*/y;

/** Splits `a."b.c".d` into `["a", "b.c", "d"]`, or undefined if it is not a key. */
function splitKey(text: string): string[] | undefined {
  const parts: string[] = [];
  SEGMENT.lastIndex = 0;
  let pos = 0;
  while (pos < text.length) {
    SEGMENT.lastIndex = pos;
    const match = SEGMENT.exec(text);
    if (match === null) return undefined;
    const raw = match[1];
    parts.push(raw.startsWith('"') || raw.startsWith("'") ? raw.slice(1, -1) : raw);
    pos = SEGMENT.lastIndex;
    if (pos < text.length) {
      if (text[pos] !== ".") return undefined;
      pos++;
    }
  }
  return parts.length > 0 ? parts : undefined;
}

/** Index of the `=` ending a key at the start of `line`, or -1. */
function keyEnd(line: string): number {
  let quote = "";
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote !== "") {
      if (c === quote) quote = "";
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "=") return i;
    else if (c === "#") return -1;
  }
  return -1;
}

/** Counts occurrences of `needle` in `text`. */
function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/**
 * Maps dotted paths (`acs`, `acs.url`) to the 1-based line where they first
 * appear in `text`.
 */
export function keyLines(text: string): Map<string, number> {
  const result = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  let table: string[] = [];
  let openString = "";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (openString !== "") {
      if (count(line, openString) % 2 === 1) openString = "";
      continue;
    }
    const header = /^\s*\[\[?([^\]]*)\]\]?/.exec(line);
    if (header !== null) {
      table = splitKey(header[1]) ?? table;
      const path = table.join(".");
      if (!result.has(path)) result.set(path, i + 1);
      continue;
    }
    const eq = keyEnd(line);
    if (eq < 0) continue;
    const key = splitKey(line.slice(0, eq));
    if (key === undefined) continue;
    const path = [...table, ...key].join(".");
    if (!result.has(path)) result.set(path, i + 1);
    const value = line.slice(eq + 1);
    for (const delimiter of ['"""', "'''"]) {
      if (count(value, delimiter) % 2 === 1) openString = delimiter;
    }
  }
  return result;
}
