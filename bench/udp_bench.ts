/**
 * UDP fast-path benchmark (issues #4, #13): packets/s of an echo server under a C load
 * generator (64-byte datagrams, 32 in flight, on loopback) and the p99 round trip at
 * 1,000 datagrams/s, for a C reference server (recvfrom/sendto, one thread), our UDP echo
 * and TWAMP reflector on the FFI path and on `Deno.listenDatagram`, and a C
 * recvmmsg/sendmmsg server for scale. "Added latency" is a server's p99 minus the C
 * server's. The C programs in `bench/c/` are compiled with gcc into a temp dir at run
 * time. Targets (issue #13): FFI path ≥ 1.0× C, p99 added ≤ 20 µs.
 *
 * The machines this runs on are shared: throughput is measured in `rounds` rounds with
 * the servers interleaved, each round's figure of a server divided by the C server's of
 * the same round; a server's ratio is the median of its rounds (`_ratio`, with the
 * spread in `_ratio_min` / `_ratio_max`) and its packets/s the median of its rounds.
 *
 * The server under test is a parameter (`UdpBenchServer`), so the TWAMP reflector reuses
 * this bench: pass `servers` built with `handlerServer(name, spec, path)`.
 *
 * Run alone: `deno run -A bench/udp_bench.ts`; with `--before=<git ref>` it measures the
 * FFI servers of that commit too, in the same rounds (before/after of a change).
 *
 * @module
 */

import { twampReflectorSpec } from "../src/services/twamp/reflector.ts";
import { startUdpService } from "../src/services/udp/mod.ts";
import type { HandlerSpec } from "../src/services/udp/handler.ts";
import { UDP_ECHO_HANDLER_MODULE } from "../src/services/udp_echo/handler.ts";

/** A server under test: started on 127.0.0.1, answering 64-byte datagrams. */
export interface UdpBenchServer {
  readonly name: string;
  /** What the load generator sends: plain datagrams (default) or TWAMP test packets. */
  readonly mode?: "echo" | "twamp";
  start(tools: CTools): Promise<RunningServer>;
}

/** A started server. */
export interface RunningServer {
  readonly port: number;
  /** CPU time its process has used so far, ns (all threads), if known. */
  cpuNs?(): number;
  close(): Promise<void>;
}

/** CPU time of every thread of process `pid` so far, ns (`/proc/<pid>/task/<tid>/schedstat`). */
export function processCpuNs(pid: number | "self"): number {
  let total = 0;
  for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
    try {
      const text = Deno.readTextFileSync(`/proc/${pid}/task/${task.name}/schedstat`);
      total += Number(text.split(" ")[0]);
    } catch {
      // the thread ended in between
    }
  }
  return total;
}

/** The compiled C programs. */
export interface CTools {
  readonly echoServer: string;
  readonly loadgen: string;
}

/** Options of {@linkcode runUdpBench}. */
export interface UdpBenchOptions {
  /** Servers to measure; default C, echo on FFI, echo on listenDatagram. The first is the reference. */
  servers?: UdpBenchServer[];
  /** Throughput run length in seconds, per round. Default 1.5. */
  seconds?: number;
  /** Latency run length in seconds (at 1,000/s), per round. Default 1. */
  latencySeconds?: number;
  /**
   * Latency rounds, servers interleaved; each server keeps its lowest p99 (the shared VMs
   * this runs on add multi-ms stalls to any server, C included). Default 3.
   */
  rounds?: number;
  /** Throughput rounds, servers interleaved (see the module doc). Default 5. */
  throughputRounds?: number;
  /** Print a table. Default true. */
  print?: boolean;
}

/** Compiles `bench/c/*.c` into a temp dir (removed by the caller). */
export async function buildCTools(dir: string): Promise<CTools> {
  const out: Record<string, string> = {};
  for (const name of ["echo_server", "loadgen"]) {
    const src = new URL(`./c/${name}.c`, import.meta.url).pathname;
    const bin = `${dir}/${name}`;
    const r = await new Deno.Command("gcc", { args: ["-O2", "-o", bin, src] }).output();
    if (!r.success) throw new Error(`gcc ${name}.c failed: ${new TextDecoder().decode(r.stderr)}`);
    out[name] = bin;
  }
  return { echoServer: out.echo_server, loadgen: out.loadgen };
}

/** The C reference server (recvfrom/sendto). */
export const C_ECHO: UdpBenchServer = cServer("c", []);

/** The C server on recvmmsg/sendmmsg, batches of up to 64 (for scale, not the reference). */
export const C_MMSG_ECHO: UdpBenchServer = cServer("c-mmsg", ["mmsg"]);

