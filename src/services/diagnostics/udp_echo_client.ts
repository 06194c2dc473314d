/**
 * UDPEchoDiagnostics client (TR-181 `Device.IP.Diagnostics.UDPEchoDiagnostics.`,
 * TR-143 §A.1.4 and CWMP-FACTS §9.1): NumberOfRepetitions datagrams of DataBlockSize
 * bytes (default 24) to Host:Port, InterTransmissionTime ms apart, each waiting up to
 * Timeout ms for its echo. Works against plain echo (RFC 862) and Echo Plus servers.
 *
 * Datagrams of 20 bytes or more carry the Echo Plus header, 5 × uint32 big-endian:
 * TestGenSN (ours, 1-based), TestRespSN, TestRespRecvTimeStamp,
 * TestRespReplyTimeStamp, TestRespReplyFailureCount (0 from us; a plain echo returns
 * them as sent). A reply counts when it comes from Host:Port and, for Echo Plus
 * sizes, carries our TestGenSN (late replies of earlier packets are dropped).
 *
 * Results: SuccessCount, FailureCount, Average/Minimum/MaximumResponseTime in µs,
 * IPAddressUsed (the socket's local address, "" when bound to the wildcard), and with
 * EnableIndividualPacketResults the IndividualPacketResult rows (µs dateTimes; Unknown
 * Time and zeros when no reply), at most `maxResults` rows.
 *
 * States: Host not resolved → Error_CannotResolveHostName; socket failure →
 * Error_Internal; Interface naming nothing → Error_Other.
 *
 * Unsupported: DSCP (no socket option in Deno).
 *
 * @module
 */

import { UNKNOWN_TIME } from "../../soap/messages.ts";
import {
  type DiagnosticOutcome,
  type DiagnosticParams,
  interfaceOf,
  intParam,
  microDateTime,
  protocolVersion,
  resolveHost,
  type ResultRow,
  type RunContext,
  type Runner,
  sleep,
  uint,
} from "./runner.ts";

/** The Echo Plus header fields (TR-143 §A.1.4). */
export interface EchoPlusHeader {
  readonly testGenSN: number;
  readonly testRespSN: number;
  readonly testRespRecvTimeStamp: number;
  readonly testRespReplyTimeStamp: number;
  readonly testRespReplyFailureCount: number;
}

/** Echo Plus header length in bytes. */
export const ECHO_PLUS_HEADER_LENGTH = 20;

/** A request datagram of `size` bytes; ≥ 20 bytes start with TestGenSN and zeros. */
export function encodeEchoRequest(size: number, testGenSN: number): Uint8Array {
  const bytes = new Uint8Array(size);
  if (size >= ECHO_PLUS_HEADER_LENGTH) new DataView(bytes.buffer).setUint32(0, testGenSN >>> 0);
  return bytes;
}

/** The Echo Plus header of a datagram, or undefined when it is shorter than 20 bytes. */
export function decodeEchoPlus(bytes: Uint8Array): EchoPlusHeader | undefined {
  if (bytes.length < ECHO_PLUS_HEADER_LENGTH) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    testGenSN: view.getUint32(0),
    testRespSN: view.getUint32(4),
    testRespRecvTimeStamp: view.getUint32(8),
    testRespReplyTimeStamp: view.getUint32(12),
    testRespReplyFailureCount: view.getUint32(16),
  };
}

/** Options of {@linkcode udpEchoRunner}. */
export interface UDPEchoOptions {
  /** UDPEchoDiagnosticsMaxResults; default 100. */
  readonly maxResults?: number;
}

/** Default UDPEchoDiagnosticsMaxResults. */
export const DEFAULT_UDP_ECHO_MAX_RESULTS = 100;

/** A UDPEchoDiagnostics runner. */
export function udpEchoRunner(options: UDPEchoOptions = {}): Runner {
  return (params, context) => runUDPEcho(params, context, options);
}

/** One probe's measurement (also used by ServerSelectionDiagnostics). */
export interface EchoProbe {
  readonly sentAt: number;
  /** Epoch ms, or undefined without a reply. */
  readonly receivedAt?: number;
  readonly testGenSN: number;
  readonly reply?: EchoPlusHeader;
}

