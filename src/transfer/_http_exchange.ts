/**
 * Private: one request of an HTTP(S) file transfer, up to its final response head. Owns
 * the transfer's connection (kept for a same-origin redirect or an authentication retry),
 * its authentication state, and the redirects it followed.
 *
 * Rules (TR-069 A.3.2.8 leaves HTTP details to RFC 9110; these follow the ACS client's,
 * `src/transport/acs_client.ts`):
 * - Credentials (the RPC's Username/Password, else the URL's userinfo) go only to the
 *   URL's origin, or to the same host upgraded from http to https. Pre-emptively (Basic)
 *   only to a server whose certificate was verified (https without `insecure`); anyone
 *   else gets nothing until it sends a 401, and then Digest is preferred whenever offered.
 *   Basic answers a challenge over verified TLS, over plain HTTP only with
 *   `allowBasicOverHttp`, and never over unverified TLS. A 401 after credentials went is
 *   a rejection (9012), never a loop.
 * - Redirects 301/302/303/307/308 for a GET, only 307/308 for a PUT (the others would
 *   turn it into a GET); at most 5; a URL seen before is a loop; a redirect from https
 *   to http is refused when there are credentials; a redirect to another origin drops
 *   the connection and the authentication. Redirect, loop and scheme failures are 9016.
 * - An upload asks `Expect: 100-continue` and sends its body on 100 or after
 *   `expectContinueMs` without an answer (curl does the same); a final answer before the
 *   body (401, 307, 413) saves sending the file for nothing.
 * - Connect (TCP and TLS handshake) within `connectTimeoutMs`; failures are 9015 with the
 *   reason, TLS certificate problems in plain words.
 *
 * @module
 */

import { TransferError } from "./client.ts";
import type { Watchdog } from "./_watchdog.ts";
import {
  basicAuthorization,
  chooseChallenge,
  type Credentials,
  DigestAuthorizer,
} from "../transport/digest_auth.ts";
import {
  type BodyReader,
  type HttpConnection,
  type HttpConnectionOptions,
  type HttpResponseHead,
  isConnectError,
  openHttpConnection,
} from "../transport/http_connection.ts";
import { clearTimer, setTimer, type Timer } from "../platform/timers.ts";

/** Options of {@linkcode HttpExchange}. */
export interface HttpExchangeOptions {
  /** Picks the generic fault: 9011 for an upload, 9010 for a download. */
  upload: boolean;
  /** The transfer's URL, without userinfo. */
  url: URL;
  credentials?: Credentials;
  allowBasicOverHttp: boolean;
  /** TLS settings, loaded on the first https connection. */
  tls: () => Promise<HttpConnectionOptions>;
  /** TLS without certificate verification: the server is not who it says it is. */
  insecure: boolean;
  connectTimeoutMs: number;
  expectContinueMs: number;
  userAgent: string;
  watch: Watchdog;
  randomBytes: (length: number) => Uint8Array;
  log: (line: string) => void;
}

/** A request body, sent in pieces by its owner. */
export interface RequestBody {
  length: number;
  /** Writes exactly `length` bytes, from the start each time it is called. */
  send(conn: HttpConnection): Promise<void>;
}

/** One request: method, headers beyond Host/User-Agent/Authorization, optional body. */
export interface ExchangeRequest {
  method: "GET" | "PUT";
  headers: [string, string][];
  body?: RequestBody;
}

/** The final response: its head, a reader of its body, where it came from. */
export interface ExchangeResponse {
  head: HttpResponseHead;
  body: BodyReader;
  url: URL;
  /** Whether the request that got it carried credentials. */
  authenticated: boolean;
}

const MAX_REDIRECTS = 5;
const GET_REDIRECTS = new Set([301, 302, 303, 307, 308]);
const PUT_REDIRECTS = new Set([307, 308]);
/** Largest 401/3xx body read to keep the connection; a bigger one closes it instead. */
const DISCARD_LIMIT = 64 * 1024;

type AuthState =
  | { kind: "none" }
  | { kind: "basic" }
  | { kind: "digest"; authorizer: DigestAuthorizer };

