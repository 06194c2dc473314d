/**
 * Whole-tree read with the Linux objects bound (issue #13): the real agent (`main.ts`,
 * a child process, the Linux objects over the live system) answers `get Device.` on its
 * control socket, as `cwmp-agent get Device.` asks it, timed from the connect to the
 * last line. Requests are spaced by more than the objects' snapshot life
 * (`NET_SNAPSHOT_MAX_AGE_MS`), so each one reads the system afresh. Reports the median
 * and best of N requests in ms and in µs per parameter, and the parameter count (most
 * of it `DeviceInfo.ProcessStatus.Process.{i}.`: it grows with the machine's processes). The reference, icwmp + libbbfdm (C) at 22–25 µs per
 * parameter, was measured separately on this machine class, not by this script.
 *
 *   deno run --allow-all bench/linux_gpv_bench.ts [--runs=15]
 *
 * @module
 */

import { sendControlRequest } from "../src/agent/control_server.ts";
import { NET_SNAPSHOT_MAX_AGE_MS } from "../src/datamodel/providers/linux/mod.ts";
import { startFakeAcs } from "../tests/_helpers/fake_acs.ts";
import {
  makeBenchTempDir,
  removeBenchTempDir,
  startAgentProcess,
  stopAgent,
  writeBenchConfig,
} from "./_agent.ts";
import { round, summarize } from "./_stats.ts";

/** icwmp + libbbfdm, µs per parameter of a whole-tree GPV (measured separately). */
export const ICWMP_US_PER_PARAMETER = { min: 22, max: 25 };

/** What {@linkcode runLinuxGpvBench} returns. */
export interface LinuxGpvBenchResult {
  parameters: number;
  ms_median: number;
  ms_best: number;
  us_per_parameter_median: number;
  us_per_parameter_best: number;
  /** The median over icwmp's 22 µs (its best figure). */
  ratio_to_icwmp: number;
}

/** Starts the agent, warms up once, then times `runs` whole-tree gets. */
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
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      await new Promise((resolve) => setTimeout(resolve, NET_SNAPSHOT_MAX_AGE_MS + 100));
      const start = performance.now();
      await get();
      times.push(performance.now() - start);
    }
    const s = summarize(times);
    const perParameter = (ms: number) => (ms * 1000) / parameters;
    return {
      parameters,
      ms_median: round(s.median),
      ms_best: round(s.min),
      us_per_parameter_median: round(perParameter(s.median), 1),
      us_per_parameter_best: round(perParameter(s.min), 1),
      ratio_to_icwmp: round(perParameter(s.median) / ICWMP_US_PER_PARAMETER.min),
    };
  } finally {
    await stopAgent(agent);
    await acs.close();
    await removeBenchTempDir(dir);
  }
}

if (import.meta.main) {
  const arg = Deno.args.find((a) => a.startsWith("--runs="));
  console.log(await runLinuxGpvBench(arg === undefined ? 15 : Number(arg.slice(7))));
}
