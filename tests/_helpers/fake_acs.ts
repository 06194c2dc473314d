/**
 * A scriptable test ACS on 127.0.0.1 that speaks CWMP over HTTP the way GenieACS
 * 1.2.16 does (shared/testdata/genieacs-1.2.16): InformResponse in the CPE's
 * namespace with a `session` cookie, queued ACS requests sent one per HTTP
 * response, 204 + `Connection: close` to end the session. It reuses the agent's
 * codec, records every envelope the CPE sent (so tests can validate them against
 * the BBF schema), and can demand Basic or Digest authentication.
 *
 * @module
 */

import { createHash } from "node:crypto";
import {
  type CpeRequest,
  type CwmpMessage,
  decodeEnvelope,
  encodeEnvelope,
  type Envelope,
  type SoapHeader,
} from "../../src/soap/mod.ts";

/** One CWMP session as the ACS saw it. */
export interface AcsSessionRecord {
  /** The Inform's envelope. */
  inform: Envelope;
  /** Every CPE message of the session after the Inform (responses, requests, faults). */
  messages: CwmpMessage[];
  /** True once the ACS answered 204. */
  ended: boolean;
  /** Raw bodies the CPE posted in this session, in order (empty POSTs excluded). */
  bodies: string[];
}

/** One HTTP request the CPE made, as the ACS received it. */
export interface AcsHttpRecord {
  method: string;
  /** Path and query. */
  path: string;
  /** Request headers, names in lower case. */
  headers: Record<string, string>;
  /** Body text ("" for an empty POST). */
  body: string;
  /** Remote "address:port" (one per TCP connection). */
  peer: string;
  /** Time of arrival (ms since the epoch). */
  at: number;
  /** Time of arrival on this process's `performance.now()` clock (sub-ms, for timings). */
  arrivedMs: number;
}

/** What a script hook may answer instead of the default behaviour. */
export interface AcsReply {
  message?: CwmpMessage;
  header?: SoapHeader;
  /** A raw HTTP response (status, body) instead of an envelope. */
  raw?: { status: number; body: string; headers?: Record<string, string> };
  /**
   * Bytes written to the socket as they are, instead of an HTTP response the server
   * builds (no Content-Length added): chunked bodies, bodies delimited by the close,
   * broken status lines. The connection is closed afterwards unless `keepOpen`.
   */
  wire?: { data: string | Uint8Array; keepOpen?: boolean };
  /** Close the TCP connection without answering. */
  drop?: boolean;
}

/** Replies the HTTP server writes itself (wire bytes or a dropped connection). */
const WIRE = new WeakMap<Response, Pick<AcsReply, "wire" | "drop">>();

/** Options of {@linkcode startFakeAcs}. */
export interface FakeAcsOptions {
  /** Require credentials: Basic, or Digest with a nonce bound to the TCP connection. */
  auth?: { scheme: "basic" | "digest"; username: string; password: string };
  /**
   * Called for every CPE message before the default handling (an empty POST during a
   * session as `{ kind: "Empty" }`); return a reply to override it (e.g. a fault 8005),
   * or undefined. May be async, e.g. to hold the session open until the test says so.
   */
  hook?: (
    message: CwmpMessage,
    session: AcsSessionRecord,
  ) => AcsReply | undefined | Promise<AcsReply | undefined>;
  /** TCP port on 127.0.0.1; default 0, any free one. */
  port?: number;
}