/** Sends the probes of one test to `address`:`port`; throws only on socket failure. */
export async function echoProbes(
  address: string,
  port: number,
  settings: { count: number; size: number; timeoutMs: number; intervalMs: number },
  context: RunContext,
): Promise<{ probes: EchoProbe[]; localAddress: string }> {
  const ipv6 = address.includes(":");
  const socket = Deno.listenDatagram({
    transport: "udp",
    hostname: ipv6 ? "::" : "0.0.0.0",
    port: 0,
  });
  const probes: EchoProbe[] = [];
  let pending: Promise<[Uint8Array, Deno.Addr]> | undefined;
  const onAbort = () => socket.close();
  context.signal.addEventListener("abort", onAbort, { once: true });
  try {
    for (let i = 0; i < settings.count && !context.signal.aborted; i++) {
      if (i > 0) await sleep(settings.intervalMs, context.signal);
      if (context.signal.aborted) break;
      const sn = i + 1;
      const sentAt = context.now();
      await socket.send(encodeEchoRequest(settings.size, sn), {
        transport: "udp",
        hostname: address,
        port,
      });
      const deadline = performance.now() + settings.timeoutMs;
      let probe: EchoProbe = { sentAt, testGenSN: sn };
      while (performance.now() < deadline) {
        pending ??= socket.receive();
        const got = await raceTimeout(pending, deadline - performance.now());
        if (got === undefined) break;
        pending = undefined;
        const [data, from] = got;
        if (!fromTarget(from, address, port)) continue;
        const reply = decodeEchoPlus(data);
        if (settings.size >= ECHO_PLUS_HEADER_LENGTH && reply?.testGenSN !== sn) continue;
        probe = { sentAt, receivedAt: context.now(), testGenSN: sn, reply };
        break;
      }
      probes.push(probe);
    }
    const local = (socket.addr as Deno.NetAddr).hostname;
    return { probes, localAddress: local === "0.0.0.0" || local === "::" ? "" : local };
  } finally {
    context.signal.removeEventListener("abort", onAbort);
    try {
      socket.close();
    } catch {
      // Closed by an abort.
    }
    pending?.catch(() => {});
  }
}

/** Runs one UDPEchoDiagnostics test. */
export async function runUDPEcho(
  params: DiagnosticParams,
  context: RunContext,
  options: UDPEchoOptions = {},
): Promise<DiagnosticOutcome> {
  if (await interfaceOf(params, context) === undefined) {
    return { state: "Error_Other", results: {} };
  }
  const addresses = await (context.resolve ?? resolveHost)(
    params.Host ?? "",
    protocolVersion(params),
  );
  if (addresses.length === 0) return { state: "Error_CannotResolveHostName", results: {} };
  const settings = {
    count: Math.max(1, intParam(params, "NumberOfRepetitions", 1)),
    size: Math.max(1, intParam(params, "DataBlockSize", 24)),
    timeoutMs: Math.max(1, intParam(params, "Timeout", 5000)),
    intervalMs: Math.max(1, intParam(params, "InterTransmissionTime", 1000)),
  };
  let measured: { probes: EchoProbe[]; localAddress: string };
  try {
    measured = await echoProbes(addresses[0], intParam(params, "Port", 7), settings, context);
  } catch {
    if (context.signal.aborted) return { state: "Error_Other", results: {} };
    return { state: "Error_Internal", results: {} };
  }
  const { probes, localAddress } = measured;
  const times = probes.filter((p) => p.receivedAt !== undefined)
    .map((p) => (p.receivedAt! - p.sentAt) * 1000);
  const rows = params.EnableIndividualPacketResults === "true"
    ? probes.slice(0, options.maxResults ?? DEFAULT_UDP_ECHO_MAX_RESULTS).map(packetRow)
    : [];
  return {
    state: "Complete",
    results: {
      IPAddressUsed: localAddress,
      SuccessCount: String(times.length),
      FailureCount: String(settings.count - times.length),
      AverageResponseTime: uint(
        times.length === 0 ? 0 : times.reduce((a, b) => a + b, 0) / times.length,
      ),
      MinimumResponseTime: uint(times.length === 0 ? 0 : Math.min(...times)),
      MaximumResponseTime: uint(times.length === 0 ? 0 : Math.max(...times)),
    },
    tables: { IndividualPacketResult: rows },
  };
}

function packetRow(probe: EchoProbe): ResultRow {
  const ok = probe.receivedAt !== undefined;
  const r = ok ? probe.reply : undefined;
  return {
    PacketSuccess: String(ok),
    PacketSendTime: microDateTime(probe.sentAt),
    PacketReceiveTime: ok ? microDateTime(probe.receivedAt!) : UNKNOWN_TIME,
    TestGenSN: String(probe.testGenSN),
    TestRespSN: String(r?.testRespSN ?? 0),
    TestRespRcvTimeStamp: String(r?.testRespRecvTimeStamp ?? 0),
    TestRespReplyTimeStamp: String(r?.testRespReplyTimeStamp ?? 0),
    TestRespReplyFailureCount: String(r?.testRespReplyFailureCount ?? 0),
  };
}

function fromTarget(from: Deno.Addr, address: string, port: number): boolean {
  if (from.transport !== "udp") return false;
  const host = from.hostname.replace(/^::ffff:/, "");
  return from.port === port && (host === address || host === address.replace(/^::ffff:/, ""));
}

async function raceTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), Math.max(0, ms));
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
