/**
 * The CPE's HTTP client for ONE CWMP session (TR-069 §3.4, A6 §3.4.1–3.4.7).
 * Owns: the session's single keep-alive TCP/TLS connection, its cookie jar, its
 * authentication state and its current URL.
 *
 * Rules it implements:
 * - One connection per session, kept alive; a new one only if the ACS closed it
 *   or a redirect moves to another origin. It speaks HTTP/1.1 itself (see
 *   `_http1.ts`) because the Digest retry MUST use the connection that got the
 *   challenge (GenieACS binds the nonce to the TCP connection) and `fetch`
 *   cannot promise that.
 * - Auth (§3.4.4): credentials go pre-emptively (Basic) only to a server whose
 *   certificate was verified, i.e. https without `insecure`, and only to the
 *   origin the session started with. Anyone else gets nothing until it sends a
 *   401 challenge, and then Digest is preferred whenever it is offered. Basic
 *   answers a challenge only from a verified server, or over plain HTTP with
 *   `allowBasicOverHttp` (the spec allows Basic only over TLS); over unverified
 *   TLS (`insecure`) Basic is never sent: a Basic-only ACS fails the session.
 *   The Authorization header is then sent on every later request (Digest nc
 *   incremented). A 401 after an answered challenge is an
 *   {@linkcode AcsAuthError}, never a loop.
 * - Redirects 301/302/307/308: at most 5, same body re-POSTed, the new URL kept
 *   for the rest of the session ({@linkcode AcsSession.url}) [I catawampus/CCSP].
 *   A redirect to another origin drops the connection and the auth state (the
 *   new server must challenge); one from https to http is refused when
 *   credentials are configured (no downgrade with a password).
 * - Compression GZIP: request bodies gzipped; on 415 resend plain and stay plain.
 * - Every request has a timeout (default 30 s, the spec's minimum wait) and a
 *   response size limit (default 4 MiB).
 *
 * @module
 */

import { maskUrl } from "../log/mask_secret.ts";
import {
  BodyTooLargeError,
  readResponse,
  type ResponseHeaders,
  SocketReader,
  writeRequest,
} from "./_http1.ts";
import { gunzip, gzip } from "./_gzip.ts";
import { type ByteSocket, isConnectError, openSocket } from "./_socket.ts";
import { CookieJar } from "./cookie_jar.ts";
import { basicAuthorization, chooseChallenge, DigestAuthorizer } from "./digest_auth.ts";
import { AcsAuthError, AcsHttpError } from "./errors.ts";
import { hex } from "./hash.ts";
import { clearTimer, setTimer, type Timer } from "../platform/timers.ts";

/** Options of {@linkcode createAcsSession}. */
export interface AcsSessionOptions {
  /** `ManagementServer.URL`. */
  url: string;
  /** `ManagementServer.Username`; no authentication if undefined. */
  username?: string;
  /** `ManagementServer.Password`. */
  password?: string;
  /** Path of a PEM file with extra trusted CA certificates. */
  caFile?: string;
  /** Extra trusted CA certificates, PEM (added to the system roots, as Deno does). */
  caCerts?: string[];
  /** Client certificate chain, PEM text. */
  clientCert?: string;
  /** Client private key, PEM text. */
  clientKey?: string;
  /** Skip TLS certificate verification entirely (testing only). */
  insecure?: boolean;
  /** Per-request timeout in ms; 30 000 by default. */
  timeoutMs?: number;
  /** Largest accepted response body (after decompression); 4 MiB by default. */
  maxBodyBytes?: number;
  /** `ManagementServer.HTTPCompression`; `"Disabled"` by default. */
  compression?: "Disabled" | "GZIP";
  /** User-Agent header; `cwmp-agent` by default. */
  userAgent?: string;
  /**
   * Answer a Basic-only challenge over plain HTTP (sends the password in clear);
   * false by default. Never pre-emptive, and never over unverified TLS.
   */
  allowBasicOverHttp?: boolean;
  /** Random source for Digest cnonces; `crypto.getRandomValues` by default. */
  randomBytes?: (length: number) => Uint8Array;
  /** Clock for cookie expiry; `Date.now` by default. */
  now?: () => number;
  /** Receives one line per exchange; never given secrets. */
  onLog?: (message: string) => void;
}

