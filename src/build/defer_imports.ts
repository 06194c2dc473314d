/**
 * The bundle's on-demand chunks, loaded only when imported. esbuild writes each as
 * `import("./chunk.js")`; Deno's module graph reads and analyses every dynamic import whose
 * specifier is a string literal as soon as it loads the module holding it, and keeps its
 * source: a start of the agent read all 55 modules of the bundle (the local commands, TR-098,
 * every transfer and diagnostic client) to load 23. Measured on the release bundle from the
 * seed: `--version` 19.3 → 17.2 ms (the empty script's time), idle RSS −0.6 to −1.5 MiB.
 *
 * @module
 */

import type { ColumnShift } from "./source_maps.ts";

/** A dynamic import of a sibling chunk as esbuild writes it. */
const CHUNK_IMPORT = /import\("(\.\/[A-Za-z0-9_-]+\.js)"\)/g;

/**
 * `code` with each `import("./chunk.js")` written `import("./chunk.js"+"")` (a specifier
 * that is not a literal is loaded only when the import runs), and where that moved the
 * columns (for the chunk's source map).
 */
export function deferDynamicImports(code: string): { code: string; shifts: ColumnShift[] } {
  const shifts: ColumnShift[] = [];
  let line = 0;
  let lineStart = 0;
  let scanned = 0;
  const out = code.replace(CHUNK_IMPORT, (match, specifier: string, offset: number) => {
    for (let i = code.indexOf("\n", scanned); i >= 0 && i < offset; i = code.indexOf("\n", i + 1)) {
      line++;
      lineStart = i + 1;
    }
    scanned = offset;
    // The literal ends before `)`: what follows it on the line moves by 3.
    shifts.push({ line, column: offset - lineStart + match.length - 1, delta: 3 });
    return `import("${specifier}"+"")`;
  });
  return { code: out, shifts };
}
