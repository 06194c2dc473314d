/**
 * The HTTP(S) file-transfer client (TR-069 A.3.2.8 Download, A.4.1.5 Upload): a GET
 * streamed into a file, a PUT streamed from one. Bytes go between the socket and the file
 * through one reused buffer, so memory stays flat whatever the file size. Connections,
 * authentication and redirects are `_http_exchange.ts`'s; time limits and cancellation
 * `_watchdog.ts`'s.
 *
 * Download:
 * - Content-Length, chunked and close-delimited bodies. A body shorter than its
 *   Content-Length is a 9017, never a success; bytes past it are never read.
 * - FileSize (0 = unknown, never a reason to reject): more received than announced stops
 *   the transfer at once (9017); fewer in a complete body is 9018, fewer before the
 *   server closed a close-delimited body 9017; both figures in the FaultString.
 *   `limits.maxBytes` stops any transfer that passes it (9017).
 * - Resume: with `resume` and a partial file of N bytes, `Range: bytes=N-` (with
 *   `If-Range` on the strong ETag or Last-Modified this client saw for that file and
 *   URL, if any). A 206 must start at N and run to the end, else the file starts over;
 *   a 200 starts over (truncated); a 416 saying the file has N bytes is already done.
 * - On failure the partial file stays for a later resume; the caller removes it.
 * - `bytes` of the result is the size of the complete file, a resumed part included.
 *
 * Upload: PUT with Content-Length; 200, 201 and 204 are success.
 *
 * Faults: 404/410 → 9016; 401/403 after credentials → 9012 (403 without any → 9016);
 * other statuses → 9010 (upload 9011) with the status; connect and TLS failures → 9015;
 * stalls, time limits, cut or oversize bodies → 9017 (upload 9011); cancel → 9010 (9011).
 * FaultStrings and log lines never carry the password: URLs are printed without userinfo
 * and any text is scrubbed of the password before it leaves.
 *
 * @module
 */

import {
  type DownloadRequest,
  type TransferClient,
  TransferError,
  type TransferResult,
  type TransferTls,
  type UploadRequest,
} from "./client.ts";
import { displayUrl, type ExchangeResponse, HttpExchange, tlsReason } from "./_http_exchange.ts";
import { Watchdog, type WatchdogReason } from "./_watchdog.ts";
import type { Credentials } from "../transport/digest_auth.ts";
import {
  type HttpConnection,
  type HttpConnectionOptions,
  type ResponseHeaders,
  TruncatedBodyError,
} from "../transport/http_connection.ts";

/** Options of {@linkcode createHttpTransferClient}. */
export interface HttpTransferClientOptions {
  /** User-Agent header; `cwmp-agent` by default. */
  userAgent?: string;
  /** Size of each of the two buffers a download goes through (one for an upload); 512 KiB. */
  bufferBytes?: number;
  /** How long an upload waits for `100 Continue` before sending its body, ms; 1000 by default. */
  expectContinueMs?: number;
  /** Shortest interval between two `onProgress` calls, ms; 250 by default. */
  progressIntervalMs?: number;
  /** Wall clock for StartTime/CompleteTime; `Date.now` by default. */
  now?: () => number;
  /** Random source for Digest cnonces; `crypto.getRandomValues` by default. */
  randomBytes?: (length: number) => Uint8Array;
}

/** Creates an HTTP(S) transfer client (`http:` and `https:` URLs). */
export function createHttpTransferClient(options: HttpTransferClientOptions = {}): TransferClient {
  const o: Resolved = {
    userAgent: options.userAgent ?? "cwmp-agent",
    bufferBytes: options.bufferBytes ?? 512 * 1024,
    expectContinueMs: options.expectContinueMs ?? 1000,
    progressIntervalMs: options.progressIntervalMs ?? 250,
    now: options.now ?? Date.now,
    randomBytes: options.randomBytes ??
      ((length) => crypto.getRandomValues(new Uint8Array(length))),
  };
  const validators = new Validators();
  return {
    download: (request) => download(request, o, validators),
    upload: (request) => upload(request, o),
  };
}

interface Resolved {
  userAgent: string;
  bufferBytes: number;
  expectContinueMs: number;
  progressIntervalMs: number;
  now: () => number;
  randomBytes: (length: number) => Uint8Array;
}

/** What every transfer sets up before its first byte: URL, credentials, scrubbing, limits. */
interface Transfer {
  startTime: number;
  /** The URL without userinfo. */
  url: URL;
  /** Removes the password from any text that leaves this module. */
  scrub: (text: string) => string;
  log: (line: string) => void;
  watch: Watchdog;
  exchange: HttpExchange;
  progress: (bytes: number, last?: boolean) => void;
}

