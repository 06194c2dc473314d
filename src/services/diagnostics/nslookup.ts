/**
 * NSLookupDiagnostics (TR-181 `Device.DNS.Diagnostics.NSLookupDiagnostics.`, TR-143):
 * NumberOfRepetitions lookups of HostName, each an A and an AAAA query over UDP to
 * DNSServer (or the first `nameserver` of resolv.conf when empty), each waiting up to
 * Timeout ms. One Result row per repetition:
 *
 * - Status: Success when an address came back; Error_HostNameNotResolved for NXDOMAIN
 *   or an answer without addresses; Error_DNSServerNotAvailable for SERVFAIL/REFUSED or
 *   a send failure; Error_Timeout when nothing came back; Error_Other otherwise.
 * - AnswerType from the AA flag of the first response (None without one),
 *   HostNameReturned the owner name of the first address record, IPAddresses the A
 *   then AAAA addresses (at most 10), DNSServerIP the server used, ResponseTime the
 *   first response's round trip in ms.
 *
 * HostName without a dot gets resolv.conf's `domain` (or first `search`) appended
 * ("the current domain name MUST be used unless the name is a fully qualified name").
 * DNSServer given as a name is resolved with the default resolver.
 *
 * States: empty HostName or Interface naming nothing → Error_Other; DNSServer not
 * resolvable or no default server → Error_DNSServerNotResolved; every repetition
 * failed → Error_Other (TR-181 Result.Status); else Complete (SuccessCount counts the
 * successes).
 *
 * @module
 */

import { parseNameservers } from "../../datamodel/objects/dns_client.ts";
import { decodeDnsMessage, type DnsMessage, DnsType, encodeDnsMessage } from "./dns_message.ts";
import {
  addressFamily,
  type DiagnosticOutcome,
  type DiagnosticParams,
  interfaceOf,
  intParam,
  resolveHost,
  type ResultRow,
  type RunContext,
  type Runner,
  uint,
} from "./runner.ts";
import { clearTimer, setTimer, type Timer } from "../../platform/timers.ts";
import type { NSLookupOptions } from "./runner_options.ts";

export type { NSLookupOptions } from "./runner_options.ts";

const MAX_ADDRESSES = 10;

/** An NSLookupDiagnostics runner. */
export function nsLookupRunner(options: NSLookupOptions = {}): Runner {
  return (params, context) => runNSLookup(params, context, options);
}

/** Runs one NSLookupDiagnostics test. */
export async function runNSLookup(
  params: DiagnosticParams,
  context: RunContext,
  options: NSLookupOptions = {},
): Promise<DiagnosticOutcome> {
  const hostName = (params.HostName ?? "").trim().replace(/\.$/, "");
  if (hostName === "" || await interfaceOf(params, context) === undefined) {
    return { state: "Error_Other", results: {} };
  }
  const conf = (await Promise.all(
    (options.resolvConf ?? ["/etc/resolv.conf"]).map((f) => context.source.readText(f)),
  )).map((t) => t ?? "").join("\n");
  const server = await dnsServer(params.DNSServer ?? "", conf, context);
  if (server === undefined) return { state: "Error_DNSServerNotResolved", results: {} };
  const name = hostName.includes(".") ? hostName : qualify(hostName, conf);
  const count = Math.max(1, intParam(params, "NumberOfRepetitions", 1));
  const timeoutMs = Math.max(1, intParam(params, "Timeout", 5000) || 5000);
  const port = options.port ?? 53;
  let socket: Deno.DatagramConn;
  try {
    socket = Deno.listenDatagram({
      transport: "udp",
      hostname: server.includes(":") ? "::" : "0.0.0.0",
      port: 0,
    });
  } catch {
    return { state: "Error_Internal", results: {} };
  }
  const onAbort = () => socket.close();
  context.signal.addEventListener("abort", onAbort, { once: true });
  const rows: ResultRow[] = [];
  try {
    for (let i = 0; i < count && !context.signal.aborted; i++) {
      rows.push(await lookupOnce(socket, server, port, name, timeoutMs, context));
    }
  } catch {
    if (context.signal.aborted) return { state: "Error_Other", results: {} };
    return { state: "Error_Internal", results: {} };
  } finally {
    context.signal.removeEventListener("abort", onAbort);
    try {
      socket.close();
    } catch {
      // Closed by an abort.
    }
  }
  const successes = rows.filter((r) => r.Status === "Success").length;
  return {
    state: successes > 0 ? "Complete" : "Error_Other",
    results: { SuccessCount: String(successes) },
    tables: { Result: rows },
  };
}

