/**
 * The HTTP/1.1 plumbing shared by DownloadDiagnostics and UploadDiagnostics: one TCP
 * connection per test connection (Deno.connect, so the TCP open can be timestamped),
 * an incremental response reader (Content-Length, chunked or until close), idle
 * timeouts, abort, the per-connection timestamps and the aggregation across
 * connections (CWMP-FACTS §9.2: ROM/BOM earliest, EOM and the TCP open times latest).
 *
 * Totals at the IP layer are estimates from the TCP payload: one segment per 1448
 * bytes with 52 bytes of IPv4+TCP(+timestamps) headers (72 on IPv6) and one pure ACK
 * per two segments received. Deno exposes no socket counters, and interface counters
 * would count other traffic too.
 *
 * @module
 */

import type { DiagnosticParams, ResultRow, RunContext } from "./runner.ts";
import { microDateTime, resolveHost } from "./runner.ts";
import { clearTimer, setTimer, type Timer } from "../../platform/timers.ts";

/** Timestamps (epoch ms) and byte counts of one test connection. */
export interface ConnectionResult {
  readonly tcpOpenRequest: number;
  readonly tcpOpenResponse: number;
  readonly rom: number;
  readonly bom: number;
  readonly eom: number;
  /** TestBytesReceived (download) or TestBytesSent (upload). */
  readonly testBytes: number;
  /** TCP payload bytes sent and received on the connection. */
  readonly payloadSent: number;
  readonly payloadReceived: number;
  readonly localAddress: string;
  readonly ipv6: boolean;
}

/** A failed connection: the DiagnosticsState to report. */
export class ProbeError extends Error {
  /** The Error_* value. */
  readonly state: string;
  /** Fails a run with `state`. */
  constructor(state: string, message = state) {
    super(message);
    this.name = "ProbeError";
    this.state = state;
  }
}

/** The target of a test, from DownloadURL/UploadURL. */
export interface HttpTarget {
  readonly host: string;
  readonly port: number;
  /** Path and query, for the request line. */
  readonly target: string;
  /** The Host header value. */
  readonly authority: string;
}

/** Parses an `http://` URL; undefined for anything else (FTP and HTTPS are not supported). */
export function httpTarget(url: string): HttpTarget | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== "http:" || parsed.hostname === "") return undefined;
  if (parsed.username !== "" || parsed.password !== "") return undefined; // No HTTP auth (TR-143).
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ""),
    port: parsed.port === "" ? 80 : Number(parsed.port),
    target: `${parsed.pathname}${parsed.search}`,
    authority: parsed.host,
  };
}

export type { TransferOptions } from "./runner_options.ts";

/** First address of the target's host for ProtocolVersion, or throws Error_CannotResolveHostName. */
export async function resolveTarget(
  target: HttpTarget,
  params: DiagnosticParams,
  context: RunContext,
): Promise<string> {
  const version = params.ProtocolVersion === "IPv4" || params.ProtocolVersion === "IPv6"
    ? params.ProtocolVersion
    : "Any";
  const addresses = await (context.resolve ?? resolveHost)(target.host, version);
  if (addresses.length === 0) throw new ProbeError("Error_CannotResolveHostName");
  return addresses[0];
}

/** An open test connection with timed, abortable reads and writes. */
export class ProbeConnection {
  readonly #conn: Deno.TcpConn;
  readonly #signal: AbortSignal;
  readonly #idleMs: number;
  readonly tcpOpenRequest: number;
  readonly tcpOpenResponse: number;
  readonly localAddress: string;
  readonly ipv6: boolean;
  payloadSent = 0;
  payloadReceived = 0;
  #closed = false;

  private constructor(
    conn: Deno.TcpConn,
    signal: AbortSignal,
    idleMs: number,
    times: readonly [number, number],
  ) {
    this.#conn = conn;
    this.#signal = signal;
    this.#idleMs = idleMs;
    [this.tcpOpenRequest, this.tcpOpenResponse] = times;
    this.localAddress = conn.localAddr.hostname;
    this.ipv6 = conn.localAddr.hostname.includes(":");
    signal.addEventListener("abort", () => this.close(), { once: true });
  }