interface BeginOptions {
  client: Resolved;
  upload: boolean;
  /** The fault of a limit that fired. */
  onFire: (reason: WatchdogReason, t: Transfer) => TransferError;
}

/** Sets a transfer up: URL, credentials (the RPC's, else the URL's userinfo), limits. */
function begin(request: DownloadRequest | UploadRequest, options: BeginOptions): Transfer {
  const { client: o, upload, onFire } = options;
  const startTime = o.now();
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    throw new TransferError(upload ? 9011 : 9010, "Invalid URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TransferError(upload ? 9011 : 9010, `Not an HTTP URL: "${url.protocol}"`);
  }
  const secrets = [request.password, url.password, safeDecode(url.password)]
    .filter((s) => s.length >= 3);
  let credentials: Credentials | undefined;
  if (request.username !== "") {
    credentials = { username: request.username, password: request.password };
  } else if (url.username !== "") {
    credentials = { username: safeDecode(url.username), password: safeDecode(url.password) };
  }
  url.username = "";
  url.password = "";
  url.hash = "";
  const scrub = (text: string) => secrets.reduce((t, s) => t.replaceAll(s, "********"), text);
  const log = (line: string) => request.onLog?.(scrub(line));
  let lastProgress = -Infinity;
  const t = {} as Transfer;
  const watch = new Watchdog({
    limits: request.limits,
    signal: request.signal,
    onFire: (reason) => onFire(reason, t),
  });
  const exchange = new HttpExchange({
    upload,
    url,
    credentials,
    allowBasicOverHttp: request.allowBasicOverHttp === true,
    tls: memo(() => loadTls(request.tls)),
    insecure: request.tls?.insecure === true,
    connectTimeoutMs: request.limits.connectTimeoutMs,
    expectContinueMs: o.expectContinueMs,
    userAgent: o.userAgent,
    watch,
    randomBytes: o.randomBytes,
    log,
  });
  const progress = (bytes: number, last = false) => {
    const now = performance.now();
    if (request.onProgress === undefined || (!last && now - lastProgress < o.progressIntervalMs)) {
      return;
    }
    lastProgress = now;
    request.onProgress(bytes);
  };
  return Object.assign(t, { startTime, url, scrub, log, watch, exchange, progress });
}

/** The error to report: the watchdog's if it fired, else `e` as a fault; scrubbed, timed. */
function finish(t: Transfer, e: unknown, map: (e: unknown) => TransferError): TransferError {
  const fault = t.watch.error ?? (e instanceof TransferError ? e : map(e));
  return new TransferError(fault.faultCode, t.scrub(fault.message), t.startTime);
}