function cServer(name: string, extra: string[]): UdpBenchServer {
  return { name, start: (tools) => startC(tools, extra) };
}

async function startC(tools: CTools, extra: string[]): Promise<RunningServer> {
  const child = new Deno.Command(tools.echoServer, { args: ["0", ...extra], stdout: "piped" })
    .spawn();
  const reader = child.stdout.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("C echo server exited");
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  return {
    port: Number(text.trim()),
    cpuNs: () => processCpuNs(child.pid),
    async close() {
      child.kill("SIGKILL");
      await child.status;
      await child.stdout.cancel().catch(() => {});
    },
  };
}

/** A server running `spec` through `startUdpService()` on `path`. */
export function handlerServer(
  name: string,
  spec: HandlerSpec,
  path: "ffi" | "deno",
  mode: "echo" | "twamp" = "echo",
  start: typeof startUdpService = startUdpService,
): UdpBenchServer {
  return {
    name,
    mode,
    async start() {
      const svc = await start({ hostname: "127.0.0.1", port: 0, spec, path });
      // In-process: the bench's own main thread (idle while the load generator runs) counts too.
      return { port: svc.port, cpuNs: () => processCpuNs("self"), close: () => svc.close() };
    },
  };
}

const ECHO_SPEC: HandlerSpec = { module: UDP_ECHO_HANDLER_MODULE, config: {} };
// Loopback packets arrive with TTL 64: MaximumTTL 255 lets the reflector answer them.
const TWAMP_SPEC: HandlerSpec = twampReflectorSpec({ maximumTtl: 255 });

async function loadgen(tools: CTools, args: string[]): Promise<Record<string, number>> {
  const r = await new Deno.Command(tools.loadgen, { args, stdout: "piped" }).output();
  if (!r.success) throw new Error(`loadgen ${args.join(" ")} failed`);
  return JSON.parse(new TextDecoder().decode(r.stdout));
}

