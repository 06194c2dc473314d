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

/** What a script hook may answer instead of the default behaviour. */
export interface AcsReply {
  message?: CwmpMessage;
  header?: SoapHeader;
  /** A raw HTTP response (status, body) instead of an envelope. */
  raw?: { status: number; body: string; headers?: Record<string, string> };
}

/** Options of {@linkcode startFakeAcs}. */
export interface FakeAcsOptions {
  /** Require credentials: Basic, or Digest with a nonce bound to the TCP connection. */
  auth?: { scheme: "basic" | "digest"; username: string; password: string };
  /**
   * Called for every CPE message before the default handling; return a reply to
   * override it (e.g. a fault 8005), or undefined.
   */
  hook?: (message: CwmpMessage, session: AcsSessionRecord) => AcsReply | undefined;
}

/** A running fake ACS. */
export interface FakeAcs {
  url: string;
  /** Sessions in arrival order. */
  sessions: AcsSessionRecord[];
  /** Every non-empty body the CPE posted (for schema validation). */
  received: string[];
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
    const auth = options.auth;
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

  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (req, info) => {
      const peer = `${info.remoteAddr.hostname}:${info.remoteAddr.port}`;
      const body = await req.text();
      const denied = checkAuth(req, peer);
      if (denied) return denied;
      if (body.trim() === "") {
        if (!current) return new Response("No session", { status: 400 });
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
        const hooked = options.hook?.(message, current);
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
      const hooked = options.hook?.(message, current);
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
    },
  );

  const replyFrom = (reply: AcsReply, env: Envelope): Response => {
    if (reply.raw) {
      return new Response(reply.raw.body, { status: reply.raw.status, headers: reply.raw.headers });
    }
    if (!reply.message) return nextRequestOrEnd();
    return respond({ header: reply.header ?? { id: env.header.id }, message: reply.message });
  };

  const addr = server.addr as Deno.NetAddr;
  return {
    url: `http://127.0.0.1:${addr.port}/`,
    sessions,
    received,
    enqueue: (...requests) => queue.push(...requests),
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
    close: () => server.shutdown(),
  };
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
