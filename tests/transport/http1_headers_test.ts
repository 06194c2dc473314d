/**
 * The HTTP/1.1 client's response head: its own header fields (not the runtime's `Headers`),
 * read as `Headers` would give them, and a malformed field line refused as a framing error.
 */

import assert from "node:assert/strict";
import { readResponseHead, ResponseHeaders, SocketReader } from "../../src/transport/_http1.ts";
import type { ByteSocket } from "../../src/transport/_socket.ts";

/** A socket that yields `text` in pieces of `step` bytes, then the end of the stream. */
function socketOf(text: string, step = 7): ByteSocket {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  const take = (most: number) => {
    if (at >= bytes.length) return null;
    const piece = bytes.slice(at, at + Math.min(step, most));
    at += piece.length;
    return piece;
  };
  return {
    read: () => Promise.resolve(take(step)),
    readInto: (target) => {
      const piece = take(target.length);
      if (piece !== null) target.set(piece);
      return Promise.resolve(piece === null ? null : piece.length);
    },
    write: () => Promise.resolve(),
    close: () => {},
    localPort: 0,
  };
}

const head = (text: string) =>
  readResponseHead(new SocketReader(socketOf(text)), { method: "POST" });

Deno.test("readResponseHead() reads fields without case, joins repeats, keeps cookies apart", async () => {
  const h = await head(
    "HTTP/1.1 401 Unauthorized\r\n" +
      'WWW-Authenticate: Digest realm="a"\r\n' +
      'www-authenticate: Basic realm="a"\r\n' +
      "Set-Cookie: a=1\r\nSet-Cookie: b=2\r\n" +
      "Content-Length:  5 \r\nConnection: keep-alive\r\n\r\nhello",
  );
  assert.ok(h.headers instanceof ResponseHeaders);
  assert.equal(h.status, 401);
  assert.equal(h.headers.get("www-authenticate"), 'Digest realm="a", Basic realm="a"');
  assert.equal(h.headers.get("WWW-AUTHENTICATE"), h.headers.get("www-authenticate"));
  assert.equal(h.headers.get("content-length"), "5");
  assert.equal(h.headers.get("location"), null);
  assert.equal(h.headers.has("Connection"), true);
  assert.deepEqual(h.setCookies, ["a=1", "b=2"]);
  assert.deepEqual(h.framing, { kind: "length", length: 5 });
  assert.equal(h.keepAlive, true);
});

Deno.test("readResponseHead() refuses a field line with a bad name or a NUL as a SyntaxError", async () => {
  for (const line of ["Bad Name: x", "(x): y", "X-A: b\0c", "X-A: b\rc"]) {
    await assert.rejects(
      head(`HTTP/1.1 200 OK\r\n${line}\r\nContent-Length: 0\r\n\r\n`),
      (e: Error) => e instanceof SyntaxError && /Invalid header line/.test(e.message),
      JSON.stringify(line),
    );
  }
});
