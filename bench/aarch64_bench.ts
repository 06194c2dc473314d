/**
 * Start-up and footprint of the aarch64 release artifact under qemu-user, each against a
 * bare reference on the same emulator and runtime in the same run. The musl tarball is
 * built by build.ts and unpacked into a root holding only busybox-static and musl, as
 * tests/build/musl_root_test.ts does (tests/_helpers/musl_root.ts); every process runs
 * there through chroot in fresh mount and PID namespaces, aarch64 binaries under
 * qemu-aarch64 through binfmt_misc. Runs alternate between the agent and its reference.
 *
 * 1. Spawn → BOOT Inform at the test ACS; the reference is a bare script that POSTs once,
 *    started by a copy of the release launcher (same loader, runtime, `deno run` flags and
 *    V8 flags of src/cli/v8_flags.ts) with the script in place of agent.js.
 * 2. `cwmp-agent --version`: wall time and peak RSS (GNU time on the host, if installed);
 *    references an empty script through the same launcher copy, and the runtime's own
 *    `deno --version`.
 * 3. RSS `IDLE_AFTER_MS` after the first session; the reference is the bare script kept
 *    alive as long after its POST. Under qemu-user /proc shows the qemu process: the
 *    guest's memory plus the emulator's own (translated code, its heap).
 * 4. `get Device.` on the control socket (as `cwmp-agent get Device.`), requests spaced
 *    beyond the Linux objects' snapshot life: µs per parameter. No reference runs under
 *    qemu (icwmp's figure is native), so the row only shows the emulation's cost next to
 *    the native figure of bench/linux_gpv_bench.ts. The PID namespace holds the agent
 *    alone, so ProcessStatus has one row and the tree is smaller than natively.
 *
 * Absolute times under emulation are only indicative (~80× native start-up); compare the
 * ratios. Prints one line `skipped: <reason>` and exits 0 when not root, when unshare,
 * qemu-aarch64-static, busybox-static or musl is missing, or when the artifact cannot be
 * built. About 90 s with the default 3 runs (each ~8 s of start-up under qemu).
 *
 *   deno run -A bench/aarch64_bench.ts [--runs=3]
 *
 * @module
 */

import { sendControlRequest } from "../src/agent/control_server.ts";
import { AGENT_BUNDLE } from "../src/build/bundle.ts";
import { V8_FLAGS } from "../src/cli/v8_flags.ts";
import { NET_SNAPSHOT_MAX_AGE_MS } from "../src/datamodel/providers/linux/mod.ts";
import { writeAgentConfig } from "../tests/_helpers/agent_process.ts";
import { startFakeAcs } from "../tests/_helpers/fake_acs.ts";
import {
  BARE_ENV,
  buildMuslTarball,
  inRoot,
  makeRoot,
  QEMU,
  qemuUnavailable,
  rootUnavailable,
  rssKb,
} from "../tests/_helpers/musl_root.ts";
import { cleanUpNow, makeBenchTempDir, removeBenchTempDir } from "./_agent.ts";
import { POST_ONCE_SCRIPT } from "./_bare_reference.ts";
import { IDLE_AFTER_MS } from "./memory_bench.ts";
import { round, summarize, type Summary } from "./_stats.ts";

/** The agent's launcher and, beside it, the bench's copy that runs a script given first. */
const LAUNCHER = "/opt/cwmp-agent/bin/cwmp-agent";
const BARE_LAUNCHER = "/opt/cwmp-agent/bin/bare-reference";
/** The bare scripts inside the root. */
const POST_SCRIPT = "/opt/bare/post.js";
const EMPTY_SCRIPT = "/opt/bare/empty.js";
const TIME_OUT = "/tmp/time.out";

/** One row: the agent against its reference (times in ms, memory in KiB, medians). */
export interface Versus {
  agent: Summary;
  reference: Summary;
  /** Agent median over reference median. */
  ratio: number;
}

