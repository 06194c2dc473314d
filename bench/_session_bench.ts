/**
 * Benchmark 1: CPU time, wall time and memory of the agent per complete CWMP
 * session (connection request → Inform → GetParameterValues of 100 names →
 * SetParameterValues of 10 → 204) against the test ACS on loopback.
 *
 * The CPU time is the agent process's utime + stime (/proc/<pid>/stat, all
 * threads) across the measured sessions, after warm-up sessions that let V8
 * compile the hot paths.
 *
 * @module
 */

import { SLICE_SCHEMA } from "../src/datamodel/schema_slice.ts";
import type { CpeRequest, ParameterValueStruct } from "../src/soap/mod.ts";
import { type AcsSessionRecord, startFakeAcs } from "../tests/_helpers/fake_acs.ts";
import {
  CR_CREDENTIALS,
  makeBenchTempDir,
  removeBenchTempDir,
  startAgentProcess,
  stopAgent,
  writeBenchConfig,
} from "./_agent.ts";
import { connectionRequestUrlOf, sendConnectionRequest } from "./_connection_request.ts";
import { clockTicksPerSecond, cpuNanos, cpuTicks, type Memory, memory } from "./_proc.ts";
import { summarize, type Summary } from "./_stats.ts";

/** Options of {@linkcode benchSessions}. */
export interface SessionBenchOptions {
  sessions: number;
  warmup: number;
  /** Names in each GetParameterValues. */
  gpvNames: number;
}

/** Figures of benchmark 1. */
export interface SessionBenchResult {
  sessions: number;
  warmup: number;
  gpvNames: number;
  distinctParameterNames: number;
  spvParameters: number;
  agentPid: number;
  /** Agent CPU (user + system) per measured session, ms. */
  cpuMsPerSession: number;
  /** The same from the threads' schedstat (ns resolution, live threads only), ms. */
  cpuMsPerSessionSchedstat: number;
  /** utime + stime of the agent over the measured sessions, clock ticks. */
  cpuTicks: number;
  /** The bench process (test ACS + connection-request client) per session, ms. */
  benchCpuMsPerSession: number;
  /** Connection request sent → 204 sent by the ACS, ms. */
  wallMs: Summary;
  wallMsMean: number;
  memoryAfterBoot: Memory;
  memoryAfterWarmup: Memory;
  memoryAfterRun: Memory;
}

/** Every parameter path of the slice schema, in schema order. */
export function sliceParameterNames(): string[] {
  return SLICE_SCHEMA.filter((e) => e.kind === "parameter").map((e) => e.path);
}

/** 10 writable parameters with valid values that leave the session's course unchanged. */
function spvList(i: number): ParameterValueStruct[] {
  const ms = "Device.ManagementServer.";
  return [
    { name: "Device.DeviceInfo.ProvisioningCode", value: `bench-${i}`, type: "xsd:string" },
    { name: `${ms}PeriodicInformEnable`, value: "true", type: "xsd:boolean" },
    // ≥ 1 day and Unknown Time: no periodic Inform falls inside the run.
    { name: `${ms}PeriodicInformInterval`, value: String(86400 + i), type: "xsd:unsignedInt" },
    { name: `${ms}PeriodicInformTime`, value: "0001-01-01T00:00:00Z", type: "xsd:dateTime" },
    {
      name: `${ms}CWMPRetryMinimumWaitInterval`,
      value: String(5 + (i % 100)),
      type: "xsd:unsignedInt",
    },
    {
      name: `${ms}CWMPRetryIntervalMultiplier`,
      value: String(2000 + (i % 1000)),
      type: "xsd:unsignedInt",
    },
    {
      name: `${ms}DefaultActiveNotificationThrottle`,
      value: String(i % 3600),
      type: "xsd:unsignedInt",
    },
    { name: `${ms}UpgradesManaged`, value: String(i % 2 === 0), type: "xsd:boolean" },
    { name: `${ms}HTTPConnectionRequestEnable`, value: "true", type: "xsd:boolean" },
    { name: `${ms}InstanceMode`, value: "InstanceNumber", type: "xsd:string" },
  ];
}

