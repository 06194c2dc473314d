/**
 * Hostile inputs to the connection-request server: the app in-process (`app.request()`)
 * and the listener that serves it (`cr_listener.ts`) on 127.0.0.1 with raw TCP clients.
 */

import assert from "node:assert/strict";
import {
  chooseChallenge,
  type ConnectionRequestDeps,
  DigestAuthorizer,
  digestResponse,
  rateLimit,
} from "../../src/transport/mod.ts";
import { serveConnectionRequests } from "../../src/transport/cr_listener.ts";
import { testNeeding } from "../_helpers/needs.ts";
import { crApp } from "../_helpers/cr_app.ts";

/** Deno.test for the tests that drive curl: they skip, naming why, where it is unavailable. */
const test = testNeeding("curl");

const PATH = "/cr";

function setup(overrides: Partial<ConnectionRequestDeps> = {}) {
  let fired = 0;
  let seed = 0;
  const app = crApp({
    path: PATH,
    credentials: () => ({ username: "cr-user", password: "cr-pass" }),
    onConnectionRequest: () => fired++,
    now: () => 1_800_000_000_000,
    randomBytes: (n) => new Uint8Array(n).fill(++seed),
    ...overrides,
  });
  return { app, fired: () => fired };
}

/** The challenge's nonce and opaque, from an unauthenticated GET. */
function challenge(app: ReturnType<typeof setup>["app"]) {
  const res = app.request(PATH);
  assert.equal(res.status, 401);
  const chosen = chooseChallenge(res.headers.get("www-authenticate")!);
  if (chosen?.scheme !== "digest") throw new Error("no Digest challenge");
  return chosen.challenge;
}

/** A hand-made Digest Authorization (to vary one field at a time). */
function digestHeader(
  c: { nonce: string; opaque?: string },
  o: { uri?: string; algorithm?: string; nc?: string; method?: string } = {},
): string {
  const uri = o.uri ?? PATH;
  const nc = o.nc ?? "00000001";
  const response = digestResponse({
    algorithm: (o.algorithm ?? "MD5") as "MD5",
    username: "cr-user",
    realm: "cwmp-agent",
    password: "cr-pass",
    method: o.method ?? "GET",
    uri,
    nonce: c.nonce,
    qop: "auth",
    nc,
    cnonce: "0a4f113b",
  });
  return `Digest username="cr-user", realm="cwmp-agent", nonce="${c.nonce}", uri="${uri}", ` +
    `qop=auth, nc=${nc}, cnonce="0a4f113b", response="${response}", opaque="${c.opaque}"` +
    (o.algorithm ? `, algorithm=${o.algorithm}` : "");
}

Deno.test("createConnectionRequestHandler() fires once for a replayed Authorization (same nonce and nc)", () => {
  const { app, fired } = setup();
  const auth = digestHeader(challenge(app));
  assert.equal((app.request(PATH, { headers: { Authorization: auth } })).status, 200);
  assert.equal((app.request(PATH, { headers: { Authorization: auth } })).status, 401);
  assert.equal(fired(), 1);
});

Deno.test("createConnectionRequestHandler() refuses a Digest for another uri or an algorithm not offered", () => {
  const { app, fired } = setup();
  const c = challenge(app);
  for (const uri of ["/other", "/cr/x", "/CR", "//cr"]) {
    const auth = digestHeader(c, { uri });
    assert.equal((app.request(PATH, { headers: { Authorization: auth } })).status, 401, uri);
  }
  for (const algorithm of ["SHA-256", "MD5-sess", "SHA-512-256", "x"]) {
    const auth = digestHeader(c, { algorithm });
    const res = app.request(PATH, { headers: { Authorization: auth } });
    assert.equal(res.status, 401, algorithm);
  }
  assert.equal(fired(), 0);
  // The offered MD5, spelled in any case, still works.
  const ok = digestHeader(c, { algorithm: "md5", nc: "00000002" });
  assert.equal((app.request(PATH, { headers: { Authorization: ok } })).status, 200);
  assert.equal(fired(), 1);
});

