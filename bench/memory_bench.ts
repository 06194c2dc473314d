/**
 * Benchmark 6: the agent process's memory over its life, in one run and one process:
 * resident set at idle (after boot), at the peak of one session with a
 * GetParameterValues of 1,000 names (and of 1,000 empty names, which the response
 * budget answers with 9004), and after N ordinary sessions (default 10,000: CR →
 * Inform → GPV of 100 names → SPV of 10 → 204, as benchmark 1), each reported against
 * the idle figure. Also the agent's CPU per session over the long run, so V8 flags
 * can be compared on memory and CPU together:
 *
 *   deno run -A bench/memory_bench.ts [--sessions=10000] [--v8-flags=--max-old-space-size=96]
 *
 * Without `--v8-flags` the agent runs with the production heap limits (src/cli/v8_flags.ts);
 * `--v8-flags=none` runs it with V8's defaults.
 *
 * Peaks: VmHWM after resetting it just before the session (`echo 5 >
 * /proc/<pid>/clear_refs`), and VmRSS polled every few ms as a cross-check.
 *
 * @module
 */

import type { CwmpMessage } from "../src/soap/mod.ts";
import { V8_FLAGS } from "../src/cli/v8_flags.ts";
import { type FakeAcs, startFakeAcs } from "../tests/_helpers/fake_acs.ts";
import {
  CR_CREDENTIALS,
  makeBenchTempDir,
  removeBenchTempDir,
  startAgentProcess,
  stopAgent,
  writeBenchConfig,
} from "./_agent.ts";
import { buildReleaseBundle, warmCache } from "./_startup_bench.ts";
import { LAUNCHER_ENV, runArguments } from "../src/build/tarball.ts";
import { connectionRequestUrlOf, sendConnectionRequest } from "./_connection_request.ts";
import { clockTicksPerSecond, cpuTicks, type Memory, memory } from "./_proc.ts";
import { checkSession, requestsFor, sliceParameterNames } from "./_session_bench.ts";
import { summarize } from "./_stats.ts";

/** Options of {@linkcode benchMemory}. */
export interface MemoryBenchOptions {
  /** Ordinary sessions after the big ones. */
  sessions: number;
  /** Names in the big GetParameterValues. */
  bigGpvNames: number;
  /** V8 flags for the agent process (the production ones by default; with `releaseDir` too). */
  v8Flags?: readonly string[];
  /**
   * Runs the release bundle in this directory with the launcher's arguments (and their V8
   * flags) instead of `deno run main.ts`, with a `DENO_DIR` that `warm-cache` filled first
   * (what an installed agent starts with).
   */
  releaseDir?: string;
}

/** The peak of one session. */
export interface SessionPeak {
  /** VmHWM, reset just before the session (0 when the kernel refused the reset). */
  hwmKiB: number;
  /** Highest VmRSS polled during the session. */
  polledKiB: number;
  /** VmRSS once the session ended. */
  afterKiB: number;
  /** Connection request sent → 204, ms. */
  wallMs: number;
  /** What the agent answered, e.g. `GetParameterValuesResponse (1000 items)`. */
  answer: string;
  /** Size of that answer's body, bytes. */
  answerBytes: number;
}

/** Figures of benchmark 6. */
export interface MemoryBenchResult {
  v8Flags: string[];
  agentPid: number;
  /** After boot, the BOOT session over and 1 s of quiet. */
  idle: Memory;
  bigGpvNames: number;
  /** Distinct parameter names among them (the tree's parameters, cycled). */
  bigGpvDistinct: number;
  /** Parameters in the agent's tree (GPN of ""). */
  treeParameters: number;
  bigGpv: SessionPeak;
  emptyGpv: SessionPeak;
  sessions: number;
  afterSessions: Memory;
  /** The same, after `IDLE_AFTER_MS` more with no session (V8 gives back what it can). */
  afterSessionsIdle: Memory;
  /** VmRSS every tenth of the run. */
  series: { sessions: number; rssKiB: number }[];
  /** Agent utime+stime per ordinary session, ms. */
  cpuMsPerSession: number;
  /** Median wall time of an ordinary session, ms. */
  wallMsMedian: number;
}

/** Runs benchmark 6 in a temp directory it removes afterwards. */
/** When the idle RSS is read after the first session, ms. */
export const IDLE_AFTER_MS = 3000;

