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
 * DSCP: 0 sends from `Deno.listenDatagram`; a non-zero DSCP sends from a libc
 * {@linkcode TosSocket} with IP_TOS / IPV6_TCLASS = DSCP << 2 (needs the FFI path:
 * Linux x86_64/aarch64 and FFI permission; the data model refuses a non-zero DSCP
 * where it is unavailable, see {@linkcode udpEchoDscpUnavailable}).
 *
 * States: Host not resolved → Error_CannotResolveHostName; socket failure (including a
 * marked socket that cannot be opened) → Error_Internal; Interface naming nothing →
 * Error_Other.
 *
 * @module
 */

import { UNKNOWN_TIME } from "../../soap/messages.ts";
import { TosSocket } from "../udp/tos_socket.ts";
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
import { clearTimer, setTimer, type Timer } from "../../platform/timers.ts";
import { DEFAULT_UDP_ECHO_MAX_RESULTS, type UDPEchoOptions } from "./runner_options.ts";

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

export {
  DEFAULT_UDP_ECHO_MAX_RESULTS,
  udpEchoDscpUnavailable,
  type UDPEchoOptions,
} from "./runner_options.ts";

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

/** What one probe test sends from and receives on. */
interface ProbeSocket {
  send(data: Uint8Array, address: string, port: number): Promise<void>;
  /** The next datagram within `timeoutMs`; undefined on timeout or abort. */
  receive(
    timeoutMs: number,
  ): Promise<{ data: Uint8Array; address: string; port: number } | undefined>;
  /** Local address, "" for the wildcard. */
  readonly localAddress: string;
  close(): Promise<void>;
}

/** A `Deno.listenDatagram` socket; an abort closes it (the pending receive rejects). */
function denoProbeSocket(ipv6: boolean, signal: AbortSignal): ProbeSocket {
  const socket = Deno.listenDatagram({
    transport: "udp",
    hostname: ipv6 ? "::" : "0.0.0.0",
    port: 0,
  });
  let pending: Promise<[Uint8Array, Deno.Addr]> | undefined;
  const onAbort = () => socket.close();
  signal.addEventListener("abort", onAbort, { once: true });
  const local = (socket.addr as Deno.NetAddr).hostname;
  return {
    localAddress: local === "0.0.0.0" || local === "::" ? "" : local,
    async send(data, address, port) {
      await socket.send(data, { transport: "udp", hostname: address, port });
    },
    async receive(timeoutMs) {
      pending ??= socket.receive();
      const got = await raceTimeout(pending, timeoutMs);
      if (got === undefined) return undefined;
      pending = undefined;
      const [data, from] = got;
      if (from.transport !== "udp") return { data, address: "", port: 0 };
      return { data, address: from.hostname, port: from.port };
    },
    close() {
      signal.removeEventListener("abort", onAbort);
      try {
        socket.close();
      } catch {
        // Closed by an abort.
      }
      pending?.catch(() => {});
      return Promise.resolve();
    },
  };
}

/** A libc socket marking every datagram with `tos` (IP_TOS / IPV6_TCLASS). */
function markedProbeSocket(ipv6: boolean, tos: number, signal: AbortSignal): ProbeSocket {
  const socket = new TosSocket({ hostname: ipv6 ? "::" : "0.0.0.0", port: 0, tos });
  const local = socket.hostname;
  return {
    localAddress: local === "0.0.0.0" || local === "::" ? "" : local,
    send(data, address, port) {
      socket.send(data, address, port);
      return Promise.resolve();
    },
    receive: (timeoutMs) => socket.receive(timeoutMs, signal),
    close: () => socket.close(),
  };
}

/**
 * Sends the probes of one test to `address`:`port`, marked with `tos` (DSCP << 2) when
 * it is non-zero; throws only on socket failure.
 */
export async function echoProbes(
  address: string,
  port: number,
  settings: { count: number; size: number; timeoutMs: number; intervalMs: number; tos?: number },
  context: RunContext,
): Promise<{ probes: EchoProbe[]; localAddress: string }> {
  const ipv6 = address.includes(":");
  const tos = settings.tos ?? 0;
  const socket = tos === 0
    ? denoProbeSocket(ipv6, context.signal)
    : markedProbeSocket(ipv6, tos, context.signal);
  const probes: EchoProbe[] = [];
  try {
    for (let i = 0; i < settings.count && !context.signal.aborted; i++) {
      if (i > 0) await sleep(settings.intervalMs, context.signal);
      if (context.signal.aborted) break;
      const sn = i + 1;
      const sentAt = context.now();
      await socket.send(encodeEchoRequest(settings.size, sn), address, port);
      const deadline = performance.now() + settings.timeoutMs;
      let probe: EchoProbe = { sentAt, testGenSN: sn };
      while (performance.now() < deadline) {
        const got = await socket.receive(deadline - performance.now());
        if (got === undefined) break;
        if (!fromTarget(got, address, port)) continue;
        const reply = decodeEchoPlus(got.data);
        if (settings.size >= ECHO_PLUS_HEADER_LENGTH && reply?.testGenSN !== sn) continue;
        probe = { sentAt, receivedAt: context.now(), testGenSN: sn, reply };
        break;
      }
      probes.push(probe);
    }
    return { probes, localAddress: socket.localAddress };
  } finally {
    await socket.close();
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
    tos: (intParam(params, "DSCP", 0) & 0x3f) << 2,
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

function fromTarget(
  from: { address: string; port: number },
  address: string,
  port: number,
): boolean {
  const host = from.address.replace(/^::ffff:/, "");
  return from.port === port && (host === address || host === address.replace(/^::ffff:/, ""));
}

async function raceTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: Timer | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimer(() => resolve(undefined), Math.max(0, ms));
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimer(timer);
  }
}
