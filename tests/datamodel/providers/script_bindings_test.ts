import assert from "node:assert/strict";
import { loadMapping } from "../../../src/config/mapping.ts";
import { InternalError, InvalidValueError } from "../../../src/datamodel/errors.ts";
import type { ParameterChange, ParameterRef, Provider } from "../../../src/datamodel/provider.ts";
import {
  createScriptBindings,
  type ScriptRequest,
  type ScriptResult,
} from "../../../src/datamodel/providers/script/mod.ts";
import { Schema } from "../../../src/datamodel/schema.ts";
import { tr181Entries } from "../../../src/datamodel/generated/tr181.ts";

const schema = new Schema(tr181Entries());

const MAPPING = `
[env]
UCI_CONFIG_DIR = "/tmp/uci"

[[object]]
path = "Device.WiFi.SSID.{i}."
parameters = ["SSID", "Enable"]
instances = ["wifi", "list"]
get = ["wifi", "get"]
set = ["wifi", "set"]
add = ["wifi", "add"]
delete = ["wifi", "delete"]

[[object]]
path = "Device.WiFi.AccessPoint.{i}."
parameters = ["SSIDAdvertisementEnabled"]
instances = ["wifi", "list-ap"]
get = ["wifi", "get"]
set = ["wifi", "set"]

[[object]]
path = "Device.Time."
parameters = ["NTPServer1", "NTPServer2", "CurrentLocalTime"]
get = { argv = ["time", "get"], timeout_ms = 300 }
`;

/** A runner answering from `answer`, recording every request. */
function fakeRunner(answer: (request: ScriptRequest) => Partial<ScriptResult>) {
  const calls: ScriptRequest[] = [];
  const runner = (request: ScriptRequest): Promise<ScriptResult> => {
    calls.push(request);
    return Promise.resolve({ code: 0, stdout: "", stderr: "", ...answer(request) });
  };
  return { calls, runner };
}

function setup(answer: (request: ScriptRequest) => Partial<ScriptResult>) {
  const logged: string[] = [];
  const { calls, runner } = fakeRunner(answer);
  const mapping = loadMapping(MAPPING, { file: "map.toml" });
  const bindings = createScriptBindings(mapping, runner, { log: { error: (m) => logged.push(m) } });
  const provider = (object: string, rows = false): Provider =>
    bindings.find((b) => b.object === object && (b.parameters.length === 0) === rows)!.provider;
  return { calls, logged, bindings, provider };
}

function ref(path: string, instances: number[] = []): ParameterRef {
  const pattern = path.replace(/\.\d+\./g, ".{i}.");
  return { path, schema: schema.parameter(pattern)!, instances };
}

function change(path: string, value: string, instances: number[] = []): ParameterChange {
  return { ...ref(path, instances), value };
}

function echoValues(values: Record<string, string>) {
  return (request: ScriptRequest) => ({
    stdout: request.stdin.split("\n").filter((p) => p !== "" && p in values)
      .map((p) => `${p}\t${values[p]}\n`).join(""),
  });
}

Deno.test("createScriptBindings() binds parameters and row listings separately", () => {
  const { bindings } = setup(() => ({}));
  assert.deepEqual(
    bindings.map((b) => [b.object, b.parameters]),
    [
      ["Device.WiFi.SSID.{i}.", ["SSID", "Enable"]],
      ["Device.WiFi.SSID.{i}.", []],
      ["Device.WiFi.AccessPoint.{i}.", ["SSIDAdvertisementEnabled"]],
      ["Device.WiFi.AccessPoint.{i}.", []],
      ["Device.Time.", ["NTPServer1", "NTPServer2", "CurrentLocalTime"]],
    ],
  );
  // Same get and set commands: one provider, so one process per request.
  assert.equal(bindings[0].provider, bindings[2].provider);
  assert.notEqual(bindings[0].provider, bindings[4].provider);
  assert.equal(bindings[4].provider.set, undefined);
  assert.equal(typeof bindings[1].provider.addInstance, "function");
  assert.equal(bindings[3].provider.addInstance, undefined);
  assert.equal(bindings[3].provider.deleteInstance, undefined);
});

