/**
 * UploadDiagnostics (TR-181 `Device.IP.Diagnostics.UploadDiagnostics.`, TR-143) over
 * HTTP/1.1: NumberOfConnections parallel TCP connections, each sending one `PUT` of
 * TestFileLength bytes (zeros, `Content-Length` framing) to UploadURL and reading the
 * response head.
 *
 * Timestamps per connection, with TR-098 1.8's upload meaning (CWMP-FACTS §9.2; TR-181
 * 2.17 repeats the download wording): TCPOpenRequestTime before connect,
 * TCPOpenResponseTime when connect resolves, ROMTime when the PUT head is written,
 * BOMTime when the first body bytes are written (= ROMTime for an empty file),
 * EOMTime when the success response head has arrived. TestBytesSent counts the whole
 * request (head and body); Total* are IP-layer estimates (see `_http_probe.ts`).
 *
 * States: URL not `http://` → Error_Other (FTP and HTTPS are not supported); name not
 * resolved → Error_CannotResolveHostName; connect fails → Error_InitConnectionFailed;
 * no response → Error_NoResponse; a stall → Error_Timeout; a non-2xx status or a
 * write cut short → Error_NoTransferComplete; Interface naming nothing or
 * NumberOfConnections above the maximum → Error_Other.
 *
 * Unsupported: DSCP and EthernetPriority other than 0 (refused by the manager:
 * Deno.connect offers no IP_TOS or SO_PRIORITY), the time-based test,
 * IncrementalResult, the "UnderFullLoading" results.
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

const CHUNK = 64 * 1024;

/** An UploadDiagnostics runner with `options`. */
export function uploadRunner(options: TransferOptions = {}): Runner {
  return (params, context) => runUpload(params, context, options);
}

/** Runs one UploadDiagnostics test. */
export async function runUpload(
  params: DiagnosticParams,
  context: RunContext,
  options: TransferOptions = {},
): Promise<DiagnosticOutcome> {
  const target = httpTarget(params.UploadURL ?? "");
  const count = Math.max(1, intParam(params, "NumberOfConnections", 1));
  if (target === undefined || count > (options.maxConnections ?? DEFAULT_MAX_CONNECTIONS)) {
    return { state: "Error_Other", results: {} };
  }
  if (await interfaceOf(params, context) === undefined) {
    return { state: "Error_Other", results: {} };
  }
  const length = Math.max(0, intParam(params, "TestFileLength", 0));
  try {
    const address = await resolveTarget(target, params, context);
    const idle = options.idleTimeoutMs ?? 30_000;
    const connections = await eachConnection(
      count,
      () => uploadOnce(target, address, length, context, idle),
    );
    const { results, rows } = aggregate(
      connections,
      "TestBytesSent",
      params.EnablePerConnectionResults === "true",
    );
    return { state: "Complete", results, tables: { PerConnectionResult: rows } };
  } catch (error) {
    if (error instanceof ProbeError) {
      const state = error.state === "Error_TransferFailed"
        ? "Error_NoTransferComplete"
        : error.state;
      return { state, results: {} };
    }
    throw error;
  }
}

async function uploadOnce(
  target: HttpTarget,
  address: string,
  length: number,
  context: RunContext,
  idleMs: number,
): Promise<ConnectionResult> {
  const conn = await ProbeConnection.open(address, target.port, context, idleMs);
  try {
    const head = `PUT ${target.target} HTTP/1.1\r\nHost: ${target.authority}\r\n` +
      `User-Agent: cwmp-agent\r\nContent-Type: application/octet-stream\r\n` +
      `Content-Length: ${length}\r\n\r\n`;
    const rom = context.now();
    await conn.write(new TextEncoder().encode(head));
    const bom = context.now();
    const zeros = new Uint8Array(Math.min(CHUNK, Math.max(length, 1)));
    for (let left = length; left > 0; left -= zeros.length) {
      await conn.write(left >= zeros.length ? zeros : zeros.subarray(0, left));
    }
    const reader = new ResponseReader();
    const buffer = new Uint8Array(16 * 1024);
    let eom = 0;
    while (!reader.headDone) {
      let bytes: Uint8Array | null;
      try {
        bytes = await conn.read(buffer);
      } catch (error) {
        if (error instanceof ProbeError && error.state === "Error_Timeout") {
          throw new ProbeError("Error_NoResponse");
        }
        throw error;
      }
      if (bytes === null) throw new ProbeError("Error_NoResponse");
      reader.push(bytes);
      if (reader.headDone) eom = context.now();
    }
    if (reader.status < 200 || reader.status > 299) {
      throw new ProbeError("Error_NoTransferComplete", `HTTP status ${reader.status}`);
    }
    return {
      tcpOpenRequest: conn.tcpOpenRequest,
      tcpOpenResponse: conn.tcpOpenResponse,
      rom,
      bom,
      eom,
      testBytes: conn.payloadSent,
      payloadSent: conn.payloadSent,
      payloadReceived: conn.payloadReceived,
      localAddress: conn.localAddress,
      ipv6: conn.ipv6,
    };
  } finally {
    conn.close();
  }
}
