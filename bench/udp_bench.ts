/**
 * UDP fast-path benchmark (issue #4): packets/s of an echo server under a C load
 * generator (64-byte datagrams, 32 in flight, ~3 s on loopback) and the p99 round trip at
 * 1,000 datagrams/s, for a C reference server (recvfrom/sendto, one thread), our UDP echo
 * on the FFI path and on `Deno.listenDatagram`. "Added latency" is a server's p99 minus
 * the C server's. The C programs in `bench/c/` are compiled with gcc into a temp dir at
 * run time. Target: ≥ 0.5× C, p99 added ≤ 100 µs.
 *
 * The server under test is a parameter (`UdpBenchServer`), so the TWAMP reflector reuses
 * this bench: pass `servers` built with `handlerServer(name, spec, path)`.
 *
 * Run alone: `deno run -A bench/udp_bench.ts`.
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
  start(tools: CTools): Promise<{ port: number; close(): Promise<void> }>;
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
  /** Throughput run length in seconds. Default 3. */
  seconds?: number;
  /** Latency run length in seconds (at 1,000/s), per round. Default 1. */
  latencySeconds?: number;
  /**
   * Latency rounds, servers interleaved; each server keeps its lowest p99 (the shared VMs
   * this runs on add multi-ms stalls to any server, C included). Default 3.
   */
  rounds?: number;
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

/** The C reference server. */
export const C_ECHO: UdpBenchServer = {
  name: "c",
  async start(tools) {
    const child = new Deno.Command(tools.echoServer, { args: ["0"], stdout: "piped" }).spawn();
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
      async close() {
        child.kill("SIGKILL");
        await child.status;
        await child.stdout.cancel().catch(() => {});
      },
    };
  },
};

/** A server running `spec` through `startUdpService()` on `path`. */
export function handlerServer(
  name: string,
  spec: HandlerSpec,
  path: "ffi" | "deno",
  mode: "echo" | "twamp" = "echo",
): UdpBenchServer {
  return {
    name,
    mode,
    async start() {
      const svc = await startUdpService({ hostname: "127.0.0.1", port: 0, spec, path });
      return { port: svc.port, close: () => svc.close() };
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
      handlerServer("ffi", ECHO_SPEC, "ffi"),
      handlerServer("deno", ECHO_SPEC, "deno"),
      handlerServer("twamp-ffi", TWAMP_SPEC, "ffi", "twamp"),
      handlerServer("twamp-deno", TWAMP_SPEC, "deno", "twamp"),
    ];
  const seconds = options.seconds ?? 3;
  const latencySeconds = options.latencySeconds ?? 1;
  const rounds = options.rounds ?? 3;
  const dir = await Deno.makeTempDir({ prefix: "udp_bench_" });
  const out: Record<string, number> = {};
  try {
    const tools = await buildCTools(dir);
    const running = [];
    try {
      for (const server of servers) running.push(await server.start(tools));
      for (const [i, server] of servers.entries()) {
        const port = String(running[i].port);
        const mode = server.mode ?? "echo";
        await loadgen(tools, [port, "throughput", "0.3", "32", mode]); // warm-up
        const t = await loadgen(tools, [port, "throughput", String(seconds), "32", mode]);
        out[`${server.name}_pps`] = Math.round(t.pps);
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
    out[`${server.name}_ratio`] = Math.round(out[`${server.name}_pps`] / out[`${ref}_pps`] * 100) /
      100;
    out[`${server.name}_p99_added_us`] =
      Math.round((out[`${server.name}_p99_us`] - out[`${ref}_p99_us`]) * 10) / 10;
  }
  if (options.print ?? true) {
    console.log("server   datagrams/s  ratio  p50 µs  p99 µs  p99 added µs");
    for (const s of servers) {
      const n = s.name;
      console.log(
        `${n.padEnd(8)} ${String(out[`${n}_pps`]).padStart(11)}  ${
          String(out[`${n}_ratio`] ?? 1).padStart(5)
        }  ${String(out[`${n}_p50_us`]).padStart(6)}  ${String(out[`${n}_p99_us`]).padStart(6)}  ${
          String(out[`${n}_p99_added_us`] ?? 0).padStart(12)
        }`,
      );
    }
  }
  return out;
}

if (import.meta.main) {
  await runUdpBench();
}