Deno.test("createScriptBindings() get answers a whole batch with one process", async () => {
  const { calls, provider } = setup(echoValues({
    "Device.WiFi.SSID.1.SSID": "home",
    "Device.WiFi.SSID.1.Enable": "1",
    "Device.WiFi.AccessPoint.2.SSIDAdvertisementEnabled": "false",
  }));
  const values = await provider("Device.WiFi.SSID.{i}.").get([
    ref("Device.WiFi.SSID.1.SSID", [1]),
    ref("Device.WiFi.SSID.1.Enable", [1]),
    ref("Device.WiFi.AccessPoint.2.SSIDAdvertisementEnabled", [2]),
  ]);
  assert.deepEqual(values, ["home", "true", "false"]); // "1" canonicalised
  assert.equal(calls.length, 1);
  assert.deepEqual(calls[0].argv, ["wifi", "get"]);
  assert.equal(
    calls[0].stdin,
    "Device.WiFi.SSID.1.SSID\nDevice.WiFi.SSID.1.Enable\n" +
      "Device.WiFi.AccessPoint.2.SSIDAdvertisementEnabled\n",
  );
  assert.deepEqual(calls[0].env, {
    PATH: "/usr/sbin:/usr/bin:/sbin:/bin",
    LC_ALL: "C",
    UCI_CONFIG_DIR: "/tmp/uci",
    CWMP_OPERATION: "get",
  });
  assert.equal(calls[0].timeoutMs, 5000);
  assert.equal(calls[0].maxOutputBytes, 1024 * 1024);
});

Deno.test("createScriptBindings() get passes per-command limits", async () => {
  const { calls, provider } = setup(echoValues({ "Device.Time.NTPServer1": "pool.ntp.org" }));
  assert.deepEqual(await provider("Device.Time.").get([ref("Device.Time.NTPServer1")]), [
    "pool.ntp.org",
  ]);
  assert.equal(calls[0].timeoutMs, 300);
});

Deno.test("createScriptBindings() get ignores blank lines, CRs and extra paths", async () => {
  const { provider } = setup(() => ({
    stdout: "\nDevice.Time.Other\tx\r\nDevice.Time.NTPServer1\ta b \r\n\n",
  }));
  assert.deepEqual(await provider("Device.Time.").get([ref("Device.Time.NTPServer1")]), ["a b "]);
});

Deno.test("createScriptBindings() get faults 9002 on a value that breaks the schema", async () => {
  const { provider, logged } = setup(() => ({
    stdout: "Device.Time.NTPServer1\tok\nDevice.Time.CurrentLocalTime\tyesterday\n",
  }));
  await assert.rejects(
    async () =>
      await provider("Device.Time.").get([
        ref("Device.Time.NTPServer1"),
        ref("Device.Time.CurrentLocalTime"),
      ]),
    (error: unknown) => {
      assert.ok(error instanceof InternalError);
      assert.equal(error.faultCode, 9002);
      assert.equal(error.message, 'Cannot read "Device.Time.": integrator command failed');
      return true;
    },
  );
  assert.equal(logged.length, 1);
  assert.match(
    logged[0],
    /^map\.toml: get command of "Device\.Time\.": bad value for "Device\.Time\.CurrentLocalTime": /,
  );
});

Deno.test("createScriptBindings() get faults 9002 on garbage", async () => {
  const { provider, logged } = setup(() => ({ stdout: "hello world\n" }));
  await assert.rejects(
    async () => await provider("Device.Time.").get([ref("Device.Time.NTPServer1")]),
    InternalError,
  );
  assert.deepEqual(logged, [
    'map.toml: get command of "Device.Time.": Line 1 has no TAB: "hello world"',
  ]);
});

Deno.test("createScriptBindings() get reads a path left out as its default", async () => {
  const debug: string[] = [];
  const { runner } = fakeRunner(() => ({ stdout: "" }));
  const bindings = createScriptBindings(loadMapping(MAPPING, { file: "map.toml" }), runner, {
    log: { error: () => {}, debug: (m) => debug.push(m) },
  });
  const values = await bindings[0].provider.get([
    ref("Device.WiFi.SSID.7.SSID", [7]),
    ref("Device.WiFi.SSID.7.Enable", [7]),
  ]);
  assert.deepEqual(values, ["", "false"]); // Enable's objectDefault
  const time = await bindings[4].provider.get([ref("Device.Time.CurrentLocalTime")]);
  assert.deepEqual(time, ["0001-01-01T00:00:00Z"]);
  assert.equal(
    debug[0],
    'map.toml: get command of "Device.WiFi.SSID.{i}.", "Device.WiFi.AccessPoint.{i}.": ' +
      'no value for "Device.WiFi.SSID.7.SSID", read as default',
  );
});

