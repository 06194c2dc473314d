/**
 * Whole-tree read with the Linux objects bound (issue #13): the real agent (`main.ts`,
 * a child process, the Linux objects over the live system) answers `get Device.` on its
 * control socket, as `cwmp-agent get Device.` asks it, timed from the connect to the
 * last line. Two ways: requests spaced by more than the objects' snapshot life
 * (`NET_SNAPSHOT_MAX_AGE_MS`), so each one reads the system afresh (the figure that
 * counts), and back to back. Reports the median and best of N requests in ms and in µs
 * per parameter, and the parameter count (most of it
 * `DeviceInfo.ProcessStatus.Process.{i}.`: it grows with the machine's processes). The reference, icwmp + libbbfdm (C) at 22–25 µs per
 * parameter, was measured separately on this machine class, not by this script.
 *
 *   deno run --allow-all bench/linux_gpv_bench.ts [--runs=15]
 *
 * @module
 */

import { sendControlRequest } from "../src/agent/control_server.ts";
import { NET_SNAPSHOT_MAX_AGE_MS } from "../src/datamodel/providers/linux/mod.ts";
import { startFakeAcs } from "../tests/_helpers/fake_acs.ts";
import { connectionRequestUrlOf, sendConnectionRequest } from "./_connection_request.ts";
import {
  CR_CREDENTIALS,
  makeBenchTempDir,
  removeBenchTempDir,
  startAgentProcess,
  stopAgent,
  writeBenchConfig,
} from "./_agent.ts";
import { cpuNanos } from "./_proc.ts";
import { round, summarize } from "./_stats.ts";

/** icwmp + libbbfdm, µs per parameter of a whole-tree GPV (measured separately). */
export const ICWMP_US_PER_PARAMETER = { min: 22, max: 25 };

/** Timings of one way of asking. */
export interface GpvTimings {
  ms_median: number;
  ms_best: number;
  us_per_parameter_median: number;
  us_per_parameter_best: number;
  /** The median over icwmp's 22 µs (its best figure). */
  ratio_to_icwmp: number;
  /**
   * The agent's CPU time per request (schedstat over its threads, all requests over
   * their count), per parameter: what the request costs whatever else the machine runs.
   */
  cpu_us_per_parameter: number;
}

/** What {@linkcode runLinuxGpvBench} returns. */
export interface LinuxGpvBenchResult {
  parameters: number;
  /**
   * ACS side: a GetParameterValues of `Device.` in a CWMP session (CR → Inform → GPV), the
   * sessions spaced beyond the snapshot life; from the agent's empty POST arriving at the
   * ACS (which answers it with the GPV) to the whole response arriving. CPU: the agent's
   * for the whole session.
   */
  acs_side: GpvTimings;
  /** Parameters in the ACS-side response. */
  acs_side_parameters: number;
  /** Requests spaced beyond the snapshot life: each one reads the system afresh. */
  fresh: GpvTimings;
  /** Requests back to back (later ones may share the previous one's snapshot). */
  back_to_back: GpvTimings;
}

