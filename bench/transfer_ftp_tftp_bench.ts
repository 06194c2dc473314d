/**
 * FTP and TFTP clients against the reference clients, same servers, same files, same run:
 *
 * - FTP: vsftpd on 127.0.0.1, a file of `--ftp-mb` MB (default 100): our client vs
 *   `curl ftp://…` (its own `time_total`), download and upload.
 * - TFTP: tftpd-hpa on 127.0.0.1, a file of `--tftp-mb` MB (default 20): our client with
 *   1,428-byte blocks and with 512-byte blocks vs tftp-hpa's `tftp` (512-byte blocks only;
 *   wall time of the process), download and upload.
 *
 * Each of ours runs in a child process doing only that transfer (`_transfer_child.ts`,
 * with the agent's V8 flags), which reports its RSS before and at the peak of the
 * transfer: memory must not grow with the file. Runs are interleaved, `--runs` of each
 * (default 3); throughput is MB/s (10^6 bytes), the ratios are ours / reference on the
 * medians and on the best runs (lockstep TFTP swings with whatever else the CPUs run; the
 * best runs are the steadier figure on a shared machine).
 * Needs root, vsftpd, tftpd-hpa, curl and tftp-hpa (the missing parts are skipped, named).
 *
 *   deno run -A bench/transfer_ftp_tftp_bench.ts [--ftp-mb=100] [--tftp-mb=20] [--runs=3]
 *
 * @module
 */

import { v8FlagsArgument } from "../src/cli/v8_flags.ts";
import {
  sha256File,
  startTftpd,
  startVsftpd,
  tftpdMissing,
  vsftpdMissing,
  writeRandomFile,
} from "../tests/transfer/_servers.ts";

function flag(name: string, fallback: number): number {
  const arg = Deno.args.find((a) => a.startsWith(`--${name}=`));
  return arg === undefined ? fallback : Number(arg.slice(name.length + 3));
}

const FTP_MB = flag("ftp-mb", 100);
const TFTP_MB = flag("tftp-mb", 20);
const RUNS = flag("runs", 3);
const CHILD = new URL("./_transfer_child.ts", import.meta.url).pathname;

interface Run {
  ms: number;
  cpuMs?: number;
  rssRiseKiB?: number;
  anonRiseKiB?: number;
  fileRiseKiB?: number;
  rssBeforeKiB?: number;
}