  /** Opens a TCP connection; Error_InitConnectionFailed when it cannot. */
  static async open(
    address: string,
    port: number,
    context: RunContext,
    idleMs: number,
  ): Promise<ProbeConnection> {
    const request = context.now();
    let conn: Deno.TcpConn;
    try {
      conn = await Deno.connect({ hostname: address, port, transport: "tcp" });
    } catch (error) {
      throw new ProbeError("Error_InitConnectionFailed", String(error));
    }
    const response = context.now();
    if (context.signal.aborted) {
      conn.close();
      throw new ProbeError("Error_Other", "Aborted");
    }
    return new ProbeConnection(conn, context.signal, idleMs, [request, response]);
  }

  /** Writes all of `bytes`. */
  async write(bytes: Uint8Array): Promise<void> {
    let off = 0;
    while (off < bytes.length) {
      const n = await this.#timed(this.#conn.write(bytes.subarray(off)));
      off += n;
      this.payloadSent += n;
    }
  }

  /** The next bytes; null at end of stream. Throws "timeout" as a ProbeError(Error_Timeout). */
  async read(buffer: Uint8Array): Promise<Uint8Array | null> {
    const n = await this.#timed(this.#conn.read(buffer));
    if (n === null) return null;
    this.payloadReceived += n;
    return buffer.subarray(0, n);
  }

  /** Closes the socket (idempotent). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // Already closed by the peer.
    }
  }

  async #timed<T>(operation: Promise<T>): Promise<T> {
    let timer: Timer | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimer(() => {
        this.close();
        reject(new ProbeError("Error_Timeout"));
      }, this.#idleMs);
    });
    try {
      return await Promise.race([operation, timeout]);
    } catch (error) {
      if (error instanceof ProbeError) throw error;
      if (this.#signal.aborted) throw new ProbeError("Error_Other", "Aborted");
      throw new ProbeError("Error_TransferFailed", String(error));
    } finally {
      clearTimer(timer);
    }
  }
}

/** Incremental HTTP/1.1 response reader: status, headers, then body framing. */
export class ResponseReader {
  status = 0;
  /** Bytes of the head (status line and headers, with the blank line). */
  headBytes = 0;
  bodyBytes = 0;
  #head = "";
  #headDone = false;
  #mode: "length" | "chunked" | "close" | "none" = "none";
  #remaining = 0;
  #chunkState: "size" | "data" | "dataEnd" | "trailer" = "size";
  #line = "";
  #done = false;

  /** Whether the head has been read. */
  get headDone(): boolean {
    return this.#headDone;
  }

  /** Whether the whole response has been read. */
  get done(): boolean {
    return this.#done;
  }

  /** Whether the body ends at the close of the connection. */
  get endsAtClose(): boolean {
    return this.#mode === "close";
  }

