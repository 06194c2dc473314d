import assert from "node:assert/strict";
import { gunzipSync, gzipSync } from "node:zlib";
import { type AcsHttpErrorReason, createAcsSession } from "../../src/transport/mod.ts";
import { GenieDigestGate, startStub } from "./_acs_stub.ts";
import { readCapture } from "./_fixtures.ts";

const INFORM =
  '<?xml version="1.0" encoding="UTF-8"?>\n<soap-env:Envelope>inform</soap-env:Envelope>';
const INFORM_RESPONSE = readCapture("002-acs-cpe-informresponse-set-cookie.http").body;
const SET_COOKIE = readCapture("002-acs-cpe-informresponse-set-cookie.http").headers["set-cookie"];

async function rejectsWith(
  promise: Promise<unknown>,
  reason: AcsHttpErrorReason,
  message?: RegExp,
): Promise<Error> {
  const error = await promise.then(() => undefined, (e: Error) => e);
  assert.ok(error, `expected a rejection with reason "${reason}"`);
  assert.equal((error as { reason?: string }).reason, reason, error.message);
  if (message) assert.match(error.message, message);
  return error;
}

Deno.test("createAcsSession() answers GenieACS's Digest challenge on the same connection, keeps cookie and auth", async () => {
  const gate = new GenieDigestGate("scripted-cpe", "cpe-secret");
  const stub = startStub((req, i) => {
    const denied = gate.check(req);
    if (denied) return denied;
    if (req.body.length > 0) {
      return new Response(INFORM_RESPONSE, {
        headers: { "Content-Type": 'text/xml; charset="utf-8"', "Set-Cookie": SET_COOKIE },
      });
    }
    assert.equal(req.headers.get("cookie"), "session=b342e4b82adb0992", `request ${i}`);
    return new Response(null, { status: 204, headers: { Connection: "close" } });
  });
  const session = createAcsSession({
    url: stub.url,
    username: "scripted-cpe",
    password: "cpe-secret",
    randomBytes: (n) => new Uint8Array(n).fill(0xab),
  });
  try {
    const first = await session.post(INFORM);
    assert.equal(first.status, 200);
    assert.equal(first.body, INFORM_RESPONSE);
    const second = await session.post(null);
    assert.equal(second.status, 204);
    assert.equal(second.body, "");
  } finally {
    session.close();
    await stub.close();
  }
  assert.equal(stub.seen.length, 3);
  const [challenged, authed, empty] = stub.seen;
  assert.equal(new Set(stub.seen.map((r) => r.remotePort)).size, 1, "one TCP connection");
  assert.equal(challenged.headers.get("authorization"), null);
  assert.equal(challenged.headers.get("content-type"), 'text/xml; charset="utf-8"');
  assert.equal(challenged.headers.get("soapaction"), '""');
  assert.equal(new TextDecoder().decode(authed.body), INFORM);
  assert.match(authed.headers.get("authorization")!, /cnonce="abababababababab"/);
  assert.deepEqual(gate.ncs, ["00000001", "00000002"]);
  assert.equal(empty.headers.get("content-length"), "0");
  assert.equal(empty.headers.get("content-type"), null);
  assert.equal(empty.headers.get("soapaction"), null);
  assert.equal(empty.headers.get("user-agent"), "cwmp-agent");
});

Deno.test("createAcsSession() answers a new challenge after the ACS closed the connection", async () => {
  const gate = new GenieDigestGate("u", "p");
  const stub = startStub((req) => {
    const denied = gate.check(req);
    if (denied) return denied;
    return new Response("ok", { headers: { Connection: "close" } });
  });
  const session = createAcsSession({ url: stub.url, username: "u", password: "p" });
  try {
    assert.equal((await session.post("a")).body, "ok");
    assert.equal((await session.post("b")).body, "ok");
  } finally {
    session.close();
    await stub.close();
  }
  assert.deepEqual(stub.seen.map((r) => r.headers.has("authorization")), [false, true, true, true]);
  assert.equal(stub.seen[0].remotePort, stub.seen[1].remotePort);
  assert.notEqual(stub.seen[1].remotePort, stub.seen[2].remotePort);
  assert.equal(stub.seen[2].remotePort, stub.seen[3].remotePort);
});

Deno.test("createAcsSession() fails with AcsAuthError on wrong credentials, without looping", async () => {
  const gate = new GenieDigestGate("scripted-cpe", "cpe-secret");
  const stub = startStub((req) => gate.check(req) ?? new Response("ok"));
  const session = createAcsSession({ url: stub.url, username: "scripted-cpe", password: "nope" });
  try {
    const e = await rejectsWith(session.post(INFORM), "auth");
    assert.equal(e.name, "AcsAuthError");
    assert.equal(e.message, "ACS rejected the credentials (HTTP 401)");
    assert.ok(!e.message.includes("nope"));
  } finally {
    session.close();
    await stub.close();
  }
  assert.equal(stub.seen.length, 2);
});

