/**
 * The HTTP(S) Bulk Data transport (TR-069 Annex N.2; TR-181
 * `Device.BulkData.Profile.{i}.HTTP.`): one request per report on a fresh connection of
 * the agent's HTTP/1.1 client (`src/transport/http_connection.ts`).
 *
 * - Request-URI (Annex N.2.1): HTTP.URL with the query parameters `oui`, `pc` and `sn`
 *   (DeviceInfo ManufacturerOUI, ProductClass, SerialNumber), then one per
 *   RequestURIParameter.{i} with a Reference: its Name (or the Reference when Name is "")
 *   = the referenced parameter's value at send time, URL-encoded.
 * - Method POST or PUT (HTTP.Method); headers Content-Type with media type and charset,
 *   `BBF-Report-Format: <ReportFormat>` (a token, Annex N.3), `Date` when UseDateHeader
 *   (RFC 7231 IMF-fixdate), `Content-Encoding: gzip` when Compression is GZIP.
 * - 2xx is delivered; anything else fails the attempt (the scheduler retries and
 *   retains). A 307/308 is followed with the same method and body (at most 5); a 301/302
 *   is followed too: Annex N asks collectors for POST, and the request is re-sent as it
 *   was (RFC 9110 §15.4 lets a client keep the method).
 * - Authentication (TR-181 HTTP: "the CPE MUST support HTTP Basic and Digest"): Username
 *   and Password go only to the URL's origin. Basic is sent pre-emptively, or in answer to
 *   a challenge, only over TLS (verified: the agent's CA settings, never `insecure`); over
 *   plain HTTP the credentials wait for a 401 and go as Digest only. A Digest challenge to
 *   the pre-emptive Basic is answered once; a 401 to Digest fails the attempt. Credentials are never logged; errors name the
 *   origin, never the userinfo or query.
 * - Every attempt is bounded: `timeoutMs` for the whole exchange, and the signal.
 *
 * @module
 */

import {
  basicAuthorization,
  chooseChallenge,
  type Credentials,
  DigestAuthorizer,
} from "../../transport/digest_auth.ts";
import { openHttpConnection } from "../../transport/http_connection.ts";
import type { EncodedReport, ProfileContext, ReportTransport, RetryPolicy } from "./transport.ts";

/** TLS and limits of the HTTP transport. */
export interface HttpTransportOptions {
  /** Trusted CA certificates (PEM), added to the system roots. */
  readonly caCerts?: string[];
  /** Bound of one attempt (connect, send, response head), ms. Default 30 s. */
  readonly timeoutMs?: number;
  /** `User-Agent`. */
  readonly userAgent?: string;
  /** Clock for the Date header; default `Date.now`. */
  readonly now?: () => number;
}

/** The settings of one profile's HTTP object, as read from the data model. */
export interface HttpSettings {
  readonly url: string;
  readonly username: string;
  readonly password: string;
  readonly compression: string;
  readonly method: string;
  readonly useDateHeader: boolean;
  readonly retry?: RetryPolicy;
  /** Query parameters fixed for the profile (oui, pc, sn). */
  readonly identity: readonly [string, string][];
  /** RequestURIParameter rows: name and the full path of the parameter it reports. */
  readonly uriParameters: readonly [string, string][];
}

const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 307, 308]);

/** Sends reports to an HTTP(S) collector (see the module doc). */
export class HttpReportTransport implements ReportTransport {
  readonly #settings: HttpSettings;
  readonly #options: HttpTransportOptions;
  readonly #readPaths: (paths: readonly string[]) => Promise<string[]>;

  /** Uses `settings`; `readPaths` gives the RequestURIParameter values at send time. */
  constructor(
    settings: HttpSettings,
    readPaths: (paths: readonly string[]) => Promise<string[]>,
    options: HttpTransportOptions = {},
  ) {
    this.#settings = settings;
    this.#readPaths = readPaths;
    this.#options = options;
  }