/** Figures of {@linkcode runAarch64Bench}. */
export interface Aarch64BenchResult {
  /** `qemu-aarch64 version …` of the binfmt_misc interpreter. */
  qemu: string;
  tarballBytes: number;
  /** Measured runs of each row, after one discarded. */
  runs: number;
  v8Flags: string[];
  /** Spawn → BOOT Inform vs spawn → the bare script's POST, ms. */
  inform: Versus;
  /** `cwmp-agent --version` vs an empty script: wall ms and peak RSS KiB. */
  versionMs: Versus;
  versionRssKiB: Versus;
  /** The runtime's `deno --version`: wall ms and peak RSS KiB. */
  runtimeVersionMs: Summary;
  runtimeVersionRssKiB: Summary;
  /** RSS `idleAfterMs` after the first session vs after the bare POST, KiB. */
  idleRssKiB: Versus;
  idleAfterMs: number;
  /** `get Device.` on the control socket, or why it is missing. */
  gpv: { parameters: number; msMedian: number; msBest: number; usPerParameter: number } | {
    skipped: string;
  };
}

/** Children to SIGKILL if the bench is interrupted (unshare's --kill-child takes the rest). */
const live = new Set<Deno.ChildProcess>();

/** Runs the rows, or resolves with why they cannot run here. */
export async function runAarch64Bench(runs = 3): Promise<Aarch64BenchResult | { skipped: string }> {
  const why = (await rootUnavailable()) ?? (await qemuUnavailable());
  if (why) return { skipped: why };
  const dir = await Deno.realPath(await makeBenchTempDir("cwmp-bench-aarch64-"));
  const root = `${dir}/root`;
  try {
    let tarball: string;
    const t0 = performance.now();
    try {
      tarball = await buildMuslTarball("aarch64", `${dir}/dist`);
      progress(`built the aarch64 musl tarball in ${seconds(t0)}`);
    } catch (error) {
      const first = (error as Error).message.split("\n").find((l) => /^build: /.test(l));
      return { skipped: `the aarch64 artifact cannot be built (${first ?? "build.ts failed"})` };
    }
    await makeRoot(root, tarball);
    await writeReferences(root);
    return await measure(root, tarball, runs);
  } finally {
    await removeBenchTempDir(dir).catch(() => {});
  }
}

/** The bare scripts, and the launcher copy that runs its first argument instead of agent.js. */
async function writeReferences(root: string): Promise<void> {
  await Deno.mkdir(`${root}/opt/bare`);
  await Deno.writeTextFile(`${root}${POST_SCRIPT}`, POST_ONCE_SCRIPT);
  await Deno.writeTextFile(`${root}${EMPTY_SCRIPT}`, "");
  const launcher = await Deno.readTextFile(`${root}${LAUNCHER}`);
  const agent = ` "$here/app"/${AGENT_BUNDLE} "$@"`;
  if (!launcher.includes(agent)) {
    throw new Error(`Cannot make the bare launcher: no '${agent}' in ${LAUNCHER}`);
  }
  await Deno.writeTextFile(`${root}${BARE_LAUNCHER}`, launcher.replace(agent, ' "$@"'), {
    mode: 0o755,
  });
}

