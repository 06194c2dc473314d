/**
 * `deno task bench`: speed and memory of the agent, measured rather than asserted.
 *
 *  1. CPU, wall time and memory of the real agent process per CWMP session triggered
 *     by a connection request (Inform → GPV of 100 names → SPV of 10 → 204).
 *  2. Start-up time from spawn to the first Inform at the test ACS.
 *  3. The codec on a 10,000-parameter GetParameterValuesResponse, and GPV through
 *     src/rpc on the slice data model.
 *  4. The data model at 10,000 parameters: GPV and GPN of `Device.` end to end, RSS.
 *  5. The UDP echo server and TWAMP reflector (FFI and listenDatagram paths) against a C
 *     recvfrom/sendto server compiled with gcc, same load generator, same run.
 *  6. The agent's RSS over its life in one process: idle after boot, the peak of a
 *     session with a GPV of 1,000 names (and of 1,000 empty names: 9004), after 10,000
 *     sessions and 3 s later (once the agent has trimmed); `deno run main.ts`, then the
 *     release bundle as installed, then the release bundle with the small-memory V8 flags
 *     (`CWMP_AGENT_V8_FLAGS`; about 2 minutes each; `--memory-sessions` shortens them).
 *  7. An HTTP download of a 200 MB file on loopback with the transfer client vs `curl -o`:
 *     throughput ratio and the RSS rise of the downloading process (about 10 s, needs
 *     curl; `--transfer-mb=0` skips it).
 *  8. FTP (vsftpd) and TFTP (tftpd-hpa) downloads and uploads vs curl and tftp-hpa
 *     (bench/transfer_ftp_tftp_bench.ts in its own process; `--ftp-mb=0 --tftp-mb=0` skip).
 *  9. Connection-request paths to session start: UDP (TR-111) against HTTP Digest,
 *     p50/p99 over `--cr-requests` each, and the STUN keep-alive traffic per hour
 *     (bench/cr_paths_bench.ts in its own process; `--cr-requests=0` skips).
 * 10. Bulk Data: a profile selecting 10,000 parameters (wildcards, and 10,000 concrete
 *     references): resolve, read, encode JSON and CSV with sizes, CPU per report, reports
 *     per second over HTTP on loopback (bench/bulkdata_bench.ts in its own process;
 *     `--bulkdata-seconds=0` skips).
 * 11. Whole-tree GPV with the Linux objects bound: `get Device.` on the real agent's
 *     control socket, µs per parameter against icwmp's figure (measured separately)
 *     (bench/linux_gpv_bench.ts in its own process; `--linux-gpv-runs=0` skips), and the
 *     same with the small-memory V8 flags (its bench and agent processes).
 * 12. The aarch64 release tarball in a busybox + musl root under qemu-user: spawn → BOOT
 *     Inform, `cwmp-agent --version` and idle RSS, each against a bare script on the same
 *     emulator and runtime, and a whole-tree GPV on the control socket (about 90 s;
 *     bench/aarch64_bench.ts in its own process, which says why when it skips;
 *     `--aarch64-runs=0` skips).
 *
 * Prints a table and writes bench/results.json. Exits 1 if any session fails.
 *
 *   deno task bench [--sessions=200] [--warmup=30] [--startup-runs=10] [--codec-runs=7]
 *                   [--memory-sessions=10000] [--transfer-mb=200] [--ftp-mb=100] [--tftp-mb=20]
 *                   [--cr-requests=1000] [--bulkdata-seconds=10]
 *                   [--linux-gpv-runs=15] [--aarch64-runs=3]
 *
 * @module
 */

import { SMALL_MEMORY_V8_FLAGS, V8_FLAGS } from "../src/cli/v8_flags.ts";
import { cleanUpNow, removeBenchTempDir } from "./_agent.ts";
import { benchCodec, type CodecBenchResult } from "./_codec_bench.ts";
import { runDatamodelBench } from "./datamodel_bench.ts";
import {
  benchMemory,
  IDLE_AFTER_MS,
  type MemoryBenchResult,
  type SessionPeak,
} from "./memory_bench.ts";
import { type BareReference, benchBare } from "./_bare_reference.ts";
import { runUdpBench } from "./udp_bench.ts";
import { benchTransfer, type TransferBenchResult, transferReportRows } from "./transfer_bench.ts";
import { machineFacts } from "./_proc.ts";
import { benchSessions, type SessionBenchResult } from "./_session_bench.ts";
import {
  benchReleaseStartup,
  benchStartup,
  buildReleaseBundle,
  type StartupBenchResult,
} from "./_startup_bench.ts";
import { round, type Summary } from "./_stats.ts";