/** A running fake ACS. */
export interface FakeAcs {
  url: string;
  /** Sessions in arrival order. */
  sessions: AcsSessionRecord[];
  /** Every non-empty body the CPE posted (for schema validation). */
  received: string[];
  /** Every HTTP request, authenticated or not, in arrival order. */
  requests: AcsHttpRecord[];
  /** Changes the credentials demanded from now on (undefined: none). */
  setAuth(auth: FakeAcsOptions["auth"]): void;
  /** Resolves once `predicate()` holds, re-checked after every request (rejects after `timeoutMs`). */
  waitUntil(predicate: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** Queue ACS requests for the current or next session. */
  enqueue(...requests: CpeRequest[]): void;
  /** Resolves when `count` sessions have ended (rejects after `timeoutMs`). */
  waitForSessions(count: number, timeoutMs?: number): Promise<AcsSessionRecord[]>;
  close(): Promise<void>;
}

const TEXT_XML = { "content-type": 'text/xml; charset="utf-8"' };

function randomHex(bytes: number): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(bytes)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

/** Starts a fake ACS on an ephemeral loopback port. */
export function startFakeAcs(options: FakeAcsOptions = {}): FakeAcs {
  const sessions: AcsSessionRecord[] = [];
  const received: string[] = [];
  const requests: AcsHttpRecord[] = [];
  let auth = options.auth;
  const queue: CpeRequest[] = [];
  let current: AcsSessionRecord | undefined;
  let idCounter = 0;
  const waiters: (() => void)[] = [];
  const nonces = new Map<string, string>(); // remote "addr:port" -> nonce

  const notify = () => waiters.splice(0).forEach((w) => w());

  const respond = (env: Omit<Envelope, "namespace">, status = 200): Response => {
    const namespace = current?.inform.namespace ?? "urn:dslforum-org:cwmp-1-0";
    return new Response(encodeEnvelope({ namespace, ...env }), {
      status,
      headers: TEXT_XML,
    });
  };

  const nextRequestOrEnd = (): Response => {
    const next = queue.shift();
    if (next) return respond({ header: { id: `acs-${++idCounter}` }, message: next });
    if (current) current.ended = true;
    current = undefined;
    notify();
    return new Response(null, { status: 204, headers: { connection: "close" } });
  };

  const checkAuth = (req: Request, peer: string): Response | undefined => {
    if (!auth) return undefined;
    const header = req.headers.get("authorization") ?? "";
    if (auth.scheme === "basic") {
      const want = "Basic " + btoa(`${auth.username}:${auth.password}`);
      if (header === want) return undefined;
      return new Response("Unauthorized", {
        status: 401,
        headers: { "www-authenticate": 'Basic realm="FakeACS"' },
      });
    }
    const nonce = nonces.get(peer);
    if (nonce && header.startsWith("Digest ") && digestValid(header, req, auth, nonce)) {
      return undefined;
    }
    if (nonce && header.startsWith("Digest ")) {
      // GenieACS: wrong credentials after a challenge → 401, no challenge, close (049).
      return new Response("Unauthorized", { status: 401, headers: { connection: "close" } });
    }
    const fresh = randomHex(16);
    nonces.set(peer, fresh);
    return new Response("Unauthorized", {
      status: 401,
      headers: {
        "www-authenticate": `Digest realm="FakeACS",qop="auth,auth-int",nonce="${fresh}"`,
      },
    });
  };

  const handle = async (req: Request, peer: string, body: string): Promise<Response> => {
    {
      const url = new URL(req.url);
      requests.push({
        method: req.method,
        path: url.pathname + url.search,
        headers: Object.fromEntries(req.headers),
        body,
        peer,
        at: Date.now(),
        arrivedMs: performance.now(),
      });
      notify();
      const denied = checkAuth(req, peer);
      if (denied) return denied;
      if (body.trim() === "") {
        if (!current) return new Response("No session", { status: 400 });
        const hooked = await options.hook?.({ kind: "Empty" }, current);
        if (hooked) return replyFrom(hooked, undefined);
        return nextRequestOrEnd();
      }
      received.push(body);
      let env: Envelope;
      try {
        env = decodeEnvelope(body);
      } catch (e) {
        return new Response(`Bad envelope: ${(e as Error).message}`, { status: 400 });
      }
      const message = env.message;
      if (message.kind === "Inform") {
        current = { inform: env, messages: [], ended: false, bodies: [body] };
        sessions.push(current);
        notify();
        const hooked = await options.hook?.(message, current);
        if (hooked) return replyFrom(hooked, env);
        const res = respond({
          header: { id: env.header.id },
          message: { kind: "InformResponse", maxEnvelopes: 1 },
        });
        res.headers.set("set-cookie", `session=${randomHex(8)}`);
        return res;
      }
      if (!current) return new Response("No session", { status: 400 });
      current.messages.push(message);
      current.bodies.push(body);
      notify();
      const hooked = await options.hook?.(message, current);
      if (hooked) return replyFrom(hooked, env);
      switch (message.kind) {
        case "TransferComplete":
          return respond({
            header: { id: env.header.id },
            message: { kind: "TransferCompleteResponse" },
          });
        case "GetRPCMethods":
          return respond({
            header: { id: env.header.id },
            message: {
              kind: "GetRPCMethodsResponse",
              methodList: ["Inform", "GetRPCMethods", "TransferComplete"],
            },
          });
        default:
          return nextRequestOrEnd();
      }
    }
  };

  // A small HTTP/1.1 server of its own rather than Deno.serve: Deno.serve answers
  // `Connection: close` after any request body of a few hundred bytes, which breaks
  // the Digest nonce bound to the TCP connection. GenieACS (Node) keeps the connection
  // alive unless it says `Connection: close`; so does this one.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: options.port ?? 0 });
  const url = `http://127.0.0.1:${listener.addr.port}/`;
  const conns = new Set<Deno.Conn>();
  (async () => {
    for await (const conn of listener) {
      conns.add(conn);
      serveConnection(conn, url, handle).finally(() => conns.delete(conn));
    }
  })().catch(() => {/* listener closed */});

  const replyFrom = (reply: AcsReply, env: Envelope | undefined): Response => {
    if (reply.wire || reply.drop) {
      const res = new Response(null, { status: 204 });
      WIRE.set(res, { wire: reply.wire, drop: reply.drop });
      return res;
    }
    if (reply.raw) {
      const body = reply.raw.body === "" ? null : reply.raw.body;
      return new Response(body, { status: reply.raw.status, headers: reply.raw.headers });
    }
    if (!reply.message) return nextRequestOrEnd();
    const echo = env?.header.id === undefined ? {} : { id: env.header.id };
    return respond({ header: reply.header ?? echo, message: reply.message });
  };

  return {
    url,
    sessions,
    received,
    requests,
    setAuth: (next) => {
      auth = next;
      nonces.clear();
    },
    waitUntil(predicate, what, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        if (predicate()) return resolve();
        const timer = setTimeout(() => {
          reject(new Error(`Fake ACS: ${what} not seen within ${timeoutMs} ms`));
        }, timeoutMs);
        const check = () => {
          if (predicate()) {
            clearTimeout(timer);
            resolve();
          } else waiters.push(check);
        };
        waiters.push(check);
      });
    },
    enqueue: (...reqs) => queue.push(...reqs),
    waitForSessions(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const done = () => sessions.filter((s) => s.ended).length >= count;
        if (done()) return resolve(sessions);
        const timer = setTimeout(() => {
          reject(new Error(`Fake ACS: ${count} session(s) not ended within ${timeoutMs} ms`));
        }, timeoutMs);
        const check = () => {
          if (done()) {
            clearTimeout(timer);
            resolve(sessions);
          } else waiters.push(check);
        };
        waiters.push(check);
      });
    },
    close() {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch { /* already closed */ }
      }
      return Promise.resolve();
    },
  };
}