async function measure(root: string, tarball: string, runs: number): Promise<Aarch64BenchResult> {
  const loader = [...Deno.readDirSync(`${root}/opt/cwmp-agent/lib`)]
    .map((e) => e.name).find((n) => n.startsWith("ld-linux-"));
  if (!loader) throw new Error("No ld-linux-* loader in the tarball's lib/");
  const runtimeVersion = [
    `/opt/cwmp-agent/lib/${loader}`,
    ...["--library-path", "/opt/cwmp-agent/lib", "/opt/cwmp-agent/libexec/deno", "--version"],
  ];

  const gnuTime = await hasGnuTime();
  let informAt = 0;
  const acs = startFakeAcs({
    hook: (message) => {
      if (message.kind === "Inform") informAt = performance.now();
      return undefined;
    },
  });
  let postAt: (at: number) => void = () => {};
  const bareServer = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      await request.text();
      postAt(performance.now());
      return new Response(null, { status: 204 });
    },
  );
  const bareUrl = `http://127.0.0.1:${bareServer.addr.port}/`;

  const inform: number[][] = [[], []];
  const idle: number[][] = [[], []];
  const versionMs: number[][] = [[], [], []];
  const versionRss: number[][] = [[], [], []];
  let gpv: Aarch64BenchResult["gpv"] = { skipped: "not measured" };
  try {
    for (let run = 0; run <= runs; run++) {
      const runStart = performance.now();
      const measured = run > 0;
      const last = run === runs;

      // 1 and 3, agent: a fresh state dir each run; GPV in the last run.
      const stateDir = `/var/lib/cwmp-agent-${run}`;
      await Deno.mkdir(`${root}/etc/run-${run}`);
      const config = await writeAgentConfig(`${root}/etc/run-${run}`, {
        acsUrl: acs.url,
        stateDir,
        periodicInterval: 86400,
        severity: "WARNING",
      });
      informAt = 0;
      const ended = acs.sessions.filter((s) => s.ended).length;
      let t0 = performance.now();
      let child = spawnInRoot(root, [LAUNCHER, "--config", config.slice(root.length)]);
      try {
        await acs.waitForSessions(ended + 1, 120_000);
        if (informAt === 0) throw new Error("A session ended without this agent's Inform");
        const ms = informAt - t0;
        if (measured) {
          await sleep(IDLE_AFTER_MS);
          inform[0].push(ms);
          idle[0].push(rssKb(root));
        }
        if (last) gpv = await controlSocketGpv(`${root}${stateDir}/control.sock`, runs);
      } catch (error) {
        throw new Error(`${(error as Error).message}\n${await stop(child)}`);
      }
      await stop(child);

      // 1 and 3, reference: the bare script POSTs once and stays alive.
      const arrived = new Promise<number>((resolve) => (postAt = resolve));
      t0 = performance.now();
      child = spawnInRoot(root, [BARE_LAUNCHER, POST_SCRIPT, bareUrl, "600000"]);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<number>((resolve) => (timer = setTimeout(resolve, 120_000, NaN)));
      const at = await Promise.race([arrived, late]);
      clearTimeout(timer);
      if (Number.isNaN(at)) throw new Error(`The bare script did not POST:\n${await stop(child)}`);
      if (measured) {
        await sleep(IDLE_AFTER_MS);
        inform[1].push(at - t0);
        idle[1].push(rssKb(root));
      }
      await stop(child);

      // 2: the agent's --version, an empty script, the runtime's --version.
      const commands = [[LAUNCHER, "--version"], [BARE_LAUNCHER, EMPTY_SCRIPT], runtimeVersion];
      for (const [i, command] of commands.entries()) {
        const { ms, rssKiB, output } = await timed(root, command, gnuTime);
        if (i === 0 && !/^cwmp-agent \S+/.test(output.trim())) {
          throw new Error(`cwmp-agent --version printed: ${JSON.stringify(output)}`);
        }
        if (measured) {
          versionMs[i].push(ms);
          versionRss[i].push(rssKiB);
        }
      }
      progress(`run ${run}${measured ? "" : " (discarded)"} of ${runs} in ${seconds(runStart)}`);
    }
  } finally {
    await acs.close();
    await bareServer.shutdown();
  }
  const versus = ([agent, reference]: number[][]): Versus => {
    const a = summarize(agent);
    const r = summarize(reference);
    return { agent: a, reference: r, ratio: round(a.median / r.median) };
  };
  return {
    qemu: await qemuVersion(),
    tarballBytes: (await Deno.stat(tarball)).size,
    runs,
    v8Flags: [...V8_FLAGS],
    inform: versus(inform),
    versionMs: versus(versionMs),
    versionRssKiB: versus(versionRss),
    runtimeVersionMs: summarize(versionMs[2]),
    runtimeVersionRssKiB: summarize(versionRss[2]),
    idleRssKiB: versus(idle),
    idleAfterMs: IDLE_AFTER_MS,
    gpv,
  };
}

