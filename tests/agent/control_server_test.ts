// The control socket under hostile local clients (a temp dir; no agent).
import assert from "node:assert/strict";
import {
  type ControlRequest,
  sendControlRequest,
  startControlServer,
} from "../../src/agent/control_server.ts";

async function withServer(test: (path: string, seen: ControlRequest[]) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "cwmp-ctl-" });
  const path = `${dir}/control.sock`;
  const seen: ControlRequest[] = [];
  const server = startControlServer(path, (request) => {
    seen.push(request);
    if (request.op !== "get") return Promise.reject(new TypeError(`Unknown "${request.op}"`));
    return Promise.resolve({ lines: ['{"value":"1"}'], ok: true });
  });
  try {
    await test(path, seen);
  } finally {
    server.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** Writes `bytes` (ignoring a server that closes early) and reads until EOF or `ms`. */
async function raw(path: string, bytes: Uint8Array, ms = 8_000): Promise<string> {
  const conn = await Deno.connect({ transport: "unix", path });
  const timer = setTimeout(() => conn.close(), ms);
  try {
    const writing = (async () => {
      for (let sent = 0; sent < bytes.length;) sent += await conn.write(bytes.subarray(sent));
    })().catch(() => {});
    const chunks: Uint8Array[] = [];
    const buf = new Uint8Array(4096);
    for (;;) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      chunks.push(buf.slice(0, n));
    }
    await writing;
    return new TextDecoder().decode(await new Blob(chunks as BlobPart[]).arrayBuffer());
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed */ }
  }
}

const enc = new TextEncoder();

Deno.test("startControlServer() creates the socket with mode 0600", async () => {
  await withServer(async (path) => {
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
  });
});

Deno.test("startControlServer() answers invalid JSON, a wrong shape and an unknown op with an error", async () => {
  await withServer(async (path, seen) => {
    for (
      const line of [
        "{not json",
        "\x00\x01\xff",
        "[]",
        '{"op":"get"}',
        '{"op":1,"args":[]}',
        '{"op":"get","args":[1]}',
        '{"op":"reboot","args":[]}',
        "",
      ]
    ) {
      const out = (await raw(path, enc.encode(line + "\n"))).trim().split("\n");
      assert.equal(out.length, 2, line);
      assert.ok("error" in JSON.parse(out[0]), line);
      assert.deepEqual(JSON.parse(out[1]), { ok: false });
    }
    assert.deepEqual(seen.map((r) => r.op), ["reboot"]);
  });
});

Deno.test("startControlServer() refuses a request line over 64 KiB", async () => {
  await withServer(async (path, seen) => {
    const big = enc.encode(JSON.stringify({ op: "get", args: ["x".repeat(200_000)] }) + "\n");
    const out = (await raw(path, big)).trim().split("\n");
    assert.deepEqual(JSON.parse(out[0]), { error: "Control request too large" });
    assert.deepEqual(JSON.parse(out[1]), { ok: false });
    // No newline at all, 1 MiB of it.
    const endless = (await raw(path, new Uint8Array(1 << 20).fill(0x41))).trim().split("\n");
    assert.deepEqual(JSON.parse(endless[1]), { ok: false });
    assert.equal(seen.length, 0);
  });
});

Deno.test("startControlServer() serves others while a client stays silent, and drops it after 5 s", async () => {
  await withServer(async (path) => {
    const silent = await Deno.connect({ transport: "unix", path });
    try {
      const t0 = Date.now();
      const answer = await sendControlRequest(path, { op: "get", args: ["Device."] });
      assert.deepEqual(answer, { lines: ['{"value":"1"}'], ok: true });
      assert.ok(Date.now() - t0 < 1_000);
      const buf = new Uint8Array(256);
      const chunks: string[] = [];
      for (;;) {
        const n = await silent.read(buf).catch(() => null);
        if (n === null) break;
        chunks.push(new TextDecoder().decode(buf.subarray(0, n)));
      }
      const took = Date.now() - t0;
      assert.ok(took >= 4_500 && took < 8_000, `closed after ${took} ms`);
      assert.equal(chunks.join(""), ""); // closed without an answer
    } finally {
      silent.close();
    }
  });
});

Deno.test("startControlServer() drops a client that never reads a large reply after 10 s", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cwmp-ctl-" });
  const path = `${dir}/control.sock`;
  const big = Array.from(
    { length: 40_000 },
    (_, i) => `{"parameter":"P${i}","value":"${"x".repeat(90)}"}`,
  );
  const server = startControlServer(
    path,
    (request) =>
      Promise.resolve(request.op === "big" ? { lines: big, ok: true } : { lines: ["1"], ok: true }),
  );
  const stuck = await Deno.connect({ transport: "unix", path });
  try {
    const t0 = Date.now();
    await stuck.write(new TextEncoder().encode('{"op":"big","args":[]}\n'));
    // Others are served meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(await sendControlRequest(path, { op: "small", args: [] }), {
      lines: ["1"],
      ok: true,
    });
    // The stuck client reads only now: the server gave up on it, the reply is cut short.
    await new Promise((resolve) => setTimeout(resolve, 10_500));
    let received = 0;
    const buf = new Uint8Array(65536);
    for (;;) {
      const n = await stuck.read(buf).catch(() => null);
      if (n === null) break;
      received += n;
    }
    const full = big.join("\n").length;
    assert.ok(received < full, `received ${received} of ${full} bytes`);
    assert.ok(Date.now() - t0 < 15_000);
  } finally {
    stuck.close();
    server.close();
    await Deno.remove(dir, { recursive: true });
  }
});
