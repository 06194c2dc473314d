/**
 * Benchmark 2: start-up time to the first Inform, from the spawn of the agent
 * process (`deno run main.ts`) to the test ACS receiving its BOOT Inform. Each run
 * has a fresh state directory and a fresh agent process.
 *
 * @module
 */

import { startFakeAcs } from "../tests/_helpers/fake_acs.ts";
import {
  makeBenchTempDir,
  removeBenchTempDir,
  startAgentProcess,
  stopAgent,
  writeBenchConfig,
} from "./_agent.ts";
import { summarize, type Summary } from "./_stats.ts";

/** Figures of benchmark 2. */
export interface StartupBenchResult {
  runs: number;
  /** Spawn → Inform decoded by the ACS, ms, per run in order. */
  samplesMs: number[];
  ms: Summary;
  /** Discarded first spawn (fills Deno's module cache if it is cold), ms. */
  warmupMs: number;
}

/** Runs benchmark 2 (`runs` measured spawns after one discarded). */
export async function benchStartup(runs: number): Promise<StartupBenchResult> {
  let informAt = 0;
  const acs = startFakeAcs({
    hook: (message) => {
      if (message.kind === "Inform") informAt = performance.now();
      return undefined;
    },
  });
  const dir = await makeBenchTempDir("cwmp-bench-startup-");
  const samples: number[] = [];
  try {
    for (let run = 0; run <= runs; run++) {
      const runDir = `${dir}/run-${run}`;
      await Deno.mkdir(runDir);
      const config = await writeBenchConfig(runDir, acs.url);
      informAt = 0;
      const t0 = performance.now();
      const agent = startAgentProcess(config);
      try {
        await acs.waitForSessions(run + 1, 15_000);
      } catch (error) {
        throw new Error(`${(error as Error).message}\n${agent.lines.join("\n")}`);
      } finally {
        await stopAgent(agent);
      }
      samples.push(informAt - t0);
    }
  } finally {
    await acs.close();
    await removeBenchTempDir(dir);
  }
  const [warmupMs, ...measured] = samples;
  return { runs, samplesMs: measured, ms: summarize(measured), warmupMs };
}
