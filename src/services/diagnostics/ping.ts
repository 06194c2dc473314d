/**
 * IPPing (TR-181 `Device.IP.Diagnostics.IPPing.`, TR-143) through the system's iputils
 * `ping`: one process per test, its output parsed into the counts and response times.
 *
 * Mapping: Host → destination, NumberOfRepetitions → `-c`, Timeout (ms) → `-W` (s,
 * fractional), DataBlockSize → `-s`, DSCP → `-Q` (TOS = DSCP << 2), ProtocolVersion →
 * `-4`/`-6`, Interface → `-I <device>`. Replies slower than Timeout count as failures
 * (iputils waits longer than `-W` once any reply came).
 *
 * States: no `PING` header (ping could not resolve the name) → Error_CannotResolveHostName;
 * a header but exit 2 and no replies (e.g. "connect: Network is unreachable") →
 * Error_NoRouteToHost; no `ping` → Error_Internal; Interface naming nothing →
 * Error_Other; otherwise Complete with SuccessCount/FailureCount.
 *
 * Unsupported: IPAddressUsed is read from the header only when ping prints it
 * (`from <addr>` with `-I`), otherwise "".
 *
 * @module
 */

import {
  type DiagnosticOutcome,
  type DiagnosticParams,
  interfaceOf,
  intParam,
  protocolVersion,
  type RunContext,
  uint,
} from "./runner.ts";

/** One echo reply line. */
export interface PingReply {
  readonly seq: number;
  /** Round trip in milliseconds (iputils prints µs precision). */
  readonly ms: number;
}

/** What {@linkcode parsePing} finds in ping's stdout. */
export interface PingOutput {
  /** Address from the `PING host (address)` header; undefined when there is no header. */
  readonly address?: string;
  /** Source address when the header says `from <addr>`. */
  readonly source?: string;
  readonly replies: readonly PingReply[];
  /** `N packets transmitted` from the statistics, when present. */
  readonly transmitted?: number;
}

/** Parses iputils ping output (`-n`); see `tests/testdata/diagnostics/ping_*.txt`. */
export function parsePing(text: string): PingOutput {
  let address: string | undefined;
  let source: string | undefined;
  let transmitted: number | undefined;
  const replies: PingReply[] = [];
  for (const line of text.split("\n")) {
    const header = /^PING \S+ ?\(([^)]+)\)(?: from (\S+))?/.exec(line);
    if (header !== null) {
      address = header[1];
      source = header[2];
      continue;
    }
    const reply = /icmp_seq=(\d+).* time[=<]([\d.]+) ms/.exec(line);
    if (reply !== null && !line.startsWith("From ")) {
      replies.push({ seq: Number(reply[1]), ms: Number(reply[2]) });
      continue;
    }
    const stats = /^(\d+) packets transmitted/.exec(line);
    if (stats !== null) transmitted = Number(stats[1]);
  }
  return { address, source, replies, transmitted };
}

/** The argv {@linkcode runIPPing} runs for `params` (device: Interface's Linux name). */
export function pingArgv(params: DiagnosticParams, device = ""): string[] {
  const count = Math.max(1, intParam(params, "NumberOfRepetitions", 3));
  const timeout = Math.max(1, intParam(params, "Timeout", 1000));
  const argv = ["ping", "-n", "-c", String(count), "-W", String(timeout / 1000)];
  argv.push("-s", String(intParam(params, "DataBlockSize", 56)));
  const dscp = intParam(params, "DSCP", 0);
  if (dscp > 0) argv.push("-Q", String(dscp << 2));
  const version = protocolVersion(params);
  if (version === "IPv4") argv.push("-4");
  if (version === "IPv6") argv.push("-6");
  if (device !== "") argv.push("-I", device);
  argv.push(params.Host ?? "");
  return argv;
}

/** Response-time results (ms and µs) of the replies within `timeoutMs`. */
export function pingResults(
  output: PingOutput,
  count: number,
  timeoutMs: number,
): Record<string, string> {
  const times = output.replies.filter((r) => r.ms <= timeoutMs).map((r) => r.ms);
  const success = Math.min(times.length, count);
  const micros = times.map((ms) => Math.round(ms * 1000));
  const avg = micros.length === 0 ? 0 : micros.reduce((a, b) => a + b, 0) / micros.length;
  const min = micros.length === 0 ? 0 : Math.min(...micros);
  const max = micros.length === 0 ? 0 : Math.max(...micros);
  return {
    IPAddressUsed: output.source ?? "",
    SuccessCount: String(success),
    FailureCount: String(count - success),
    AverageResponseTime: uint(avg / 1000),
    MinimumResponseTime: uint(min / 1000),
    MaximumResponseTime: uint(max / 1000),
    AverageResponseTimeDetailed: uint(avg),
    MinimumResponseTimeDetailed: uint(min),
    MaximumResponseTimeDetailed: uint(max),
  };
}

/** Runs one IPPing test. */
export async function runIPPing(
  params: DiagnosticParams,
  context: RunContext,
): Promise<DiagnosticOutcome> {
  if ((params.Host ?? "") === "") return { state: "Error_CannotResolveHostName", results: {} };
  const device = await interfaceOf(params, context);
  if (device === undefined) return { state: "Error_Other", results: {} };
  const argv = pingArgv(params, device);
  const count = Number(argv[3]);
  const timeout = Math.max(1, intParam(params, "Timeout", 1000));
  const { code, stdout } = await context.source.run(
    argv,
    count * (1000 + timeout) + 5000,
    context.signal,
  );
  if (code === 126 || code === 127 || code === 124) return { state: "Error_Internal", results: {} };
  const output = parsePing(stdout);
  if (output.address === undefined) return { state: "Error_CannotResolveHostName", results: {} };
  if (code === 2 && output.replies.length === 0) {
    return { state: "Error_NoRouteToHost", results: {} };
  }
  return { state: "Complete", results: pingResults(output, count, timeout) };
}