async function download(
  request: DownloadRequest,
  o: Resolved,
  validators: Validators,
): Promise<TransferResult> {
  const { fileSize, path } = request;
  const { maxBytes } = request.limits;
  /** Bytes of the file so far (a resumed part included). */
  let total = 0;
  /** "body" once a response's body is being read. */
  let phase: "request" | "body" = "request";
  const t = begin(request, { client: o, upload: false, onFire });
  function onFire(reason: WatchdogReason, t: Transfer): TransferError {
    if (reason === "cancel") return new TransferError(9010, "Download cancelled");
    const host = t.exchange.url.host;
    return reason === "stall"
      ? new TransferError(
        9017,
        `No data from ${host} for ${request.limits.stallTimeoutMs} ms (${total} bytes received)`,
      )
      : new TransferError(
        9017,
        `Download not finished within ${request.limits.totalTimeoutMs} ms (${total} bytes received)`,
      );
  }
  const { exchange, watch, startTime } = t;
  let file: Deno.FsFile | undefined;
  /** The write of the previous buffer, still running. */
  let writing: Promise<void> | undefined;
  try {
    let offset = request.resume ? await partialSize(path) : 0;
    for (;;) {
      const ranged = offset > 0;
      const headers: [string, string][] = [["Accept", "*/*"], ["Accept-Encoding", "identity"]];
      if (ranged) {
        headers.push(["Range", `bytes=${offset}-`]);
        const validator = validators.get(path, t.url);
        if (validator !== undefined) headers.push(["If-Range", validator]);
      }
      phase = "request";
      total = offset;
      const res = await exchange.request({ method: "GET", headers });
      const { head } = res;
      const from = res.url.host;
      if (ranged && head.status === 206) {
        const range = parseContentRange(head.headers.get("content-range"));
        const length = head.framing.kind === "length" ? head.framing.length : undefined;
        const whole = range !== undefined && range.start === offset &&
          (range.complete === undefined || range.end + 1 === range.complete) &&
          (length === undefined || length === range.end - range.start + 1);
        if (!whole) {
          t.log(
            `Range bytes=${offset}- answered with Content-Range "${
              head.headers.get("content-range") ?? ""
            }": downloading the whole file`,
          );
          exchange.dropConnection();
          offset = 0;
          continue;
        }
      } else if (ranged && head.status === 416) {
        const complete = /^bytes \*\/(\d+)$/.exec(head.headers.get("content-range") ?? "")?.[1];
        exchange.dropConnection();
        if (complete !== undefined && Number(complete) === offset) {
          t.log(`The partial file already holds all ${offset} bytes`);
          checkComplete(offset, { fileSize, framing: "length", from });
          validators.delete(path);
          t.progress(offset, true);
          return { bytes: offset, startTime, completeTime: o.now() };
        }
        t.log(`Range bytes=${offset}- not satisfiable: downloading the whole file`);
        offset = 0;
        continue;
      } else if (head.status >= 200 && head.status < 300 && head.status !== 206) {
        if (ranged) t.log(`Server sent the whole file (HTTP ${head.status}): starting over`);
        offset = 0;
        total = 0;
      } else {
        throw statusFault(res, false);
      }
      validators.remember(path, t.url, head.headers);
      if (head.framing.kind === "length") {
        const announced = offset + head.framing.length;
        if (fileSize > 0 && announced > fileSize) {
          throw new TransferError(
            9017,
            `FileSize ${fileSize} announced, ${from} sends ${announced} bytes`,
          );
        }
        if (announced > maxBytes) {
          throw new TransferError(
            9017,
            `File of ${announced} bytes is larger than the limit of ${maxBytes} bytes`,
          );
        }
      }
      file = await openTarget(path, offset);
      phase = "body";
      // Two buffers: the socket fills one while the other is written to the file (the
      // write runs on Deno's blocking pool; overlapping it gains ~1.5× on loopback).
      const buffers = [new Uint8Array(o.bufferBytes), new Uint8Array(o.bufferBytes)];
      for (let i = 0;; i ^= 1) {
        // Not raced with the watchdog: when it fires it closes the connection, which ends
        // this read, and check() then reports why.
        const n = await res.body.readInto(buffers[i]);
        watch.check();
        await writing;
        writing = undefined;
        if (n === null) break;
        if (fileSize > 0 && total + n > fileSize) {
          throw new TransferError(9017, `FileSize ${fileSize} announced, more received`);
        }
        if (total + n > maxBytes) {
          throw new TransferError(9017, `More than the limit of ${maxBytes} bytes received`);
        }
        watch.activity();
        writing = writeAll(file, buffers[i].subarray(0, n), path);
        writing.catch(() => {}); // awaited after the next read, or in finally
        total += n;
        t.progress(total);
      }
      checkComplete(total, { fileSize, framing: head.framing.kind, from });
      validators.delete(path);
      t.progress(total, true);
      t.log(`Downloaded ${total} bytes from ${displayUrl(res.url)}`);
      return { bytes: total, startTime, completeTime: o.now() };
    }
  } catch (e) {
    throw finish(t, e, (e) => networkFault(e, { url: exchange.url, phase, bytes: total }));
  } finally {
    watch.stop();
    exchange.dropConnection();
    await writing?.catch(() => {});
    file?.close();
  }
}

/** A body that ended as its framing says: is it the file FileSize announced? */
function checkComplete(
  total: number,
  { fileSize, framing, from }: { fileSize: number; framing: string; from: string },
): void {
  if (fileSize === 0 || total === fileSize) return;
  // A close-delimited body cannot tell a cut from an end: the download was cut short.
  if (framing === "close") {
    throw new TransferError(
      9017,
      `FileSize ${fileSize} announced, ${from} closed the connection after ${total} bytes`,
    );
  }
  throw new TransferError(9018, `FileSize ${fileSize} announced, ${total} received`);
}