const RESULTS = new URL("./results.json", import.meta.url).pathname;

function intFlag(name: string, fallback: number, min = 1): number {
  const arg = Deno.args.find((a) => a.startsWith(`--${name}=`));
  if (arg === undefined) return fallback;
  const value = Number(arg.slice(name.length + 3));
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`Invalid "--${name}": "${arg}"`);
  }
  return value;
}

const ms = (v: number) => `${round(v).toFixed(2)} ms`;
const us = (v: number) => `${round(v, 1).toFixed(1)} µs`;
const count = (n: number) => n.toLocaleString("en");
const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;
const spread = (s: Summary, f: (v: number) => string) =>
  `min ${f(s.min)}  median ${f(s.median)}  p95 ${f(s.p95)}`;

function table(rows: [string, string][]): string {
  const width = Math.max(...rows.filter(([, v]) => v !== "").map(([k]) => k.length));
  return rows.map(([k, v]) => (v === "" ? `\n${k}` : `  ${k.padEnd(width)}  ${v}`)).join("\n");
}

/** The rows of a memory run after its sessions, indented by `indent`. */
function afterSessionRows(m: MemoryBenchResult, indent: string): [string, string][] {
  const overIdle = (kib: number) => `${mib(kib)} (+${mib(kib - m.idle.rssKiB)} over idle)`;
  return [
    [
      `${indent}after ${count(m.sessions)} sessions`,
      `${overIdle(m.afterSessions.rssKiB)}, VmHWM ${mib(m.afterSessions.hwmKiB)}; ${
        IDLE_AFTER_MS / 1000
      } s later ${overIdle(m.afterSessionsIdle.rssKiB)}`,
    ],
    [
      `${indent}  of which, ${IDLE_AFTER_MS / 1000} s later`,
      `anonymous (RssAnon) +${mib(m.afterSessionsIdle.anonKiB - m.idle.anonKiB)}, file-backed ` +
      `(RssFile: the runtime's code pages) +${mib(m.afterSessionsIdle.fileKiB - m.idle.fileKiB)}`,
    ],
    [
      `${indent}  on the way`,
      m.series.map((p) => `${p.sessions}: ${(p.rssKiB / 1024).toFixed(0)}`).join(", ") + " MiB",
    ],
    [
      `${indent}  agent CPU / session`,
      `${ms(m.cpuMsPerSession)}, wall median ${ms(m.wallMsMedian)}`,
    ],
  ];
}

/** A memory run of the release bundle: idle against the bare script, its peak, then its sessions. */
function releaseMemoryRows(
  label: string,
  m: MemoryBenchResult,
  bare: BareReference,
): [string, string][] {
  return [
    [
      label,
      `idle ${mib(m.idle.rssKiB)} (${
        (m.idle.rssKiB / bare.idleRssKiB).toFixed(2)
      }×); peak, GPV of ${count(m.bigGpvNames)} names +${
        mib(Math.max(m.bigGpv.hwmKiB, m.bigGpv.polledKiB) - m.idle.rssKiB)
      }`,
    ],
    ...afterSessionRows(m, "  "),
  ];
}

/** What sections 1–7 of the report are made from (also written to results.json). */
interface ReportInput {
  machine: Awaited<ReturnType<typeof machineFacts>>;
  session: SessionBenchResult;
  startup: StartupBenchResult;
  release: Awaited<ReturnType<typeof benchReleaseStartup>>;
  codec: CodecBenchResult;
  datamodel: Record<string, number>;
  udp: Record<string, number>;
  memory: MemoryBenchResult;
  memoryRelease: MemoryBenchResult;
  /** The release bundle with {@linkcode SMALL_MEMORY_V8_FLAGS} added. */
  memoryReleaseSmall: MemoryBenchResult;
  transfer: TransferBenchResult | undefined;
  bare: BareReference;
}

