/**
 * Bulk Data benchmark: one profile whose references select 10,000 parameters of the full
 * TR-181 tree (`createDeviceModel`, every object of Device:2.17, with 2,000
 * `Device.Hosts.Host.{i}.` rows × 5 parameters in the persisted provider, as in
 * `datamodel_bench.ts`), in two shapes:
 * - wildcards: 5 references `Device.Hosts.Host.*.<Param>` (+ `Device.DeviceInfo.`);
 * - concrete: 10,000 references, one per parameter (`Device.Hosts.Host.17.HostName`).
 *
 * Measures, best and median of `--runs`: resolving the references (the tree walk),
 * reading the values, encoding JSON (ObjectHierarchy, NameValuePair) and CSV
 * (ParameterPerRow, ParameterPerColumn) with their sizes (and gzip); CPU per complete
 * report (resolve + read + encode JSON, `process.cpuUsage`); and reports per second
 * sustained over HTTP on loopback for `--seconds` (one report after the other through
 * `ProfileSender.reportNow()` and the HTTP transport, to a collector in another process
 * that reads each body and answers 200).
 *
 *   deno run -A bench/bulkdata_bench.ts [--runs=15] [--seconds=10]
 *
 * Prints a table and one `RESULT {json}` line.
 *
 * @module
 */

import process from "node:process";
import { gzipSync } from "node:zlib";
import { createDeviceModel } from "../src/datamodel/device_model.ts";
import { PersistedProvider } from "../src/datamodel/providers/persisted.ts";
import type { ParameterTree } from "../src/datamodel/tree.ts";
import {
  collect,
  encodeReport,
  type EncodingSettings,
  HttpReportTransport,
  type ParameterEntry,
  ProfileSender,
  type Selected,
  selectReportParameters,
} from "../src/services/bulkdata/mod.ts";
import { IDENTITY, RecordingStore } from "../tests/rpc/_slice_fixture.ts";
import { round, summarize } from "./_stats.ts";

const HOSTS = 2_000;
const HOST_PARAMETERS = ["PhysAddress", "IPAddress", "HostName", "Active", "Layer3Interface"];

function flag(name: string, fallback: number): number {
  const arg = Deno.args.find((a) => a.startsWith(`--${name}=`));
  return arg === undefined ? fallback : Number(arg.slice(name.length + 3));
}

function model(): ParameterTree {
  const persisted = new PersistedProvider();
  const values: Record<string, string> = {};
  for (let n = 1; n <= HOSTS; n++) {
    const p = `Device.Hosts.Host.${n}.`;
    const hex = n.toString(16).padStart(4, "0");
    values[`${p}PhysAddress`] = `02:00:00:00:${hex.slice(0, 2)}:${hex.slice(2)}`;
    values[`${p}IPAddress`] = `10.${n >> 16}.${(n >> 8) & 255}.${n & 255}`;
    values[`${p}HostName`] = `host-${n}`;
    values[`${p}Active`] = n % 3 === 0 ? "false" : "true";
    values[`${p}Layer3Interface`] = "Device.IP.Interface.1";
  }
  persisted.load("Device.Hosts.Host.", Array.from({ length: HOSTS }, (_, i) => i + 1), values);
  return createDeviceModel({
    deviceInfo: { identity: IDENTITY, uptimeSeconds: () => 42 },
    managementServer: { store: new RecordingStore() },
    bindings: [persisted.bind("Device.Hosts.Host.{i}.", HOST_PARAMETERS)],
  });
}

const WILDCARDS: ParameterEntry[] = HOST_PARAMETERS.map((p) => ({
  name: "",
  reference: `Device.Hosts.Host.*.${p}`,
}));
const CONCRETE: ParameterEntry[] = [];
for (let n = 1; n <= HOSTS; n++) {
  for (const p of HOST_PARAMETERS) {
    CONCRETE.push({ name: "", reference: `Device.Hosts.Host.${n}.${p}` });
  }
}

const ENCODINGS: Record<string, EncodingSettings> = {
  "JSON ObjectHierarchy": {
    encoding: "JSON",
    reportFormat: "ObjectHierarchy",
    reportTimestamp: "Unix-Epoch",
  },
  "JSON NameValuePair": {
    encoding: "JSON",
    reportFormat: "NameValuePair",
    reportTimestamp: "Unix-Epoch",
  },
  "CSV ParameterPerRow": {
    encoding: "CSV",
    reportFormat: "ParameterPerRow",
    rowTimestamp: "Unix-Epoch",
    fieldSeparator: ",",
    rowSeparator: "\r\n",
    escapeCharacter: '"',
  },
  "CSV ParameterPerColumn": {
    encoding: "CSV",
    reportFormat: "ParameterPerColumn",
    rowTimestamp: "Unix-Epoch",
    fieldSeparator: ",",
    rowSeparator: "\r\n",
    escapeCharacter: '"',
  },
};

async function timed<T>(runs: number, fn: () => Promise<T> | T): Promise<[number[], T]> {
  const times: number[] = [];
  let last!: T;
  for (let i = 0; i < runs + 2; i++) {
    const t0 = performance.now();
    last = await fn();
    if (i >= 2) times.push(performance.now() - t0); // 2 warm-up runs
  }
  return [times, last];
}