Deno.test("createAcsSession() fails with AcsAuthError on 401 when it has no username", async () => {
  const gate = new GenieDigestGate("u", "p");
  const stub = startStub((req) => gate.check(req) ?? new Response("ok"));
  const session = createAcsSession({ url: stub.url });
  try {
    await rejectsWith(session.post(INFORM), "auth", /no username is configured/);
  } finally {
    session.close();
    await stub.close();
  }
});

Deno.test("createAcsSession() refuses a Basic challenge over plain HTTP unless allowed", async () => {
  const stub = startStub((req) =>
    req.headers.get("authorization") === "Basic dTpw"
      ? new Response("ok")
      : new Response("", { status: 401, headers: { "WWW-Authenticate": 'Basic realm="acs"' } })
  );
  const strict = createAcsSession({ url: stub.url, username: "u", password: "p" });
  const lax = createAcsSession({
    url: stub.url,
    username: "u",
    password: "p",
    allowBasicOverHttp: true,
  });
  try {
    const e = await rejectsWith(strict.post(INFORM), "auth");
    assert.equal(
      e.message,
      "ACS offers only Basic authentication over plain HTTP: not sending the password in clear (acs.allow_basic_over_http = false)",
    );
    assert.equal((await lax.post(INFORM)).body, "ok"); // never pre-emptive: after the 401
    assert.equal((await lax.post(null)).body, "ok"); // Basic kept on later requests
  } finally {
    strict.close();
    lax.close();
    await stub.close();
  }
  assert.deepEqual(stub.seen.map((r) => r.headers.get("authorization")), [
    null,
    null,
    "Basic dTpw",
    "Basic dTpw",
  ]);
});

Deno.test("createAcsSession() with allowBasicOverHttp still answers Digest when it is offered", async () => {
  const gate = new GenieDigestGate("u", "p");
  const stub = startStub((req) => {
    const denied = gate.check(req);
    if (denied === undefined) return new Response("ok");
    const digest = denied.headers.get("www-authenticate");
    if (digest !== null) denied.headers.set("www-authenticate", `Basic realm="acs", ${digest}`);
    return denied;
  });
  const session = createAcsSession({
    url: stub.url,
    username: "u",
    password: "p",
    allowBasicOverHttp: true,
  });
  try {
    assert.equal((await session.post(INFORM)).body, "ok");
  } finally {
    session.close();
    await stub.close();
  }
  const sent = stub.seen.map((r) => r.headers.get("authorization"));
  assert.equal(sent[0], null);
  assert.match(sent[1] ?? "", /^Digest username="u", /);
  assert.equal(sent.length, 2);
});

Deno.test("createAcsSession() answers a new origin's challenge after a redirect mid-request", async () => {
  // One server, two origins: http://127.0.0.1:port and http://localhost:port.
  const gate = new GenieDigestGate("u", "p");
  const stub = startStub((req) => {
    const denied = gate.check(req);
    if (denied) return denied;
    if (req.headers.get("host")?.startsWith("127.0.0.1")) {
      return new Response(null, {
        status: 307,
        headers: { Location: `http://localhost:${stub.port}/moved` },
      });
    }
    return new Response("moved ok");
  });
  const session = createAcsSession({ url: stub.url, username: "u", password: "p" });
  try {
    assert.equal((await session.post(INFORM)).body, "moved ok");
  } finally {
    session.close();
    await stub.close();
  }
  assert.deepEqual(
    stub.seen.map((r) => [r.headers.get("host"), r.headers.get("authorization")?.split(" ")[0]]),
    [
      [`127.0.0.1:${stub.port}`, undefined],
      [`127.0.0.1:${stub.port}`, "Digest"],
      [`localhost:${stub.port}`, undefined], // the first origin's Digest state is not carried over
      [`localhost:${stub.port}`, "Digest"],
    ],
  );
});

Deno.test("createAcsSession() follows redirects, re-posts the body and keeps the new URL", async () => {
  const stub = startStub((req) => {
    if (req.path === "/a") return Response.redirect(`http://127.0.0.1:${stub.port}/b`, 302);
    if (req.path === "/b") {
      return new Response(null, { status: 307, headers: { Location: "/c?x=1" } });
    }
    if (req.path === "/c?x=1") return new Response("here");
    return new Response("no", { status: 404 });
  });
  const session = createAcsSession({ url: `${stub.url}a` });
  try {
    const res = await session.post(INFORM);
    assert.equal(res.body, "here");
    assert.equal(res.url, `${stub.url}c?x=1`);
    assert.equal(session.url, `${stub.url}c?x=1`);
    await session.post(null);
  } finally {
    session.close();
    await stub.close();
  }
  assert.deepEqual(stub.seen.map((r) => r.path), ["/a", "/b", "/c?x=1", "/c?x=1"]);
  assert.ok(stub.seen.slice(0, 3).every((r) => new TextDecoder().decode(r.body) === INFORM));
});