function report(r: ReportInput): string {
  const { machine, session: s, startup: st, release, codec: c, datamodel: d, udp: u } = r;
  const { memory: m, memoryRelease: mr, memoryReleaseSmall: small, transfer: t, bare } = r;
  const overIdle = (kib: number) => `${mib(kib)} (+${mib(kib - m.idle.rssKiB)} over idle)`;
  const peak = (p: SessionPeak): string =>
    `${overIdle(Math.max(p.hwmKiB, p.polledKiB))}; ${p.answer}, ${
      p.answerBytes.toLocaleString("en")
    } bytes, ${ms(p.wallMs)}`;
  const udp = (name: string, label: string): [string, string] => [
    label,
    `${u[`${name}_pps`].toLocaleString("en")}/s (${u[`${name}_ratio`]}× C)  p99 ${
      u[`${name}_p99_us`]
    } µs (+${u[`${name}_p99_added_us`]} µs over C)`,
  ];
  return table([
    ["Machine", ""],
    ["Deno", `${machine.deno} (V8 ${machine.v8})`],
    ["CPU", `${machine.cpuModel}, nproc ${machine.nproc}`],
    ["OS", `${machine.os}, CLK_TCK ${machine.clockTicksPerSecond}`],
    [
      `1. Session: CR → Inform → GPV(${s.gpvNames} names) → SPV(${s.spvParameters}) → 204`,
      "",
    ],
    ["sessions", `${s.sessions} measured after ${s.warmup} warm-up, log severity WARNING`],
    [
      "GPV names",
      `${s.gpvNames}, cycling through the slice's ${s.distinctParameterNames} parameter names`,
    ],
    [
      "agent CPU / session",
      `${ms(s.cpuMsPerSession)} (utime+stime of PID ${s.agentPid}, ${s.cpuTicks} ticks)`,
    ],
    ["  (schedstat)", `${ms(s.cpuMsPerSessionSchedstat)} (sum over the agent's live threads)`],
    ["bench CPU / session", `${ms(s.benchCpuMsPerSession)} (test ACS + CR client)`],
    ["wall / session", `${spread(s.wallMs, ms)}  mean ${ms(s.wallMsMean)}`],
    [
      "agent RSS",
      `after boot ${mib(s.memoryAfterBoot.rssKiB)}, after warm-up ${
        mib(s.memoryAfterWarmup.rssKiB)
      }, after run ${mib(s.memoryAfterRun.rssKiB)}, peak (VmHWM) ${mib(s.memoryAfterRun.hwmKiB)}`,
    ],
    ["2. Start-up: spawn of `deno run main.ts` → BOOT Inform at the ACS", ""],
    ["runs", `${st.runs} (fresh state dir each; 1 more discarded first: ${ms(st.warmupMs)})`],
    ["time to Inform", `min ${ms(st.ms.min)}  median ${ms(st.ms.median)}  max ${ms(st.ms.max)}`],
    [
      "bare Deno script that POSTs once",
      `min ${ms(bare.postMs.min)}  median ${ms(bare.postMs.median)} (the floor; agent ${
        (st.ms.median / bare.postMs.median).toFixed(2)
      }× at the median)`,
    ],
    [
      "release bundle, empty DENO_DIR (boot)",
      `min ${ms(release.cold.ms.min)}  median ${ms(release.cold.ms.median)} (${
        (release.cold.ms.median / bare.postMs.median).toFixed(2)
      }× the bare script; launcher's arguments and environment, no V8 code cache)`,
    ],
    [
      "release bundle at boot, warm-cache seed",
      `min ${ms(release.seeded.ms.min)}  median ${ms(release.seeded.ms.median)} (${
        (release.seeded.ms.median / bare.postMs.median).toFixed(2)
      }× the bare script; an empty DENO_DIR given the seed, as the launcher does)`,
    ],
    [
      "release bundle, DENO_DIR filled",
      `min ${ms(release.warm.ms.min)}  median ${ms(release.warm.ms.median)} (${
        (release.warm.ms.median / bare.postMs.median).toFixed(2)
      }× the bare script)`,
    ],
    [
      "the same at a reboot",
      `min ${ms(release.reboot.ms.min)}  median ${ms(release.reboot.ms.median)} (${
        (release.reboot.ms.median / bare.postMs.median).toFixed(2)
      }× the bare script; the state directory the previous run left, where the rows above start on a fresh one)`,
    ],
    [`3. Codec: GetParameterValuesResponse of ${c.parameters} parameters`, ""],
    [
      "size",
      `${c.xmlChars.toLocaleString("en")} chars, ${(c.xmlBytes / 1e6).toFixed(2)} MB UTF-8`,
    ],
    ["encodeEnvelope()", `best ${ms(c.encodeMs.min)}  median ${ms(c.encodeMs.median)}`],
    ["decodeEnvelope()", `best ${ms(c.decodeMs.min)}  median ${ms(c.decodeMs.median)}`],
    ["runs", `${c.runs} each, after one untimed`],
    ["   src/rpc getParameterValues() on the slice model", ""],
    [`"Device." (${c.rpc.allParameters} values)`, spread(c.rpc.allUs, us)],
    ["100 names (session's GPV)", spread(c.rpc.names100Us, us)],
    ["calls", `${c.rpc.allCalls} each`],
    [`4. Data model: ${d.parameters.toLocaleString("en")} parameters (2,000 Hosts.Host rows)`, ""],
    ["build the tree", ms(d.build_ms)],
    [
      'GPV "Device." end to end',
      `best ${ms(d.gpv_ms_best)}  median ${ms(d.gpv_ms_median)} (XML in → walk → XML out, ${
        (d.gpv_response_bytes / 1e6).toFixed(2)
      } MB)`,
    ],
    ['GPN "Device." NextLevel false', `best ${ms(d.gpn_ms_best)}  median ${ms(d.gpn_ms_median)}`],
    [
      "RSS rise",
      `first GPV ${d.rss_delta_first_gpv_mib.toFixed(1)} MiB, first GPN ${
        d.rss_delta_first_gpn_mib.toFixed(1)
      } MiB (from ${d.rss_before_mib.toFixed(1)} MiB)`,
    ],
    ["5. UDP on loopback: 64-byte datagrams, 32 in flight; p99 at 1,000/s", ""],
    [
      "C recvfrom/sendto echo",
      `${u.c_pps.toLocaleString("en")}/s  p99 ${u.c_p99_us} µs (the reference)`,
    ],
    udp("ffi", "UDP echo, FFI Worker"),
    udp("deno", "UDP echo, listenDatagram"),
    udp("twamp-ffi", "TWAMP reflector, FFI Worker"),
    udp("twamp-deno", "TWAMP reflector, listenDatagram"),
    [`6. Agent RSS in one run: idle, one big session, ${count(m.sessions)} sessions`, ""],
    ["V8 flags", m.v8Flags.length > 0 ? m.v8Flags.join(" ") : "V8 defaults"],
    [
      `idle (${IDLE_AFTER_MS / 1000} s after the first session)`,
      `${mib(m.idle.rssKiB)}; the bare script kept alive: ${mib(bare.idleRssKiB)} (${
        (m.idle.rssKiB / bare.idleRssKiB).toFixed(2)
      }×)`,
    ],
    [
      "idle, release bundle",
      `${mib(release.cold.idleRssKiB ?? 0)} after a start with an empty DENO_DIR (${
        ((release.cold.idleRssKiB ?? 0) / bare.idleRssKiB).toFixed(2)
      }×), ${mib(release.seeded.idleRssKiB ?? 0)} with the warm-cache seed (${
        ((release.seeded.idleRssKiB ?? 0) / bare.idleRssKiB).toFixed(2)
      }×), ${mib(release.warm.idleRssKiB ?? 0)} with it filled (${
        ((release.warm.idleRssKiB ?? 0) / bare.idleRssKiB).toFixed(2)
      }× the bare script)`,
    ],
    [
      `peak, GPV of ${count(m.bigGpvNames)} names`,
      `${peak(m.bigGpv)} (${m.bigGpvDistinct} distinct of ${m.treeParameters} parameters)`,
    ],
    [`peak, GPV of ${count(m.bigGpvNames)} empty names`, peak(m.emptyGpv)],
    ...afterSessionRows(m, ""),
    ...releaseMemoryRows("release bundle (warm-cache, launcher)", mr, bare),
    ...releaseMemoryRows(
      `release bundle, CWMP_AGENT_V8_FLAGS=${SMALL_MEMORY_V8_FLAGS.join(",")}`,
      small,
      bare,
    ),
    ...(t === undefined ? [] : transferReportRows(t)),
  ]);
}