// ---------------------------------------------------------------- HTTP/1.1 server

const STATUS_TEXT: Record<number, string> = {
  200: "OK",
  204: "No Content",
  400: "Bad Request",
  401: "Unauthorized",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function headerEnd(buf: Uint8Array): number {
  for (let i = 0; i + 3 < buf.length; i++) {
    if (buf[i] === 13 && buf[i + 1] === 10 && buf[i + 2] === 13 && buf[i + 3] === 10) return i;
  }
  return -1;
}

/** Serves keep-alive HTTP/1.1 requests (Content-Length bodies) on one connection. */
async function serveConnection(
  conn: Deno.Conn,
  base: string,
  handle: (req: Request, peer: string, body: string) => Promise<Response>,
): Promise<void> {
  const addr = conn.remoteAddr as Deno.NetAddr;
  const peer = `${addr.hostname}:${addr.port}`;
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let buf: Uint8Array = new Uint8Array(0);
  const more = async (): Promise<boolean> => {
    const chunk = new Uint8Array(65536);
    const n = await conn.read(chunk);
    if (n === null) return false;
    buf = concat(buf, chunk.subarray(0, n));
    return true;
  };
  try {
    for (;;) {
      let end: number;
      while ((end = headerEnd(buf)) < 0) if (!(await more())) return;
      const [requestLine, ...lines] = decoder.decode(buf.subarray(0, end)).split("\r\n");
      buf = buf.subarray(end + 4);
      const [method, target] = requestLine.split(" ");
      const headers = new Headers();
      for (const line of lines) {
        const colon = line.indexOf(":");
        if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
      }
      const length = Number(headers.get("content-length") ?? "0");
      while (buf.length < length) if (!(await more())) return;
      const body = decoder.decode(buf.subarray(0, length));
      buf = buf.subarray(length);
      const req = new Request(new URL(target, base), { method, headers });
      let res: Response;
      try {
        res = await handle(req, peer, body);
      } catch (error) {
        res = new Response(`Fake ACS error: ${(error as Error).message}`, { status: 500 });
      }
      const special = WIRE.get(res);
      if (special?.drop) return;
      if (special?.wire) {
        const { data, keepOpen } = special.wire;
        let out = typeof data === "string" ? encoder.encode(data) : data;
        while (out.length > 0) out = out.subarray(await conn.write(out));
        if (keepOpen) continue;
        return;
      }
      const payload = res.status === 204 ? new Uint8Array(0) : encoder.encode(await res.text());
      let head = `HTTP/1.1 ${res.status} ${STATUS_TEXT[res.status] ?? "Status"}\r\n`;
      res.headers.forEach((value, name) => {
        if (name !== "set-cookie" && name !== "content-length") head += `${name}: ${value}\r\n`;
      });
      for (const cookie of res.headers.getSetCookie()) head += `set-cookie: ${cookie}\r\n`;
      if (res.status !== 204) head += `content-length: ${payload.length}\r\n`;
      let out: Uint8Array = concat(encoder.encode(head + "\r\n"), payload);
      while (out.length > 0) out = out.subarray(await conn.write(out));
      const close = /\bclose\b/i;
      if (close.test(res.headers.get("connection") ?? "")) return;
      if (close.test(headers.get("connection") ?? "")) return;
    }
  } catch {
    /* reset by the peer, or closed by close() */
  } finally {
    try {
      conn.close();
    } catch { /* already closed */ }
  }
}

// ---------------------------------------------------------------- Digest check

function digestValid(
  header: string,
  req: Request,
  auth: { username: string; password: string },
  nonce: string,
): boolean {
  const p: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) {
    p[m[1].toLowerCase()] = m[2] ?? m[3];
  }
  const md5 = (s: string) => createHash("md5").update(s).digest("hex");
  if (p.username !== auth.username || p.nonce !== nonce) return false;
  const url = new URL(req.url);
  if (p.uri !== url.pathname + url.search) return false;
  const ha1 = md5(`${auth.username}:${p.realm}:${auth.password}`);
  const ha2 = md5(`${req.method}:${p.uri}`);
  const expected = p.qop
    ? md5(`${ha1}:${nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`)
    : md5(`${ha1}:${nonce}:${ha2}`);
  return expected === p.response;
}