/** The HTTP side of one transfer. */
export class HttpExchange {
  #o: HttpExchangeOptions;
  #url: URL;
  #conn?: HttpConnection;
  /** The connection has carried a request (a failure before any answer may be a stale keep-alive). */
  #used = false;
  /** The connection cannot carry another request (a final answer came before the body). */
  #spent = false;
  #auth: AuthState;
  #redirects = 0;
  #visited = new Set<string>();

  /** Prepares the exchange; connects on the first request. */
  constructor(options: HttpExchangeOptions) {
    this.#o = options;
    this.#url = options.url;
    this.#visited.add(options.url.href);
    this.#auth = this.#initialAuth();
  }

  /** Where the last request went (after redirects). */
  get url(): URL {
    return this.#url;
  }

  /** Sends `req`, following authentication challenges and redirects, up to the final response. */
  async request(req: ExchangeRequest): Promise<ExchangeResponse> {
    let authRounds = 0;
    for (;;) {
      const sent = this.#auth.kind;
      const head = await this.#send(req);
      this.#o.log(`${req.method} ${displayUrl(this.#url)} -> ${head.status}`);
      if (head.status === 401) {
        this.#onUnauthorized(head, sent, ++authRounds);
        await this.#discard(head);
        continue;
      }
      if (GET_REDIRECTS.has(head.status)) {
        await this.#discard(head);
        this.#redirect(head, req.method);
        continue;
      }
      return {
        head,
        body: this.#conn!.body(head),
        url: this.#url,
        authenticated: sent !== "none",
      };
    }
  }

  /** Closes the connection; the next request opens a new one. */
  dropConnection(): void {
    if (this.#conn === undefined) return;
    this.#o.watch.release(this.#conn);
    this.#conn.close();
    this.#conn = undefined;
  }

  #fault(code: number, message: string): TransferError {
    return new TransferError(code, message);
  }