async function main(): Promise<number> {
  const sessions = intFlag("sessions", 200);
  const warmup = intFlag("warmup", 30);
  const startupRuns = intFlag("startup-runs", 10);
  const codecRuns = intFlag("codec-runs", 7);
  const memorySessions = intFlag("memory-sessions", 10_000);
  const transferMb = intFlag("transfer-mb", 200, 0);
  const ftpMb = intFlag("ftp-mb", 100, 0);
  const tftpMb = intFlag("tftp-mb", 20, 0);
  const crRequests = intFlag("cr-requests", 1000, 0);
  const bulkdataSeconds = intFlag("bulkdata-seconds", 10, 0);
  const linuxGpvRuns = intFlag("linux-gpv-runs", 15, 0);
  const aarch64Runs = intFlag("aarch64-runs", 3, 0);
  const started = performance.now();
  const machine = await machineFacts();
  // Interrupted: leave no agent and no temp dir behind.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => {
      cleanUpNow();
      Deno.exit(130);
    });
  }
  try {
    // The data model first: its RSS rise is measured on a fresh heap.
    console.error("bench: data model (20 runs)…");
    const datamodel = await runDatamodelBench(20);
    console.error(`bench: codec (${codecRuns} runs)…`);
    const codec = await benchCodec(codecRuns, 500);
    console.error(`bench: start-up (${startupRuns} runs)…`);
    const startup = await benchStartup(startupRuns);
    console.error(`bench: start-up of the release bundle (${startupRuns} runs)…`);
    const release = await benchReleaseStartup(startupRuns, IDLE_AFTER_MS);
    const bare = await benchBare(startupRuns, IDLE_AFTER_MS);
    console.error(`bench: sessions (${warmup} warm-up + ${sessions})…`);
    const session = await benchSessions({ sessions, warmup, gpvNames: 100 });
    console.error("bench: UDP services against a C reference (gcc)…");
    const udp = await runUdpBench({ print: false });
    console.error(`bench: agent memory (idle, big GPV, ${memorySessions} sessions)…`);
    const memory = await benchMemory({ sessions: memorySessions, bigGpvNames: 1000 });
    console.error(`bench: agent memory, release bundle (${memorySessions} sessions)…`);
    const releaseDir = await buildReleaseBundle();
    let memoryRelease: MemoryBenchResult;
    let memoryReleaseSmall: MemoryBenchResult;
    try {
      memoryRelease = await benchMemory({
        sessions: memorySessions,
        bigGpvNames: 1000,
        releaseDir,
      });
      console.error(`bench: agent memory, release bundle, small-memory V8 flags…`);
      memoryReleaseSmall = await benchMemory({
        sessions: memorySessions,
        bigGpvNames: 1000,
        releaseDir,
        // What the launcher runs with CWMP_AGENT_V8_FLAGS set: the agent's flags, then these.
        v8Flags: [...V8_FLAGS, ...SMALL_MEMORY_V8_FLAGS],
      });
    } finally {
      await removeBenchTempDir(releaseDir);
    }
    let transfer: TransferBenchResult | undefined;
    if (transferMb > 0) {
      console.error(`bench: HTTP download of ${transferMb} MB vs curl…`);
      transfer = await benchTransfer({ sizeMb: transferMb, runs: 5, server: "deno" });
    }
    let ftpTftp = "";
    if (ftpMb > 0 || tftpMb > 0) {
      console.error(`bench: FTP ${ftpMb} MB vs curl, TFTP ${tftpMb} MB vs tftp-hpa…`);
      ftpTftp = await runFtpTftpBench(ftpMb, tftpMb);
    }
    let crPaths = "";
    if (crRequests > 0) {
      console.error(`bench: connection-request paths (${crRequests} requests each)…`);
      crPaths = await runScript("cr_paths_bench.ts", [`--requests=${crRequests}`]);
    }
    let bulkdata = "";
    if (bulkdataSeconds > 0) {
      console.error("bench: Bulk Data reports of 10,000 parameters…");
      bulkdata = await runScript("bulkdata_bench.ts", [`--seconds=${bulkdataSeconds}`]);
    }
    let linuxGpv = "";
    let linuxGpvSmall = "";
    if (linuxGpvRuns > 0) {
      console.error(
        `bench: whole-tree GPV with the Linux objects (${linuxGpvRuns} runs each way)…`,
      );
      linuxGpv = await runScript("linux_gpv_bench.ts", [`--runs=${linuxGpvRuns}`]);
      console.error("bench: the same with the small-memory V8 flags…");
      // DENO_V8_FLAGS: the bench process and, inherited, the agent it starts (before the
      // agent's own --v8-flags, which set none of these).
      linuxGpvSmall = await runScript("linux_gpv_bench.ts", [`--runs=${linuxGpvRuns}`], {
        DENO_V8_FLAGS: SMALL_MEMORY_V8_FLAGS.join(","),
      });
    }
    let aarch64: ScriptOutput | undefined;
    if (aarch64Runs > 0) {
      console.error(`bench: aarch64 release tarball under qemu-user (${aarch64Runs} runs each)…`);
      aarch64 = await runScriptWithResult("aarch64_bench.ts", [`--runs=${aarch64Runs}`]);
    }
    const totalSeconds = (performance.now() - started) / 1000;
    const results = {
      date: new Date().toISOString(),
      machine,
      session,
      startup,
      release,
      bare,
      codec,
      datamodel,
      udp,
      memory,
      memoryRelease,
      memoryReleaseSmall,
      transfer,
      ftpTftp,
      crPaths,
      bulkdata,
      linuxGpv,
      linuxGpvSmall,
      // The script's RESULT (`{ skipped }` when it skipped), else its report.
      aarch64: aarch64 && (aarch64.result ?? aarch64.report),
      totalSeconds,
    };
    console.log(report(results));
    if (ftpTftp !== "") console.log(`\n8. FTP and TFTP against curl and tftp-hpa\n${ftpTftp}`);
    if (crPaths !== "") console.log(`\n9. Connection-request paths\n${crPaths}`);
    if (bulkdata !== "") console.log(`\n10. Bulk Data reports\n${bulkdata}`);
    if (linuxGpv !== "") console.log(`\n11. Whole-tree GPV, Linux objects bound\n${linuxGpv}`);
    if (linuxGpvSmall !== "") {
      const flags = SMALL_MEMORY_V8_FLAGS.join(",");
      console.log(`\n11b. The same with CWMP_AGENT_V8_FLAGS=${flags}\n${linuxGpvSmall}`);
    }
    if (aarch64) console.log(`\n12. aarch64 release tarball under qemu-user\n${aarch64.report}`);
    console.log(`\nWhole bench: ${totalSeconds.toFixed(1)} s. Results in ${RESULTS}`);
    await Deno.writeTextFile(RESULTS, JSON.stringify(results, roundNumbers, 2) + "\n");
    return 0;
  } catch (error) {
    console.error(`bench failed: ${(error as Error).message}`);
    return 1;
  }
}