export async function benchMemory(options: MemoryBenchOptions): Promise<MemoryBenchResult> {
  const dir = await makeBenchTempDir("cwmp-bench-memory-");
  const acs = startFakeAcs();
  let release = {};
  if (options.releaseDir !== undefined) {
    const runArgs = runArguments(options.releaseDir, options.v8Flags);
    await warmCache(runArgs, `${dir}/deno`);
    release = { runArgs, env: { ...LAUNCHER_ENV, DENO_DIR: `${dir}/deno` } };
  }
  const agent = startAgentProcess(await writeBenchConfig(dir, acs.url), {
    v8Flags: options.v8Flags,
    ...release,
  });
  const pid = agent.child.pid;
  try {
    const [boot] = await acs.waitForSessions(1, 15_000);
    const crUrl = connectionRequestUrlOf(boot);
    forget(acs);
    // Idle: 3 s after the first session (the bare reference is read at the same delay).
    await new Promise((resolve) => setTimeout(resolve, IDLE_AFTER_MS));
    const idle = await memory(pid);

    /** One session of `requests`; its messages, wall time and peak. */
    const session = async (...requests: Parameters<FakeAcs["enqueue"]>) => {
      acs.enqueue(...requests);
      const reset = await resetPeak(pid);
      let polledKiB = 0;
      let running = true;
      const poll = (async () => {
        while (running) {
          polledKiB = Math.max(polledKiB, (await memory(pid)).rssKiB);
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      })();
      const t0 = performance.now();
      await sendConnectionRequest(crUrl, CR_CREDENTIALS);
      const [record] = await acs.waitForSessions(1, 60_000);
      const wallMs = performance.now() - t0;
      running = false;
      await poll;
      const after = await memory(pid);
      forget(acs);
      const peak = { hwmKiB: reset ? after.hwmKiB : 0, polledKiB, afterKiB: after.rssKiB, wallMs };
      return { record, peak };
    };

    // The tree's parameter names, for a GPV of distinct names.
    const gpn = await session({ kind: "GetParameterNames", parameterPath: "", nextLevel: false });
    const listed = gpn.record.messages[0];
    if (listed?.kind !== "GetParameterNamesResponse") {
      throw new Error(`GPN of "": got ${describe(listed)}`);
    }
    const parameters = listed.parameterList.map((p) => p.name).filter((n) => !n.endsWith("."));
    const names = Array.from({ length: options.bigGpvNames }, (_, i) => {
      return parameters[i % parameters.length];
    });

    const big = await session({ kind: "GetParameterValues", parameterNames: names });
    const empty = await session({
      kind: "GetParameterValues",
      parameterNames: Array(options.bigGpvNames).fill(""),
    });
    const peakOf = ({ record, peak }: Awaited<ReturnType<typeof session>>): SessionPeak => ({
      ...peak,
      answer: describe(record.messages[0]),
      answerBytes: new TextEncoder().encode(record.bodies[1] ?? "").length,
    });

    // The ordinary sessions.
    const slice = sliceParameterNames();
    const gpvNames = Array.from({ length: 100 }, (_, i) => slice[i % slice.length]);
    const series: { sessions: number; rssKiB: number }[] = [];
    const wall: number[] = [];
    const step = Math.max(1, Math.round(options.sessions / 10));
    const before = await cpuTicks(pid);
    for (let i = 0; i < options.sessions; i++) {
      acs.enqueue(...requestsFor(i, gpvNames));
      const t0 = performance.now();
      await sendConnectionRequest(crUrl, CR_CREDENTIALS);
      const [record] = await acs.waitForSessions(1, 10_000);
      wall.push(performance.now() - t0);
      checkSession(record, i, gpvNames.length);
      forget(acs);
      if ((i + 1) % step === 0) {
        series.push({ sessions: i + 1, rssKiB: (await memory(pid)).rssKiB });
      }
    }
    const after = await cpuTicks(pid);
    const hz = await clockTicksPerSecond();
    const afterSessions = await memory(pid);
    await new Promise((resolve) => setTimeout(resolve, IDLE_AFTER_MS));
    const afterSessionsIdle = await memory(pid);
    return {
      v8Flags: [...(options.v8Flags ?? V8_FLAGS)],
      agentPid: pid,
      idle,
      bigGpvNames: options.bigGpvNames,
      bigGpvDistinct: Math.min(parameters.length, options.bigGpvNames),
      treeParameters: parameters.length,
      bigGpv: peakOf(big),
      emptyGpv: peakOf(empty),
      sessions: options.sessions,
      afterSessions,
      afterSessionsIdle,
      series,
      cpuMsPerSession: ((after - before) * 1000) / hz / Math.max(1, options.sessions),
      wallMsMedian: summarize(wall).median,
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

/** Drops what the test ACS recorded, so 10,000 sessions do not grow the bench itself. */
function forget(acs: FakeAcs): void {
  acs.sessions.length = 0;
  acs.received.length = 0;
  acs.requests.length = 0;
}

/** Resets VmHWM of `pid` to its current RSS (Linux ≥ 4.0); false when refused. */
async function resetPeak(pid: number): Promise<boolean> {
  try {
    await Deno.writeTextFile(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

function describe(message: CwmpMessage | undefined): string {
  if (message === undefined) return "nothing";
  if (message.kind === "Fault") return `Fault ${message.faultCode} (${message.faultString})`;
  if ("parameterList" in message && Array.isArray(message.parameterList)) {
    return `${message.kind} (${message.parameterList.length} items)`;
  }
  return message.kind;
}

if (import.meta.main) {
  // deno run -A bench/memory_bench.ts [--sessions=10000] [--v8-flags=--max-old-space-size=96,…]
  //   [--release]   (the release bundle, built into a temp dir, with the launcher's arguments)
  const arg = (name: string) =>
    Deno.args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const flags = arg("v8-flags");
  const releaseDir = Deno.args.includes("--release") ? await buildReleaseBundle() : undefined;
  try {
    console.log(JSON.stringify(
      await benchMemory({
        sessions: Number(arg("sessions") ?? 10_000),
        bigGpvNames: 1000,
        v8Flags: flags === undefined ? undefined : flags === "none" ? [] : flags.split(","),
        releaseDir,
      }),
      null,
      2,
    ));
  } finally {
    if (releaseDir !== undefined) await removeBenchTempDir(releaseDir);
  }
}
