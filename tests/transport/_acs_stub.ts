/**
 * Test helper: a throw-away ACS on 127.0.0.1 (port 0) that records every
 * request it sees with the client's remote port, plus a GenieACS-style Digest
 * gate whose nonce is bound to the TCP connection (GenieACS 1.2.16, 037/038).
 *
 * @module
 */

import { digestResponse, parseWwwAuthenticate } from "../../src/transport/digest_auth.ts";

/** One request as the stub saw it. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: Headers;
  body: Uint8Array;
  remotePort: number;
}

/** A running stub. */
export interface AcsStub {
  url: string;
  port: number;
  seen: SeenRequest[];
  close(): Promise<void>;
}

/** Starts a stub; `handler` gets each request (body already read) and its index. */
export function startStub(
  handler: (req: SeenRequest, index: number) => Response | Promise<Response>,
  options: { cert?: string; key?: string } = {},
): AcsStub {
  const seen: SeenRequest[] = [];
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen() {},
    ...(options.cert ? { cert: options.cert, key: options.key } : {}),
  }, async (request, info) => {
    const url = new URL(request.url);
    const req: SeenRequest = {
      method: request.method,
      path: url.pathname + url.search,
      headers: request.headers,
      body: new Uint8Array(await request.arrayBuffer()),
      remotePort: info.remoteAddr.port,
    };
    seen.push(req);
    return await handler(req, seen.length - 1);
  });
  const port = server.addr.port;
  const scheme = options.cert ? "https" : "http";
  return {
    url: `${scheme}://${options.cert ? "localhost" : "127.0.0.1"}:${port}/`,
    port,
    seen,
    close: () => server.shutdown(),
  };
}

/**
 * GenieACS's CPE authentication: a Digest challenge whose nonce only counts on
 * the TCP connection (remote port) it was sent on; wrong answers get a bare
 * 401 with `Connection: close` (049).
 */
export class GenieDigestGate {
  #nonces = new Map<string, number>();
  #counter = 0;
  #password: string;
  #username: string;
  /** Highest nc seen per nonce. */
  ncs: string[] = [];

  /** Creates the gate for one account. */
  constructor(username: string, password: string) {
    this.#username = username;
    this.#password = password;
  }

  /** Returns a 401 Response, or undefined if the request is authenticated. */
  check(req: SeenRequest): Response | undefined {
    const auth = req.headers.get("authorization");
    if (auth === null) return this.challenge(req);
    const p = parseWwwAuthenticate(auth)[0].params;
    if (this.#nonces.get(p.nonce) !== req.remotePort) return this.challenge(req);
    const expected = digestResponse({
      algorithm: "MD5",
      username: this.#username,
      realm: "GenieACS",
      password: this.#password,
      method: req.method,
      uri: p.uri,
      nonce: p.nonce,
      qop: "auth",
      nc: p.nc,
      cnonce: p.cnonce,
    });
    if (p.username !== this.#username || p.response !== expected || p.uri !== req.path) {
      return new Response("Unauthorized", { status: 401, headers: { Connection: "close" } });
    }
    this.ncs.push(p.nc);
    return undefined;
  }

  /** A fresh challenge bound to this connection. */
  challenge(req: SeenRequest): Response {
    const nonce = (++this.#counter).toString(16).padStart(32, "0");
    this.#nonces.set(nonce, req.remotePort);
    return new Response("Unauthorized", {
      status: 401,
      headers: {
        "WWW-Authenticate": `Digest realm="GenieACS",qop="auth,auth-int",nonce="${nonce}"`,
      },
    });
  }
}