  /** Feeds received bytes. @throws {ProbeError} on a malformed head. */
  push(bytes: Uint8Array): void {
    let i = 0;
    if (!this.#headDone) {
      for (; i < bytes.length && !this.#headDone; i++) {
        this.#head += String.fromCharCode(bytes[i]);
        if (this.#head.endsWith("\r\n\r\n")) this.#startBody();
        else if (this.#head.length > 65536) {
          throw new ProbeError("Error_NoResponse", "Head too long");
        }
      }
    }
    if (this.#headDone && i < bytes.length) this.#body(bytes.subarray(i));
  }

  /** The connection closed: whether that completes the response. */
  closed(): boolean {
    if (this.#mode === "close" && this.#headDone) this.#done = true;
    return this.#done;
  }

  #startBody(): void {
    this.#headDone = true;
    this.headBytes = this.#head.length;
    const lines = this.#head.split("\r\n");
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
    if (status === null) throw new ProbeError("Error_NoResponse", `Bad status line: "${lines[0]}"`);
    this.status = Number(status[1]);
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(":");
      if (colon > 0) {
        headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
    }
    if (this.status === 204 || this.status === 304 || this.status < 200) {
      this.#mode = "none";
      this.#done = true;
    } else if (/chunked/i.test(headers.get("transfer-encoding") ?? "")) {
      this.#mode = "chunked";
    } else if (headers.has("content-length")) {
      this.#mode = "length";
      this.#remaining = Number(headers.get("content-length"));
      if (!(this.#remaining >= 0)) {
        throw new ProbeError("Error_TransferFailed", "Bad Content-Length");
      }
      this.#done = this.#remaining === 0;
    } else {
      this.#mode = "close";
    }
  }

  #body(bytes: Uint8Array): void {
    if (this.#mode === "close") {
      this.bodyBytes += bytes.length;
      return;
    }
    if (this.#mode === "length") {
      const n = Math.min(bytes.length, this.#remaining);
      this.bodyBytes += n;
      this.#remaining -= n;
      if (this.#remaining === 0) this.#done = true;
      return;
    }
    if (this.#mode === "chunked") this.#chunked(bytes);
  }

  #chunked(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length && !this.#done;) {
      if (this.#chunkState === "data") {
        const n = Math.min(bytes.length - i, this.#remaining);
        this.bodyBytes += n;
        this.#remaining -= n;
        i += n;
        if (this.#remaining === 0) this.#chunkState = "dataEnd";
        continue;
      }
      this.#line += String.fromCharCode(bytes[i++]);
      if (!this.#line.endsWith("\r\n")) continue;
      const line = this.#line.slice(0, -2);
      this.#line = "";
      if (this.#chunkState === "size") {
        const size = parseInt(line.split(";")[0], 16);
        if (Number.isNaN(size)) throw new ProbeError("Error_TransferFailed", "Bad chunk size");
        this.#remaining = size;
        this.#chunkState = size === 0 ? "trailer" : "data";
      } else if (this.#chunkState === "dataEnd") {
        this.#chunkState = "size";
      } else if (line === "") {
        this.#done = true;
      }
    }
  }
}

/** IP-layer byte estimate of `payload` bytes of TCP payload. */
function ipBytes(payload: number, ipv6: boolean): number {
  return payload + Math.ceil(payload / 1448) * (ipv6 ? 72 : 52);
}

/** Pure ACKs sent for `payload` bytes received. */
function ackBytes(payload: number, ipv6: boolean): number {
  return Math.ceil(Math.ceil(payload / 1448) / 2) * (ipv6 ? 72 : 52);
}

/** TotalBytesReceived and TotalBytesSent estimates of one connection. */
export function totals(c: ConnectionResult): { received: number; sent: number } {
  return {
    received: ipBytes(c.payloadReceived, c.ipv6) + ackBytes(c.payloadSent, c.ipv6),
    sent: ipBytes(c.payloadSent, c.ipv6) + ackBytes(c.payloadReceived, c.ipv6),
  };
}

/** The object's results and PerConnectionResult rows from every connection. */
export function aggregate(
  connections: readonly ConnectionResult[],
  testBytesName: "TestBytesReceived" | "TestBytesSent",
  perConnection: boolean,
): { results: Record<string, string>; rows: ResultRow[] } {
  const min = (f: (c: ConnectionResult) => number) => Math.min(...connections.map(f));
  const max = (f: (c: ConnectionResult) => number) => Math.max(...connections.map(f));
  const sum = (f: (c: ConnectionResult) => number) => connections.reduce((a, c) => a + f(c), 0);
  const rows = connections.map((c): ResultRow => ({
    ROMTime: microDateTime(c.rom),
    BOMTime: microDateTime(c.bom),
    EOMTime: microDateTime(c.eom),
    [testBytesName]: String(c.testBytes),
    TotalBytesReceived: String(totals(c).received),
    TotalBytesSent: String(totals(c).sent),
    TCPOpenRequestTime: microDateTime(c.tcpOpenRequest),
    TCPOpenResponseTime: microDateTime(c.tcpOpenResponse),
  }));
  return {
    results: {
      IPAddressUsed: connections[0]?.localAddress ?? "",
      ROMTime: microDateTime(min((c) => c.rom)),
      BOMTime: microDateTime(min((c) => c.bom)),
      EOMTime: microDateTime(max((c) => c.eom)),
      [testBytesName]: String(sum((c) => c.testBytes)),
      TotalBytesReceived: String(sum((c) => totals(c).received)),
      TotalBytesSent: String(sum((c) => totals(c).sent)),
      TCPOpenRequestTime: microDateTime(max((c) => c.tcpOpenRequest)),
      TCPOpenResponseTime: microDateTime(max((c) => c.tcpOpenResponse)),
    },
    rows: perConnection ? rows : [],
  };
}

/** Runs `one` for each connection in parallel; the first failure (by index) wins. */
export async function eachConnection(
  count: number,
  one: (index: number) => Promise<ConnectionResult>,
): Promise<ConnectionResult[]> {
  const settled = await Promise.allSettled(Array.from({ length: count }, (_, i) => one(i)));
  const failed = settled.find((s) => s.status === "rejected");
  if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
  return settled.map((s) => (s as PromiseFulfilledResult<ConnectionResult>).value);
}
