/**
 * Benchmark 3: the codec on a 10,000-parameter GetParameterValuesResponse (built
 * as in tests/soap/large_test.ts), and GetParameterValues through src/rpc on the
 * slice data model (tests/rpc/_slice_fixture.ts), in this process.
 *
 * @module
 */

import { getParameterValues } from "../src/rpc/mod.ts";
import {
  decodeEnvelope,
  encodeEnvelope,
  type Envelope,
  type ParameterValueStruct,
} from "../src/soap/mod.ts";
import { sliceFixture } from "../tests/rpc/_slice_fixture.ts";
import { sliceParameterNames } from "./_session_bench.ts";
import { summarize, type Summary } from "./_stats.ts";

const TYPES = ["xsd:string", "xsd:unsignedInt", "xsd:boolean", "xsd:dateTime"];

/** The 10,000-parameter response of tests/soap/large_test.ts. */
export function bigResponse(count = 10_000): Envelope {
  const parameterList: ParameterValueStruct[] = [];
  for (let i = 0; i < count; i++) {
    parameterList.push({
      name: `Device.Hosts.Host.${i}.X_EXAMPLE_VendorSpecificParameterName`,
      value: i % 7 === 0 ? `Value & <escaped> ${i}` : `value-${i}-${"v".repeat(40)}`,
      type: TYPES[i % 4],
    });
  }
  return {
    namespace: "urn:dslforum-org:cwmp-1-0",
    header: { id: "perf" },
    message: { kind: "GetParameterValuesResponse", parameterList },
  };
}

/** Figures of benchmark 3. */
export interface CodecBenchResult {
  parameters: number;
  xmlChars: number;
  xmlBytes: number;
  runs: number;
  encodeMs: Summary;
  decodeMs: Summary;
  rpc: {
    /** Parameters a GPV of "Device." returns on the slice. */
    allParameters: number;
    allCalls: number;
    /** One GPV of "Device." through getParameterValues(), µs. */
    allUs: Summary;
    /** One GPV of the session's 100 names, µs. */
    names100Us: Summary;
  };
}

function time(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** Runs benchmark 3: `runs` timed encodes and decodes after one of each untimed. */
export async function benchCodec(runs: number, rpcCalls: number): Promise<CodecBenchResult> {
  const value = bigResponse();
  const xml = encodeEnvelope(value);
  const decoded = decodeEnvelope(xml);
  if (decoded.message.kind !== "GetParameterValuesResponse") {
    throw new Error(`Codec: decoded ${decoded.message.kind}`);
  }
  if (decoded.message.parameterList.length !== 10_000) throw new Error("Codec: lost parameters");
  const encodeMs: number[] = [];
  const decodeMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    encodeMs.push(time(() => encodeEnvelope(value)));
    decodeMs.push(time(() => decodeEnvelope(xml)));
  }

  const { model } = sliceFixture();
  const all = { kind: "GetParameterValues" as const, parameterNames: ["Device."] };
  const slice = sliceParameterNames();
  const names100 = {
    kind: "GetParameterValues" as const,
    parameterNames: Array.from({ length: 100 }, (_, i) => slice[i % slice.length]),
  };
  const allParameters = (await getParameterValues(model, all)).parameterList.length;
  const allUs: number[] = [];
  const names100Us: number[] = [];
  for (let i = 0; i < rpcCalls; i++) {
    allUs.push(1000 * await timeAsync(() => getParameterValues(model, all)));
    names100Us.push(1000 * await timeAsync(() => getParameterValues(model, names100)));
  }
  return {
    parameters: 10_000,
    xmlChars: xml.length,
    xmlBytes: new TextEncoder().encode(xml).length,
    runs,
    encodeMs: summarize(encodeMs),
    decodeMs: summarize(decodeMs),
    rpc: {
      allParameters,
      allCalls: rpcCalls,
      allUs: summarize(allUs),
      names100Us: summarize(names100Us),
    },
  };
}
