import assert from "node:assert/strict";
import { tr181Entries } from "../../../../src/datamodel/generated/tr181.ts";
import { bindProcessStatus } from "../../../../src/datamodel/objects/process_status.ts";
import type { ParameterRef } from "../../../../src/datamodel/provider.ts";
import { parseProcessStat } from "../../../../src/datamodel/providers/linux/proc.ts";
import { type ParameterSchema, Schema } from "../../../../src/datamodel/schema.ts";
import { readBindings } from "../../../_helpers/provider_contract.ts";
import { asyncOnly, fixture } from "./_fixture.ts";

const P = "Device.DeviceInfo.ProcessStatus.";

Deno.test("bindProcessStatus() lists processes by PID with comm, size, priority, CPU time and state", async () => {
  const values = await readBindings(bindProcessStatus(fixture("router")));
  const rows = Object.keys(values).filter((k) => k.endsWith(".PID")).map((k) => values[k]);
  assert.deepEqual(rows, ["1", "321", "400"]);
  assert.equal(values[`${P}Process.1.Command`], "process_api");
  assert.equal(values[`${P}Process.1.Size`], "44116"); // 45174784 B / 1024
  assert.equal(values[`${P}Process.1.Priority`], "20");
  assert.equal(values[`${P}Process.1.CPUTime`], "6180"); // (202 + 416) ticks × 10 ms
  assert.equal(values[`${P}Process.1.State`], "Sleeping");
  assert.equal(values[`${P}Process.321.State`], "Zombie");
  assert.equal(values[`${P}Process.400.Command`], "my (odd) name");
  assert.equal(values[`${P}Process.400.Priority`], "0"); // real-time -51
  assert.equal(values[`${P}Process.400.CPUTime`], "130230");
  assert.equal(values[`${P}Process.400.State`], "Running");
});

Deno.test("bindProcessStatus() reads kernel threads of the captured host", async () => {
  const values = await readBindings(bindProcessStatus(fixture("host")));
  assert.equal(values[`${P}Process.2.Command`], "kthreadd");
  assert.equal(values[`${P}Process.4.State`], "Idle");
  assert.equal(values[`${P}Process.14.Command`], "ksoftirqd/0");
});

Deno.test("bindProcessStatus() CPUUsage is the busy share since the previous read", async () => {
  const source = fixture("router");
  const [status] = bindProcessStatus(source);
  const read = async () => (await readBindings([status]))[`${P}CPUUsage`];
  assert.equal(await read(), "15"); // since boot: (1000 + 500) busy of 10000
  source.write("/proc/stat", "cpu  1300 0 600 8500 600 0 0 0 0 0\n");
  assert.equal(await read(), "40"); // 400 busy of 1000 (idle + iowait are idle)
  source.write("/proc/stat", "cpu  1390 0 610 8600 600 0 0 0 0 0\n");
  assert.equal(await read(), "50"); // 100 busy of 200
  assert.equal(await read(), "50"); // no tick passed: the previous figure stands
});

Deno.test("parseProcessStat() keeps parentheses inside comm", () => {
  const stat = parseProcessStat(
    "7 (a) b)) S 1 7 7 0 -1 0 0 0 0 0 5 6 0 0 25 5 1 0 0 4096 0 0",
  );
  assert.deepEqual(stat, {
    pid: 7,
    comm: "a) b)",
    state: "S",
    cpuTicks: 11,
    priority: 25,
    vsize: 4096,
  });
});

const schema = new Schema(tr181Entries());
const ref = (pid: number, name: string, from: Schema = schema): ParameterRef => ({
  path: `${P}Process.${pid}.${name}`,
  schema: from.parameter(`${P}Process.{i}.${name}`)!,
  instances: [pid],
});

