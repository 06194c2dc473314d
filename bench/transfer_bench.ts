/**
 * Benchmark 7: an HTTP download of a big file (200 MB by default) over loopback with the
 * agent's transfer client (`src/transfer/http_client.ts`) against `curl -o file`, same
 * file, same server, same run, alternating, best of N each:
 *
 * - throughput of each and the ratio (target: ours ≥ 0.8× curl);
 * - the memory the download costs: a child process that does nothing but the download
 *   (with the agent's V8 heap flags) resets its peak (`echo 5 > /proc/self/clear_refs`),
 *   reads VmRSS, downloads, then reads VmHWM: the rise must stay under 10 MB whatever
 *   the file size. Split into RssAnon (heap, buffers: what the transfer really costs) and
 *   RssFile (pages of the deno executable faulted in as code runs for the first time in
 *   this fresh process: shared, clean, paid once per process, mostly paid already in an
 *   agent that has been running).
 *
 * The server is a small Deno process that sends the file in 1 MiB reads (`--server=deno`,
 * the default) or `python3 -m http.server` (`--server=python`, slower: it bounds both
 * clients). The downloaded files are checked against the source's SHA-256.
 *
 *   deno run -A bench/transfer_bench.ts [--size-mb=200] [--runs=5] [--server=deno|python]
 *
 * @module
 */

import { createHash } from "node:crypto";
import { v8FlagsArgument } from "../src/cli/v8_flags.ts";

/** Options of {@linkcode benchTransfer}. */
export interface TransferBenchOptions {
  sizeMb: number;
  runs: number;
  server: "deno" | "python";
}

/** One download by our client, measured inside its child process. */
export interface ClientRun {
  ms: number;
  bytes: number;
  /** VmRSS just before the download (after the peak was reset), KiB. */
  rssBeforeKiB: number;
  /** VmHWM after the download, KiB. */
  hwmAfterKiB: number;
  /** RssAnon and RssFile after − before, KiB. */
  anonRiseKiB: number;
  fileRiseKiB: number;
  /** Whether the kernel reset the peak (else the rise is against the earlier peak). */
  peakReset: boolean;
}

/** The figures. */
export interface TransferBenchResult {
  sizeBytes: number;
  server: string;
  runs: number;
  /** Best throughput, MB/s (10^6 bytes). */
  oursMBps: number;
  curlMBps: number;
  ratio: number;
  /** All runs' throughputs, MB/s. */
  oursAllMBps: number[];
  curlAllMBps: number[];
  /** Largest VmHWM − VmRSS-before of our runs, KiB. */
  rssRiseKiB: number;
  /** Largest RssAnon and RssFile rises of our runs, KiB. */
  anonRiseKiB: number;
  fileRiseKiB: number;
  rssBeforeKiB: number;
  peakReset: boolean;
  sha256Ok: boolean;
}

const SELF = new URL(import.meta.url).pathname;