Deno.test("createConnectionRequestHandler() answers 401 to malformed Authorization headers", () => {
  const { app, fired } = setup();
  const c = challenge(app);
  const good = digestHeader(c);
  const headers = [
    "Digest",
    "Digest ",
    'Digest username="cr-user',
    "Digest ,,,,=,=",
    'Digest username="a", username="b"',
    "Digest " + "a=b, ".repeat(1000),
    good.replace(/nc=\d+/, "nc=zzzzzzzz"),
    good.replace(/nc=\d+/, "nc=1"),
    good.replace(/nonce="[^"]*"/, 'nonce="ffffffffffffffffff.00.' + "0".repeat(64) + '"'),
    good.replace(/uri="[^"]*"/, 'uri="http://[::1"'),
    good.replace(/qop=auth/, "qop=auth-int"),
    good.replace(/response="[^"]*"/, 'response=""'),
    "Digest \u00ff\u00fe",
    "Basic Y3ItdXNlcjpjci1wYXNz",
    "Basic !!!",
    "Bearer x",
  ];
  for (const h of headers) {
    const res = app.request(PATH, { headers: { Authorization: h } });
    assert.equal(res.status, 401, h.slice(0, 60));
    assert.match(res.headers.get("www-authenticate") ?? "", /^Digest /);
  }
  assert.equal(fired(), 0);
});

Deno.test("createConnectionRequestHandler() refuses HEAD, chunked and oversize bodies", () => {
  const { app, fired } = setup();
  const c = challenge(app);
  const head = app.request(PATH, {
    method: "HEAD",
    headers: { Authorization: digestHeader(c, { method: "HEAD" }) },
  });
  assert.equal(head.status, 405);
  const chunked = app.request(PATH, {
    headers: { Authorization: digestHeader(c, { nc: "00000002" }), "Transfer-Encoding": "chunked" },
  });
  assert.equal(chunked.status, 413);
  const big = app.request(PATH, {
    headers: { Authorization: digestHeader(c, { nc: "00000003" }), "Content-Length": "999999" },
  });
  assert.equal(big.status, 413);
  for (const bad of ["-1", "1e9", "abc", "4097"]) {
    const res = app.request(PATH, { headers: { "Content-Length": bad } });
    assert.equal(res.status, 413, bad);
  }
  assert.equal(fired(), 0);
});

Deno.test("createConnectionRequestHandler() fires at most limit times for a flood of valid CRs", () => {
  const { app, fired } = setup({ rateLimiter: rateLimit({ limit: 3, periodMs: 60_000 }) });
  const codes: number[] = [];
  for (let i = 0; i < 50; i++) {
    const c = challenge(app);
    const client = new DigestAuthorizer(c, { username: "cr-user", password: "cr-pass" }, {
      cnonce: "c0ffee",
    });
    const res = app.request(PATH, {
      headers: { Authorization: client.authorize("GET", PATH) },
    });
    codes.push(res.status);
  }
  assert.deepEqual(codes, [200, 200, 200, ...new Array(47).fill(503)]);
  assert.equal(fired(), 3);
});

// --- the listener, on real sockets ---

function listen(options: { headerTimeoutMs?: number; maxConnections?: number } = {}) {
  const { app, fired } = setup();
  const server = serveConnectionRequests(
    { hostname: "127.0.0.1", port: 0, maxHeaderBytes: 8192, ...options },
    app.handler,
  );
  return { server, port: server.addr.port, fired };
}

/** Sends `text` on a fresh connection; resolves with everything the server sent until close. */
async function raw(port: number, text: string | Uint8Array, ms = 5_000): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const timer = setTimeout(() => conn.close(), ms);
  try {
    const bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
    await conn.write(bytes).catch(() => 0);
    const chunks: Uint8Array[] = [];
    const buf = new Uint8Array(4096);
    for (;;) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      chunks.push(buf.slice(0, n));
    }
    return new TextDecoder().decode(await new Blob(chunks as BlobPart[]).arrayBuffer());
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed by the timer */ }
  }
}

function statusOf(response: string): number {
  return Number(/^HTTP\/1\.1 (\d{3}) /.exec(response)?.[1] ?? "0");
}

async function curlDigest(port: number, password = "cr-pass"): Promise<string> {
  const out = await new Deno.Command("curl", {
    args: [
      "-s",
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      "--max-time",
      "5",
      "--digest",
      "-u",
      `cr-user:${password}`,
      `http://127.0.0.1:${port}${PATH}?x=1`,
    ],
    stdout: "piped",
    stderr: "null",
  }).output();
  return new TextDecoder().decode(out.stdout);
}