function has(cmd: string): boolean {
  try {
    return new Deno.Command("sh", { args: ["-c", `command -v ${cmd}`], stdout: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

async function ours(direction: string, url: string, path: string, blockSize?: number) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      v8FlagsArgument(),
      CHILD,
      direction,
      url,
      path,
      ...(blockSize ? [String(blockSize)] : []),
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`our ${direction} of ${url} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  const r = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
  return {
    ms: r.ms,
    cpuMs: r.cpuMs,
    rssBeforeKiB: r.rssBeforeKiB,
    rssRiseKiB: r.rssPeakKiB - r.rssBeforeKiB,
    anonRiseKiB: r.anonRiseKiB,
    fileRiseKiB: r.fileRiseKiB,
  } satisfies Run;
}

async function curl(args: string[]): Promise<Run> {
  const out = await new Deno.Command("curl", {
    args: ["-sS", "-w", "%{time_total}", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`curl failed: ${new TextDecoder().decode(out.stderr)}`);
  return { ms: Number(new TextDecoder().decode(out.stdout).trim()) * 1000 };
}

async function tftpHpa(port: number, command: string): Promise<Run> {
  const t0 = performance.now();
  const out = await new Deno.Command("tftp", {
    args: ["127.0.0.1", String(port), "-m", "binary", "-c", ...command.split(" ")],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const ms = performance.now() - t0;
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (!out.success || /error|timed out/i.test(text)) throw new Error(`tftp failed: ${text}`);
  return { ms };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const mbps = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);

interface Row {
  what: string;
  bytes: number;
  runs: Run[];
  reference?: string;
}

const rows: Row[] = [];

function report(): void {
  const byWhat = new Map(rows.map((r) => [r.what, r]));
  console.log(
    `\n${"what".padEnd(44)} ${"MB/s median (best)".padEnd(20)} ${
      "× ref (med / best)".padEnd(19)
    } CPU ms  RSS before → max rise`,
  );
  for (const row of rows) {
    const med = median(row.runs.map((r) => mbps(row.bytes, r.ms)));
    const best = Math.max(...row.runs.map((r) => mbps(row.bytes, r.ms)));
    const ref = row.reference === undefined ? undefined : byWhat.get(row.reference);
    const ratio = ref === undefined
      ? ""
      : `${(med / median(ref.runs.map((r) => mbps(ref.bytes, r.ms)))).toFixed(2)} / ${
        (best / Math.max(...ref.runs.map((r) => mbps(ref.bytes, r.ms)))).toFixed(2)
      }`;
    const cpu = row.runs[0].cpuMs === undefined
      ? ""
      : String(median(row.runs.map((r) => r.cpuMs!)));
    const maxMiB = (f: (r: Run) => number) => (Math.max(...row.runs.map(f)) / 1024).toFixed(1);
    const rss = row.runs[0].rssRiseKiB === undefined
      ? ""
      : `${(median(row.runs.map((r) => r.rssBeforeKiB!)) / 1024).toFixed(1)} MiB → +${
        maxMiB((r) => r.rssRiseKiB!)
      } MiB (anon +${maxMiB((r) => r.anonRiseKiB!)}, file +${maxMiB((r) => r.fileRiseKiB!)})`;
    console.log(
      `${row.what.padEnd(44)} ${`${med.toFixed(1)} (${best.toFixed(1)})`.padEnd(20)} ${
        ratio.padEnd(19)
      } ${cpu.padEnd(7)} ${rss}`,
    );
  }
}

async function benchFtp(dir: string): Promise<void> {
  const server = await startVsftpd();
  try {
    const size = Math.round(FTP_MB * 1e6);
    const hash = await writeRandomFile(`${server.root}/big.bin`, size, 11);
    const url = `ftp://127.0.0.1:${server.port}/big.bin`;
    const up = `ftp://127.0.0.1:${server.port}/up`;
    const rowOf = (what: string, reference?: string) => {
      const row: Row = { what, bytes: size, runs: [], reference };
      rows.push(row);
      return row;
    };
    const curlDown = rowOf(`FTP download ${FTP_MB} MB: curl`);
    const oursDown = rowOf(`FTP download ${FTP_MB} MB: ours`, curlDown.what);
    const curlUp = rowOf(`FTP upload ${FTP_MB} MB: curl -T`);
    const oursUp = rowOf(`FTP upload ${FTP_MB} MB: ours`, curlUp.what);
    for (let i = 0; i < RUNS; i++) {
      curlDown.runs.push(await curl(["-o", `${dir}/curl.bin`, url]));
      oursDown.runs.push(await ours("download", url, `${dir}/ours.bin`));
      if (await sha256File(`${dir}/ours.bin`) !== hash) throw new Error("FTP download differs");
      curlUp.runs.push(await curl(["-T", `${dir}/curl.bin`, `${up}/curl.bin`]));
      oursUp.runs.push(await ours("upload", `${up}/ours.bin`, `${dir}/ours.bin`));
      if (await sha256File(`${server.root}/up/ours.bin`) !== hash) {
        throw new Error("FTP upload differs");
      }
      await Deno.remove(`${dir}/curl.bin`);
      await Deno.remove(`${dir}/ours.bin`);
    }
  } finally {
    await server.stop();
  }
}

async function benchTftp(dir: string): Promise<void> {
  const server = await startTftpd();
  try {
    const size = Math.round(TFTP_MB * 1e6);
    const hash = await writeRandomFile(`${server.root}/big.bin`, size, 12);
    await Deno.chmod(`${server.root}/big.bin`, 0o644);
    const url = `tftp://127.0.0.1:${server.port}/big.bin`;
    const rowOf = (what: string, reference?: string) => {
      const row: Row = { what, bytes: size, runs: [], reference };
      rows.push(row);
      return row;
    };
    const refDown = rowOf(`TFTP download ${TFTP_MB} MB: tftp-hpa (512)`);
    const oursDown = rowOf(`TFTP download ${TFTP_MB} MB: ours 1428`, refDown.what);
    const ours512Down = rowOf(`TFTP download ${TFTP_MB} MB: ours 512`, refDown.what);
    const refUp = rowOf(`TFTP upload ${TFTP_MB} MB: tftp-hpa (512)`);
    const oursUp = rowOf(`TFTP upload ${TFTP_MB} MB: ours 1428`, refUp.what);
    const ours512Up = rowOf(`TFTP upload ${TFTP_MB} MB: ours 512`, refUp.what);
    for (let i = 0; i < RUNS; i++) {
      refDown.runs.push(await tftpHpa(server.port, `get big.bin ${dir}/ref.bin`));
      if (await sha256File(`${dir}/ref.bin`) !== hash) throw new Error("tftp-hpa download differs");
      oursDown.runs.push(await ours("download", url, `${dir}/ours.bin`));
      if (await sha256File(`${dir}/ours.bin`) !== hash) throw new Error("TFTP download differs");
      ours512Down.runs.push(await ours("download", url, `${dir}/ours.bin`, 512));
      if (await sha256File(`${dir}/ours.bin`) !== hash) throw new Error("TFTP download differs");
      refUp.runs.push(await tftpHpa(server.port, `put ${dir}/ref.bin up-ref.bin`));
      oursUp.runs.push(
        await ours("upload", `tftp://127.0.0.1:${server.port}/up-ours.bin`, `${dir}/ours.bin`),
      );
      if (await sha256File(`${server.root}/up-ours.bin`) !== hash) {
        throw new Error("TFTP upload differs");
      }
      ours512Up.runs.push(
        await ours("upload", `tftp://127.0.0.1:${server.port}/up-512.bin`, `${dir}/ours.bin`, 512),
      );
      if (await sha256File(`${server.root}/up-512.bin`) !== hash) {
        throw new Error("TFTP upload differs");
      }
    }
  } finally {
    await server.stop();
  }
}

if (import.meta.main) {
  const dir = await Deno.makeTempDir({ prefix: "cwmp-transfer-bench-" });
  try {
    const ftpMissing = vsftpdMissing() ?? (has("curl") ? undefined : "curl not installed");
    if (FTP_MB <= 0) console.log("FTP skipped: --ftp-mb=0");
    else if (ftpMissing === undefined) await benchFtp(dir);
    else console.log(`FTP skipped: ${ftpMissing}`);
    const tftpSkip = tftpdMissing() ??
      (has("tftp") ? undefined : "tftp not installed (apt-get install tftp-hpa)");
    if (TFTP_MB <= 0) console.log("TFTP skipped: --tftp-mb=0");
    else if (tftpSkip === undefined) await benchTftp(dir);
    else console.log(`TFTP skipped: ${tftpSkip}`);
    report();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