/** Runs the benchmark. */
export async function benchTransfer(options: TransferBenchOptions): Promise<TransferBenchResult> {
  const dir = await Deno.makeTempDir({ prefix: "cwmp-transfer-bench-" });
  let server: Deno.ChildProcess | undefined;
  try {
    const source = `${dir}/firmware.bin`;
    const sizeBytes = options.sizeMb * 1_000_000;
    const sourceHash = await writeRandomFile(source, sizeBytes);
    const started = await startServer(options.server, dir);
    server = started.child;
    const url = `http://127.0.0.1:${started.port}/firmware.bin`;
    const ours: ClientRun[] = [];
    const curl: number[] = [];
    let sha256Ok = true;
    for (let i = 0; i < options.runs; i++) {
      const last = i === options.runs - 1;
      const oursOut = `${dir}/ours.bin`;
      ours.push(await runOurs(url, oursOut, sizeBytes));
      if (last) sha256Ok &&= (await hashFile(oursOut)) === sourceHash;
      await Deno.remove(oursOut);
      const curlOut = `${dir}/curl.bin`;
      curl.push(await runCurl(url, curlOut, sizeBytes));
      if (last) sha256Ok &&= (await hashFile(curlOut)) === sourceHash;
      await Deno.remove(curlOut);
    }
    const mbps = (bytes: number, ms: number) => Math.round(bytes / ms / 1000);
    const oursAllMBps = ours.map((r) => mbps(r.bytes, r.ms));
    const curlAllMBps = curl.map((ms) => mbps(sizeBytes, ms));
    const oursMBps = Math.max(...oursAllMBps);
    const curlMBps = Math.max(...curlAllMBps);
    return {
      sizeBytes,
      server: options.server === "deno"
        ? "Deno, 1 MiB reads from the file"
        : "python3 -m http.server",
      runs: options.runs,
      oursMBps,
      curlMBps,
      ratio: Math.round((oursMBps / curlMBps) * 100) / 100,
      oursAllMBps,
      curlAllMBps,
      rssRiseKiB: Math.max(...ours.map((r) => r.hwmAfterKiB - r.rssBeforeKiB)),
      anonRiseKiB: Math.max(...ours.map((r) => r.anonRiseKiB)),
      fileRiseKiB: Math.max(...ours.map((r) => r.fileRiseKiB)),
      rssBeforeKiB: ours[0].rssBeforeKiB,
      peakReset: ours.every((r) => r.peakReset),
      sha256Ok,
    };
  } finally {
    if (server !== undefined) {
      try {
        server.kill("SIGTERM");
      } catch { /* exited */ }
      await server.status;
    }
    await Deno.remove(dir, { recursive: true });
  }
}

async function writeRandomFile(path: string, size: number): Promise<string> {
  const hash = createHash("sha256");
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  try {
    const block = new Uint8Array(1 << 20);
    for (let left = size; left > 0; left -= block.length) {
      const part = block.subarray(0, Math.min(block.length, left));
      for (let off = 0; off < part.length; off += 65536) {
        crypto.getRandomValues(part.subarray(off, Math.min(part.length, off + 65536)));
      }
      hash.update(part);
      let off = 0;
      while (off < part.length) off += await file.write(part.subarray(off));
    }
  } finally {
    file.close();
  }
  return hash.digest("hex");
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  using file = await Deno.open(path);
  const buf = new Uint8Array(1 << 20);
  for (;;) {
    const n = await file.read(buf);
    if (n === null) break;
    hash.update(buf.subarray(0, n));
  }
  return hash.digest("hex");
}

/** Starts the file server in its own process; resolves with its port. */
async function startServer(
  kind: "deno" | "python",
  dir: string,
): Promise<{ child: Deno.ChildProcess; port: number }> {
  const command = kind === "deno"
    ? new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", SELF, `--serve=${dir}`],
      stdout: "piped",
      stderr: "inherit",
    })
    : new Deno.Command("python3", {
      args: ["-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", dir],
      stdout: "piped",
      stderr: "null",
    });
  const child = command.spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!/port (\d+)/.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`The ${kind} file server exited: ${text}`);
    text += value;
  }
  // Keep draining its output so it never blocks on a full pipe.
  (async () => {
    while (!(await reader.read()).done) { /* discard */ }
  })().catch(() => {});
  return { child, port: Number(/port (\d+)/.exec(text)![1]) };
}

async function runOurs(url: string, out: string, size: number): Promise<ClientRun> {
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", v8FlagsArgument(), SELF, `--download=${url}`, `--out=${out}`],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!result.success) throw new Error("Our download child failed");
  const run = JSON.parse(new TextDecoder().decode(result.stdout)) as ClientRun;
  if (run.bytes !== size) throw new Error(`Our client downloaded ${run.bytes} of ${size} bytes`);
  return run;
}

async function runCurl(url: string, out: string, size: number): Promise<number> {
  const result = await new Deno.Command("curl", {
    args: ["-s", "-o", out, "-w", "%{time_total} %{size_download}", url],
    stdout: "piped",
  }).output();
  if (!result.success) throw new Error(`curl failed (exit ${result.code})`);
  const [seconds, bytes] = new TextDecoder().decode(result.stdout).trim().split(" ").map(Number);
  if (bytes !== size) throw new Error(`curl downloaded ${bytes} of ${size} bytes`);
  return seconds * 1000;
}

