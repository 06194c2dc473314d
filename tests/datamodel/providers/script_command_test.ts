import assert from "node:assert/strict";
import { loadMapping } from "../../../src/config/mapping.ts";
import { InternalError } from "../../../src/datamodel/errors.ts";
import { ParameterTree } from "../../../src/datamodel/tree.ts";
import { Schema } from "../../../src/datamodel/schema.ts";
import { tr181Entries } from "../../../src/datamodel/generated/tr181.ts";
import { createScriptBindings } from "../../../src/datamodel/providers/script/mod.ts";
import { createCommandRunner } from "../../../src/datamodel/providers/script/command_runner.ts";

const schema = new Schema(tr181Entries());
const dir = new URL("../../testdata/script/", import.meta.url).pathname;
const runner = createCommandRunner();

function wifiMapping(stateDir: string): string {
  const wifi = (op: string) => JSON.stringify(["sh", `${dir}wifi.sh`, op]);
  return [
    "[env]",
    `STATE_DIR = ${JSON.stringify(stateDir)}`,
    "[[object]]",
    'path = "Device.WiFi.SSID.{i}."',
    'parameters = ["SSID", "Enable"]',
    `instances = ${wifi("list")}`,
    `get = ${wifi("get")}`,
    `set = ${wifi("set")}`,
    `add = ${wifi("add")}`,
    `delete = ${wifi("delete")}`,
  ].join("\n");
}

async function withState(fn: (stateDir: string) => Promise<void>): Promise<void> {
  const stateDir = await Deno.makeTempDir({ prefix: "script_test_" });
  try {
    for (const [n, ssid, enable] of [[1, "home", "true"], [3, "guest", "false"]]) {
      await Deno.mkdir(`${stateDir}/${n}`);
      await Deno.writeTextFile(`${stateDir}/${n}/SSID`, String(ssid));
      await Deno.writeTextFile(`${stateDir}/${n}/Enable`, String(enable));
    }
    await fn(stateDir);
  } finally {
    await Deno.remove(stateDir, { recursive: true });
  }
}

async function runs(stateDir: string): Promise<string[]> {
  return (await Deno.readTextFile(`${stateDir}/runs`)).trim().split("\n");
}

function timeBinding(script: string, extra = "") {
  const logged: string[] = [];
  const mapping = loadMapping(
    [
      "[[object]]",
      'path = "Device.Time."',
      'parameters = ["NTPServer1", "LocalTimeZone"]',
      `get = { argv = ${JSON.stringify(["sh", `${dir}${script}`])}${extra} }`,
      `set = ${JSON.stringify(["sh", `${dir}${script}`])}`,
    ].join("\n"),
    { file: "map.toml" },
  );
  const [binding] = createScriptBindings(mapping, runner, {
    log: { error: (m) => logged.push(m) },
  });
  const ref = (name: string) => ({
    path: `Device.Time.${name}`,
    schema: schema.parameter(`Device.Time.${name}`)!,
    instances: [],
  });
  return { provider: binding.provider, logged, ref };
}

Deno.test("createScriptBindings() with real scripts: get/set/add/delete round trip through the tree", async () => {
  await withState(async (stateDir) => {
    const mapping = loadMapping(wifiMapping(stateDir), { file: "map.toml" });
    const tree = new ParameterTree({ schema, bindings: createScriptBindings(mapping, runner) });

    const items = await tree.list("Device.WiFi.SSID.", { objects: false });
    assert.deepEqual(items.map((i) => [i.path, i.writable]), [
      ["Device.WiFi.SSID.1.Enable", true],
      ["Device.WiFi.SSID.1.SSID", true],
      ["Device.WiFi.SSID.3.Enable", true],
      ["Device.WiFi.SSID.3.SSID", true],
    ]);
    await Deno.writeTextFile(`${stateDir}/runs`, "");
    assert.deepEqual(await tree.read(items.map((i) => i.ref!)), ["true", "home", "false", "guest"]);
    assert.deepEqual(await runs(stateDir), ["get"]); // four parameters, one process

    const prepared = await tree.prepare([
      { name: "Device.WiFi.SSID.1.SSID", value: "café net", type: "xsd:string" },
      { name: "Device.WiFi.SSID.3.Enable", value: "1", type: "xsd:boolean" },
    ]);
    assert.deepEqual(prepared.faults, []);
    await Deno.writeTextFile(`${stateDir}/runs`, "");
    assert.equal(await tree.commit(prepared.changes), 0);
    assert.deepEqual(await runs(stateDir), ["get", "set"]);
    assert.equal(await Deno.readTextFile(`${stateDir}/1/SSID`), "café net");
    assert.equal(await Deno.readTextFile(`${stateDir}/3/Enable`), "true");

    const added = await tree.addObject("Device.WiFi.SSID.");
    assert.equal(added.instanceNumber, 4);
    assert.equal(await Deno.readTextFile(`${stateDir}/4/SSID`), "new4");
    await tree.deleteObject("Device.WiFi.SSID.1.");
    const rows = await tree.list("Device.WiFi.SSID.", { depth: 1 });
    assert.deepEqual(rows.map((i) => i.path), ["Device.WiFi.SSID.3.", "Device.WiFi.SSID.4."]);
  });
});