Deno.test("createAcsSession() stops after 5 redirects", async () => {
  const stub = startStub(() => new Response(null, { status: 301, headers: { Location: "/loop" } }));
  const session = createAcsSession({ url: stub.url });
  try {
    await rejectsWith(session.post(INFORM), "redirects", /more than 5 times/);
  } finally {
    session.close();
    await stub.close();
  }
  assert.equal(stub.seen.length, 6);
});

Deno.test("createAcsSession() gzips bodies and falls back for the session after 415", async () => {
  let acceptGzip = false;
  const bodies: string[] = [];
  const stub = startStub((req) => {
    const gz = req.headers.get("content-encoding") === "gzip";
    if (gz && !acceptGzip) return new Response(null, { status: 415 });
    bodies.push(new TextDecoder().decode(gz ? gunzipSync(req.body) : req.body));
    return new Response(new Uint8Array(gzipSync(new TextEncoder().encode("<ok/>"))), {
      headers: { "Content-Encoding": "gzip" },
    });
  });
  const refused = createAcsSession({ url: stub.url, compression: "GZIP" });
  try {
    assert.equal((await refused.post(INFORM)).body, "<ok/>");
    assert.equal((await refused.post("second")).body, "<ok/>");
    acceptGzip = true;
    const accepted = createAcsSession({ url: stub.url, compression: "GZIP" });
    try {
      await accepted.post("zipped");
    } finally {
      accepted.close();
    }
  } finally {
    refused.close();
    await stub.close();
  }
  assert.deepEqual(stub.seen.map((r) => r.headers.get("content-encoding")), [
    "gzip",
    null,
    null,
    "gzip",
  ]);
  assert.deepEqual(bodies, [INFORM, "second", "zipped"]);
  assert.equal(stub.seen[3].headers.get("accept-encoding"), "gzip");
});

Deno.test("createAcsSession() times out a request with timeoutMs", async () => {
  let release!: () => void;
  const hold = new Promise<void>((r) => (release = r));
  const stub = startStub(async () => {
    await hold;
    return new Response("late");
  });
  const session = createAcsSession({ url: stub.url, timeoutMs: 150 });
  try {
    await rejectsWith(session.post(INFORM), "timeout", /within 150 ms/);
  } finally {
    session.close();
    release();
    await stub.close();
  }
});

Deno.test("createAcsSession() refuses a response larger than maxBodyBytes", async () => {
  const stub = startStub(() => new Response("x".repeat(1000)));
  const session = createAcsSession({ url: stub.url, maxBodyBytes: 999 });
  const gz = startStub(() =>
    new Response(new Uint8Array(gzipSync(new Uint8Array(5000))), {
      headers: { "Content-Encoding": "gzip" },
    })
  );
  const zipped = createAcsSession({ url: gz.url, maxBodyBytes: 1000 });
  try {
    await rejectsWith(session.post(INFORM), "tooLarge", /exceeds "999" bytes/);
    await rejectsWith(zipped.post(INFORM), "tooLarge");
  } finally {
    session.close();
    zipped.close();
    await stub.close();
    await gz.close();
  }
});

Deno.test("createAcsSession() reports HTTP errors and refused connections by reason", async () => {
  const stub = startStub(() => new Response("boom", { status: 500 }));
  const session = createAcsSession({ url: stub.url });
  // Port 1 (tcpmux) has no listener; a freed ephemeral port could be taken by a test
  // running in parallel.
  const closedPort = 1;
  const refused = createAcsSession({ url: `http://user:secret@127.0.0.1:${closedPort}/` });
  try {
    const e = await rejectsWith(session.post(INFORM), "status", /^ACS answered HTTP 500$/);
    assert.equal((e as { status?: number }).status, 500);
    const c = await rejectsWith(
      refused.post(INFORM),
      "connect",
      /^Connection to "127.0.0.1:1" failed: /,
    );
    assert.ok(!c.message.includes("secret"));
    assert.equal(refused.url, `http://user:********@127.0.0.1:${closedPort}/`); // never the password
  } finally {
    session.close();
    refused.close();
    await stub.close();
  }
});

