/**
 * Benchmark 2: start-up time to the first Inform, from the spawn of the agent process to
 * the test ACS receiving its BOOT Inform, each run with a fresh state directory and a
 * fresh agent process. Two ways: `deno run main.ts` from the source tree, and the release
 * bundle (`agent.js` built as `deno task build` builds it) run with the launcher's exact
 * `deno run` arguments and environment (no V8 code cache, as on a router), with an empty
 * and with a filled `DENO_DIR`. For the release bundle also its RSS `idleAfterMs` after
 * the first session.
 *
 * @module
 */

import { bundleThisTree } from "../tests/_helpers/bundle_tree.ts";
import { LAUNCHER_ENV, runArguments } from "../src/build/tarball.ts";
import { startFakeAcs } from "../tests/_helpers/fake_acs.ts";
import type { SpawnAgentOptions } from "../tests/_helpers/agent_process.ts";
import {
  makeBenchTempDir,
  removeBenchTempDir,
  startAgentProcess,
  stopAgent,
  writeBenchConfig,
} from "./_agent.ts";
import { memory } from "./_proc.ts";
import { summarize, type Summary } from "./_stats.ts";

/** Figures of benchmark 2, one way of starting. */
export interface StartupBenchResult {
  runs: number;
  /** Spawn → Inform decoded by the ACS, ms, per run in order. */
  samplesMs: number[];
  ms: Summary;
  /** Discarded first spawn (fills Deno's module cache if it is cold), ms. */
  warmupMs: number;
  /** RSS `idleAfterMs` after the first session, KiB (median), when asked for. */
  idleRssKiB?: number;
}

/** Runs benchmark 2 (`runs` measured spawns after one discarded). */
export async function benchStartup(
  runs: number,
  options: SpawnAgentOptions & {
    idleAfterMs?: number;
    /** Each run with an empty `DENO_DIR` (a router's boot with it on tmpfs). */
    coldCache?: boolean;
    /** Each run with a fresh `DENO_DIR` holding a copy of this one (the launcher's seed). */
    seedFrom?: string;
    /**
     * Every run on the state directory the previous one left (a reboot: settings, session
     * state and instance numbers already there), instead of a fresh one (a first start).
     */
    keepState?: boolean;
  } = {},
): Promise<StartupBenchResult> {
  let informAt = 0;
  const acs = startFakeAcs({
    hook: (message) => {
      if (message.kind === "Inform") informAt = performance.now();
      return undefined;
    },
  });
  const dir = await makeBenchTempDir("cwmp-bench-startup-");
  const samples: number[] = [];
  const rss: number[] = [];
  try {
    for (let run = 0; run <= runs; run++) {
      const runDir = options.keepState ? `${dir}/run` : `${dir}/run-${run}`;
      await Deno.mkdir(runDir, { recursive: true });
      const config = await writeBenchConfig(runDir, acs.url);
      informAt = 0;
      const t0 = performance.now();
      let env = options.env;
      if (options.coldCache || options.seedFrom !== undefined) {
        const denoDir = await Deno.makeTempDir({ dir: runDir });
        if (options.seedFrom !== undefined) await copyDir(options.seedFrom, denoDir);
        env = { ...options.env, DENO_DIR: denoDir };
      }
      const agent = startAgentProcess(config, { ...options, env });
      try {
        await acs.waitForSessions(run + 1, 15_000);
        if (options.idleAfterMs !== undefined && run > 0) {
          await new Promise((resolve) => setTimeout(resolve, options.idleAfterMs));
          rss.push((await memory(agent.child.pid)).rssKiB);
        }
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
  return {
    runs,
    samplesMs: measured,
    ms: summarize(measured),
    warmupMs,
    ...(rss.length > 0 ? { idleRssKiB: summarize(rss).median } : {}),
  };
}

/**
 * Benchmark 2 on the release bundle: builds `agent.js` into a temp directory and starts it
 * with the launcher's `deno run` arguments and environment; RSS `idleAfterMs` after the
 * first session too. Cold: each run with an empty `DENO_DIR`, as every boot of a router that
 * keeps it on tmpfs (Deno analyses the bundle's modules again); seeded: an empty `DENO_DIR`
 * that gets the copy `cwmp-agent warm-cache` left in the release tree, as the launcher does
 * at boot; warm: `DENO_DIR` filled by the previous run; reboot: that, and the state directory
 * the previous run left (every other variant is a first start on a fresh one).
 */
export async function benchReleaseStartup(
  runs: number,
  idleAfterMs: number,
): Promise<
  {
    cold: StartupBenchResult;
    seeded: StartupBenchResult;
    warm: StartupBenchResult;
    reboot: StartupBenchResult;
  }
> {
  const outDir = await buildReleaseBundle();
  const seed = await makeBenchTempDir("cwmp-bench-seed-");
  const options = { runArgs: runArguments(outDir), env: LAUNCHER_ENV, idleAfterMs };
  try {
    await warmCache(options.runArgs, seed);
    return {
      cold: await benchStartup(runs, { ...options, coldCache: true }),
      seeded: await benchStartup(runs, { ...options, seedFrom: seed }),
      warm: await benchStartup(runs, options),
      reboot: await benchStartup(runs, { ...options, keepState: true }),
    };
  } finally {
    await removeBenchTempDir(outDir);
    await removeBenchTempDir(seed);
  }
}

/**
 * What `cwmp-agent warm-cache` does: the release bundle started by `runArgs` (the launcher's
 * arguments) loads its modules once into `denoDir`.
 */
export async function warmCache(runArgs: readonly string[], denoDir: string): Promise<void> {
  const warmed = await new Deno.Command(Deno.execPath(), {
    args: [...runArgs, "warm-cache"],
    env: { ...LAUNCHER_ENV, DENO_DIR: denoDir },
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!warmed.success) throw new Error(new TextDecoder().decode(warmed.stderr));
}

/** Builds the release bundle (`agent.js` and its chunks) into a bench temp directory. */
export async function buildReleaseBundle(): Promise<string> {
  const outDir = await makeBenchTempDir("cwmp-bench-bundle-");
  await bundleThisTree(outDir);
  return outDir;
}

async function copyDir(from: string, to: string): Promise<void> {
  for await (const entry of Deno.readDir(from)) {
    if (entry.isDirectory) {
      await Deno.mkdir(`${to}/${entry.name}`);
      await copyDir(`${from}/${entry.name}`, `${to}/${entry.name}`);
    } else if (entry.isFile) await Deno.copyFile(`${from}/${entry.name}`, `${to}/${entry.name}`);
  }
}