/** The ACS's requests of session `i`: GPV of `names`, then SPV of 10. */
export function requestsFor(i: number, names: readonly string[]): CpeRequest[] {
  return [
    { kind: "GetParameterValues", parameterNames: [...names] },
    { kind: "SetParameterValues", parameterList: spvList(i), parameterKey: `bench-${i}` },
  ];
}

/** Runs benchmark 1 in a temp directory it removes afterwards. */
export async function benchSessions(options: SessionBenchOptions): Promise<SessionBenchResult> {
  const all = sliceParameterNames();
  const names = Array.from({ length: options.gpvNames }, (_, i) => all[i % all.length]);
  const dir = await makeBenchTempDir("cwmp-bench-session-");
  const acs = startFakeAcs();
  const agent = startAgentProcess(await writeBenchConfig(dir, acs.url));
  const pid = agent.child.pid;
  try {
    const [boot] = await acs.waitForSessions(1, 15_000);
    const crUrl = connectionRequestUrlOf(boot);
    const memoryAfterBoot = await memory(pid);

    let done = 1;
    const runOne = async (i: number): Promise<number> => {
      acs.enqueue(...requestsFor(i, names));
      const t0 = performance.now();
      await sendConnectionRequest(crUrl, CR_CREDENTIALS);
      const sessions = await acs.waitForSessions(++done, 10_000);
      const elapsed = performance.now() - t0;
      checkSession(sessions[done - 1], i, options.gpvNames);
      return elapsed;
    };

    for (let i = 0; i < options.warmup; i++) await runOne(i);
    const memoryAfterWarmup = await memory(pid);
    const selfBefore = await cpuTicks(Deno.pid);
    const before = await cpuTicks(pid);
    const nanosBefore = await cpuNanos(pid);
    const wall: number[] = [];
    for (let i = 0; i < options.sessions; i++) wall.push(await runOne(options.warmup + i));
    const after = await cpuTicks(pid);
    const nanosAfter = await cpuNanos(pid);
    const selfAfter = await cpuTicks(Deno.pid);
    const memoryAfterRun = await memory(pid);
    const hz = await clockTicksPerSecond();
    const perSession = (ticks: number) => (ticks * 1000) / hz / options.sessions;
    return {
      sessions: options.sessions,
      warmup: options.warmup,
      gpvNames: options.gpvNames,
      distinctParameterNames: all.length,
      spvParameters: spvList(0).length,
      agentPid: pid,
      cpuMsPerSession: perSession(after - before),
      cpuMsPerSessionSchedstat: (nanosAfter - nanosBefore) / 1e6 / options.sessions,
      cpuTicks: after - before,
      benchCpuMsPerSession: perSession(selfAfter - selfBefore),
      wallMs: summarize(wall),
      wallMsMean: wall.reduce((a, b) => a + b, 0) / wall.length,
      memoryAfterBoot,
      memoryAfterWarmup,
      memoryAfterRun,
    };
  } catch (error) {
    const log = agent.lines.slice(-20).join("\n");
    throw new Error(`${(error as Error).message}\nLast agent log lines:\n${log}`);
  } finally {
    await stopAgent(agent);
    await acs.close();
    await removeBenchTempDir(dir);
  }
}

/** Throws unless `session` was a CONNECTION REQUEST session answering GPV then SPV. */
export function checkSession(session: AcsSessionRecord, i: number, gpvNames: number): void {
  const inform = session.inform.message;
  const events = inform.kind === "Inform" ? inform.event.map((e) => e.eventCode) : [];
  if (!events.includes("6 CONNECTION REQUEST")) {
    throw new Error(`Session ${i}: Inform events ${JSON.stringify(events)}, no CONNECTION REQUEST`);
  }
  const kinds = session.messages.map((m) => m.kind).join(", ");
  const [gpv, spv] = session.messages;
  if (
    session.messages.length !== 2 || gpv.kind !== "GetParameterValuesResponse" ||
    spv.kind !== "SetParameterValuesResponse"
  ) {
    throw new Error(`Session ${i}: expected GPV and SPV responses, got ${kinds}`);
  }
  if (gpv.parameterList.length !== gpvNames) {
    throw new Error(`Session ${i}: ${gpv.parameterList.length} values, not ${gpvNames}`);
  }
}