const COLLECTOR = `
const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: ({ port }) => console.log(port) },
  async (req) => { await req.arrayBuffer(); return new Response(""); });
await server.finished;
`;

async function overHttp(m: ParameterTree, entries: ParameterEntry[], seconds: number) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", COLLECTOR],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const port = Number((await reader.read()).value!.trim());
  const transport = new HttpReportTransport({
    url: `http://127.0.0.1:${port}/bulk`,
    username: "",
    password: "",
    compression: "None",
    method: "POST",
    useDateHeader: true,
    identity: [["oui", "A1B2C3"], ["pc", "GW"], ["sn", "SN1"]],
    uriParameters: [],
  }, () => Promise.resolve([]));
  let delivered = 0;
  let failed = 0;
  const sender = new ProfileSender({
    path: "Device.BulkData.Profile.1.",
    intervalMs: 3_600_000,
    encoding: ENCODINGS["JSON NameValuePair"],
    retainLimit: 0,
    transport,
    collect: async () => collect(m, await selectReportParameters(m, entries)),
    onResult: (ok) => (ok ? delivered++ : failed++),
    log: () => {},
    now: () => Date.now(),
    uptime: () => 0,
    random: Math.random,
  });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) await sender.reportNow();
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await sender.stop();
  child.kill();
  await child.status;
  return {
    perSecond: delivered / wall,
    failed,
    cpuMsPerReport: (cpu.user + cpu.system) / 1000 / Math.max(1, delivered),
  };
}

async function main() {
  const runs = flag("runs", 15);
  const seconds = flag("seconds", 10);
  const m = model();
  const out: Record<string, number> = {};
  const rows: [string, string][] = [];
  const fmt = (t: number[]) => {
    const s = summarize(t);
    return `best ${round(s.min).toFixed(1)} ms  median ${round(s.median).toFixed(1)} ms`;
  };
  for (const [shape, entries] of [["wildcards", WILDCARDS], ["concrete", CONCRETE]] as const) {
    const [resolveT, selected] = await timed(runs, () => selectReportParameters(m, entries));
    const [readT, items] = await timed(runs, () => collect(m, selected as Selected[]));
    rows.push([
      `${shape} (${entries.length.toLocaleString("en")} references → ${
        items.length.toLocaleString("en")
      } parameters)`,
      "",
    ]);
    rows.push(["resolve references", fmt(resolveT)], ["read values", fmt(readT)]);
    out[`${shape}_resolve_ms_median`] = summarize(resolveT).median;
    out[`${shape}_read_ms_median`] = summarize(readT).median;
    if (shape === "concrete") continue;
    const collection = { collectedAt: Date.now(), uptime: 1, items };
    for (const [label, settings] of Object.entries(ENCODINGS)) {
      const [encT, report] = await timed(runs, () => encodeReport([collection], settings));
      const gz = gzipSync(report.body).length;
      rows.push([
        `encode ${label}`,
        `${fmt(encT)}  ${(report.body.length / 1024).toFixed(0)} KiB (gzip ${
          (gz / 1024).toFixed(0)
        } KiB)`,
      ]);
      const key = label.replace(/\s+/g, "_").toLowerCase();
      out[`${key}_ms_median`] = summarize(encT).median;
      out[`${key}_bytes`] = report.body.length;
      out[`${key}_gzip_bytes`] = gz;
    }
  }
  // CPU of one whole report (resolve + read + encode JSON NameValuePair), wildcards.
  const n = Math.max(runs, 20);
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const items = await collect(m, await selectReportParameters(m, WILDCARDS));
    encodeReport([{ collectedAt: Date.now(), uptime: 1, items }], ENCODINGS["JSON NameValuePair"]);
  }
  const cpu = process.cpuUsage(cpu0);
  out.cpu_ms_per_report = (cpu.user + cpu.system) / 1000 / n;
  rows.push([
    "CPU per report (wildcards, JSON NameValuePair, no send)",
    `${out.cpu_ms_per_report.toFixed(1)} ms`,
  ]);
  if (seconds > 0) {
    const http = await overHttp(m, WILDCARDS, seconds);
    out.http_reports_per_second = http.perSecond;
    out.http_cpu_ms_per_report = http.cpuMsPerReport;
    rows.push([
      `over HTTP on loopback, ${seconds} s, one after the other`,
      `${http.perSecond.toFixed(1)} reports/s (${
        (http.perSecond * 10_000).toLocaleString("en", { maximumFractionDigits: 0 })
      } parameters/s), CPU ${http.cpuMsPerReport.toFixed(1)} ms/report, ${http.failed} failed`,
    ]);
  }
  const width = Math.max(...rows.filter(([, v]) => v !== "").map(([k]) => k.length));
  console.log(rows.map(([k, v]) => (v === "" ? k : `  ${k.padEnd(width)}  ${v}`)).join("\n"));
  console.log(`RESULT ${JSON.stringify(out)}`);
}

if (import.meta.main) await main();
