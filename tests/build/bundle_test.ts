import assert from "node:assert/strict";
import { releaseVersion, RUNTIME_MODULES, stampVersion } from "../../src/build/bundle.ts";
import { VERSION } from "../../main.ts";

Deno.test("releaseVersion() adds git describe as build metadata unless at the release tag", () => {
  assert.equal(releaseVersion("0.1.0"), "0.1.0");
  assert.equal(releaseVersion("0.1.0", "v0.1.0"), "0.1.0");
  assert.equal(releaseVersion("0.1.0", "a61a82c"), "0.1.0+a61a82c");
  assert.equal(releaseVersion("0.1.0", "v0.1.0-3-ga61a82c-dirty"), "0.1.0+v0.1.0-3-ga61a82c.dirty");
});

Deno.test("stampVersion() replaces main.ts's VERSION once, or refuses", () => {
  const text = 'var SNAPSHOT_VERSION = 1;\nvar VERSION = "0.1.0";\nconsole.log(VERSION);\n';
  assert.equal(
    stampVersion(text, "0.1.0", "0.1.0+abc"),
    'var SNAPSHOT_VERSION = 1;\nvar VERSION = "0.1.0+abc";\nconsole.log(VERSION);\n',
  );
  assert.match(stampVersion('var VERSION2 = "0.1.0";', "0.1.0", "x"), /VERSION2 = "x"/);
  assert.throws(
    () => stampVersion("var VERSION = '0.1.0';", "0.1.0", "x"),
    /^Error: Cannot stamp the version: found VERSION = "0.1.0" 0 times in the bundle$/,
  );
});

Deno.test("main.ts's VERSION is deno.json's version (what the build stamps)", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  assert.equal(VERSION, config.version);
});

Deno.test("RUNTIME_MODULES' bundle names are the ones the code resolves", async () => {
  const resolvers = ["udp/ffi_path.ts", "udp_echo/handler_module.ts", "twamp/reflector_spec.ts"];
  let text = "";
  for (const file of resolvers) {
    text += await Deno.readTextFile(new URL(`../../src/services/${file}`, import.meta.url));
  }
  const named = [...text.matchAll(/runtimeModuleUrl\([^)]*"(\w+\.js)",?\s*\)/g)].map((m) => m[1]);
  assert.deepEqual(named.sort(), RUNTIME_MODULES.map((m) => m.bundle).sort());
});

Deno.test("stampVersion() finds VERSION in a minified bundle through the entry's export", () => {
  const text = 'var o="0.1.0";var e="0.1.0";console.log(e);export{e as VERSION,o as OTHER};';
  assert.equal(
    stampVersion(text, "0.1.0", "0.1.0+abc"),
    'var o="0.1.0";var e="0.1.0+abc";console.log(e);export{e as VERSION,o as OTHER};',
  );
  assert.throws(
    () =>
      stampVersion('var e="0.1.0";export{e as VERSION};var x={e:"0.1.0"};e="0.1.0";', "0.1.0", "x"),
    /found VERSION = "0.1.0" 2 times/,
  );
});
