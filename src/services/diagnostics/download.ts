/**
 * DownloadDiagnostics (TR-181 `Device.IP.Diagnostics.DownloadDiagnostics.`, TR-143)
 * over HTTP/1.1: NumberOfConnections parallel TCP connections, each sending one
 * `GET` of DownloadURL on a persistent connection (no pipelining, no authentication)
 * and reading the whole response.
 *
 * Timestamps per connection (CWMP-FACTS §9.2): TCPOpenRequestTime before connect,
 * TCPOpenResponseTime when connect resolves (handshake done), ROMTime when the GET is
 * written, BOMTime at the first response bytes, EOMTime at the last body bytes.
 * TestBytesReceived counts the whole response (head and body, TR-181 "including
 * HTTP headers"); Total* are IP-layer estimates (see `_http_probe.ts`).
 *
 * States: URL not `http://` → Error_Other (FTP and HTTPS are not supported; only HTTP
 * is listed in DownloadTransports); name not resolved → Error_CannotResolveHostName;
 * connect fails → Error_InitConnectionFailed; no response bytes in time →
 * Error_NoResponse; a stall mid-body → Error_Timeout; a non-2xx status or a body cut
 * short → Error_TransferFailed; Interface naming nothing or NumberOfConnections above
 * the maximum → Error_Other.
 *
 * Unsupported: DSCP and EthernetPriority other than 0 (refused by the manager:
 * Deno.connect offers no IP_TOS or SO_PRIORITY), the time-based test and its
 * IncrementalResult table, the "UnderFullLoading" results (Deno offers no socket
 * options or counters).
 *
 * @module
 */

import {
  aggregate,
  type ConnectionResult,
  eachConnection,
  type HttpTarget,
  httpTarget,
  ProbeConnection,
  ProbeError,
  resolveTarget,
  ResponseReader,
} from "./_http_probe.ts";
import {
  type DiagnosticOutcome,
  type DiagnosticParams,
  interfaceOf,
  intParam,
  type RunContext,
  type Runner,
} from "./runner.ts";
import { DEFAULT_MAX_CONNECTIONS, type TransferOptions } from "./runner_options.ts";

export { DEFAULT_MAX_CONNECTIONS } from "./runner_options.ts";

/** A DownloadDiagnostics runner with `options`. */
export function downloadRunner(options: TransferOptions = {}): Runner {
  return (params, context) => runDownload(params, context, options);
}

/** Runs one DownloadDiagnostics test. */
export async function runDownload(
  params: DiagnosticParams,
  context: RunContext,
  options: TransferOptions = {},
): Promise<DiagnosticOutcome> {
  const target = httpTarget(params.DownloadURL ?? "");
  const count = Math.max(1, intParam(params, "NumberOfConnections", 1));
  if (target === undefined || count > (options.maxConnections ?? DEFAULT_MAX_CONNECTIONS)) {
    return { state: "Error_Other", results: {} };
  }
  if (await interfaceOf(params, context) === undefined) {
    return { state: "Error_Other", results: {} };
  }
  try {
    const address = await resolveTarget(target, params, context);
    const idle = options.idleTimeoutMs ?? 30_000;
    const connections = await eachConnection(
      count,
      () => downloadOnce(target, address, context, idle),
    );
    const { results, rows } = aggregate(
      connections,
      "TestBytesReceived",
      params.EnablePerConnectionResults === "true",
    );
    return { state: "Complete", results, tables: { PerConnectionResult: rows } };
  } catch (error) {
    if (error instanceof ProbeError) return { state: error.state, results: {} };
    throw error;
  }
}

async function downloadOnce(
  target: HttpTarget,
  address: string,
  context: RunContext,
  idleMs: number,
): Promise<ConnectionResult> {
  const conn = await ProbeConnection.open(address, target.port, context, idleMs);
  try {
    const request = `GET ${target.target} HTTP/1.1\r\nHost: ${target.authority}\r\n` +
      `User-Agent: cwmp-agent\r\nAccept: */*\r\n\r\n`;
    const rom = context.now();
    await conn.write(new TextEncoder().encode(request));
    const reader = new ResponseReader();
    const buffer = new Uint8Array(64 * 1024);
    let bom = 0;
    let eom = 0;
    while (!reader.done) {
      let bytes: Uint8Array | null;
      try {
        bytes = await conn.read(buffer);
      } catch (error) {
        if (error instanceof ProbeError && error.state === "Error_Timeout" && bom === 0) {
          throw new ProbeError("Error_NoResponse");
        }
        throw error;
      }
      const at = context.now();
      if (bytes === null) {
        if (bom === 0) throw new ProbeError("Error_NoResponse");
        if (!reader.closed()) throw new ProbeError("Error_TransferFailed", "Body cut short");
        break;
      }
      if (bom === 0) bom = at;
      eom = at;
      reader.push(bytes);
    }
    if (reader.status < 200 || reader.status > 299) {
      throw new ProbeError("Error_TransferFailed", `HTTP status ${reader.status}`);
    }
    return {
      tcpOpenRequest: conn.tcpOpenRequest,
      tcpOpenResponse: conn.tcpOpenResponse,
      rom,
      bom,
      eom,
      testBytes: conn.payloadReceived,
      payloadSent: conn.payloadSent,
      payloadReceived: conn.payloadReceived,
      localAddress: conn.localAddress,
      ipv6: conn.ipv6,
    };
  } finally {
    conn.close();
  }
}
