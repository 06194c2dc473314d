/**
 * ServerSelectionDiagnostics (TR-181 `Device.IP.Diagnostics.ServerSelectionDiagnostics.`,
 * TR-143): NumberOfRepetitions probes to each HostList entry, over ICMP (the system's
 * `ping`, as IPPing) or UDP Echo (the UDPEcho client, 24-byte Echo Plus datagrams to
 * `udpEchoPort`, 7 by default: TR-181 2.17 has no Port parameter here), Timeout ms
 * each. FastestHost is the entry with the smallest average response time; Minimum,
 * Average and MaximumResponseTime (µs) are that host's, all 0 when no host answered
 * (then FastestHost is ""); IPAddressUsed is the local address towards it when known.
 *
 * States: empty HostList or Interface naming nothing → Error_Other; no entry resolves
 * → Error_CannotResolveHostName; no `ping` (ICMP) → Error_Internal; else Complete.
 *
 * @module
 */

import { parsePing, pingArgv } from "./ping.ts";
import {
  type DiagnosticOutcome,
  type DiagnosticParams,
  interfaceOf,
  intParam,
  protocolVersion,
  resolveHost,
  type RunContext,
  type Runner,
  uint,
} from "./runner.ts";
import type { ServerSelectionOptions } from "./runner_options.ts";
import { echoProbes } from "./udp_echo_client.ts";

export type { ServerSelectionOptions } from "./runner_options.ts";

interface HostMeasurement {
  readonly host: string;
  /** Response times of the answered probes, µs. */
  readonly times: readonly number[];
  readonly localAddress: string;
  readonly resolved: boolean;
  readonly internalError?: boolean;
}

/** A ServerSelectionDiagnostics runner. */
export function serverSelectionRunner(options: ServerSelectionOptions = {}): Runner {
  return (params, context) => runServerSelection(params, context, options);
}

/** Runs one ServerSelectionDiagnostics test. */
export async function runServerSelection(
  params: DiagnosticParams,
  context: RunContext,
  options: ServerSelectionOptions = {},
): Promise<DiagnosticOutcome> {
  const hosts = (params.HostList ?? "").split(",").map((h) => h.trim()).filter((h) => h !== "");
  const device = await interfaceOf(params, context);
  if (hosts.length === 0 || device === undefined) return { state: "Error_Other", results: {} };
  const measurements: HostMeasurement[] = [];
  for (const host of hosts) {
    if (context.signal.aborted) return { state: "Error_Other", results: {} };
    measurements.push(
      params.Protocol === "UDP Echo"
        ? await measureUdp(host, params, context, options)
        : await measureIcmp(host, params, device, context),
    );
  }
  if (measurements.some((m) => m.internalError)) return { state: "Error_Internal", results: {} };
  if (!measurements.some((m) => m.resolved)) {
    return { state: "Error_CannotResolveHostName", results: {} };
  }
  const mean = (t: readonly number[]) => t.reduce((a, b) => a + b, 0) / t.length;
  const answered = measurements.filter((m) => m.times.length > 0);
  const fastest = answered.sort((a, b) => mean(a.times) - mean(b.times))[0];
  if (fastest === undefined) {
    return { state: "Complete", results: { FastestHost: "", IPAddressUsed: "" } };
  }
  return {
    state: "Complete",
    results: {
      FastestHost: fastest.host,
      MinimumResponseTime: uint(Math.min(...fastest.times)),
      AverageResponseTime: uint(mean(fastest.times)),
      MaximumResponseTime: uint(Math.max(...fastest.times)),
      IPAddressUsed: fastest.localAddress,
    },
  };
}

async function measureIcmp(
  host: string,
  params: DiagnosticParams,
  device: string,
  context: RunContext,
): Promise<HostMeasurement> {
  const timeout = Math.max(1, intParam(params, "Timeout", 1000));
  const count = Math.max(1, intParam(params, "NumberOfRepetitions", 3));
  const argv = pingArgv({
    Host: host,
    NumberOfRepetitions: String(count),
    Timeout: String(timeout),
    ProtocolVersion: params.ProtocolVersion ?? "Any",
  }, device);
  const { code, stdout } = await context.source.run(
    argv,
    count * (1000 + timeout) + 5000,
    context.signal,
  );
  if (code === 126 || code === 127) {
    return { host, times: [], localAddress: "", resolved: true, internalError: true };
  }
  const output = parsePing(stdout);
  const times = output.replies.filter((r) => r.ms <= timeout).map((r) => r.ms * 1000);
  return {
    host,
    times,
    localAddress: output.source ?? "",
    resolved: output.address !== undefined,
  };
}

async function measureUdp(
  host: string,
  params: DiagnosticParams,
  context: RunContext,
  options: ServerSelectionOptions,
): Promise<HostMeasurement> {
  const addresses = await (context.resolve ?? resolveHost)(host, protocolVersion(params));
  if (addresses.length === 0) return { host, times: [], localAddress: "", resolved: false };
  try {
    const { probes, localAddress } = await echoProbes(addresses[0], options.udpEchoPort ?? 7, {
      count: Math.max(1, intParam(params, "NumberOfRepetitions", 3)),
      size: 24,
      timeoutMs: Math.max(1, intParam(params, "Timeout", 1000)),
      intervalMs: options.udpIntervalMs ?? 100,
    }, context);
    const times = probes.filter((p) => p.receivedAt !== undefined)
      .map((p) => (p.receivedAt! - p.sentAt) * 1000);
    return { host, times, localAddress, resolved: true };
  } catch {
    return {
      host,
      times: [],
      localAddress: "",
      resolved: true,
      internalError: !context.signal.aborted,
    };
  }
}