/** Runs the benchmark; returns `<server>_pps`, `<server>_p99_us`, ratios and added latency. */
export async function runUdpBench(options: UdpBenchOptions = {}): Promise<Record<string, number>> {
  const servers = options.servers ??
    [
      C_ECHO,
      C_MMSG_ECHO,
      handlerServer("ffi", ECHO_SPEC, "ffi"),
      handlerServer("deno", ECHO_SPEC, "deno"),
      handlerServer("twamp-ffi", TWAMP_SPEC, "ffi", "twamp"),
      handlerServer("twamp-deno", TWAMP_SPEC, "deno", "twamp"),
    ];
  const seconds = options.seconds ?? 1.5;
  const throughputRounds = options.throughputRounds ?? 5;
  const latencySeconds = options.latencySeconds ?? 1;
  const rounds = options.rounds ?? 3;
  const dir = await Deno.makeTempDir({ prefix: "udp_bench_" });
  const out: Record<string, number> = {};
  try {
    const tools = await buildCTools(dir);
    const running = [];
    try {
      for (const server of servers) running.push(await server.start(tools));
      const pps: number[][] = servers.map(() => []);
      const cpu: number[][] = servers.map(() => []);
      for (const [i, server] of servers.entries()) {
        const port = String(running[i].port);
        await loadgen(tools, [port, "throughput", "0.3", "32", server.mode ?? "echo"]); // warm-up
      }
      for (let round = 0; round < throughputRounds; round++) {
        for (const [i, server] of servers.entries()) {
          const port = String(running[i].port);
          const mode = server.mode ?? "echo";
          const cpu0 = running[i].cpuNs?.();
          const t0 = performance.now();
          const t = await loadgen(tools, [port, "throughput", String(seconds), "32", mode]);
          const elapsed = (performance.now() - t0) / 1000;
          pps[i].push(t.pps);
          if (cpu0 !== undefined) {
            // ns of server CPU per datagram answered (the load generator's run, with its
            // start and exit: a slight overestimate for every server alike)
            cpu[i].push((running[i].cpuNs!() - cpu0) / (t.pps * Math.min(elapsed, seconds)));
          }
        }
      }
      for (const [i, server] of servers.entries()) {
        out[`${server.name}_pps`] = Math.round(median(pps[i]));
        if (cpu[i].length > 0) out[`${server.name}_cpu_ns`] = Math.round(median(cpu[i]));
        if (i === 0) continue;
        if (cpu[i].length > 0 && cpu[0].length > 0) {
          // C's CPU per datagram over ours: above 1 means cheaper than C per datagram.
          out[`${server.name}_cpu_ratio`] = round2(median(cpu[0]) / median(cpu[i]));
        }
        const ratios = pps[i].map((p, round) => p / pps[0][round]);
        out[`${server.name}_ratio`] = round2(median(ratios));
        out[`${server.name}_ratio_min`] = round2(Math.min(...ratios));
        out[`${server.name}_ratio_max`] = round2(Math.max(...ratios));
      }
      for (let round = 0; round < rounds; round++) {
        for (const [i, server] of servers.entries()) {
          const args = [
            String(running[i].port),
            "latency",
            String(latencySeconds),
            "1000",
            server.mode ?? "echo",
          ];
          const l = await loadgen(tools, args);
          const n = server.name;
          if (out[`${n}_p99_us`] === undefined || l.p99us < out[`${n}_p99_us`]) {
            out[`${n}_p50_us`] = l.p50us;
            out[`${n}_p99_us`] = l.p99us;
          }
          out[`${n}_lost`] = (out[`${n}_lost`] ?? 0) + l.lost;
        }
      }
    } finally {
      for (const s of running) await s.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  const ref = servers[0].name;
  for (const server of servers.slice(1)) {
    out[`${server.name}_p99_added_us`] =
      Math.round((out[`${server.name}_p99_us`] - out[`${ref}_p99_us`]) * 10) / 10;
  }
  if (options.print ?? true) {
    const width = Math.max(...servers.map((s) => s.name.length));
    console.log(
      `${throughputRounds} throughput rounds of ${seconds} s; ratio = median of per-round ratios`,
    );
    console.log(
      `${
        "server".padEnd(width)
      } datagrams/s  ratio  (min–max)   CPU ns/dgram (C÷it)  p50 µs  p99 µs  p99 added µs`,
    );
    for (const s of servers) {
      const n = s.name;
      const spread = out[`${n}_ratio_min`] === undefined
        ? ""
        : `${out[`${n}_ratio_min`]}–${out[`${n}_ratio_max`]}`;
      console.log(
        `${n.padEnd(width)} ${String(out[`${n}_pps`]).padStart(11)}  ${
          String(out[`${n}_ratio`] ?? 1).padStart(5)
        }  ${spread.padEnd(10)}  ${String(out[`${n}_cpu_ns`] ?? "-").padStart(6)} (${
          String(out[`${n}_cpu_ratio`] ?? 1).padStart(4)
        })         ${String(out[`${n}_p50_us`]).padStart(6)}  ${
          String(out[`${n}_p99_us`]).padStart(6)
        }  ${String(out[`${n}_p99_added_us`] ?? 0).padStart(12)}`,
      );
    }
  }
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/**
 * The FFI echo and reflector of the source tree at git `ref` (extracted into `dir`), to
 * measure a change against its predecessor in the same run.
 */
export async function serversAt(ref: string, dir: string): Promise<UdpBenchServer[]> {
  const root = new URL("..", import.meta.url).pathname;
  const archive = await new Deno.Command("sh", {
    args: ["-c", `git -C "$1" archive "$2" src | tar -x -C "$3"`, "sh", root, ref, dir],
  }).output();
  if (!archive.success) {
    throw new Error(`Cannot extract "${ref}": ${new TextDecoder().decode(archive.stderr)}`);
  }
  const at = (path: string) => new URL(`file://${dir}/src/services/${path}`).href;
  const udp = await import(at("udp/mod.ts"));
  const echo = await import(at("udp_echo/handler.ts"));
  const twamp = await import(at("twamp/reflector.ts"));
  const echoSpec = { module: echo.UDP_ECHO_HANDLER_MODULE, config: {} };
  return [
    handlerServer("ffi@" + ref, echoSpec, "ffi", "echo", udp.startUdpService),
    handlerServer(
      "twamp-ffi@" + ref,
      twamp.twampReflectorSpec({ maximumTtl: 255 }),
      "ffi",
      "twamp",
      udp.startUdpService,
    ),
  ];
}

if (import.meta.main) {
  // --before=REF: also the FFI servers of git REF (e.g. HEAD~3), in the same rounds.
  const before = Deno.args.find((a) => a.startsWith("--before="))?.slice("--before=".length);
  if (before === undefined) {
    await runUdpBench();
  } else {
    const dir = await Deno.makeTempDir({ prefix: "udp_bench_before_" });
    try {
      const [echoBefore, twampBefore] = await serversAt(before, dir);
      await runUdpBench({
        servers: [
          C_ECHO,
          C_MMSG_ECHO,
          echoBefore,
          handlerServer("ffi", ECHO_SPEC, "ffi"),
          twampBefore,
          handlerServer("twamp-ffi", TWAMP_SPEC, "ffi", "twamp"),
        ],
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
}