/** Options of one {@linkcode AcsSession.post}. */
export interface AcsPostOptions {
  /**
   * Raw `SOAPAction` header value for a SOAP body. Default `""` (two quote
   * characters): what TR-069 asks on CPE requests [U]. For a CPE response TR-069
   * says "empty": pass the empty string to send the header with no value.
   */
  soapAction?: string;
}

/** One HTTP response from the ACS. `204` or an empty `200` = the ACS has nothing more. */
export interface AcsHttpResponse {
  status: number;
  /**
   * Body bytes, decompressed. Give these to the SOAP decoder: it refuses bytes that
   * are not UTF-8 (fault 9003) instead of reading them as U+FFFD.
   */
  bytes: Uint8Array;
  /** Body text for logs and tests, read from `bytes` on first use; bad UTF-8 becomes U+FFFD. */
  readonly body: string;
  headers: ResponseHeaders;
  /** URL the response came from (after redirects). */
  url: string;
}

/** The HTTP side of one CWMP session. */
export interface AcsSession {
  /** Current ACS URL: the configured one, or where a redirect led. */
  readonly url: string;
  /** POSTs a SOAP envelope, or the empty POST for `null`. */
  post(body: string | null, options?: AcsPostOptions): Promise<AcsHttpResponse>;
  /** Closes the connection; the session cannot be used afterwards. */
  close(): void;
}

const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 307, 308]);

type AuthState =
  | { kind: "none" }
  | { kind: "basic" }
  | { kind: "digest"; authorizer: DigestAuthorizer };

interface Connection {
  origin: string;
  socket: ByteSocket;
  reader: SocketReader;
  used: boolean;
}

/** Creates the HTTP client for one CWMP session. Connects lazily on the first post. */
export function createAcsSession(options: AcsSessionOptions): AcsSession {
  return new Session(options);
}

class Session implements AcsSession {
  #o: AcsSessionOptions;
  #url: URL;
  #conn?: Connection;
  #jar = new CookieJar();
  #auth: AuthState;
  #gzip: boolean;
  #closed = false;
  #caCerts?: string[];
  #timeoutMs: number;
  #maxBody: number;

  constructor(options: AcsSessionOptions) {
    this.#o = options;
    try {
      this.#url = new URL(options.url);
    } catch {
      throw new TypeError(`Invalid ACS URL "${maskUrl(options.url)}"`);
    }
    if (this.#url.protocol !== "http:" && this.#url.protocol !== "https:") {
      throw new TypeError(`Unsupported ACS URL scheme "${this.#url.protocol}"`);
    }
    this.#auth = this.#initialAuth();
    this.#gzip = options.compression === "GZIP";
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#maxBody = options.maxBodyBytes ?? 4 * 1024 * 1024;
  }

