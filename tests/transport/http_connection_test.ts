import assert from "node:assert/strict";
import { openHttpConnection, TruncatedBodyError } from "../../src/transport/http_connection.ts";

/** A server on 127.0.0.1 that answers the first request on each connection with `reply`. */
function rawServer(reply: string): { url: URL; close(): Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) {
      conns.push(conn);
      await conn.read(new Uint8Array(4096));
      await conn.write(new TextEncoder().encode(reply));
      conn.close();
    }
  })().catch(() => {});
  return {
    url: new URL(`http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}/f`),
    async close() {
      listener.close();
      await accepting;
    },
  };
}

async function readAll(reply: string, bufferBytes: number): Promise<string> {
  const server = rawServer(reply);
  const conn = await openHttpConnection(server.url);
  try {
    await conn.writeHead("GET", "/f", [["Host", server.url.host]]);
    const head = await conn.readHead({ method: "GET" });
    const body = conn.body(head);
    const buf = new Uint8Array(bufferBytes);
    let text = "";
    for (let n; (n = await body.readInto(buf)) !== null;) {
      text += new TextDecoder().decode(buf.subarray(0, n));
    }
    assert.ok(body.done);
    return text;
  } finally {
    conn.close();
    await server.close();
  }
}

Deno.test("BodyReader streams a chunked body through a buffer smaller than its chunks", async () => {
  const reply = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
    "b;x=1\r\nhello world\r\n1\r\n!\r\n0\r\nTrailer: t\r\n\r\n";
  assert.equal(await readAll(reply, 3), "hello world!");
});

Deno.test("BodyReader stops at Content-Length and reads until close without one", async () => {
  assert.equal(
    await readAll("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello, extra", 2),
    "hello",
  );
  assert.equal(await readAll("HTTP/1.0 200 OK\r\n\r\nall of it", 4), "all of it");
});

Deno.test("BodyReader throws TruncatedBodyError with both counts when the body is cut", async () => {
  await assert.rejects(
    readAll("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhell", 16),
    (e: TruncatedBodyError) => {
      assert.ok(e instanceof TruncatedBodyError);
      assert.equal(e.message, "Connection closed after 4 of 10 bytes");
      assert.deepEqual([e.received, e.expected], [4, 10]);
      return true;
    },
  );
  await assert.rejects(
    readAll("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", 16),
    /^TruncatedBodyError: Connection closed in the middle of a chunked body after 3 bytes$/,
  );
});

Deno.test("HttpConnection.readHead() returns 100 Continue only when asked for interim responses", async () => {
  const reply = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n";
  for (const interim of [true, false]) {
    const server = rawServer(reply);
    const conn = await openHttpConnection(server.url);
    try {
      await conn.writeHead("PUT", "/f", [["Host", server.url.host], ["Content-Length", "0"]]);
      const first = await conn.readHead({ method: "PUT", interim });
      assert.equal(first.status, interim ? 100 : 201);
      if (interim) assert.equal((await conn.readHead({ method: "PUT" })).status, 201);
    } finally {
      conn.close();
      await server.close();
    }
  }
});