  /** HTTP.RetryEnable with its two settings, or undefined. */
  retryPolicy(): RetryPolicy | undefined {
    return this.#settings.retry;
  }

  /** Sends one report; rejects with the reason when it was not accepted. */
  async send(report: EncodedReport, signal: AbortSignal): Promise<void> {
    const s = this.#settings;
    if (s.url === "") throw new Error("HTTP.URL is empty");
    let url = new URL(s.url);
    const values = await this.#readPaths(s.uriParameters.map(([, path]) => path));
    for (const [name, value] of s.identity) url.searchParams.append(name, value);
    s.uriParameters.forEach(([name], i) => url.searchParams.append(name, values[i]));
    const origin = url.origin;
    const gzip = s.compression === "GZIP";
    const body = gzip ? await compress(report.body) : report.body;
    const credentials: Credentials | undefined = s.username === "" && s.password === ""
      ? undefined
      : { username: s.username, password: s.password };
    let authorization: ((target: string) => string) | undefined;
    let scheme = "";
    if (credentials !== undefined && url.protocol === "https:") {
      const basic = basicAuthorization(credentials);
      authorization = () => basic;
      scheme = "basic";
    }
    // The scheme of the credentials sent so far ("" none): a challenge is answered once.
    let sent = "";
    let redirects = 0;
    const deadline = AbortSignal.timeout(this.#options.timeoutMs ?? 30_000);
    const abort = AbortSignal.any([signal, deadline]);
    for (;;) {
      const target = url.pathname + url.search;
      const headers: [string, string][] = [
        ["Host", url.host],
        ["User-Agent", this.#options.userAgent ?? "cwmp-agent"],
        ["Content-Type", report.contentType],
        ["Content-Length", String(body.length)],
        ["BBF-Report-Format", report.format],
        ["Connection", "close"],
      ];
      if (gzip) headers.push(["Content-Encoding", "gzip"]);
      if (s.useDateHeader) {
        headers.push(["Date", new Date((this.#options.now ?? Date.now)()).toUTCString()]);
      }
      const sameOrigin = url.origin === origin;
      if (authorization !== undefined && sameOrigin) {
        headers.push(["Authorization", authorization(target)]);
        sent = scheme;
      }
      const head = await exchange(url, s.method, target, headers, body, {
        caCerts: this.#options.caCerts,
        signal: abort,
      });
      if (head.status >= 200 && head.status < 300) return;
      if (head.status === 401 && credentials !== undefined && sameOrigin && sent !== "digest") {
        const chosen = chooseChallenge(head.headers.get("www-authenticate") ?? "");
        if (chosen?.scheme === "digest") {
          const cnonce = crypto.randomUUID().replaceAll("-", "");
          const digest = new DigestAuthorizer(chosen.challenge, credentials, { cnonce });
          authorization = (t) => digest.authorize(s.method, t);
          scheme = "digest";
          continue;
        }
        if (chosen?.scheme === "basic" && url.protocol === "https:" && sent === "") {
          const basic = basicAuthorization(credentials);
          authorization = () => basic;
          scheme = "basic";
          continue;
        }
        throw new Error(`HTTP 401 from ${url.origin}: no challenge to answer over ${url.protocol}`);
      }
      const location = head.headers.get("location");
      if (REDIRECTS.has(head.status) && location !== null && redirects < MAX_REDIRECTS) {
        redirects++;
        const next = new URL(location, url);
        if (next.protocol !== "http:" && next.protocol !== "https:") {
          throw new Error(`HTTP ${head.status} from ${url.origin} to a ${next.protocol} URL`);
        }
        if (url.protocol === "https:" && next.protocol === "http:" && credentials !== undefined) {
          throw new Error(`HTTP ${head.status} from ${url.origin}: refused redirect to http`);
        }
        url = next;
        continue;
      }
      throw new Error(`HTTP ${head.status} from ${url.origin}`);
    }
  }
}

/** Reads `HTTP.*` and RequestURIParameter rows of a profile into {@linkcode HttpSettings}. */
export async function readHttpSettings(
  profile: ProfileContext,
  identity: readonly [string, string][],
  listRows: (table: string) => Promise<number[]>,
): Promise<HttpSettings> {
  const [
    url,
    username,
    password,
    compression,
    method,
    useDateHeader,
    retryEnable,
    minimumWait,
    multiplier,
  ] = await profile.read([
    "HTTP.URL",
    "HTTP.Username",
    "HTTP.Password",
    "HTTP.Compression",
    "HTTP.Method",
    "HTTP.UseDateHeader",
    "HTTP.RetryEnable",
    "HTTP.RetryMinimumWaitInterval",
    "HTTP.RetryIntervalMultiplier",
  ]);
  const rows = await listRows(`${profile.path}HTTP.RequestURIParameter.`);
  const names = rows.flatMap((n) => [
    `HTTP.RequestURIParameter.${n}.Name`,
    `HTTP.RequestURIParameter.${n}.Reference`,
  ]);
  const values = await profile.read(names);
  const uriParameters: [string, string][] = [];
  for (let i = 0; i < values.length; i += 2) {
    const [name, reference] = [values[i], values[i + 1]];
    if (reference !== "") uriParameters.push([name === "" ? reference : name, reference]);
  }
  return {
    url,
    username,
    password,
    compression,
    method: method === "PUT" ? "PUT" : "POST",
    useDateHeader: useDateHeader === "true" || useDateHeader === "1",
    retry: retryEnable === "true" || retryEnable === "1"
      ? { minimumWait: Number(minimumWait) || 5, multiplier: Number(multiplier) || 2000 }
      : undefined,
    identity,
    uriParameters,
  };
}

/** The `HttpReportTransport` factory of the registry. */
export function httpTransportFactory(
  identity: () => readonly [string, string][],
  listRows: (table: string) => Promise<number[]>,
  options: HttpTransportOptions = {},
) {
  return async (profile: ProfileContext): Promise<ReportTransport> =>
    new HttpReportTransport(
      await readHttpSettings(profile, identity(), listRows),
      (paths) => profile.readPaths(paths),
      options,
    );
}

interface ExchangeOptions {
  caCerts?: string[];
  signal: AbortSignal;
}

/** One request on a fresh connection, up to the response head; the connection is closed. */
async function exchange(
  url: URL,
  method: string,
  target: string,
  headers: [string, string][],
  body: Uint8Array,
  options: ExchangeOptions,
) {
  options.signal.throwIfAborted();
  const aborted = new Promise<never>((_, reject) => {
    options.signal.addEventListener("abort", () => reject(abortReason(options.signal, url)), {
      once: true,
    });
  });
  aborted.catch(() => {});
  const connecting = openHttpConnection(url, { caCerts: options.caCerts });
  let conn;
  try {
    conn = await Promise.race([connecting, aborted]);
  } catch (error) {
    connecting.then((c) => c.close(), () => {});
    throw describe(error, url);
  }
  const close = () => conn.close();
  options.signal.addEventListener("abort", close, { once: true });
  try {
    await Promise.race([conn.writeHead(method, target, headers), aborted]);
    await Promise.race([conn.write(body), aborted]);
    return await Promise.race([conn.readHead({ method }), aborted]);
  } catch (error) {
    throw describe(error, url);
  } finally {
    options.signal.removeEventListener("abort", close);
    conn.close();
  }
}

function abortReason(signal: AbortSignal, url: URL): Error {
  const reason = signal.reason;
  if (reason instanceof DOMException && reason.name === "TimeoutError") {
    return new Error(`Timed out sending to ${url.origin}`);
  }
  return new Error(`Cancelled sending to ${url.origin}`);
}

function describe(error: unknown, url: URL): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (message.includes(url.origin)) return error as Error;
  return new Error(`Cannot send to ${url.origin}: ${message}`);
}

async function compress(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