  get url(): string {
    return maskUrl(this.#url.href);
  }

  close(): void {
    this.#closed = true;
    this.#dropConnection();
  }

  async post(body: string | null, options: AcsPostOptions = {}): Promise<AcsHttpResponse> {
    if (this.#closed) throw new TypeError("ACS session is closed");
    const plain = body === null ? new Uint8Array(0) : new TextEncoder().encode(body);
    let redirects = 0;
    let answeredChallenge = false;
    let authRounds = 0;
    for (;;) {
      const compressed = this.#gzip && plain.length > 0;
      const payload = compressed ? await gzip(plain) : plain;
      const sent = this.#auth.kind;
      const res = await this.#exchange(this.#headers(body, options, compressed, payload), payload);
      const status = res.status;
      this.#log(`POST ${this.url} -> ${status}`);
      if (status === 401) {
        if (++authRounds > 3) throw new AcsAuthError("ACS kept answering 401", { status });
        answeredChallenge = this.#onUnauthorized(res.headers, sent, answeredChallenge);
        continue;
      }
      if (REDIRECTS.has(status)) {
        if (++redirects > MAX_REDIRECTS) {
          throw new AcsHttpError("redirects", `ACS redirected more than ${MAX_REDIRECTS} times`, {
            status,
          });
        }
        // Another origin starts unauthenticated: its challenge is a fresh one.
        if (this.#redirect(res.headers.get("location"), status)) answeredChallenge = false;
        continue;
      }
      if (status === 415 && compressed) {
        this.#log("ACS refused gzip (415): sending uncompressed for the rest of the session");
        this.#gzip = false;
        continue;
      }
      if (status < 200 || status > 299) {
        throw new AcsHttpError("status", `ACS answered HTTP ${status}`, { status });
      }
      const bytes = await this.#decode(res.headers, res.body);
      let text: string | undefined;
      return {
        status,
        bytes,
        get body() {
          return text ??= new TextDecoder().decode(bytes);
        },
        headers: res.headers,
        url: this.url,
      };
    }
  }

  #initialAuth(): AuthState {
    // TR-069 §3.4.4: over TLS the CPE SHOULD send Basic credentials pre-emptively;
    // only to a server that proved who it is, though.
    return this.#o.username !== undefined && this.#verified()
      ? { kind: "basic" }
      : { kind: "none" };
  }

  /** Whether the current server's certificate is verified (https without `insecure`). */
  #verified(): boolean {
    return this.#url.protocol === "https:" && !this.#o.insecure;
  }

  /** Updates the auth state from a 401; returns whether a fresh challenge is now being answered. */
  #onUnauthorized(headers: ResponseHeaders, sent: AuthState["kind"], answered: boolean): boolean {
    const status = 401;
    if (this.#o.username === undefined) {
      throw new AcsAuthError("ACS requires authentication but no username is configured", {
        status,
      });
    }
    const www = headers.get("www-authenticate");
    // GenieACS answers wrong credentials with a bare 401 and Connection: close (049).
    if (www === null) throw new AcsAuthError("ACS rejected the credentials (HTTP 401)", { status });
    const chosen = chooseChallenge(www);
    if (!chosen) {
      const scheme = www.trim().split(/[\s,]/)[0];
      throw new AcsAuthError(`ACS offered no supported authentication scheme: "${scheme}"`, {
        status,
      });
    }
    const stale = chosen.scheme === "digest" && chosen.challenge.stale;
    if ((answered && !stale) || (chosen.scheme === "basic" && sent === "basic")) {
      throw new AcsAuthError("ACS rejected the credentials (HTTP 401)", { status });
    }
    const credentials = { username: this.#o.username, password: this.#o.password ?? "" };
    if (chosen.scheme === "basic") {
      // chooseChallenge() picks Basic only when no usable Digest challenge was offered.
      if (this.#url.protocol === "https:" && !this.#verified()) {
        throw new AcsAuthError(
          "ACS offers only Basic authentication over an unverified TLS connection (acs.insecure = true): not sending the password",
          { status },
        );
      }
      if (this.#url.protocol !== "https:" && !this.#o.allowBasicOverHttp) {
        throw new AcsAuthError(
          "ACS offers only Basic authentication over plain HTTP: not sending the password in clear (acs.allow_basic_over_http = false)",
          { status },
        );
      }
      this.#auth = { kind: "basic" };
    } else {
      const cnonce = hex((this.#o.randomBytes ?? randomBytes)(8));
      this.#auth = {
        kind: "digest",
        authorizer: new DigestAuthorizer(chosen.challenge, credentials, { cnonce }),
      };
    }
    return true;
  }

  /** Moves the session to the redirect target; returns whether the origin changed. */
  #redirect(location: string | null, status: number): boolean {
    if (location === null) {
      throw new AcsHttpError("status", `ACS answered HTTP ${status} without a Location`, {
        status,
      });
    }
    let next: URL;
    try {
      next = new URL(location, this.#url);
    } catch {
      throw new AcsHttpError("status", `ACS redirected to an invalid URL "${maskUrl(location)}"`, {
        status,
      });
    }
    if (next.protocol !== "http:" && next.protocol !== "https:") {
      throw new AcsHttpError("status", `ACS redirected to unsupported scheme "${next.protocol}"`, {
        status,
      });
    }
    const downgrade = this.#url.protocol === "https:" && next.protocol === "http:";
    if (downgrade && this.#o.username !== undefined) {
      const target = maskUrl(next.href);
      throw new AcsHttpError(
        "status",
        `ACS redirected from https to plain http "${target}": not downgrading a session with credentials`,
        { status },
      );
    }
    const sameOrigin = next.origin === this.#url.origin;
    this.#log(`Redirected (${status}) to ${maskUrl(next.href)}`);
    this.#url = next;
    if (sameOrigin) return false;
    // Nothing pre-emptive for another origin, and no credentials answered for one
    // server are sent to another: the new one must challenge.
    this.#dropConnection();
    this.#auth = { kind: "none" };
    return true;
  }

  #headers(
    body: string | null,
    options: AcsPostOptions,
    compressed: boolean,
    payload: Uint8Array,
  ): [string, string][] {
    const target = this.#url.pathname + this.#url.search;
    const h: [string, string][] = [
      ["Host", this.#url.host],
      ["User-Agent", this.#o.userAgent ?? "cwmp-agent"],
    ];
    if (body !== null) {
      h.push(["Content-Type", 'text/xml; charset="utf-8"']);
      h.push(["SOAPAction", options.soapAction ?? '""']);
    }
    if (compressed) h.push(["Content-Encoding", "gzip"]);
    if (this.#o.compression === "GZIP") h.push(["Accept-Encoding", "gzip"]);
    const cookie = this.#jar.cookieHeader(this.#url, this.#now());
    if (cookie !== undefined) h.push(["Cookie", cookie]);
    const credentials = { username: this.#o.username ?? "", password: this.#o.password ?? "" };
    if (this.#auth.kind === "basic") h.push(["Authorization", basicAuthorization(credentials)]);
    if (this.#auth.kind === "digest") {
      h.push(["Authorization", this.#auth.authorizer.authorize("POST", target)]);
    }
    h.push(["Content-Length", String(payload.length)]);
    return h;
  }

  /** Sends one request on the session connection and reads the response, under the timeout. */
  async #exchange(headers: [string, string][], payload: Uint8Array) {
    const target = this.#url.pathname + this.#url.search;
    let timer: Timer | undefined;
    let timedOut = false;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimer(() => {
        timedOut = true;
        this.#dropConnection();
        reject(
          new AcsHttpError("timeout", `No response from the ACS within ${this.#timeoutMs} ms`),
        );
      }, this.#timeoutMs);
    });
    let nothingReceived = false;
    const attempt = async (conn: Connection) => {
      conn.used = true;
      nothingReceived = true;
      await writeRequest(conn.socket, { method: "POST", target, headers, body: payload });
      const res = await readResponse(conn.reader, {
        maxBodyBytes: this.#maxBody,
        method: "POST",
        onFirstByte: () => (nothingReceived = false),
      });
      return res;
    };
    const work = async () => {
      let conn = await this.#connection();
      if (timedOut) {
        this.#dropConnection(); // connected after the deadline: do not leak the socket
        throw new AcsHttpError("timeout", "Connected after the deadline");
      }
      const reused = conn.used;
      let res;
      try {
        res = await attempt(conn);
      } catch (e) {
        if (timedOut) throw e;
        this.#dropConnection();
        // A kept-alive connection the ACS closed while idle fails on write or with EOF
        // before any response byte: send once more on a new connection, as browsers do.
        if (!reused || !nothingReceived) throw e;
        this.#log("Kept-alive connection was closed by the ACS: reconnecting");
        conn = await this.#connection();
        res = await attempt(conn);
      }
      if (!res.keepAlive) this.#dropConnection();
      this.#jar.setCookies(res.setCookies, this.#url, this.#now());
      return res;
    };
    try {
      return await Promise.race([work(), timeout]);
    } catch (e) {
      if (timedOut) {
        throw new AcsHttpError("timeout", `No response from the ACS within ${this.#timeoutMs} ms`);
      }
      this.#dropConnection();
      throw this.#mapError(e);
    } finally {
      clearTimer(timer);
    }
  }

  async #connection(): Promise<Connection> {
    if (this.#conn && this.#conn.origin === this.#url.origin) return this.#conn;
    this.#dropConnection();
    const https = this.#url.protocol === "https:";
    if (https && this.#o.caFile !== undefined && this.#caCerts === undefined) {
      try {
        this.#caCerts = [await Deno.readTextFile(this.#o.caFile)];
      } catch (e) {
        throw new AcsHttpError("tls", `Cannot read CA file "${this.#o.caFile}"`, { cause: e });
      }
    }
    let socket: ByteSocket;
    try {
      socket = await openSocket(this.#url, {
        caCerts: [...(this.#o.caCerts ?? []), ...(this.#caCerts ?? [])],
        cert: this.#o.clientCert,
        key: this.#o.clientKey,
        insecure: this.#o.insecure,
      });
    } catch (e) {
      const reason = https && !isConnectError(e) ? "tls" : "connect";
      const what = reason === "tls" ? "TLS handshake with" : "Connection to";
      throw new AcsHttpError(reason, `${what} "${this.#url.host}" failed: ${message(e)}`, {
        cause: e,
      });
    }
    this.#log(`Connected to ${this.#url.host} from local port ${socket.localPort}`);
    this.#conn = {
      origin: this.#url.origin,
      socket,
      reader: new SocketReader(socket),
      used: false,
    };
    return this.#conn;
  }

  async #decode(headers: ResponseHeaders, body: Uint8Array): Promise<Uint8Array> {
    const encoding = (headers.get("content-encoding") ?? "identity").trim().toLowerCase();
    if (encoding === "identity" || body.length === 0) return body;
    if (encoding !== "gzip" && encoding !== "x-gzip") {
      throw new AcsHttpError("protocol", `Unsupported Content-Encoding "${encoding}"`);
    }
    try {
      return await gunzip(body, this.#maxBody);
    } catch (e) {
      throw this.#mapError(e);
    }
  }

  #mapError(e: unknown): AcsHttpError {
    if (e instanceof AcsHttpError) return e;
    if (e instanceof BodyTooLargeError) {
      return new AcsHttpError("tooLarge", e.message, { cause: e });
    }
    if (e instanceof SyntaxError || e instanceof TypeError) {
      return new AcsHttpError("protocol", `Invalid HTTP response: ${e.message}`, { cause: e });
    }
    // TLS 1.3 finishes the client handshake before the server checks our certificate,
    // so a refused client certificate shows up as an alert on the first read.
    if (this.#url.protocol === "https:" && /alert|certificate|handshake/i.test(message(e))) {
      return new AcsHttpError("tls", `TLS with "${this.#url.host}" failed: ${message(e)}`, {
        cause: e,
      });
    }
    return new AcsHttpError("connect", `Connection to the ACS failed: ${message(e)}`, { cause: e });
  }

  #dropConnection(): void {
    this.#conn?.socket.close();
    this.#conn = undefined;
  }

  #now(): number {
    return (this.#o.now ?? Date.now)();
  }

  #log(line: string): void {
    this.#o.onLog?.(line);
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function randomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}