Deno.test("createScriptBindings() logs stderr's first line but never sends it", async () => {
  const { provider, logged } = setup(() => ({
    code: 3,
    stderr: "uci: Entry not found\nmore detail\n",
  }));
  await assert.rejects(
    async () => await provider("Device.Time.").get([ref("Device.Time.NTPServer1")]),
    (error: unknown) => {
      assert.ok(error instanceof InternalError);
      assert.doesNotMatch(error.message, /uci/);
      return true;
    },
  );
  assert.deepEqual(logged, [
    'map.toml: get command of "Device.Time.": exited with 3: uci: Entry not found',
  ]);
});

Deno.test("createScriptBindings() reports timeouts, overflows and start failures as 9002", async () => {
  const cases: [Partial<ScriptResult> | Error, string][] = [
    [{ code: 137, timedOut: true }, "killed after 300 ms (timeout_ms)"],
    [
      { code: 137, outputExceeded: true },
      "killed after more than 1048576 bytes of output (max_output_bytes)",
    ],
    [new Error("No such file"), 'cannot start "time": Error: No such file'],
  ];
  for (const [answer, detail] of cases) {
    const logged: string[] = [];
    const bindings = createScriptBindings(
      loadMapping(MAPPING, { file: "map.toml" }),
      () =>
        answer instanceof Error
          ? Promise.reject(answer)
          : Promise.resolve({ code: 0, stdout: "", stderr: "", ...answer }),
      { log: { error: (m) => logged.push(m) } },
    );
    const time = bindings.find((b) => b.object === "Device.Time.")!.provider;
    await assert.rejects(
      async () => await time.get([ref("Device.Time.NTPServer1")]),
      InternalError,
    );
    assert.deepEqual(logged, [`map.toml: get command of "Device.Time.": ${detail}`]);
  }
});

Deno.test("createScriptBindings() set sends the whole batch in one process", async () => {
  const { calls, provider } = setup((request) =>
    request.argv[1] === "get"
      ? echoValues({ "Device.WiFi.SSID.1.SSID": "old", "Device.WiFi.SSID.2.Enable": "true" })(
        request,
      )
      : {}
  );
  const outcome = await provider("Device.WiFi.SSID.{i}.").set!([
    change("Device.WiFi.SSID.1.SSID", "new net", [1]),
    change("Device.WiFi.SSID.2.Enable", "false", [2]),
  ]);
  assert.equal(outcome.status, 0);
  assert.deepEqual(calls.map((c) => c.argv[1]), ["get", "set"]); // read for undo, then set
  assert.equal(
    calls[1].stdin,
    "Device.WiFi.SSID.1.SSID\tnew net\nDevice.WiFi.SSID.2.Enable\tfalse\n",
  );
  assert.equal(calls[1].env.CWMP_OPERATION, "set");
  await outcome.undo!();
  assert.equal(calls[2].stdin, "Device.WiFi.SSID.1.SSID\told\nDevice.WiFi.SSID.2.Enable\ttrue\n");
});

Deno.test("createScriptBindings() set exit 1 means Status 1, other codes fault 9002", async () => {
  let code = 1;
  const { provider, logged } = setup((request) =>
    request.argv[1] === "get"
      ? echoValues({ "Device.WiFi.SSID.1.SSID": "old" })(request)
      : { code, stderr: "disk full" }
  );
  const ssid = provider("Device.WiFi.SSID.{i}.");
  assert.equal((await ssid.set!([change("Device.WiFi.SSID.1.SSID", "x", [1])])).status, 1);
  code = 2;
  await assert.rejects(
    async () => await ssid.set!([change("Device.WiFi.SSID.1.SSID", "x", [1])]),
    InternalError,
  );
  assert.deepEqual(logged, [
    'map.toml: set command of "Device.WiFi.SSID.{i}.", "Device.WiFi.AccessPoint.{i}.": ' +
    "exited with 2: disk full",
  ]);
});

