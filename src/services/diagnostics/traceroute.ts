/**
 * TraceRoute (TR-181 `Device.IP.Diagnostics.TraceRoute.`, TR-143) through the system's
 * `traceroute` (Modern traceroute for Linux 2.x, UDP probes).
 *
 * Mapping: `-n` always, NumberOfTries → `-q`, Timeout (ms) → `-w` (s, fractional),
 * MaxHopCount → `-m`, DSCP → `-t` (TOS), ProtocolVersion → `-4`/`-6`, Interface →
 * `-i <device>`, DataBlockSize → the packet length argument (+ 28 bytes of IPv4 and
 * UDP headers, + 48 on IPv6).
 *
 * Results: one RouteHops row per hop line: HostAddress is the first address that
 * answered, Host the same (`-n`: no reverse lookups, TR-181 allows the address),
 * RTTimes the answered probes in ms (rounded), ErrorCode the ICMP code of an `!X`
 * annotation (`!N` 0, `!H` 1, `!P` 2, `!F` 4, `!S` 5, `!X` 13, `!V` 14, `!C` 15, `!<n>` n),
 * else 0. ResponseTime is the mean RTT of the last hop when it is the destination (its
 * address, or an unannotated answer that made traceroute stop before MaxHopCount).
 *
 * States: no `traceroute to` header → Error_CannotResolveHostName; destination not
 * reached in MaxHopCount hops → Error_MaxHopCountExceeded; a hop annotated `!H`/`!N`
 * and no destination → Error_NoRouteToHost; no `traceroute` → Error_Internal.
 *
 * @module
 */

import {
  type DiagnosticOutcome,
  type DiagnosticParams,
  interfaceOf,
  intParam,
  protocolVersion,
  type ResultRow,
  type RunContext,
  uint,
} from "./runner.ts";

/** One hop line. */
export interface TraceHop {
  readonly hop: number;
  /** First address that answered; "" when every probe timed out. */
  readonly address: string;
  /** Round trips of the answered probes, ms. */
  readonly rtts: readonly number[];
  /** ICMP code from an `!X` annotation, else 0. */
  readonly errorCode: number;
  /** Whether any probe carried an `!X` annotation. */
  readonly annotated: boolean;
}

/** What {@linkcode parseTraceroute} finds. */
export interface TracerouteOutput {
  /** Destination address from the header; undefined without a header. */
  readonly destination?: string;
  readonly hops: readonly TraceHop[];
}

const ANNOTATION_CODES: Readonly<Record<string, number>> = {
  N: 0,
  H: 1,
  P: 2,
  F: 4,
  S: 5,
  X: 13,
  V: 14,
  C: 15,
};

/** Parses `traceroute -n` output; see `tests/testdata/diagnostics/traceroute_*.txt`. */
export function parseTraceroute(text: string): TracerouteOutput {
  let destination: string | undefined;
  const hops: TraceHop[] = [];
  for (const line of text.split("\n")) {
    const header = /^traceroute to \S+ \(([^)]+)\)/.exec(line);
    if (header !== null) {
      destination = header[1];
      continue;
    }
    const hop = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (hop === null) continue;
    let address = "";
    let errorCode = 0;
    let annotated = false;
    const rtts: number[] = [];
    const tokens = hop[2].trim().split(/\s+/);
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i];
      if (token === "*") continue;
      if (token.startsWith("!")) {
        annotated = true;
        const code = token.slice(1);
        errorCode = /^\d+$/.test(code) ? Number(code) : ANNOTATION_CODES[code] ?? errorCode;
        continue;
      }
      if (tokens[i + 1] === "ms" && /^[\d.]+$/.test(token)) {
        rtts.push(Number(token));
        i++;
        continue;
      }
      if (address === "") address = token;
    }
    hops.push({ hop: Number(hop[1]), address, rtts, errorCode, annotated });
  }
  return { destination, hops };
}

/** The argv {@linkcode runTraceRoute} runs for `params`. */
export function tracerouteArgv(params: DiagnosticParams, device = ""): string[] {
  const tries = Math.min(3, Math.max(1, intParam(params, "NumberOfTries", 3)));
  const timeout = Math.max(1, intParam(params, "Timeout", 5000));
  const maxHops = Math.min(64, Math.max(1, intParam(params, "MaxHopCount", 30)));
  const argv = ["traceroute", "-n", "-q", String(tries), "-w", String(timeout / 1000)];
  argv.push("-m", String(maxHops));
  const dscp = intParam(params, "DSCP", 0);
  if (dscp > 0) argv.push("-t", String(dscp << 2));
  const version = protocolVersion(params);
  if (version === "IPv4") argv.push("-4");
  if (version === "IPv6") argv.push("-6");
  if (device !== "") argv.push("-i", device);
  // traceroute's packet length counts the IP and UDP headers; DataBlockSize does not.
  const headers = version === "IPv6" || (params.Host ?? "").includes(":") ? 48 : 28;
  argv.push(params.Host ?? "", String(intParam(params, "DataBlockSize", 32) + headers));
  return argv;
}

/** The outcome of a parsed run that had `maxHops` as its limit. */
export function tracerouteOutcome(output: TracerouteOutput, maxHops: number): DiagnosticOutcome {
  if (output.destination === undefined) {
    return { state: "Error_CannotResolveHostName", results: {} };
  }
  const rows: ResultRow[] = output.hops.map((h) => ({
    Host: h.address,
    HostAddress: h.address,
    ErrorCode: String(h.errorCode),
    RTTimes: h.rtts.map((ms) => uint(ms)).join(","),
  }));
  const last = output.hops[output.hops.length - 1];
  // traceroute stops before the limit only when a probe's reply says "arrived"
  // (port unreachable), which may come from another address of the destination.
  const reached = last !== undefined && last.rtts.length > 0 && !last.annotated &&
    (last.address === output.destination || output.hops.length < maxHops);
  const responseTime = reached && last.rtts.length > 0
    ? uint(last.rtts.reduce((a, b) => a + b, 0) / last.rtts.length)
    : "0";
  let state = "Complete";
  if (!reached) {
    const blocked = output.hops.some((h) =>
      h.annotated && (h.errorCode === 0 || h.errorCode === 1)
    );
    state = blocked
      ? "Error_NoRouteToHost"
      : output.hops.length >= maxHops
      ? "Error_MaxHopCountExceeded"
      : "Error_Other";
  }
  return { state, results: { ResponseTime: responseTime }, tables: { RouteHops: rows } };
}

/** Runs one TraceRoute test. */
export async function runTraceRoute(
  params: DiagnosticParams,
  context: RunContext,
): Promise<DiagnosticOutcome> {
  if ((params.Host ?? "") === "") return { state: "Error_CannotResolveHostName", results: {} };
  const device = await interfaceOf(params, context);
  if (device === undefined) return { state: "Error_Other", results: {} };
  const argv = tracerouteArgv(params, device);
  const tries = Number(argv[3]);
  const maxHops = Number(argv[7]);
  const timeout = Math.max(1, intParam(params, "Timeout", 5000));
  const budget = maxHops * tries * timeout + 5000;
  const { code, stdout } = await context.source.run(argv, budget, context.signal);
  if (code === 126 || code === 127 || code === 124) return { state: "Error_Internal", results: {} };
  return tracerouteOutcome(parseTraceroute(stdout), maxHops);
}
