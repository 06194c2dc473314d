/**
 * The connection-request listener's admission and keep-alive on 127.0.0.1 with raw TCP
 * clients and curl (hostile inputs: `cr_hostile_test.ts`; the real agent under churn:
 * `tests/integration/cr_churn_test.ts`).
 */

import assert from "node:assert/strict";
import { chooseChallenge, DigestAuthorizer } from "../../src/transport/mod.ts";
import {
  type CrListenerOptions,
  serveConnectionRequests,
} from "../../src/transport/cr_listener.ts";
import { testNeeding } from "../_helpers/needs.ts";
import { crApp } from "../_helpers/cr_app.ts";

/** Deno.test for the tests that drive curl: they skip, naming why, where it is unavailable. */
const test = testNeeding("curl");

const PATH = "/cr";
const enc = new TextEncoder();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function listen(options: Partial<CrListenerOptions> = {}) {
  let fired = 0;
  const app = crApp({
    path: PATH,
    credentials: () => ({ username: "cr-user", password: "cr-pass" }),
    onConnectionRequest: () => fired++,
    now: () => Date.now(),
    randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
  });
  const server = serveConnectionRequests(
    { hostname: "127.0.0.1", port: 0, ...options },
    app.handler,
  );
  return { server, port: server.addr.port, fired: () => fired };
}

/** Reads one response (head and Content-Length body) from `conn`; "" on EOF first. */
async function readResponse(conn: Deno.Conn): Promise<string> {
  let text = "";
  const buf = new Uint8Array(4096);
  for (;;) {
    const end = text.indexOf("\r\n\r\n");
    if (end >= 0) {
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(text)?.[1] ?? "0");
      if (text.length >= end + 4 + length) return text;
    }
    const n = await conn.read(buf);
    if (n === null) return text;
    text += new TextDecoder().decode(buf.subarray(0, n));
  }
}

/** True when the peer closed `conn` within `ms`. */
async function closedWithin(conn: Deno.Conn, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((r) => (timer = setTimeout(() => r("late"), ms)));
  const read = conn.read(new Uint8Array(64)).then((n) => n === null, () => true);
  const result = await Promise.race([read, late]);
  clearTimeout(timer);
  return result === true;
}

function closeAll(conns: Iterable<Deno.Conn>) {
  for (const conn of conns) {
    try {
      conn.close();
    } catch { /* closed */ }
  }
}

function authorizationFor(response: string, uri = PATH, password = "cr-pass"): string {
  const header = /\r\nwww-authenticate: *([^\r]+)/i.exec(response)?.[1] ?? "";
  const chosen = chooseChallenge(header);
  if (chosen?.scheme !== "digest") throw new Error(`no Digest challenge in ${response}`);
  return new DigestAuthorizer(chosen.challenge, { username: "cr-user", password }, {
    cnonce: "c0ffee01",
  }).authorize("GET", uri);
}

Deno.test("serveConnectionRequests() keeps a keep-alive connection after a 401 for the Digest retry", async () => {
  const { server, port, fired } = listen();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    // As GenieACS sends it (tests/testdata/genieacs README, 005/007).
    await conn.write(
      enc.encode(`GET ${PATH} HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n`),
    );
    const challenge = await readResponse(conn);
    assert.match(challenge, /^HTTP\/1\.1 401 /);
    assert.match(challenge, /\r\nConnection: keep-alive\r\n/);
    const auth = authorizationFor(challenge);
    await conn.write(
      enc.encode(
        `GET ${PATH} HTTP/1.1\r\nAuthorization: ${auth}\r\nHost: x\r\nConnection: keep-alive\r\n\r\n`,
      ),
    );
    const ok = await readResponse(conn);
    assert.match(ok, /^HTTP\/1\.1 200 /);
    assert.match(ok, /\r\nConnection: close\r\n/);
    assert.equal(await closedWithin(conn, 2_000), true);
    assert.equal(fired(), 1);
  } finally {
    closeAll([conn]);
    await server.shutdown();
  }
});

