/**
 * The release bundle's source maps: rewritten for shipping, and used by Deno to name the
 * original file and line in a stack trace thrown from minified bundle code.
 */

import assert from "node:assert/strict";
import { MINIFY } from "../../src/build/bundle.ts";
import { deferDynamicImports } from "../../src/build/defer_imports.ts";
import {
  editShifts,
  releaseSourceMap,
  shiftGeneratedColumns,
} from "../../src/build/source_maps.ts";

Deno.test("releaseSourceMap() drops the sources' text and names repository and npm paths", () => {
  const map = JSON.stringify({
    version: 3,
    sources: [
      "../../work/repo/src/agent.ts",
      "../../root/.cache/deno/npm/registry.npmjs.org/smol-toml/1.9.1/dist/parse.js",
      "../../elsewhere/x.js",
    ],
    sourcesContent: ["a", "b", "c"],
    sourceRoot: "",
    mappings: "AAAA",
    names: [],
  });
  const out = JSON.parse(releaseSourceMap(map, { mapDir: "/tmp/split", root: "/work/repo" }));
  assert.deepEqual(out.sources, [
    "../src/agent.ts",
    "../npm/smol-toml/1.9.1/dist/parse.js",
    "../x.js",
  ]);
  assert.equal(out.sourcesContent, undefined);
  assert.equal(out.sourceRoot, undefined);
  assert.equal(out.mappings, "AAAA");
  assert.throws(() => releaseSourceMap("{}", { mapDir: "/", root: "/" }), /Not a source map/);
});

Deno.test("a stack trace from the minified bundle names the source file and line", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cwmp-maps-" });
  try {
    await Deno.mkdir(`${dir}/repo/src`, { recursive: true });
    await Deno.writeTextFile(
      `${dir}/repo/src/thrower.ts`,
      [
        "function deepInside(value: number): number {",
        "  if (value > 1) {",
        '    throw new Error("thrown on line 3");',
        "  }",
        "  return value;",
        "}",
        "try {",
        "  deepInside(Number(Deno.args[0] ?? 5));",
        "} catch (error) {",
        "  console.log((error as Error).stack);",
        "}",
        "",
      ].join("\n"),
    );
    const split = `${dir}/split`;
    const bundled = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--quiet", ...MINIFY, "--outdir", split, "src/thrower.ts"],
      cwd: `${dir}/repo`,
      stderr: "piped",
    }).output();
    assert.equal(bundled.code, 0, new TextDecoder().decode(bundled.stderr));
    const app = `${dir}/install/app`;
    await Deno.mkdir(app, { recursive: true });
    await Deno.copyFile(`${split}/thrower.js`, `${app}/thrower.js`);
    const map = await Deno.readTextFile(`${split}/thrower.js.map`);
    await Deno.writeTextFile(
      `${app}/thrower.js.map`,
      releaseSourceMap(map, { mapDir: split, root: `${dir}/repo` }),
    );
    const minified = await Deno.readTextFile(`${app}/thrower.js`);
    assert.ok(!minified.includes("deepInside"), "names are minified");
    const ran = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-config", `${app}/thrower.js`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stack = new TextDecoder().decode(ran.stdout);
    assert.match(
      stack,
      /^Error: thrown on line 3\n\s+at \S+ \(file:\/\/\/.*\/install\/src\/thrower\.ts:3:11\)/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("shiftGeneratedColumns() moves the generated columns after an insertion, nothing else", () => {
  // Columns 0, 4, 7 on line 0 (relative 0, 4, 3); 0 on line 1; the source fields untouched.
  assert.equal(
    shiftGeneratedColumns("AAAA,IAAI,GAAG;AAAA", [{ line: 0, column: 5, delta: 3 }]),
    "AAAA,IAAI,MAAG;AAAA",
  );
  assert.equal(
    shiftGeneratedColumns("AAAA,IAAI,GAAG;AAAA", [{ line: 1, column: 0, delta: 3 }]),
    "AAAA,IAAI,GAAG;GAAA",
  );
  // Two insertions on a line add up; one at a segment's own column moves it.
  assert.equal(
    shiftGeneratedColumns("AAAA,IAAI,GAAG", [{ line: 0, column: 4, delta: 3 }, {
      line: 0,
      column: 6,
      delta: 3,
    }]),
    "AAAA,OAAI,MAAG",
  );
  // Negative and multi-digit fields survive the decode and encode unchanged.
  const long = "gBAAA,kBAAmB,DAAD;;AACA";
  assert.equal(shiftGeneratedColumns(long, [{ line: 0, column: 10_000, delta: 3 }]), long);
  assert.equal(
    shiftGeneratedColumns(long, [{ line: 0, column: 0, delta: 3 }]),
    "mBAAA,kBAAmB,DAAD;;AACA",
  );
  assert.throws(() => shiftGeneratedColumns("A!AA", [{ line: 0, column: 0, delta: 1 }]), /Bad VLQ/);
});

Deno.test("deferDynamicImports() makes each chunk import's specifier a non-literal and says where", () => {
  const code =
    'a();let x=()=>import("./c-1.js");\nb(import("./d_2.js"),import("./e.js"));import(u);';
  const { code: out, shifts } = deferDynamicImports(code);
  assert.equal(
    out,
    'a();let x=()=>import("./c-1.js"+"");\nb(import("./d_2.js"+""),import("./e.js"+""));import(u);',
  );
  assert.deepEqual(shifts, [
    { line: 0, column: 31, delta: 3 },
    { line: 1, column: 19, delta: 3 },
    { line: 1, column: 36, delta: 3 },
  ]);
  // Each shift sits where its `)` was.
  const lines = code.split("\n");
  for (const s of shifts) assert.equal(lines[s.line][s.column], ")");
});

Deno.test("editShifts() finds where one replacement moved the columns", () => {
  const before = 'x();\nvar e="0.1.0";async function u(){}';
  const after = 'x();\nvar e="0.1.0+a61a82c";async function u(){}';
  // What follows `"0.1.0` (its closing quote, at column 12 of line 1) moves by 8.
  assert.deepEqual(editShifts(before, after), [{ line: 1, column: 12, delta: 8 }]);
  assert.equal(before.split("\n")[1].slice(12), '";async function u(){}');
  assert.deepEqual(editShifts(before, before), []);
  assert.deepEqual(editShifts("ab", "a"), [{ line: 0, column: 1, delta: -1 }]);
  assert.throws(() => editShifts("a\nb", "a;b"), /across lines/);
  // Applied to a map: a segment after the stamp moves, one before it stays.
  assert.equal(
    shiftGeneratedColumns("AAAA;AAAA,YAAY", editShifts(before, after)),
    "AAAA;AAAA,oBAAY",
  );
});