  get #generic(): number {
    return this.#o.upload ? 9011 : 9010;
  }

  /** One request on a connection; once more on a new one if a kept-alive one was stale. */
  async #send(req: ExchangeRequest): Promise<HttpResponseHead> {
    for (let attempt = 0;; attempt++) {
      const conn = await this.#connection();
      const reused = this.#used;
      this.#used = true;
      let answered = false;
      try {
        return await this.#attempt(conn, req, () => (answered = true));
      } catch (e) {
        this.#o.watch.check();
        this.dropConnection();
        if (e instanceof TransferError || !reused || answered || attempt > 0) throw e;
        this.#o.log("Kept-alive connection was closed by the server: reconnecting");
      }
    }
  }

  async #attempt(
    conn: HttpConnection,
    req: ExchangeRequest,
    onFirstByte: () => void,
  ): Promise<HttpResponseHead> {
    const w = this.#o.watch;
    const method = req.method;
    const target = this.#url.pathname + this.#url.search;
    const headers: [string, string][] = [
      ["Host", this.#url.host],
      ["User-Agent", this.#o.userAgent],
      ...req.headers,
    ];
    const authorization = this.#authorization(method, target);
    if (authorization !== undefined) headers.push(["Authorization", authorization]);
    const body = req.body;
    if (body === undefined) {
      await w.race(conn.writeHead(method, target, headers));
      return await w.race(conn.readHead({ method, onFirstByte }));
    }
    headers.push(["Content-Length", String(body.length)]);
    const expect = body.length > 0;
    if (expect) headers.push(["Expect", "100-continue"]);
    await w.race(conn.writeHead(method, target, headers));
    const read = () => {
      const p = conn.readHead({ method, interim: true, onFirstByte });
      p.catch(() => {}); // awaited below, or dropped with the connection
      return p;
    };
    let pending = read();
    if (expect) {
      const first = await w.race(within(pending, this.#o.expectContinueMs));
      if (first !== undefined && first.status !== 100) {
        this.#spent = true;
        return first;
      }
      if (first !== undefined) pending = read();
    }
    try {
      await body.send(conn);
    } catch (e) {
      w.check();
      if (e instanceof TransferError) throw e;
      // The server may have answered (413, 401…) and closed before taking the whole body.
      const early = await w.race(within(pending, 1000)).catch(() => undefined);
      if (early === undefined || early.status < 200) throw e;
      this.#spent = true;
      return early;
    }
    let head = await w.race(pending);
    while (head.status < 200) head = await w.race(conn.readHead({ method, interim: true }));
    return head;
  }

  async #connection(): Promise<HttpConnection> {
    const url = this.#url;
    const c = this.#conn;
    if (c !== undefined && !c.closed && !this.#spent && c.origin === url.origin) return c;
    this.dropConnection();
    const w = this.#o.watch;
    const ms = this.#o.connectTimeoutMs;
    let timer: Timer | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimer(
        () => reject(this.#fault(9015, `Cannot connect to ${url.host}: no answer within ${ms} ms`)),
        ms,
      );
    });
    const opening =
      (async () => openHttpConnection(url, url.protocol === "https:" ? await this.#o.tls() : {}))();
    let conn: HttpConnection;
    try {
      conn = await w.race(Promise.race([opening, timeout]));
    } catch (e) {
      opening.then((late) => late.close(), () => {});
      if (e instanceof TransferError) throw e;
      throw connectFault(url, e);
    } finally {
      clearTimer(timer);
    }
    w.guard(conn);
    this.#conn = conn;
    this.#used = false;
    this.#spent = false;
    this.#o.log(`Connected to ${url.host} from local port ${conn.localPort}`);
    return conn;
  }

  /** Reads and drops a small body to keep the connection; closes it otherwise. */
  async #discard(head: HttpResponseHead): Promise<void> {
    const conn = this.#conn;
    if (conn === undefined) return;
    const f = head.framing;
    if (
      this.#spent || !head.keepAlive || f.kind === "close" ||
      (f.kind === "length" && f.length > DISCARD_LIMIT)
    ) {
      this.dropConnection();
      return;
    }
    const body = conn.body(head);
    const scratch = new Uint8Array(16384);
    try {
      while ((await body.readInto(scratch)) !== null) {
        this.#o.watch.activity();
        if (body.received > DISCARD_LIMIT) break;
      }
    } catch {
      this.#o.watch.check();
    }
    if (!body.done) this.dropConnection();
  }

  #initialAuth(): AuthState {
    // TR-069 §3.4.4 (for the ACS, followed here): Basic pre-emptively only over TLS, and
    // only to a server that proved who it is.
    const preemptive = this.#credentials() !== undefined && this.#verified();
    return preemptive ? { kind: "basic" } : { kind: "none" };
  }

  /** Whether the current server's certificate is verified (https without `insecure`). */
  #verified(): boolean {
    return this.#url.protocol === "https:" && !this.#o.insecure;
  }

  /** The credentials, if the current URL may have them. */
  #credentials(): Credentials | undefined {
    const c = this.#o.credentials;
    if (c === undefined) return undefined;
    const from = this.#o.url;
    const to = this.#url;
    const upgrade = to.hostname === from.hostname && from.protocol === "http:" &&
      to.protocol === "https:";
    return to.origin === from.origin || upgrade ? c : undefined;
  }

  #authorization(method: string, target: string): string | undefined {
    const credentials = this.#credentials();
    if (credentials === undefined) return undefined;
    if (this.#auth.kind === "basic") return basicAuthorization(credentials);
    if (this.#auth.kind === "digest") return this.#auth.authorizer.authorize(method, target);
    return undefined;
  }

  /** Answers a 401 with the best challenge it may answer, or fails with 9012. */
  #onUnauthorized(head: HttpResponseHead, sent: AuthState["kind"], round: number): void {
    const from = `HTTP 401 from ${this.#url.host}`;
    const credentials = this.#credentials();
    if (this.#o.credentials === undefined) {
      throw this.#fault(9012, `${from}: authentication required and no credentials were given`);
    }
    if (credentials === undefined) {
      throw this.#fault(
        9012,
        `${from}: the credentials are only sent to ${this.#o.url.host}, not after a redirect to another server`,
      );
    }
    const rejected = this.#fault(9012, `${from}: the credentials were rejected`);
    const www = head.headers.get("www-authenticate");
    if (www === null || round > 3) throw rejected;
    const chosen = chooseChallenge(www);
    if (chosen === undefined) {
      const scheme = www.trim().split(/[\s,]/)[0];
      throw this.#fault(9012, `${from}: no supported authentication scheme ("${scheme}")`);
    }
    const stale = chosen.scheme === "digest" && chosen.challenge.stale;
    if (sent !== "none" && !stale) throw rejected;
    if (chosen.scheme === "basic") {
      // chooseChallenge() picks Basic only when no usable Digest challenge was offered.
      if (this.#url.protocol === "https:" && !this.#verified()) {
        throw this.#fault(
          9012,
          `${from}: the server offers only Basic authentication over unverified TLS (insecure): not sending the password`,
        );
      }
      if (this.#url.protocol === "http:" && !this.#o.allowBasicOverHttp) {
        throw this.#fault(
          9012,
          `${from}: the server offers only Basic authentication over plain HTTP: not sending the password in clear`,
        );
      }
      this.#auth = { kind: "basic" };
      return;
    }
    const cnonce = hex(this.#o.randomBytes(8));
    this.#auth = {
      kind: "digest",
      authorizer: new DigestAuthorizer(chosen.challenge, credentials, { cnonce }),
    };
  }

  /** Moves to the redirect target, or fails with 9016 (9011 for a PUT turned into a GET). */
  #redirect(head: HttpResponseHead, method: string): void {
    const status = head.status;
    const from = `HTTP ${status} from ${this.#url.host}`;
    if (method === "PUT" && !PUT_REDIRECTS.has(status)) {
      throw this.#fault(9011, `${from}: an upload follows only 307 and 308 redirects`);
    }
    const location = head.headers.get("location");
    if (location === null) throw this.#fault(this.#generic, `${from} without a Location`);
    let next: URL;
    try {
      next = new URL(location, this.#url);
    } catch {
      throw this.#fault(9016, `${from}: invalid redirect target`);
    }
    next.username = "";
    next.password = "";
    next.hash = "";
    if (next.protocol !== "http:" && next.protocol !== "https:") {
      throw this.#fault(9016, `${from}: redirect to unsupported scheme "${next.protocol}"`);
    }
    if (this.#visited.has(next.href)) {
      throw this.#fault(9016, `Redirect loop: ${displayUrl(next)} was already visited`);
    }
    if (++this.#redirects > MAX_REDIRECTS) {
      throw this.#fault(
        9016,
        `More than ${MAX_REDIRECTS} redirects (the next to ${displayUrl(next)})`,
      );
    }
    if (
      this.#url.protocol === "https:" && next.protocol === "http:" &&
      this.#o.credentials !== undefined
    ) {
      throw this.#fault(
        9016,
        `Redirected from https to plain http (${
          displayUrl(next)
        }): not downgrading a transfer with credentials`,
      );
    }
    this.#o.log(`Redirected (${status}) to ${displayUrl(next)}`);
    this.#visited.add(next.href);
    const sameOrigin = next.origin === this.#url.origin;
    this.#url = next;
    if (sameOrigin) return;
    this.dropConnection();
    this.#auth = this.#initialAuth();
  }
}