Deno.test("serveConnectionRequests() answers at most two requests per connection, the first a 401", async () => {
  const { server, port, fired } = listen();
  const get = `GET ${PATH} HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n`;
  try {
    // A second 401 (wrong password) closes.
    let conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(enc.encode(get + "\r\n"));
    const wrong = authorizationFor(await readResponse(conn), PATH, "wrong");
    await conn.write(enc.encode(get + `Authorization: ${wrong}\r\n\r\n`));
    const again = await readResponse(conn);
    assert.match(again, /^HTTP\/1\.1 401 [^]*\r\nConnection: close\r\n/);
    assert.equal(await closedWithin(conn, 2_000), true);
    conn.close();
    // Not kept: no keep-alive asked, HTTP/1.0, a body announced, bytes after the head.
    for (
      const request of [
        `GET ${PATH} HTTP/1.1\r\nHost: x\r\n\r\n`,
        `GET ${PATH} HTTP/1.0\r\nConnection: keep-alive\r\n\r\n`,
        `GET ${PATH} HTTP/1.1\r\nConnection: keep-alive, close\r\n\r\n`,
        get + "Content-Length: 2\r\n\r\nab",
        get + "\r\n" + get + "\r\n",
      ]
    ) {
      conn = await Deno.connect({ hostname: "127.0.0.1", port });
      await conn.write(enc.encode(request));
      const response = await readResponse(conn);
      assert.match(response, /^HTTP\/1\.1 401 [^]*\r\nConnection: close\r\n/, request);
      assert.equal(await closedWithin(conn, 2_000), true, request);
      conn.close();
    }
    // Not kept after anything but a 401.
    conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(enc.encode(`GET /other HTTP/1.1\r\nConnection: keep-alive\r\n\r\n`));
    assert.match(await readResponse(conn), /^HTTP\/1\.1 404 [^]*\r\nConnection: close\r\n/);
    assert.equal(await closedWithin(conn, 2_000), true);
    conn.close();
    assert.equal(fired(), 0);
  } finally {
    await server.shutdown();
  }
});

Deno.test("serveConnectionRequests() gives a new connection graceMs to send its head however fast others reconnect", async () => {
  // A tiny listener: 4 connections, all from 127.0.0.1, attackers reconnecting at once.
  const { server, port } = listen({ maxConnections: 4, graceMs: 300 });
  const stop = { done: false, conns: new Set<Deno.Conn>() };
  const churn = async () => {
    while (!stop.done) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      stop.conns.add(conn);
      await conn.read(new Uint8Array(64)).catch(() => null);
      stop.conns.delete(conn);
      closeAll([conn]);
    }
  };
  const attackers = Array.from({ length: 8 }, churn);
  try {
    await sleep(100);
    for (let i = 0; i < 5; i++) {
      // The head leaves 100 ms after the connect (a slow client, a lost segment).
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      await sleep(100);
      await conn.write(enc.encode(`GET ${PATH} HTTP/1.1\r\nHost: x\r\n\r\n`)).catch(() => 0);
      const response = await readResponse(conn).catch(() => "");
      closeAll([conn]);
      assert.match(response, /^HTTP\/1\.1 401 /, `request ${i}`);
    }
    assert.ok(server.connections <= 4, `${server.connections} connections`);
  } finally {
    stop.done = true;
    closeAll(stop.conns);
    await server.shutdown();
    await Promise.all(attackers);
  }
});

test("serveConnectionRequests() closes its own idle connections when a source opens more than its share", async () => {
  const { server, port, fired } = listen({ maxConnectionsPerSource: 8, graceMs: 50 });
  const idle: Deno.Conn[] = [];
  try {
    for (let i = 0; i < 20; i++) idle.push(await Deno.connect({ hostname: "127.0.0.1", port }));
    await sleep(200); // past their grace
    assert.equal(server.connections, 20);
    idle.push(await Deno.connect({ hostname: "127.0.0.1", port }));
    const closed = await Promise.all(idle.map((conn) => closedWithin(conn, 500)));
    // The 13 idlest went; the one just opened stays (within its grace).
    assert.deepEqual(closed, [...new Array(13).fill(true), ...new Array(8).fill(false)]);
    assert.equal(server.connections, 8);
    // Another source (curl from 127.0.0.3) is not held up by them.
    const out = await new Deno.Command("curl", {
      args: [
        "-s",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "--max-time",
        "5",
        "--interface",
        "127.0.0.3",
        "--digest",
        "-u",
        "cr-user:cr-pass",
        `http://127.0.0.1:${port}${PATH}`,
      ],
      stdout: "piped",
      stderr: "null",
    }).output();
    assert.equal(new TextDecoder().decode(out.stdout), "200");
    assert.equal(fired(), 1);
  } finally {
    closeAll(idle);
    await server.shutdown();
  }
});