Deno.test("createAcsSession() rejects a non-HTTP URL and use after close", async () => {
  assert.throws(
    () => createAcsSession({ url: "ftp://acs/" }),
    new TypeError('Unsupported ACS URL scheme "ftp:"'),
  );
  const session = createAcsSession({ url: "http://127.0.0.1:9/" });
  session.close();
  await assert.rejects(session.post(null), new TypeError("ACS session is closed"));
});

/** A raw HTTP/1.1 server: answers each request with `reply` and then drops the connection. */
function startOneShotServer(reply: string): { url: string; ports: number[]; close(): void } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const ports: number[] = [];
  (async () => {
    for await (const conn of listener) {
      ports.push((conn.remoteAddr as Deno.NetAddr).port);
      let text = "";
      const buf = new Uint8Array(4096);
      while (true) {
        const n = await conn.read(buf);
        if (n === null) break;
        text += new TextDecoder().decode(buf.subarray(0, n));
        const end = text.indexOf("\r\n\r\n");
        const length = Number(/content-length: (\d+)/i.exec(text)?.[1] ?? 0);
        if (end >= 0 && text.length >= end + 4 + length) break;
      }
      await conn.write(new TextEncoder().encode(reply));
      conn.close(); // no Connection: close header: the client believes it is kept alive
    }
  })().catch(() => {});
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}/`,
    ports,
    close: () => listener.close(),
  };
}

Deno.test("createAcsSession() reconnects once when the ACS dropped the idle connection", async () => {
  const server = startOneShotServer(
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n<a>\r\n4;x=y\r\n</a>\r\n0\r\n\r\n",
  );
  const logs: string[] = [];
  const session = createAcsSession({ url: server.url, onLog: (l) => logs.push(l) });
  try {
    assert.equal((await session.post(INFORM)).body, "<a></a>");
    assert.equal((await session.post(null)).body, "<a></a>");
  } finally {
    session.close();
    server.close();
  }
  assert.equal(server.ports.length, 2);
  assert.ok(
    logs.includes("Kept-alive connection was closed by the ACS: reconnecting"),
    logs.join("\n"),
  );
});

/** A raw TCP server that reads one request and then runs `answer` on the connection. */
function startRawServer(answer: (conn: Deno.Conn) => Promise<void>) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  (async () => {
    for await (const conn of listener) {
      conns.push(conn);
      (async () => {
        const buf = new Uint8Array(65536);
        await conn.read(buf); // the request (small, one read on loopback)
        await answer(conn);
      })().catch(() => {});
    }
  })().catch(() => {});
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}/`,
    close() {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch { /* closed */ }
      }
    },
  };
}

Deno.test("createAcsSession() times out an ACS that never answers, or drips its body", async () => {
  const write = (conn: Deno.Conn, text: string) => conn.write(new TextEncoder().encode(text));
  const silent = startRawServer(() => new Promise(() => {}));
  const drip = startRawServer(async (conn) => {
    await write(conn, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
    for (let i = 0; i < 100; i++) {
      await new Promise((r) => setTimeout(r, 20));
      await write(conn, "x");
    }
  });
  const a = createAcsSession({ url: silent.url, timeoutMs: 200 });
  const b = createAcsSession({ url: drip.url, timeoutMs: 200 });
  try {
    await rejectsWith(a.post(INFORM), "timeout", /within 200 ms/);
    await rejectsWith(b.post(INFORM), "timeout", /within 200 ms/);
  } finally {
    a.close();
    b.close();
    silent.close();
    drip.close();
  }
});

Deno.test("createAcsSession() refuses malformed chunked bodies", async () => {
  const bodies = [
    "-4\r\nabcd\r\n0\r\n\r\n", // negative size
    "4x\r\nabcd\r\n0\r\n\r\n", // junk after the size
    "4\r\nabcdEF\r\n0\r\n\r\n", // chunk longer than announced
    "fffffffff\r\n", // absurd size
  ];
  for (const body of bodies) {
    const server = startRawServer(async (conn) => {
      await conn.write(
        new TextEncoder().encode(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${body}`),
      );
    });
    const session = createAcsSession({ url: server.url, timeoutMs: 2_000 });
    try {
      await rejectsWith(session.post(INFORM), "protocol", /Invalid chunk/);
    } finally {
      session.close();
      server.close();
    }
  }
});

Deno.test("createAcsSession() reads a body of many one-byte chunks", async () => {
  const n = 50_000;
  const server = startRawServer(async (conn) => {
    const text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
      "1\r\nx\r\n".repeat(n) + "0\r\nX-Trailer: 1\r\n\r\n";
    await conn.write(new TextEncoder().encode(text));
  });
  const session = createAcsSession({ url: server.url, timeoutMs: 10_000 });
  try {
    assert.equal((await session.post(INFORM)).body, "x".repeat(n));
  } finally {
    session.close();
    server.close();
  }
});