async function upload(request: UploadRequest, o: Resolved): Promise<TransferResult> {
  const { path } = request;
  let size = 0;
  let sent = 0;
  const t = begin(request, { client: o, upload: true, onFire });
  function onFire(reason: WatchdogReason, t: Transfer): TransferError {
    if (reason === "cancel") return new TransferError(9011, "Upload cancelled");
    const what = `(${sent} of ${size} bytes sent)`;
    return reason === "stall"
      ? new TransferError(
        9011,
        `No progress with ${t.exchange.url.host} for ${request.limits.stallTimeoutMs} ms ${what}`,
      )
      : new TransferError(
        9011,
        `Upload not finished within ${request.limits.totalTimeoutMs} ms ${what}`,
      );
  }
  const { exchange, watch, startTime } = t;
  let file: Deno.FsFile | undefined;
  try {
    try {
      file = await Deno.open(path, { read: true });
      const info = await file.stat();
      if (!info.isFile) throw new TypeError("not a regular file");
      size = info.size;
    } catch (e) {
      throw new TransferError(9011, `Cannot read "${path}": ${message(e)}`);
    }
    if (size > request.limits.maxBytes) {
      throw new TransferError(
        9011,
        `File of ${size} bytes is larger than the limit of ${request.limits.maxBytes} bytes`,
      );
    }
    const source = file;
    const buf = new Uint8Array(Math.min(o.bufferBytes, Math.max(size, 1)));
    const send = async (conn: HttpConnection) => {
      sent = 0;
      await source.seek(0, Deno.SeekMode.Start);
      while (sent < size) {
        let n: number | null;
        try {
          n = await source.read(buf.subarray(0, Math.min(buf.length, size - sent)));
        } catch (e) {
          throw new TransferError(9011, `Cannot read "${path}": ${message(e)}`);
        }
        if (n === null) {
          throw new TransferError(
            9011,
            `"${path}" shrank during the upload (${sent} of ${size} bytes)`,
          );
        }
        watch.check();
        await conn.write(buf.subarray(0, n));
        watch.activity();
        sent += n;
        t.progress(sent);
      }
    };
    const res = await exchange.request({
      method: "PUT",
      headers: [["Content-Type", "application/octet-stream"]],
      body: { length: size, send },
    });
    const status = res.head.status;
    if (status !== 200 && status !== 201 && status !== 204) throw statusFault(res, true);
    t.progress(size, true);
    t.log(`Uploaded ${size} bytes to ${displayUrl(res.url)}`);
    return { bytes: size, startTime, completeTime: o.now() };
  } catch (e) {
    throw finish(
      t,
      e,
      (e) => networkFault(e, { url: exchange.url, phase: "request", bytes: sent, upload: true }),
    );
  } finally {
    watch.stop();
    exchange.dropConnection();
    file?.close();
  }
}

/** A final status that is not success. */
function statusFault(res: ExchangeResponse, upload: boolean): TransferError {
  const status = res.head.status;
  const from = `HTTP ${status} from ${res.url.host}`;
  if (status === 404 || status === 410) return new TransferError(9016, from);
  if (status === 403) {
    return res.authenticated
      ? new TransferError(9012, `${from}: access denied with the given credentials`)
      : new TransferError(9016, from);
  }
  return new TransferError(upload ? 9011 : 9010, from);
}

/** Where a socket or framing error happened. */
interface FaultContext {
  url: URL;
  /** Before or while reading a download's body. */
  phase: "request" | "body";
  /** Bytes of the file so far. */
  bytes: number;
  upload?: boolean;
}

/** A socket or framing error as a fault, by when it happened. */
function networkFault(e: unknown, { url, phase, bytes, upload }: FaultContext): TransferError {
  const host = url.host;
  const text = message(e);
  if (url.protocol === "https:" && /alert|certificate|handshake/i.test(text)) {
    return new TransferError(9015, `TLS: ${tlsReason(text, url.hostname)} (${host})`);
  }
  if (upload) {
    return new TransferError(9011, `Upload to ${host} failed after ${bytes} bytes: ${text}`);
  }
  if (phase === "body") {
    if (e instanceof TruncatedBodyError) {
      const of = e.expected === undefined ? "" : ` of ${bytes - e.received + e.expected}`;
      return new TransferError(
        9017,
        `Connection to ${host} closed after ${bytes}${of} bytes${
          e.expected === undefined ? " (chunked body cut short)" : ""
        }`,
      );
    }
    if (e instanceof SyntaxError) {
      return new TransferError(9017, `Invalid body from ${host} after ${bytes} bytes: ${text}`);
    }
    return new TransferError(9017, `Connection to ${host} lost after ${bytes} bytes: ${text}`);
  }
  if (e instanceof SyntaxError) {
    return text === "Connection closed before a response"
      ? new TransferError(9015, `No response from ${host}: connection closed`)
      : new TransferError(9010, `Invalid HTTP response from ${host}: ${text}`);
  }
  return new TransferError(9015, `Connection to ${host} failed: ${text}`);
}