async function dnsServer(
  configured: string,
  conf: string,
  context: RunContext,
): Promise<string | undefined> {
  const text = configured.trim();
  if (text === "") return parseNameservers(conf)[0];
  if (addressFamily(text) !== undefined) return text;
  return (await (context.resolve ?? resolveHost)(text, "Any"))[0];
}

function qualify(name: string, conf: string): string {
  const domain = /^\s*domain\s+(\S+)/m.exec(conf)?.[1] ?? /^\s*search\s+(\S+)/m.exec(conf)?.[1];
  return domain === undefined ? name : `${name}.${domain.replace(/\.$/, "")}`;
}

async function lookupOnce(
  socket: Deno.DatagramConn,
  server: string,
  port: number,
  name: string,
  timeoutMs: number,
  context: RunContext,
): Promise<ResultRow> {
  const ids = [DnsType.A, DnsType.AAAA].map((type) => ({
    type,
    id: Math.floor(Math.random() * 0x10000),
  }));
  const start = performance.now();
  try {
    for (const { id, type } of ids) {
      const query = encodeDnsMessage({ id, qr: false, rd: true, questions: [{ name, type }] });
      await socket.send(query, { transport: "udp", hostname: server, port });
    }
  } catch {
    if (context.signal.aborted) throw new Error("Aborted");
    return failure("Error_DNSServerNotAvailable", server);
  }
  const responses = new Map<number, DnsMessage>();
  let firstMs: number | undefined;
  const deadline = start + timeoutMs;
  while (responses.size < ids.length && performance.now() < deadline) {
    const got = await receiveWithin(socket, deadline - performance.now());
    if (got === undefined) break;
    let message: DnsMessage;
    try {
      message = decodeDnsMessage(got);
    } catch {
      continue;
    }
    const expected = ids.find((q) => q.id === message.id);
    if (!message.qr || expected === undefined || responses.has(expected.type)) continue;
    firstMs ??= performance.now() - start;
    responses.set(expected.type, message);
  }
  if (responses.size === 0) return failure("Error_Timeout", server);
  const ordered = ids.map((q) => responses.get(q.type)).filter((m) => m !== undefined);
  const records = ordered.flatMap((m) =>
    (m.answers ?? []).filter((r) => r.type === DnsType.A || r.type === DnsType.AAAA)
  );
  const first = ordered[0];
  const answerType = first.aa ? "Authoritative" : "NonAuthoritative";
  let status = "Success";
  if (records.length === 0) {
    const codes = ordered.map((m) => m.rcode ?? 0);
    status = codes.every((c) => c === 0 || c === 3)
      ? "Error_HostNameNotResolved"
      : codes.some((c) => c === 2 || c === 5)
      ? "Error_DNSServerNotAvailable"
      : "Error_Other";
  }
  return {
    Status: status,
    AnswerType: answerType,
    HostNameReturned: records[0]?.name ?? "",
    IPAddresses: records.slice(0, MAX_ADDRESSES).map((r) => r.data).join(","),
    DNSServerIP: server,
    ResponseTime: uint(firstMs ?? 0),
  };
}

function failure(status: string, server: string): ResultRow {
  return {
    Status: status,
    AnswerType: "None",
    HostNameReturned: "",
    IPAddresses: "",
    DNSServerIP: server,
    ResponseTime: "0",
  };
}

// A pending receive is left to the next call: Deno cannot cancel one, and dropping it
// would lose the datagram it later yields.
const pendingReceives = new WeakMap<Deno.DatagramConn, Promise<[Uint8Array, Deno.Addr]>>();

async function receiveWithin(
  socket: Deno.DatagramConn,
  ms: number,
): Promise<Uint8Array | undefined> {
  let pending = pendingReceives.get(socket);
  if (pending === undefined) {
    pending = socket.receive();
    pending.catch(() => {});
    pendingReceives.set(socket, pending);
  }
  let timer: Timer | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimer(() => resolve(undefined), Math.max(0, ms));
  });
  try {
    const got = await Promise.race([pending, timeout]);
    if (got === undefined) return undefined;
    pendingReceives.delete(socket);
    return got[0];
  } finally {
    clearTimer(timer);
  }
}