/** Starts the agent, warms up once, then times `runs` whole-tree gets each way. */
export async function runLinuxGpvBench(runs = 15): Promise<LinuxGpvBenchResult> {
  const dir = await makeBenchTempDir("cwmp-linux-gpv-");
  const acs = startFakeAcs();
  const agent = startAgentProcess(await writeBenchConfig(dir, acs.url));
  const socket = `${dir}/state/control.sock`;
  try {
    await acs.waitForSessions(1, 15_000);
    const get = async () => {
      const reply = await sendControlRequest(socket, { op: "get", args: ["Device."] });
      if (reply === undefined || !reply.ok) throw new Error("get Device. failed");
      return reply.lines.length;
    };
    const parameters = await get();
    const timed = async (gapMs: number): Promise<GpvTimings> => {
      const times: number[] = [];
      let cpu = 0;
      for (let i = 0; i < runs; i++) {
        if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
        const cpuBefore = await cpuNanos(agent.child.pid);
        const start = performance.now();
        await get();
        times.push(performance.now() - start);
        cpu += await cpuNanos(agent.child.pid) - cpuBefore;
      }
      return timings(times, cpu, parameters);
    };
    const crUrl = connectionRequestUrlOf(acs.sessions[0]);
    let acsParameters = 0;
    const acsSide = async (): Promise<GpvTimings> => {
      const times: number[] = [];
      let cpu = 0;
      for (let i = 0; i < runs; i++) {
        await new Promise((resolve) => setTimeout(resolve, NET_SNAPSHOT_MAX_AGE_MS + 100));
        acs.sessions.length = 0;
        acs.requests.length = 0;
        acs.received.length = 0;
        acs.enqueue({ kind: "GetParameterValues", parameterNames: ["Device."] });
        const cpuBefore = await cpuNanos(agent.child.pid);
        await sendConnectionRequest(crUrl, CR_CREDENTIALS);
        const [session] = await acs.waitForSessions(1, 15_000);
        cpu += await cpuNanos(agent.child.pid) - cpuBefore;
        const answer = session.messages[0];
        if (answer?.kind !== "GetParameterValuesResponse") {
          throw new Error(`GPV of Device. in a session: got ${answer?.kind ?? "nothing"}`);
        }
        acsParameters = answer.parameterList.length;
        const at = acs.requests.findIndex((r) => r.body.includes("GetParameterValuesResponse"));
        if (at < 1 || acs.requests[at - 1].body !== "") {
          throw new Error("No empty POST before the GetParameterValuesResponse");
        }
        times.push(acs.requests[at].arrivedMs - acs.requests[at - 1].arrivedMs);
      }
      return timings(times, cpu, acsParameters);
    };
    const timings = (times: number[], cpu: number, count: number): GpvTimings => {
      const s = summarize(times);
      const perParameter = (ms: number) => (ms * 1000) / count;
      return {
        ms_median: round(s.median),
        ms_best: round(s.min),
        us_per_parameter_median: round(perParameter(s.median), 1),
        us_per_parameter_best: round(perParameter(s.min), 1),
        ratio_to_icwmp: round(perParameter(s.median) / ICWMP_US_PER_PARAMETER.min),
        cpu_us_per_parameter: round(cpu / 1000 / times.length / count, 1),
      };
    };
    return {
      parameters,
      fresh: await timed(NET_SNAPSHOT_MAX_AGE_MS + 100),
      back_to_back: await timed(0),
      acs_side: await acsSide(),
      acs_side_parameters: acsParameters,
    };
  } finally {
    await stopAgent(agent);
    await acs.close();
    await removeBenchTempDir(dir);
  }
}

/** The report lines of `r`. */
export function linuxGpvReport(r: LinuxGpvBenchResult): string {
  const row = (label: string, t: GpvTimings) =>
    `  ${label.padEnd(36)}median ${t.ms_median.toFixed(2)} ms = ${
      t.us_per_parameter_median.toFixed(1)
    } µs/parameter (${t.ratio_to_icwmp}× icwmp)  best ${
      t.us_per_parameter_best.toFixed(1)
    } µs  agent CPU ${t.cpu_us_per_parameter.toFixed(1)} µs/parameter`;
  return [
    `\`cwmp-agent get Device.\` on the control socket, Linux objects bound: ${r.parameters} parameters`,
    row("each request reads afresh", r.fresh),
    row("back to back", r.back_to_back),
    `GetParameterValues of \`Device.\` in a CWMP session (CR → Inform → GPV), sessions spaced beyond the snapshot, ACS side (the agent's empty POST → the whole response): ${r.acs_side_parameters} parameters`,
    row("ACS side, session CPU", r.acs_side),
    `  icwmp + libbbfdm (C), measured separately: ${ICWMP_US_PER_PARAMETER.min}–${ICWMP_US_PER_PARAMETER.max} µs/parameter; goal ≤ 0.25×`,
  ].join("\n");
}

if (import.meta.main) {
  const arg = Deno.args.find((a) => a.startsWith("--runs="));
  const result = await runLinuxGpvBench(arg === undefined ? 15 : Number(arg.slice(7)));
  console.log(linuxGpvReport(result));
  console.log(`RESULT ${JSON.stringify(result)}`);
}