/** Child: serve the files of `dir`, one request per connection, 1 MiB reads. */
async function serve(dir: string): Promise<void> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  console.log(`Serving on port ${(listener.addr as Deno.NetAddr).port}`);
  for await (const conn of listener) {
    (async () => {
      try {
        const head = new Uint8Array(8192);
        const n = (await conn.read(head)) ?? 0;
        const path = new TextDecoder().decode(head.subarray(0, n)).split(" ")[1] ?? "/";
        using file = await Deno.open(`${dir}/${path.replace(/[^\w.-]/g, "")}`);
        const size = (await file.stat()).size;
        await writeAll(
          conn,
          new TextEncoder().encode(
            `HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\nConnection: close\r\n\r\n`,
          ),
        );
        const buf = new Uint8Array(1 << 20);
        for (;;) {
          const got = await file.read(buf);
          if (got === null) break;
          await writeAll(conn, buf.subarray(0, got));
        }
      } catch { /* client gone, or no such file */ }
      conn.close();
    })();
  }
}

async function writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) off += await conn.write(data.subarray(off));
}

/** Child: one download with our client, measured from the inside. */
async function download(url: string, out: string): Promise<void> {
  const { httpTransferClient } = await import("../src/transfer/http_client.ts");
  const status = async () => {
    const text = await Deno.readTextFile("/proc/self/status");
    const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text)?.[1]);
    return { rss: kib("VmRSS"), hwm: kib("VmHWM"), anon: kib("RssAnon"), file: kib("RssFile") };
  };
  let peakReset = true;
  try {
    await Deno.writeTextFile("/proc/self/clear_refs", "5");
  } catch {
    peakReset = false;
  }
  const before = await status();
  const started = performance.now();
  const result = await httpTransferClient.download({
    url,
    username: "",
    password: "",
    fileSize: 0,
    path: out,
    limits: {
      connectTimeoutMs: 10_000,
      stallTimeoutMs: 30_000,
      totalTimeoutMs: 600_000,
      maxBytes: Number.MAX_SAFE_INTEGER,
    },
  });
  const ms = performance.now() - started;
  const after = await status();
  const run: ClientRun = {
    ms,
    bytes: result.bytes,
    rssBeforeKiB: before.rss,
    hwmAfterKiB: after.hwm,
    anonRiseKiB: after.anon - before.anon,
    fileRiseKiB: after.file - before.file,
    peakReset,
  };
  if (!peakReset) run.rssBeforeKiB = before.hwm;
  console.log(JSON.stringify(run));
}

function flag(name: string): string | undefined {
  return Deno.args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

/** The result as report lines. */
export function transferReportRows(r: TransferBenchResult): [string, string][] {
  const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;
  return [
    [
      `7. HTTP download of ${(r.sizeBytes / 1e6).toFixed(0)} MB on loopback vs curl -o`,
      "",
    ],
    ["server", r.server],
    [
      "throughput, best of " + r.runs,
      `ours ${r.oursMBps} MB/s, curl ${r.curlMBps} MB/s: ${r.ratio}× curl (all: ours ${
        r.oursAllMBps.join(", ")
      }; curl ${r.curlAllMBps.join(", ")})`,
    ],
    [
      "RSS rise of the downloading process",
      `${mib(r.rssRiseKiB)} (VmHWM after − VmRSS before ${mib(r.rssBeforeKiB)}${
        r.peakReset ? ", peak reset" : ", against the earlier peak"
      }); RssAnon +${mib(r.anonRiseKiB)}, RssFile +${mib(r.fileRiseKiB)} (executable pages)`,
    ],
    ["files identical (SHA-256)", r.sha256Ok ? "yes" : "NO"],
  ];
}

if (import.meta.main) {
  const serveDir = flag("serve");
  const url = flag("download");
  if (serveDir !== undefined) {
    await serve(serveDir);
  } else if (url !== undefined) {
    await download(url, flag("out")!);
  } else {
    const result = await benchTransfer({
      sizeMb: Number(flag("size-mb") ?? 200),
      runs: Number(flag("runs") ?? 5),
      server: flag("server") === "python" ? "python" : "deno",
    });
    for (const [k, v] of transferReportRows(result)) {
      console.log(v === "" ? `\n${k}` : `  ${k}: ${v}`);
    }
    if (!result.sha256Ok) Deno.exit(1);
  }
}