Deno.test("createScriptBindings() with real scripts: exit 1 gives Status 1, a refused batch changes nothing", async () => {
  await withState(async (stateDir) => {
    const mapping = loadMapping(wifiMapping(stateDir), { file: "map.toml" });
    const logged: string[] = [];
    const bindings = createScriptBindings(mapping, runner, {
      log: { error: (m) => logged.push(m) },
    });
    const tree = new ParameterTree({ schema, bindings });
    const reboot = await tree.prepare([
      { name: "Device.WiFi.SSID.1.SSID", value: "reboot", type: "" },
    ]);
    assert.equal(await tree.commit(reboot.changes), 1);
    const bad = await tree.prepare([
      { name: "Device.WiFi.SSID.1.SSID", value: "fine", type: "" },
      { name: "Device.WiFi.SSID.3.SSID", value: "explode", type: "" },
    ]);
    await assert.rejects(() => tree.commit(bad.changes), InternalError);
    assert.equal(await Deno.readTextFile(`${stateDir}/1/SSID`), "reboot");
    assert.deepEqual(logged, [
      'map.toml: set command of "Device.WiFi.SSID.{i}.": exited with 3: ' +
      "cannot apply Device.WiFi.SSID.3.SSID: exploded",
    ]);
  });
});

Deno.test("createScriptBindings() with real scripts: a slow script is killed with its children", async () => {
  const { provider, logged } = timeBinding("slow.sh", ", timeout_ms = 200");
  const started = performance.now();
  await assert.rejects(
    async () => await provider.get([{ ...timeBinding("slow.sh").ref("NTPServer1") }]),
    InternalError,
  );
  assert.ok(performance.now() - started < 3000, "the sleeping child must not hold the pipes");
  assert.deepEqual(logged, [
    'map.toml: get command of "Device.Time.": killed after 200 ms (timeout_ms)',
  ]);
});

Deno.test("createScriptBindings() with real scripts: exit 3, garbage, flood and a missing program", async () => {
  const cases: [string, string, string][] = [
    ["exit3.sh", "", "exited with 3: uci: Entry not found (wireless.@wifi-iface[7])"],
    ["garbage.sh", "", 'Line 1 has no TAB: "hello world"'],
    [
      "flood.sh",
      ", max_output_bytes = 1000",
      "killed after more than 1000 bytes of output (max_output_bytes)",
    ],
  ];
  for (const [script, extra, detail] of cases) {
    const { provider, logged, ref } = timeBinding(script, extra);
    await assert.rejects(async () => await provider.get([ref("NTPServer1")]), InternalError);
    assert.equal(logged.length, 1, script);
    assert.equal(logged[0].replace(/^map\.toml: get command of "Device\.Time\.": /, ""), detail);
  }
  const logged: string[] = [];
  const mapping = loadMapping(
    '[[object]]\npath = "Device.Time."\nparameters = ["NTPServer1"]\nget = ["/nonexistent/prog"]',
    { file: "map.toml" },
  );
  const [binding] = createScriptBindings(mapping, runner, {
    log: { error: (m) => logged.push(m) },
  });
  await assert.rejects(
    async () => await binding.provider.get([timeBinding("env.sh").ref("NTPServer1")]),
    InternalError,
  );
  assert.match(logged[0], /cannot start "\/nonexistent\/prog": NotFound/);
});

Deno.test("createCommandRunner() passes only the documented environment", async () => {
  Deno.env.set("CWMP_AGENT_SECRET", "s3cret");
  try {
    const { provider, ref } = timeBinding("env.sh");
    const [env] = await provider.get([ref("LocalTimeZone")]);
    assert.doesNotMatch(env, /s3cret/);
    assert.match(env, /CWMP_OPERATION=get/);
    assert.match(env, /LC_ALL=C/);
    assert.match(env, /PATH=\/usr\/sbin:\/usr\/bin:\/sbin:\/bin/);
  } finally {
    Deno.env.delete("CWMP_AGENT_SECRET");
  }
});

Deno.test("createCommandRunner() writes stdin and tolerates commands that ignore it", async () => {
  const echo = await runner({
    argv: ["cat"],
    stdin: "a\tb\n",
    timeoutMs: 5000,
    maxOutputBytes: 100,
    env: {},
  });
  assert.deepEqual(echo, {
    code: 0,
    stdout: "a\tb\n",
    stderr: "",
    timedOut: false,
    outputExceeded: false,
  });
  const ignore = await runner({
    argv: ["/bin/sh", "-c", "echo done; exit 1"],
    stdin: "x".repeat(1 << 20),
    timeoutMs: 5000,
    maxOutputBytes: 100,
    env: {},
  });
  assert.equal(ignore.code, 1);
  assert.equal(ignore.stdout, "done\n");
});