function progress(text: string): void {
  console.error(`aarch64 bench: ${text}`);
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Starts `command` in `root` (procd's bare environment), its output collected. */
function spawnInRoot(root: string, command: string[]): Deno.ChildProcess {
  const child = new Deno.Command("unshare", {
    args: inRoot(root, ...command),
    clearEnv: true,
    env: BARE_ENV,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  live.add(child);
  return child;
}

/** SIGKILLs `child` (its chroot'ed command goes with it); resolves with what it printed. */
async function stop(child: Deno.ChildProcess): Promise<string> {
  try {
    child.kill("SIGKILL");
  } catch { /* exited */ }
  const out = await child.output();
  live.delete(child);
  return new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
}

/**
 * GNU time on the host, which reads the peak RSS of the whole tree below it (wait4 passes a
 * reaped child's peak up). busybox `time` in the root would do, but 1.35 multiplies
 * ru_maxrss, already in KiB, by the page size in KiB (4× too high here).
 */
const GNU_TIME = "/usr/bin/time";

async function hasGnuTime(): Promise<boolean> {
  const out = await new Deno.Command(GNU_TIME, { args: ["--version"], stdout: "piped" })
    .output().catch(() => undefined);
  return out !== undefined && new TextDecoder().decode(out.stdout).includes("GNU");
}

/**
 * Runs `command` in `root`: wall ms from spawn to exit, peak RSS KiB (NaN without GNU time).
 */
async function timed(root: string, command: string[], gnuTime: boolean) {
  const rssFile = `${root}${TIME_OUT}`;
  const args = inRoot(root, ...command);
  const t0 = performance.now();
  const out = await new Deno.Command(gnuTime ? GNU_TIME : "unshare", {
    args: gnuTime ? ["-f", "%M", "-o", rssFile, "unshare", ...args] : args,
    clearEnv: true,
    env: BARE_ENV,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const ms = performance.now() - t0;
  const output = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`${command.join(" ")} failed:\n${output}`);
  const rssKiB = gnuTime
    ? Number((await Deno.readTextFile(rssFile)).trim().split("\n").pop())
    : NaN;
  return { ms, rssKiB, output };
}

/** `get Device.` on the control socket: one untimed, then `runs` spaced beyond the snapshot. */
async function controlSocketGpv(socket: string, runs: number): Promise<Aarch64BenchResult["gpv"]> {
  const get = async () => {
    const reply = await sendControlRequest(socket, { op: "get", args: ["Device."] });
    if (reply === undefined) throw new Error(`No agent on "${socket}"`);
    if (!reply.ok) throw new Error(`get Device. failed: ${reply.lines.slice(-3).join(" | ")}`);
    return reply.lines.length;
  };
  try {
    const parameters = await get();
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      await sleep(NET_SNAPSHOT_MAX_AGE_MS + 100);
      const t0 = performance.now();
      await get();
      times.push(performance.now() - t0);
    }
    const s = summarize(times);
    return {
      parameters,
      msMedian: s.median,
      msBest: s.min,
      usPerParameter: (s.median * 1000) / parameters,
    };
  } catch (error) {
    return { skipped: (error as Error).message };
  }
}

async function qemuVersion(): Promise<string> {
  const entry = await Deno.readTextFile("/proc/sys/fs/binfmt_misc/qemu-aarch64").catch(() => "");
  const interpreter = entry.match(/^interpreter (\S+)/m)?.[1] ?? QEMU;
  // Debian registers a -P wrapper name (a link to qemu-aarch64-static) that reads argv its way.
  const qemu = await Deno.realPath(interpreter).catch(() => QEMU);
  const out = await new Deno.Command(qemu, { args: ["--version"], stdout: "piped" })
    .output().catch(() => undefined);
  const line = out ? new TextDecoder().decode(out.stdout).split("\n")[0] : "";
  return line.replace(/ \(.*\)$/, "") || "qemu-aarch64";
}

/** The report lines of `r`. */
export function aarch64Report(r: Aarch64BenchResult | { skipped: string }): string {
  if ("skipped" in r) return `skipped: ${r.skipped}`;
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;
  const times = (x: Summary) => `median ${s(x.median)} (min ${s(x.min)}, max ${s(x.max)})`;
  const row = (label: string, text: string) => `  ${label.padEnd(40)}${text}`;
  const gpv = "skipped" in r.gpv
    ? `not measured: ${r.gpv.skipped}`
    : `${r.gpv.parameters} parameters: median ${s(r.gpv.msMedian)} (best ${s(r.gpv.msBest)}) = ${
      r.gpv.usPerParameter.toFixed(0)
    } µs/parameter (no reference under qemu)`;
  return [
    `aarch64 musl tarball (${(r.tarballBytes / 1e6).toFixed(1)} MB .tar.gz) in a busybox + musl ` +
    `root under ${r.qemu} (binfmt_misc), ${r.runs} run${r.runs === 1 ? "" : "s"} each after ` +
    "1 discarded; times under emulation are only indicative, compare the ratios",
    row(
      "spawn → BOOT Inform at the ACS",
      `${times(r.inform.agent)}; bare script POSTing once, same launcher and V8 flags: ` +
        `${times(r.inform.reference)} → ${r.inform.ratio}×`,
    ),
    row(
      "`cwmp-agent --version`",
      Number.isNaN(r.versionRssKiB.agent.median)
        ? `${times(r.versionMs.agent)}; empty script: ${times(r.versionMs.reference)} → ` +
          `${r.versionMs.ratio}×; \`deno --version\`: ${s(r.runtimeVersionMs.median)} ` +
          "(peak RSS needs GNU time, Debian package time)"
        : `${times(r.versionMs.agent)}, peak RSS ${mib(r.versionRssKiB.agent.median)}; empty ` +
          `script: ${times(r.versionMs.reference)}, ${mib(r.versionRssKiB.reference.median)} → ` +
          `${r.versionMs.ratio}×, ${r.versionRssKiB.ratio}×; \`deno --version\`: ` +
          `${s(r.runtimeVersionMs.median)}, ${mib(r.runtimeVersionRssKiB.median)}`,
    ),
    row(
      `idle RSS ${r.idleAfterMs / 1000} s after the first session`,
      `${mib(r.idleRssKiB.agent.median)}; bare script kept alive: ` +
        `${mib(r.idleRssKiB.reference.median)} → ${r.idleRssKiB.ratio}× ` +
        "(RSS of the qemu process: guest memory plus the emulator's translated code and heap)",
    ),
    row("`get Device.` on the control socket", gpv),
  ].join("\n");
}

if (import.meta.main) {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => {
      for (const child of live) {
        try {
          child.kill("SIGKILL");
        } catch { /* exited */ }
      }
      cleanUpNow();
      Deno.exit(130);
    });
  }
  const arg = Deno.args.find((a) => a.startsWith("--runs="));
  const runs = arg === undefined ? 3 : Number(arg.slice(7));
  if (!Number.isInteger(runs) || runs < 1) {
    console.error(`Invalid "--runs": "${arg}"`);
    Deno.exit(2);
  }
  const result = await runAarch64Bench(runs);
  console.log(aarch64Report(result));
  console.log(
    `RESULT ${JSON.stringify(result, (_k, v) => typeof v === "number" ? round(v, 3) : v)}`,
  );
}