/**
 * bench/transfer_ftp_tftp_bench.ts in its own process (it starts vsftpd and tftpd-hpa and
 * names what it skips); returns its report.
 */
function runFtpTftpBench(ftpMb: number, tftpMb: number): Promise<string> {
  return runScript("transfer_ftp_tftp_bench.ts", [
    `--ftp-mb=${ftpMb}`,
    `--tftp-mb=${tftpMb}`,
    "--runs=3",
  ]);
}

/** A bench script of this directory in its own process; its report, RESULT lines left out. */
async function runScript(
  name: string,
  args: string[],
  env?: Record<string, string>,
): Promise<string> {
  return (await runScriptWithResult(name, args, env)).report;
}

/** What a bench script printed: its report, and its last RESULT line's JSON if it succeeded. */
interface ScriptOutput {
  report: string;
  result?: unknown;
}

/** A bench script of this directory in its own process. */
async function runScriptWithResult(
  name: string,
  args: string[],
  env?: Record<string, string>,
): Promise<ScriptOutput> {
  const script = new URL(`./${name}`, import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, ...args],
    // No update check in the bench's own runtimes (a DNS query and HTTPS after half a second).
    env: { DENO_NO_UPDATE_CHECK: "1", ...env },
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const lines = new TextDecoder().decode(out.stdout).split("\n");
  const text = lines.filter((line) => !line.startsWith("RESULT ")).join("\n").trim();
  if (!out.success) return { report: `failed (exit ${out.code}): ${text}` };
  const result = lines.findLast((line) => line.startsWith("RESULT "));
  return { report: text, result: result && JSON.parse(result.slice("RESULT ".length)) };
}

function roundNumbers(_key: string, value: unknown): unknown {
  return typeof value === "number" && !Number.isInteger(value) ? round(value, 3) : value;
}

if (import.meta.main) Deno.exit(await main());