Deno.test("createScriptBindings() check refuses values that cannot travel on one line", async () => {
  const { provider, calls } = setup(() => ({}));
  const ssid = provider("Device.WiFi.SSID.{i}.");
  assert.deepEqual(
    await ssid.check!([
      change("Device.WiFi.SSID.1.SSID", "a\tb", [1]),
      change("Device.WiFi.SSID.2.SSID", "fine", [2]),
    ]),
    [{
      path: "Device.WiFi.SSID.1.SSID",
      message: 'Value of "Device.WiFi.SSID.1.SSID" cannot contain a tab or line break',
    }],
  );
  await assert.rejects(
    async () => await ssid.set!([change("Device.WiFi.SSID.1.SSID", "a\nb", [1])]),
    InvalidValueError,
  );
  assert.equal(calls.length, 0);
});

Deno.test("createScriptBindings() instances, add and delete pass the table in the environment", async () => {
  const { calls, provider } = setup((request) => {
    if (request.argv[1] === "list") return { stdout: "3\n1 2\n3\n" };
    if (request.argv[1] === "add") return { stdout: "4\n" };
    return {};
  });
  const rows = provider("Device.WiFi.SSID.{i}.", true);
  assert.deepEqual(await rows.instances!("Device.WiFi.SSID.", []), [1, 2, 3]);
  assert.equal(calls[0].env.CWMP_TABLE, "Device.WiFi.SSID.");
  assert.equal(calls[0].env.CWMP_INSTANCES, "");
  assert.equal(calls[0].env.CWMP_OPERATION, "instances");
  assert.equal(await rows.addInstance!("Device.WiFi.SSID.", [], 4), 4);
  assert.equal(calls[1].env.CWMP_NEW_INSTANCE, "4");
  await rows.deleteInstance!("Device.WiFi.SSID.2.", [2]);
  assert.equal(calls[2].env.CWMP_ROW, "Device.WiFi.SSID.2.");
  assert.equal(calls[2].env.CWMP_INSTANCES, "2");
  assert.equal(calls[2].stdin, "Device.WiFi.SSID.2.\n");
});

Deno.test("createScriptBindings() instances share one process while a listing runs", async () => {
  const { calls, provider } = setup(() => ({ stdout: "1\n" }));
  const rows = provider("Device.WiFi.SSID.{i}.", true);
  const both = await Promise.all([
    rows.instances!("Device.WiFi.SSID.", []),
    rows.instances!("Device.WiFi.SSID.", []),
  ]);
  assert.deepEqual(both, [[1], [1]]);
  assert.equal(calls.length, 1);
  await rows.instances!("Device.WiFi.SSID.", []);
  assert.equal(calls.length, 2); // no cache by default
});

Deno.test("createScriptBindings() caches instance lists for instancesCacheMs", async () => {
  let now = 0;
  const { calls, runner } = fakeRunner(() => ({ stdout: "1\n" }));
  const bindings = createScriptBindings(loadMapping(MAPPING, { file: "map.toml" }), runner, {
    instancesCacheMs: 1000,
    now: () => now,
  });
  const rows = bindings[1].provider;
  await rows.instances!("Device.WiFi.SSID.", []);
  now = 999;
  await rows.instances!("Device.WiFi.SSID.", []);
  assert.equal(calls.length, 1);
  now = 1000;
  await rows.instances!("Device.WiFi.SSID.", []);
  assert.equal(calls.length, 2);
  await rows.deleteInstance!("Device.WiFi.SSID.1.", [1]);
  await rows.instances!("Device.WiFi.SSID.", []);
  assert.equal(calls.length, 4); // delete cleared the cache
});

Deno.test("createScriptBindings() faults 9002 on a bad instance listing or add output", async () => {
  const { provider, logged } = setup((request) => ({
    stdout: request.argv[1] === "list" ? "1 two\n" : "0\n",
  }));
  const rows = provider("Device.WiFi.SSID.{i}.", true);
  await assert.rejects(async () => await rows.instances!("Device.WiFi.SSID.", []), InternalError);
  await assert.rejects(async () => await rows.addInstance!("Device.WiFi.SSID.", []), InternalError);
  assert.deepEqual(logged, [
    'map.toml: instances command of "Device.WiFi.SSID.{i}.": Not an instance number: "two"',
    'map.toml: add command of "Device.WiFi.SSID.{i}.": Expected one instance number, got "0"',
  ]);
});
