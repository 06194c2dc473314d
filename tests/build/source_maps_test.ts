/**
 * The release bundle's source maps: rewritten for shipping, and used by Deno to name the
 * original file and line in a stack trace thrown from minified bundle code.
 */

import assert from "node:assert/strict";
import { MINIFY } from "../../src/build/bundle.ts";
import { releaseSourceMap } from "../../src/build/source_maps.ts";

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