/** `url` as printed in logs and FaultStrings: never its userinfo, never its fragment. */
export function displayUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}${url.search}`;
}

/** A connect or TLS handshake failure as 9015, the certificate problem in plain words. */
function connectFault(url: URL, e: unknown): TransferError {
  const message = e instanceof Error ? e.message : String(e);
  if (url.protocol !== "https:" || isConnectError(e)) {
    return new TransferError(9015, `Cannot connect to ${url.host}: ${message}`);
  }
  return new TransferError(9015, `TLS: ${tlsReason(message, url.hostname)} (${url.host})`);
}

/** Rewords rustls/webpki certificate errors ("invalid peer certificate: Expired"). */
export function tlsReason(message: string, hostname: string): string {
  if (/\bExpired\b|certificate expired/i.test(message)) return "certificate has expired";
  if (/NotValidYet|not valid yet/i.test(message)) return "certificate is not yet valid";
  if (/not valid for name|NotValidForName/i.test(message)) {
    return `certificate is not valid for "${hostname}"`;
  }
  if (/UnknownIssuer/i.test(message)) return "certificate signed by an unknown CA";
  if (/BadSignature/i.test(message)) return "certificate has a bad signature";
  if (/Revoked/i.test(message)) return "certificate is revoked";
  return message.replace(/^invalid peer certificate: /, "certificate rejected: ");
}

/** `promise`'s value, or undefined if it has not settled within `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: Timer | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<undefined>((resolve) => (timer = setTimer(() => resolve(undefined), ms))),
    ]);
  } finally {
    clearTimer(timer);
  }
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
