/**
 * Data model benchmark (issue #3): a 10,000-parameter tree (the persisted provider
 * holding 2,000 `Device.Hosts.Host.{i}.` rows × 5 parameters, plus DeviceInfo and
 * ManagementServer), answered end to end: request XML → `decodeEnvelope()` →
 * dispatcher (tree walk, batched read) → `encodeEnvelope()` → response XML.
 *
 * Measures GetParameterValues of `Device.` and GetParameterNames of `Device.` with
 * NextLevel false (median and best of N), and RSS (`Deno.memoryUsage()`) before the
 * first request, after the first GPV and GPN (the cost of one request: target ≤ 20 MB)
 * and after all runs (V8 grows its heap lazily, so that figure mostly shows garbage
 * not yet collected; with `--v8-flags=--expose-gc` the live heap is reported too).
 * Targets: ≤ 50 ms each.
 *
 *   deno run --allow-all bench/datamodel_bench.ts [--runs=20]
 *
 * @module
 */

import { createDeviceModel } from "../src/datamodel/device_model.ts";
import { PersistedProvider } from "../src/datamodel/providers/persisted.ts";
import type { ParameterTree } from "../src/datamodel/tree.ts";
import { createDispatcher } from "../src/rpc/dispatch.ts";
import { decodeEnvelope, encodeEnvelope, type Envelope } from "../src/soap/mod.ts";
import { IDENTITY, RecordingStore } from "../tests/rpc/_slice_fixture.ts";
import { round, summarize } from "./_stats.ts";

const HOSTS = 2_000;
const HOST_PARAMETERS = ["PhysAddress", "IPAddress", "HostName", "Active", "Layer3Interface"];

/** The benchmark's model: 2,000 hosts × 5 parameters plus the management objects. */
export function benchModel(hosts = HOSTS): ParameterTree {
  const persisted = new PersistedProvider();
  const values: Record<string, string> = {};
  for (let n = 1; n <= hosts; n++) {
    const p = `Device.Hosts.Host.${n}.`;
    const hex = n.toString(16).padStart(4, "0");
    values[`${p}PhysAddress`] = `02:00:00:00:${hex.slice(0, 2)}:${hex.slice(2)}`;
    values[`${p}IPAddress`] = `10.${n >> 16}.${(n >> 8) & 255}.${n & 255}`;
    values[`${p}HostName`] = `host-${n}`;
    values[`${p}Active`] = n % 3 === 0 ? "false" : "true";
    values[`${p}Layer3Interface`] = "Device.IP.Interface.1";
  }
  persisted.load("Device.Hosts.Host.", Array.from({ length: hosts }, (_, i) => i + 1), values);
  return createDeviceModel({
    deviceInfo: { identity: IDENTITY, uptimeSeconds: () => 42 },
    managementServer: { store: new RecordingStore() },
    bindings: [persisted.bind("Device.Hosts.Host.{i}.", HOST_PARAMETERS)],
  });
}

function request(message: Envelope["message"]): string {
  return encodeEnvelope({
    namespace: "urn:dslforum-org:cwmp-1-0",
    header: { id: "bench" },
    message,
  });
}

/** One request end to end; returns the response XML's length. */
async function roundTrip(
  dispatch: (xml: string) => Promise<string>,
  xml: string,
): Promise<number> {
  return (await dispatch(xml)).length;
}

/**
 * Runs the benchmark: `{gpv_ms_median, gpv_ms_best, gpn_ms_median, gpn_ms_best,
 * parameters, build_ms, rss_before_mib, rss_after_mib, rss_delta_mib, …}`.
 */
export async function runDatamodelBench(runs = 20): Promise<Record<string, number>> {
  const t0 = performance.now();
  const model = benchModel();
  const buildMs = performance.now() - t0;
  const dispatcher = createDispatcher({ model });
  const dispatch = async (xml: string) => {
    const envelope = decodeEnvelope(xml);
    const response = await dispatcher.dispatch(envelope.message as never);
    return encodeEnvelope({
      namespace: envelope.namespace,
      header: envelope.header,
      message: response,
    });
  };
  const gpv = request({ kind: "GetParameterValues", parameterNames: ["Device."] });
  const gpn = request({ kind: "GetParameterNames", parameterPath: "Device.", nextLevel: false });
  const rssBefore = Deno.memoryUsage().rss;
  const firstGpv = await dispatch(gpv);
  const rssFirstGpv = Deno.memoryUsage().rss;
  await dispatch(gpn);
  const rssFirstGpn = Deno.memoryUsage().rss;
  const gpvTimes: number[] = [];
  const gpnTimes: number[] = [];
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    let start = performance.now();
    bytes = await roundTrip(dispatch, gpv);
    gpvTimes.push(performance.now() - start);
    start = performance.now();
    await roundTrip(dispatch, gpn);
    gpnTimes.push(performance.now() - start);
  }
  const rssAfter = Deno.memoryUsage().rss;
  const parameters = decodeEnvelope(firstGpv).message as { parameterList: unknown[] };
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const liveHeap = gc === undefined ? NaN : Deno.memoryUsage().heapUsed;
  model.beginSession();
  const cachedStart = performance.now();
  await roundTrip(dispatch, gpv);
  const cachedMs = performance.now() - cachedStart;
  model.endSession();
  const gpvS = summarize(gpvTimes);
  const gpnS = summarize(gpnTimes);
  const mib = (b: number) => round(b / 1024 / 1024, 1);
  return {
    parameters: parameters.parameterList.length,
    build_ms: round(buildMs),
    gpv_ms_median: round(gpvS.median),
    gpv_ms_best: round(gpvS.min),
    gpv_in_session_ms: round(cachedMs),
    gpv_response_bytes: bytes,
    gpn_ms_median: round(gpnS.median),
    gpn_ms_best: round(gpnS.min),
    rss_before_mib: mib(rssBefore),
    rss_delta_first_gpv_mib: mib(rssFirstGpv - rssBefore),
    rss_delta_first_gpn_mib: mib(rssFirstGpn - rssFirstGpv),
    rss_after_runs_mib: mib(rssAfter),
    live_heap_after_gc_mib: mib(liveHeap),
  };
}

if (import.meta.main) {
  const arg = Deno.args.find((a) => a.startsWith("--runs="));
  const runs = arg === undefined ? 20 : Number(arg.slice("--runs=".length));
  console.log(await runDatamodelBench(runs));
}