Deno.test("bindProcessStatus() answers without a promise once the table is read, until maxAgeMs", async () => {
  let now = 1000;
  const source = fixture("router");
  const provider = bindProcessStatus(source, { maxAgeMs: 500, clock: () => now })[1].provider;
  const first = provider.instances!("", []);
  assert.ok(first instanceof Promise);
  assert.deepEqual(await first, [1, 321, 400]);
  assert.deepEqual(provider.instances!("", []), [1, 321, 400]);
  assert.deepEqual(provider.get([ref(1, "CPUTime"), ref(400, "State")]), ["6180", "Running"]);
  source.write("/proc/1/stat", "1 (init) R 0 0 0 0 -1 0 0 0 0 0 300 400 0 0 20 0 1 0 1 4096\n");
  source.remove("/proc/400");
  now += 499; // still the same read
  assert.deepEqual(provider.get([ref(1, "CPUTime"), ref(400, "State")]), ["6180", "Running"]);
  now += 1; // a fresh read: new values, the gone process's refs read placeholders
  const fresh = provider.get([
    ref(1, "CPUTime"),
    ref(1, "Command"),
    ref(400, "Command"),
    ref(400, "PID"),
  ]);
  assert.ok(fresh instanceof Promise);
  assert.deepEqual(await fresh, ["7000", "init", "", "0"]);
  assert.deepEqual(provider.instances!("", []), [1, 321]);
});

Deno.test("bindProcessStatus() checks values against a schema whose facets could refuse them", async () => {
  const facets: Record<string, Partial<ParameterSchema>> = {
    PID: { ranges: [{ max: 100 }] },
    Command: { maxLength: 5 },
    Size: { ranges: [{ min: 1, max: 10 }] },
    CPUTime: { enumerations: ["6180"] },
  };
  const strict = new Schema(
    tr181Entries().map((e) => {
      const name = e.path.slice(`${P}Process.{i}.`.length);
      return e.kind === "parameter" && e.path.startsWith(`${P}Process.`) && facets[name]
        ? { ...e, ...facets[name] } as ParameterSchema
        : e;
    }),
  );
  const values = await readBindings(bindProcessStatus(fixture("router")), strict);
  assert.equal(values[`${P}Process.1.PID`], "1");
  assert.equal(values[`${P}Process.400.PID`], "0"); // out of the range: the placeholder
  assert.equal(values[`${P}Process.1.Command`], ""); // "process_api" is too long
  assert.equal(values[`${P}Process.1.Size`], "1"); // 44116 is out of range: the lowest
  assert.equal(values[`${P}Process.1.CPUTime`], "6180");
  assert.equal(values[`${P}Process.400.CPUTime`], "0");
});

Deno.test("bindProcessStatus() reads the same table through a source without readTextSync", async () => {
  assert.deepEqual(
    await readBindings(bindProcessStatus(asyncOnly(fixture("router")))),
    await readBindings(bindProcessStatus(fixture("router"))),
  );
});

Deno.test("bindProcessStatus() reads the table from processStats() where the source has it", async () => {
  const files = fixture("router");
  const stats = new Map<number, string>();
  for (const name of await files.listDir("/proc")) {
    const text = /^\d+$/.test(name) ? files.readTextSync(`/proc/${name}/stat`) : undefined;
    if (text !== undefined) stats.set(Number(name), text);
  }
  const source = asyncOnly(files);
  source.listDir = () => Promise.reject(new Error("/proc listed though processStats() answered"));
  source.readText = (path) =>
    /^\/proc\/\d+\//.test(path) ? Promise.reject(new Error(`read ${path}`)) : files.readText(path);
  source.processStats = () => stats;
  assert.deepEqual(
    await readBindings(bindProcessStatus(source)),
    await readBindings(bindProcessStatus(fixture("router"))),
  );
  // Undefined from processStats(): /proc is listed and read as before.
  const fallback = asyncOnly(fixture("router"));
  fallback.processStats = () => undefined;
  assert.deepEqual(
    await readBindings(bindProcessStatus(fallback)),
    await readBindings(bindProcessStatus(fixture("router"))),
  );
});