test("serveConnectionRequests() serves curl --digest through 300 slowloris connections", async () => {
  const { server, port, fired } = listen({ maxConnections: 32, headerTimeoutMs: 10_000 });
  const slow: Deno.Conn[] = [];
  try {
    const enc = new TextEncoder();
    for (let i = 0; i < 300; i++) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      slow.push(conn);
      await conn.write(enc.encode("GET /cr HTTP/1.1\r\nHost: x\r\nX-Slow: ")).catch(() => 0);
    }
    for (let round = 0; round < 5; round++) {
      for (const conn of slow) await conn.write(enc.encode("a")).catch(() => 0);
    }
    const t0 = Date.now();
    assert.equal(await curlDigest(port), "200");
    assert.ok(Date.now() - t0 < 3_000, `CR took ${Date.now() - t0} ms`);
    assert.equal(fired(), 1);
    assert.ok(server.connections <= 32, `${server.connections} connections open`);
  } finally {
    for (const conn of slow) {
      try {
        conn.close();
      } catch { /* closed */ }
    }
    await server.shutdown();
  }
});

Deno.test("serveConnectionRequests() closes a connection whose head does not arrive in time", async () => {
  const { server, port } = listen({ headerTimeoutMs: 300 });
  try {
    const t0 = Date.now();
    assert.equal(await raw(port, "GET /cr HTTP/1.1\r\nHost: x\r\n"), "");
    const took = Date.now() - t0;
    assert.ok(took >= 250 && took < 3_000, `closed after ${took} ms`);
    assert.equal(server.connections, 0);
  } finally {
    await server.shutdown();
  }
});

test("serveConnectionRequests() answers bad requests with 400/404/405/413/431 and closes", async () => {
  const { server, port, fired } = listen();
  try {
    const cases: [string, number][] = [
      [`GET ${PATH} HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(9000)}\r\n\r\n`, 431],
      [`GET ${PATH} HTTP/1.1\r\n${"X-A: b\r\n".repeat(2000)}\r\n`, 431],
      [`GET ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n`, 413],
      [
        `GET ${PATH} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
        413,
      ],
      [`POST ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc`, 405],
      [`PUT ${PATH} HTTP/1.1\r\nHost: x\r\n\r\n`, 405],
      [`TRACE ${PATH} HTTP/1.1\r\nHost: x\r\n\r\n`, 405],
      [`GET /other HTTP/1.1\r\nHost: x\r\n\r\n`, 404],
      [`GET ${PATH} HTTP/1.1\r\nHost: x\r\n\r\n`, 401],
      [`GET ${PATH} HTTP/1.0\r\n\r\n`, 401],
      [`GET ${PATH}\r\n\r\n`, 400],
      [`GET ${PATH} HTTP/2.0\r\n\r\n`, 400],
      [`G(T ${PATH} HTTP/1.1\r\n\r\n`, 400],
      [`GET cr HTTP/1.1\r\n\r\n`, 400],
      [`GET ${PATH} HTTP/1.1\r\nNo colon here\r\n\r\n`, 400],
      [`GET ${PATH} HTTP/1.1\r\nX: a\r\n folded\r\n\r\n`, 400],
      [`GET ${PATH} HTTP/1.1\r\nX: a\x00b\r\n\r\n`, 400],
      [`GET ${PATH} HTTP/1.1\r\nX: a\rb\r\n\r\n`, 400],
      [`CONNECT ${PATH} HTTP/1.1\r\nHost: x\r\n\r\n`, 405],
      [`track ${PATH} HTTP/1.1\r\nHost: x\r\n\r\n`, 405],
      // Methods fetch normalizes are taken in any case, as Deno.serve takes them.
      [`get ${PATH} HTTP/1.1\r\nHost: x\r\n\r\n`, 401],
      [`\x00\x01\x02\xff garbage\r\n\r\n`, 400],
    ];
    for (const [request, status] of cases) {
      const response = await raw(port, request);
      assert.equal(statusOf(response), status, JSON.stringify(request.slice(0, 50)));
      assert.match(response, /\r\nConnection: close\r\n/);
    }
    const head = await raw(port, `HEAD ${PATH} HTTP/1.1\r\nHost: x\r\n\r\n`);
    assert.equal(statusOf(head), 405);
    assert.ok(head.endsWith("\r\n\r\n"), "HEAD answered without a body");
    // Random bytes without a blank line: closed at the size cap, with 431.
    const noise = crypto.getRandomValues(new Uint8Array(20_000)).map((b) => b === 10 ? 32 : b);
    assert.equal(statusOf(await raw(port, noise)), 431);
    assert.equal(fired(), 0);
    assert.equal(await curlDigest(port), "200");
    assert.equal(fired(), 1);
  } finally {
    await server.shutdown();
  }
});