/** Size of the partial file to resume, 0 if there is none. */
async function partialSize(path: string): Promise<number> {
  try {
    const info = await Deno.stat(path);
    return info.isFile ? info.size : 0;
  } catch {
    return 0;
  }
}

/** Opens the target for writing at `offset` (the partial file kept up to it). */
async function openTarget(path: string, offset: number): Promise<Deno.FsFile> {
  let file: Deno.FsFile | undefined;
  try {
    file = await Deno.open(path, { write: true, create: true });
    await file.truncate(offset);
    await file.seek(offset, Deno.SeekMode.Start);
    return file;
  } catch (e) {
    file?.close();
    throw new TransferError(9010, `Cannot write "${path}": ${message(e)}`);
  }
}

async function writeAll(file: Deno.FsFile, data: Uint8Array, path: string): Promise<void> {
  try {
    let off = 0;
    while (off < data.length) off += await file.write(data.subarray(off));
  } catch (e) {
    throw new TransferError(9010, `Cannot write "${path}": ${message(e)}`);
  }
}

/** `bytes start-end/complete` (complete may be `*`); undefined if it is not that. */
function parseContentRange(
  value: string | null,
): { start: number; end: number; complete?: number } | undefined {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(value?.trim() ?? "");
  if (m === null) return undefined;
  const range = { start: Number(m[1]), end: Number(m[2]) };
  if (range.end < range.start) return undefined;
  return m[3] === "*" ? range : { ...range, complete: Number(m[3]) };
}

/**
 * The validators of partial downloads this client made (strong ETag, else Last-Modified),
 * by file, for If-Range: a file that changed on the server since is sent whole (200)
 * instead of being spliced onto the old part. In memory only, for the most recent files.
 */
class Validators {
  #byPath = new Map<string, { href: string; validator: string }>();
  static readonly MAX = 64;

  get(path: string, url: URL): string | undefined {
    const v = this.#byPath.get(path);
    return v !== undefined && v.href === url.href ? v.validator : undefined;
  }

  remember(path: string, url: URL, headers: ResponseHeaders): void {
    const etag = headers.get("etag");
    const validator = etag !== null && !etag.startsWith("W/") ? etag : headers.get("last-modified");
    this.#byPath.delete(path);
    if (validator === null) return;
    this.#byPath.set(path, { href: url.href, validator });
    if (this.#byPath.size > Validators.MAX) {
      this.#byPath.delete(this.#byPath.keys().next().value!);
    }
  }

  delete(path: string): void {
    this.#byPath.delete(path);
  }
}

/** CA and client certificate files of `tls`, read as PEM text (9015 if unreadable). */
async function loadTls(tls: TransferTls | undefined): Promise<HttpConnectionOptions> {
  if (tls === undefined) return {};
  const read = async (what: string, file: string) => {
    try {
      return await Deno.readTextFile(file);
    } catch (e) {
      throw new TransferError(9015, `Cannot read ${what} "${file}": ${message(e)}`);
    }
  };
  const caCerts: string[] = [];
  if (tls.caFile !== undefined) caCerts.push(await read("CA file", tls.caFile));
  if (tls.caDir !== undefined) {
    const names: string[] = [];
    try {
      for await (const entry of Deno.readDir(tls.caDir)) {
        if (/\.(pem|crt|cer)$/i.test(entry.name) || /^[0-9a-f]{8}\.\d+$/.test(entry.name)) {
          names.push(entry.name);
        }
      }
    } catch (e) {
      throw new TransferError(9015, `Cannot read CA directory "${tls.caDir}": ${message(e)}`);
    }
    for (const name of names.sort()) caCerts.push(await read("CA file", `${tls.caDir}/${name}`));
  }
  const options: HttpConnectionOptions = { insecure: tls.insecure === true };
  if (caCerts.length > 0) options.caCerts = caCerts;
  if (tls.clientCert !== undefined && tls.clientKey !== undefined) {
    options.cert = await read("client certificate", tls.clientCert);
    options.key = await read("client key", tls.clientKey);
  }
  return options;
}

function memo<T>(f: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= f());
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// Last: createHttpTransferClient() needs the classes above.
/** The HTTP(S) transfer client with default options. */
export const httpTransferClient: TransferClient = createHttpTransferClient();
