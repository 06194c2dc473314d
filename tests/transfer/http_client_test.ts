import assert from "node:assert/strict";
import {
  type DownloadRequest,
  TransferError,
  type TransferLimits,
  type UploadRequest,
} from "../../src/transfer/client.ts";
import { createHttpTransferClient } from "../../src/transfer/http_client.ts";
import { digestResponse, parseWwwAuthenticate } from "../../src/transport/digest_auth.ts";
import {
  type FileServerRequest,
  type Handler,
  makeTestPki,
  randomBytes,
  type RawResponse,
  serveChunked,
  serveFile,
  serveUntilClose,
  sha256,
  startFileServer,
} from "./_http_file_server.ts";

const PASSWORD = "s3cret-Pa55word";
const LIMITS: TransferLimits = {
  connectTimeoutMs: 2000,
  stallTimeoutMs: 2000,
  totalTimeoutMs: 10_000,
  maxBytes: 64 * 1024 * 1024,
};

const client = createHttpTransferClient({ expectContinueMs: 300 });
const tmp = await Deno.makeTempDir({ prefix: "cwmp-http-transfer-" });
const pki = await makeTestPki();
globalThis.addEventListener("unload", () => {
  Deno.removeSync(tmp, { recursive: true });
  Deno.removeSync(pki.dir, { recursive: true });
});

let fileNo = 0;
function target(): string {
  return `${tmp}/download-${++fileNo}.part`;
}

interface Run {
  request: DownloadRequest;
  logs: string[];
  progress: number[];
}

function downloadRequest(url: string, extra: Partial<DownloadRequest> = {}): Run {
  const logs: string[] = [];
  const progress: number[] = [];
  const request: DownloadRequest = {
    url,
    username: "",
    password: "",
    fileSize: 0,
    path: target(),
    limits: LIMITS,
    onLog: (line) => logs.push(line),
    onProgress: (bytes) => progress.push(bytes),
    ...extra,
  };
  return { request, logs, progress };
}

/** Expects `promise` to fail with `code` and a FaultString matching `text`, free of the password. */
async function fails(
  promise: Promise<unknown>,
  code: number,
  text: RegExp | string,
  logs: string[] = [],
): Promise<TransferError> {
  let error: unknown;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof TransferError, `expected a TransferError, got ${error}`);
  const e = error as TransferError;
  if (typeof text === "string") assert.equal(e.message, text);
  else assert.match(e.message, text);
  assert.equal(e.faultCode, code, e.message);
  assert.ok(!e.message.includes(PASSWORD), e.message);
  for (const line of logs) assert.ok(!line.includes(PASSWORD), line);
  return e;
}

async function withServer<T>(
  handler: Handler,
  run: (origin: string, seen: FileServerRequest[], port: number) => Promise<T>,
  options: Parameters<typeof startFileServer>[1] = {},
): Promise<T> {
  const server = startFileServer(handler, options);
  try {
    return await run(server.origin, server.seen, server.port);
  } finally {
    await server.close();
  }
}

async function fileHash(path: string): Promise<string> {
  return sha256(await Deno.readFile(path));
}

const FILE = randomBytes(300_000);
const FILE_HASH = sha256(FILE);

Deno.test("download() writes a Content-Length body to the file byte for byte", async () => {
  await withServer((req, res) => serveFile(req, res, FILE), async (origin, seen) => {
    const run = downloadRequest(`${origin}/fw.bin`, { fileSize: FILE.length });
    const before = Date.now();
    const result = await client.download(run.request);
    assert.equal(result.bytes, FILE.length);
    assert.ok(result.startTime >= before && result.completeTime >= result.startTime);
    assert.equal(await fileHash(run.request.path), FILE_HASH);
    assert.equal(run.progress.at(-1), FILE.length);
    assert.equal(seen[0].method, "GET");
    assert.equal(seen[0].path, "/fw.bin");
    assert.equal(seen[0].headers.get("authorization"), null);
    assert.equal(seen[0].headers.get("range"), null);
  });
});

Deno.test("download() decodes a chunked body with chunk extensions and trailers", async () => {
  await withServer((_req, res) => serveChunked(res, FILE, 7777), async (origin) => {
    const run = downloadRequest(`${origin}/chunked`);
    assert.equal((await client.download(run.request)).bytes, FILE.length);
    assert.equal(await fileHash(run.request.path), FILE_HASH);
  });
});

Deno.test("download() reads a close-delimited body to the end", async () => {
  await withServer((_req, res) => serveUntilClose(res, FILE), async (origin) => {
    const run = downloadRequest(`${origin}/close`, { fileSize: FILE.length });
    assert.equal((await client.download(run.request)).bytes, FILE.length);
    assert.equal(await fileHash(run.request.path), FILE_HASH);
  });
});

Deno.test("download() fails with 9017 when the body is shorter than its Content-Length", async () => {
  await withServer(async (_req, res) => {
    await res.head(200, { "Content-Length": "2000" });
    await res.write(FILE.subarray(0, 1000));
    res.close();
  }, async (origin, _seen, port) => {
    const run = downloadRequest(`${origin}/short`);
    await fails(
      client.download(run.request),
      9017,
      `Connection to 127.0.0.1:${port} closed after 1000 of 2000 bytes`,
    );
  });
});

Deno.test("download() fails with 9017 when a chunked body is cut short", async () => {
  await withServer(async (_req, res) => {
    await res.head(200, { "Transfer-Encoding": "chunked" });
    await res.write("3e8\r\n");
    await res.write(FILE.subarray(0, 1000));
    await res.write("\r\n3e8\r\n");
    await res.write(FILE.subarray(0, 10));
    res.close();
  }, async (origin, _seen, port) => {
    const run = downloadRequest(`${origin}/cut`);
    await fails(
      client.download(run.request),
      9017,
      `Connection to 127.0.0.1:${port} closed after 1010 bytes (chunked body cut short)`,
    );
  });
});

Deno.test("download() stops reading at Content-Length when the server sends more", async () => {
  await withServer(async (_req, res) => {
    await res.head(200, { "Content-Length": "1000" });
    await res.write(FILE.subarray(0, 5000));
  }, async (origin) => {
    const run = downloadRequest(`${origin}/long`);
    assert.equal((await client.download(run.request)).bytes, 1000);
    assert.equal(await fileHash(run.request.path), sha256(FILE.subarray(0, 1000)));
  });
});

/** A body that never ends (close-delimited), 64 KiB at a time, until the client hangs up. */
async function endless(_req: FileServerRequest, res: RawResponse): Promise<void> {
  await res.head(200, {});
  const block = randomBytes(65536);
  try {
    for (;;) await res.write(block);
  } catch { /* the client hung up */ }
}

Deno.test("download() stops an endless body past a non-zero FileSize (9017)", async () => {
  await withServer(endless, async (origin) => {
    const run = downloadRequest(`${origin}/endless`, { fileSize: 100_000 });
    await fails(client.download(run.request), 9017, "FileSize 100000 announced, more received");
    assert.ok((await Deno.stat(run.request.path)).size <= 100_000);
  });
});

Deno.test("download() stops an endless body past limits.maxBytes (9017)", async () => {
  await withServer(endless, async (origin) => {
    const run = downloadRequest(`${origin}/endless`, {
      limits: { ...LIMITS, maxBytes: 1_000_000 },
    });
    await fails(
      client.download(run.request),
      9017,
      "More than the limit of 1000000 bytes received",
    );
  });
});

Deno.test("download() refuses a Content-Length above FileSize or maxBytes before reading", async () => {
  await withServer((req, res) => serveFile(req, res, FILE), async (origin, _seen, port) => {
    const small = downloadRequest(`${origin}/f`, { fileSize: 1000 });
    await fails(
      client.download(small.request),
      9017,
      `FileSize 1000 announced, 127.0.0.1:${port} sends 300000 bytes`,
    );
    const limited = downloadRequest(`${origin}/f`, { limits: { ...LIMITS, maxBytes: 1000 } });
    await fails(
      client.download(limited.request),
      9017,
      "File of 300000 bytes is larger than the limit of 1000 bytes",
    );
  });
});

Deno.test("download() reports fewer bytes than FileSize: 9018 for a complete body, 9017 for a close", async () => {
  await withServer(async (req, res) => {
    if (req.path === "/close") await serveUntilClose(res, FILE);
    else await serveFile(req, res, FILE);
  }, async (origin, _seen, port) => {
    const complete = downloadRequest(`${origin}/f`, { fileSize: 400_000 });
    await fails(
      client.download(complete.request),
      9018,
      "FileSize 400000 announced, 300000 received",
    );
    const closed = downloadRequest(`${origin}/close`, { fileSize: 400_000 });
    await fails(
      client.download(closed.request),
      9017,
      `FileSize 400000 announced, 127.0.0.1:${port} closed the connection after 300000 bytes`,
    );
  });
});

Deno.test("download() fails with 9017 when the server stalls (slow drip)", async () => {
  await withServer(async (_req, res) => {
    await res.head(200, { "Content-Length": "1000" });
    try {
      await res.write(FILE.subarray(0, 10));
      for (let i = 0; i < 20 && !res.closed; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        await res.write(FILE.subarray(0, 1));
      }
    } catch { /* the client hung up */ }
  }, async (origin, _seen, port) => {
    const run = downloadRequest(`${origin}/drip`, {
      limits: { ...LIMITS, stallTimeoutMs: 300 },
    });
    const started = performance.now();
    await fails(
      client.download(run.request),
      9017,
      `No data from 127.0.0.1:${port} for 300 ms (10 bytes received)`,
    );
    assert.ok(performance.now() - started < 900);
  });
});

Deno.test("download() fails with 9017 at the total time limit and calls onProgress at most 4 times a second", async () => {
  await withServer(async (_req, res) => {
    await res.head(200, { "Content-Length": String(FILE.length) });
    try {
      for (let off = 0; off < FILE.length; off += 100) {
        await res.write(FILE.subarray(off, off + 100));
        await new Promise((r) => setTimeout(r, 5));
      }
    } catch { /* the client hung up */ }
  }, async (origin) => {
    const run = downloadRequest(`${origin}/slow`, {
      limits: { ...LIMITS, totalTimeoutMs: 1200 },
    });
    await fails(
      client.download(run.request),
      9017,
      /^Download not finished within 1200 ms \(\d+ bytes received\)$/,
    );
    assert.ok(run.progress.length >= 2 && run.progress.length <= 6, String(run.progress.length));
  });
});

Deno.test("download() stops when its signal aborts (9010)", async () => {
  await withServer(endless, async (origin) => {
    const controller = new AbortController();
    const run = downloadRequest(`${origin}/endless`, {
      signal: controller.signal,
      limits: { ...LIMITS, maxBytes: Number.MAX_SAFE_INTEGER },
    });
    setTimeout(() => controller.abort(), 200);
    await fails(client.download(run.request), 9010, "Download cancelled");
  });
});

Deno.test("download() fails with 9015 when nothing listens or the TLS handshake never comes", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const silent: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const c of listener) silent.push(c);
  })().catch(() => {});
  try {
    const run = downloadRequest(`https://localhost:${port}/fw.bin`, {
      limits: { ...LIMITS, connectTimeoutMs: 300 },
    });
    await fails(
      client.download(run.request),
      9015,
      `Cannot connect to localhost:${port}: no answer within 300 ms`,
    );
  } finally {
    listener.close();
    silent.forEach((c) => c.close());
    await accepting;
  }
  const refused = downloadRequest(`http://127.0.0.1:${port}/fw.bin`);
  await fails(
    client.download(refused.request),
    9015,
    new RegExp(`^Cannot connect to 127\\.0\\.0\\.1:${port}: `),
  );
});

Deno.test("download() follows redirects and fails with 9016 on a loop or more than 5", async () => {
  await withServer(async (req, res) => {
    const hop = /^\/hop(\d+)$/.exec(req.path);
    if (req.path === "/moved") {
      await res.head(302, { Location: "/fw.bin", "Content-Length": "0" });
    } else if (req.path === "/a" || req.path === "/b") {
      await res.head(307, { Location: req.path === "/a" ? "/b" : "/a", "Content-Length": "0" });
    } else if (hop) {
      await res.head(301, { Location: `/hop${Number(hop[1]) + 1}`, "Content-Length": "0" });
    } else {
      await serveFile(req, res, FILE);
    }
  }, async (origin, seen) => {
    const moved = downloadRequest(`${origin}/moved`);
    assert.equal((await client.download(moved.request)).bytes, FILE.length);
    assert.equal(await fileHash(moved.request.path), FILE_HASH);
    assert.equal(seen[0].remotePort, seen[1].remotePort); // same origin: same connection
    await fails(
      client.download(downloadRequest(`${origin}/a`).request),
      9016,
      `Redirect loop: ${origin}/a was already visited`,
    );
    await fails(
      client.download(downloadRequest(`${origin}/hop0`).request),
      9016,
      `More than 5 redirects (the next to ${origin}/hop6)`,
    );
  });
});

/** Protected by Basic only: 200 for the right credentials, else a Basic challenge. */
function basicOnly(req: FileServerRequest, res: RawResponse): Promise<void> {
  const expected = `Basic ${btoa(`cpe:${PASSWORD}`)}`;
  if (req.headers.get("authorization") === expected) return serveFile(req, res, FILE);
  return res.head(401, { "WWW-Authenticate": 'Basic realm="files"', "Content-Length": "0" });
}

Deno.test("download() does not send Basic over plain http unless allowBasicOverHttp", async () => {
  await withServer(basicOnly, async (origin, seen, port) => {
    const run = downloadRequest(`${origin}/fw.bin`, { username: "cpe", password: PASSWORD });
    await fails(
      client.download(run.request),
      9012,
      `HTTP 401 from 127.0.0.1:${port}: the server offers only Basic authentication over plain HTTP: not sending the password in clear`,
      run.logs,
    );
    assert.deepEqual(seen.map((r) => r.headers.get("authorization")), [null]);
    const allowed = downloadRequest(`${origin}/fw.bin`, {
      username: "cpe",
      password: PASSWORD,
      allowBasicOverHttp: true,
    });
    assert.equal((await client.download(allowed.request)).bytes, FILE.length);
    assert.deepEqual(seen.slice(1).map((r) => r.headers.get("authorization")?.split(" ")[0]), [
      undefined,
      "Basic",
    ]);
  });
});

/** Digest gate (RFC 7616, qop=auth) with `algorithm`; counts the nc values it saw. */
function digestGate(algorithm: "MD5" | "SHA-256", password = PASSWORD): Handler {
  return async (req, res) => {
    const auth = req.headers.get("authorization");
    if (auth !== null) {
      const [c] = parseWwwAuthenticate(auth);
      const p = c.params;
      const expected = digestResponse({
        algorithm,
        username: "cpe",
        realm: "files",
        password,
        method: req.method,
        uri: p.uri,
        nonce: "n0nce",
        qop: "auth",
        nc: p.nc,
        cnonce: p.cnonce,
      });
      if (p.uri === req.path && p.response === expected && p.qop === "auth") {
        if (req.method === "PUT") return await res.head(201, { "Content-Length": "0" });
        return await serveFile(req, res, FILE);
      }
    }
    await res.head(401, {
      "WWW-Authenticate":
        `Basic realm="files", Digest realm="files", nonce="n0nce", qop="auth", algorithm=${algorithm}`,
      "Content-Length": "0",
    });
  };
}

for (const algorithm of ["MD5", "SHA-256"] as const) {
  Deno.test(`download() answers a ${algorithm} Digest challenge in preference to Basic`, async () => {
    await withServer(digestGate(algorithm), async (origin, seen) => {
      const run = downloadRequest(`${origin}/fw.bin?v=2`, { username: "cpe", password: PASSWORD });
      assert.equal((await client.download(run.request)).bytes, FILE.length);
      assert.equal(await fileHash(run.request.path), FILE_HASH);
      const sent = seen.map((r) => r.headers.get("authorization"));
      assert.equal(sent[0], null);
      assert.match(
        sent[1]!,
        new RegExp(
          `^Digest username="cpe", realm="files", .*algorithm=${algorithm}, qop=auth, nc=00000001`,
        ),
      );
      assert.equal(seen[0].remotePort, seen[1].remotePort);
      for (const line of run.logs) assert.ok(!line.includes(PASSWORD), line);
    });
  });
}

Deno.test("download() fails with 9012 for wrong credentials, with no credentials, and 403", async () => {
  await withServer(async (req, res) => {
    if (req.path === "/forbidden") return await res.head(403, { "Content-Length": "0" });
    await digestGate("MD5", "the-right-one")(req, res);
  }, async (origin, seen, port) => {
    const wrong = downloadRequest(`${origin}/fw.bin`, { username: "cpe", password: PASSWORD });
    await fails(
      client.download(wrong.request),
      9012,
      `HTTP 401 from 127.0.0.1:${port}: the credentials were rejected`,
      wrong.logs,
    );
    assert.equal(seen.length, 2); // one challenge, one answer: no loop
    const none = downloadRequest(`${origin}/fw.bin`);
    await fails(
      client.download(none.request),
      9012,
      `HTTP 401 from 127.0.0.1:${port}: authentication required and no credentials were given`,
    );
    const forbidden = downloadRequest(`${origin}/forbidden`);
    await fails(client.download(forbidden.request), 9016, `HTTP 403 from 127.0.0.1:${port}`);
  });
});

Deno.test("download() takes the credentials from the URL's userinfo and never prints them", async () => {
  await withServer(digestGate("MD5"), async (origin) => {
    const url = origin.replace("//", `//cpe:${encodeURIComponent(PASSWORD)}@`);
    const run = downloadRequest(`${url}/fw.bin`);
    assert.equal((await client.download(run.request)).bytes, FILE.length);
    assert.ok(run.logs.length > 0);
    for (const line of run.logs) {
      assert.ok(!line.includes(PASSWORD) && !line.includes("cpe:"), line);
    }
  });
});

Deno.test("download() maps 404 and 410 to 9016, 500 to 9010", async () => {
  await withServer(async (req, res) => {
    const status = Number(req.path.slice(1));
    await res.head(status, { "Content-Length": "5" });
    await res.write("oops!");
  }, async (origin, _seen, port) => {
    for (const [status, code] of [[404, 9016], [410, 9016], [500, 9010], [503, 9010]]) {
      const run = downloadRequest(`${origin}/${status}`);
      await fails(client.download(run.request), code, `HTTP ${status} from 127.0.0.1:${port}`);
    }
  });
});

Deno.test("download() never carries credentials to another origin after a redirect", async () => {
  // One server, two origins: http://127.0.0.1:port and http://localhost:port.
  let port = 0;
  await withServer(async (req, res) => {
    if (req.headers.get("host")?.startsWith("127.0.0.1")) {
      return await res.head(302, {
        Location: `http://localhost:${port}/fw.bin`,
        "Content-Length": "0",
      });
    }
    await digestGate("MD5")(req, res);
  }, async (origin, seen, p) => {
    port = p;
    const run = downloadRequest(`${origin}/fw.bin`, { username: "cpe", password: PASSWORD });
    await fails(
      client.download(run.request),
      9012,
      `HTTP 401 from localhost:${port}: the credentials are only sent to 127.0.0.1:${port}, not after a redirect to another server`,
    );
    assert.deepEqual(seen.map((r) => r.headers.get("authorization")), [null, null]);
  });
});

Deno.test("download() over https checks the certificate with tls.caFile and sends Basic pre-emptively", async () => {
  await withServer(basicOnly, async (origin, seen) => {
    const run = downloadRequest(`${origin}/fw.bin`, {
      username: "cpe",
      password: PASSWORD,
      tls: { caFile: pki.caFile },
    });
    assert.equal((await client.download(run.request)).bytes, FILE.length);
    assert.equal(await fileHash(run.request.path), FILE_HASH);
    assert.equal(seen.length, 1);
    assert.equal(seen[0].headers.get("authorization"), `Basic ${btoa(`cpe:${PASSWORD}`)}`);
  }, { cert: pki.goodCert, key: pki.key });
});

Deno.test("download() over https never sends Basic to an unverified server (insecure)", async () => {
  await withServer(basicOnly, async (origin, seen, port) => {
    const run = downloadRequest(`${origin}/fw.bin`, {
      username: "cpe",
      password: PASSWORD,
      tls: { insecure: true },
    });
    await fails(
      client.download(run.request),
      9012,
      `HTTP 401 from localhost:${port}: the server offers only Basic authentication over unverified TLS (insecure): not sending the password`,
    );
    assert.deepEqual(seen.map((r) => r.headers.get("authorization")), [null]);
    const open = downloadRequest(`${origin}/fw.bin`, { tls: { insecure: true } });
    await fails(client.download(open.request), 9012, /authentication required/);
  }, { cert: pki.goodCert, key: pki.key });
});

Deno.test("download() over insecure TLS streams a file through node:tls", async () => {
  await withServer((req, res) => serveFile(req, res, FILE), async (origin) => {
    const run = downloadRequest(`${origin}/fw.bin`, { tls: { insecure: true } });
    assert.equal((await client.download(run.request)).bytes, FILE.length);
    assert.equal(await fileHash(run.request.path), FILE_HASH);
  }, { cert: pki.expiredCert, key: pki.key });
});

for (
  const [name, cert, caFile, reason] of [
    ["an expired certificate", pki.expiredCert, pki.caFile, "certificate has expired"],
    [
      "a certificate for another name",
      pki.otherNameCert,
      pki.caFile,
      'certificate is not valid for "localhost"',
    ],
    ["an unknown CA", pki.goodCert, undefined, "certificate signed by an unknown CA"],
  ] as const
) {
  Deno.test(`download() fails with 9015 for ${name}`, async () => {
    await withServer((req, res) => serveFile(req, res, FILE), async (origin, seen, port) => {
      const run = downloadRequest(`${origin}/fw.bin`, {
        username: "cpe",
        password: PASSWORD,
        tls: caFile === undefined ? {} : { caFile },
      });
      await fails(client.download(run.request), 9015, `TLS: ${reason} (localhost:${port})`);
      assert.equal(seen.length, 0);
    }, { cert, key: pki.key });
  });
}

Deno.test("download() refuses a redirect from https to http when it has credentials", async () => {
  await withServer((req, res) => serveFile(req, res, FILE), async (plain, plainSeen) => {
    await withServer(async (_req, res) => {
      await res.head(302, { Location: `${plain}/fw.bin`, "Content-Length": "0" });
    }, async (origin) => {
      const run = downloadRequest(`${origin}/fw.bin`, {
        username: "cpe",
        password: PASSWORD,
        tls: { caFile: pki.caFile },
      });
      await fails(
        client.download(run.request),
        9016,
        `Redirected from https to plain http (${plain}/fw.bin): not downgrading a transfer with credentials`,
      );
      assert.equal(plainSeen.length, 0);
    }, { cert: pki.goodCert, key: pki.key });
  });
});

Deno.test("download() with resume continues a file cut midway with a Range request", async () => {
  let cut = true;
  await withServer(async (req, res) => {
    if (cut) {
      // The server dies midway: headers, 120,000 of 300,000 bytes, gone.
      cut = false;
      await res.head(200, { "Content-Length": String(FILE.length), ETag: '"v1"' });
      await res.write(FILE.subarray(0, 120_000));
      res.close();
      return;
    }
    await serveFile(req, res, FILE, { etag: '"v1"' });
  }, async (origin, seen, port) => {
    const first = downloadRequest(`${origin}/fw.bin`, { fileSize: FILE.length });
    await fails(
      client.download(first.request),
      9017,
      `Connection to 127.0.0.1:${port} closed after 120000 of 300000 bytes`,
    );
    assert.equal((await Deno.stat(first.request.path)).size, 120_000);
    const again = downloadRequest(`${origin}/fw.bin`, {
      fileSize: FILE.length,
      path: first.request.path,
      resume: true,
    });
    const result = await client.download(again.request);
    assert.equal(result.bytes, FILE.length);
    assert.equal(await fileHash(first.request.path), FILE_HASH);
    assert.equal(seen[1].headers.get("range"), "bytes=120000-");
    assert.equal(seen[1].headers.get("if-range"), '"v1"');
  });
});

Deno.test("download() with resume starts over on a 200 or a Content-Range that is not the rest", async () => {
  await withServer(async (req, res) => {
    if (req.path === "/norange") return await serveFile(req, res, FILE, { ranges: false });
    if (req.headers.get("range") !== null) {
      await res.head(206, { "Content-Range": "bytes 0-9/300000", "Content-Length": "10" });
      return await res.write(FILE.subarray(0, 10));
    }
    await serveFile(req, res, FILE);
  }, async (origin, seen) => {
    for (const path of ["/norange", "/badrange"]) {
      const run = downloadRequest(`${origin}${path}`, { resume: true, fileSize: FILE.length });
      await Deno.writeFile(run.request.path, randomBytes(5000)); // not even the right bytes
      assert.equal((await client.download(run.request)).bytes, FILE.length);
      assert.equal(await fileHash(run.request.path), FILE_HASH);
    }
    assert.deepEqual(seen.map((r) => r.headers.get("range")), [
      "bytes=5000-",
      "bytes=5000-",
      null,
    ]);
  });
});

Deno.test("download() with resume sends If-Range and takes the whole file when it changed", async () => {
  const changed = randomBytes(200_000);
  let version = 1;
  await withServer(async (req, res) => {
    if (version === 1) {
      await res.head(200, { "Content-Length": String(FILE.length), ETag: '"v1"' });
      await res.write(FILE.subarray(0, 100_000));
      return res.close();
    }
    await serveFile(req, res, changed, { etag: '"v2"' });
  }, async (origin, seen) => {
    const first = downloadRequest(`${origin}/fw.bin`);
    await fails(client.download(first.request), 9017, /closed after 100000 of 300000 bytes$/);
    version = 2;
    const again = downloadRequest(`${origin}/fw.bin`, { path: first.request.path, resume: true });
    assert.equal((await client.download(again.request)).bytes, changed.length);
    assert.equal(await fileHash(first.request.path), sha256(changed));
    assert.equal(seen[1].headers.get("if-range"), '"v1"');
    assert.ok(again.logs.includes("Server sent the whole file (HTTP 200): starting over"));
  });
});

Deno.test("download() with resume of a file already complete ends at the 416", async () => {
  await withServer((req, res) => serveFile(req, res, FILE), async (origin) => {
    const run = downloadRequest(`${origin}/fw.bin`, { resume: true, fileSize: FILE.length });
    await Deno.writeFile(run.request.path, FILE);
    assert.equal((await client.download(run.request)).bytes, FILE.length);
    assert.equal(await fileHash(run.request.path), FILE_HASH);
  });
});

function uploadRequest(url: string, path: string, extra: Partial<UploadRequest> = {}) {
  const logs: string[] = [];
  const request: UploadRequest = {
    url,
    username: "",
    password: "",
    path,
    limits: LIMITS,
    onLog: (line) => logs.push(line),
    ...extra,
  };
  return { request, logs };
}

Deno.test("upload() PUTs the file with Content-Length and succeeds on 200, 201 and 204", async () => {
  const path = target();
  await Deno.writeFile(path, FILE);
  for (const status of [200, 201, 204]) {
    await withServer(async (_req, res) => {
      await res.head(status, { "Content-Length": "0" });
    }, async (origin, seen) => {
      const run = uploadRequest(`${origin}/logs/cpe.log`, path);
      const result = await client.upload(run.request);
      assert.equal(result.bytes, FILE.length);
      assert.equal(seen[0].method, "PUT");
      assert.equal(seen[0].path, "/logs/cpe.log");
      assert.equal(seen[0].headers.get("content-length"), String(FILE.length));
      assert.equal(sha256(seen[0].body), FILE_HASH);
    });
  }
});

Deno.test("upload() answers a Digest challenge before sending the file, and follows a 307", async () => {
  const path = target();
  await Deno.writeFile(path, FILE);
  const gate = digestGate("SHA-256");
  await withServer(async (req, res) => {
    if (req.path === "/old") {
      return await res.head(307, { Location: "/new", "Content-Length": "0" });
    }
    await gate(req, res);
  }, async (origin, seen) => {
    const run = uploadRequest(`${origin}/old`, path, { username: "cpe", password: PASSWORD });
    assert.equal((await client.upload(run.request)).bytes, FILE.length);
    // The redirect and the challenge came before any body was sent.
    assert.deepEqual(seen.map((r) => [r.path, r.body.length]), [
      ["/old", 0],
      ["/new", 0],
      ["/new", FILE.length],
    ]);
    assert.equal(sha256(seen[2].body), FILE_HASH);
  }, { sendContinue: (req) => req.path === "/new" && req.headers.has("authorization") });
});

Deno.test("upload() fails with 9011 when the server stops reading the body", async () => {
  const path = target();
  await Deno.writeFile(path, FILE);
  await withServer(async () => {
    await new Promise((r) => setTimeout(r, 1200)); // reads nothing, answers nothing
  }, async (origin, _seen, port) => {
    const run = uploadRequest(`${origin}/up`, path, {
      limits: { ...LIMITS, stallTimeoutMs: 300 },
    });
    const started = performance.now();
    await fails(
      client.upload(run.request),
      9011,
      new RegExp(
        `^No progress with 127\\.0\\.0\\.1:${port} for 300 ms \\(\\d+ of 300000 bytes sent\\)$`,
      ),
    );
    assert.ok(performance.now() - started < 1500);
  }, { sendContinue: false });
});

Deno.test("upload() faults: 404 → 9016, 500 → 9011, 302 → 9011, 401 → 9012, too large → 9011", async () => {
  const path = target();
  await Deno.writeFile(path, FILE);
  await withServer(async (req, res) => {
    const status = Number(req.path.slice(1));
    const headers: Record<string, string> = { "Content-Length": "0" };
    if (status === 302) headers.Location = "/elsewhere";
    if (status === 401) headers["WWW-Authenticate"] = 'Digest realm="x", nonce="y", qop="auth"';
    await res.head(status, headers);
  }, async (origin, _seen, port) => {
    const host = `127.0.0.1:${port}`;
    const cases: [string, number, string][] = [
      ["/404", 9016, `HTTP 404 from ${host}`],
      ["/500", 9011, `HTTP 500 from ${host}`],
      ["/302", 9011, `HTTP 302 from ${host}: an upload follows only 307 and 308 redirects`],
      ["/401", 9012, `HTTP 401 from ${host}: the credentials were rejected`],
    ];
    for (const [p, code, text] of cases) {
      const run = uploadRequest(`${origin}${p}`, path, { username: "cpe", password: PASSWORD });
      await fails(client.upload(run.request), code, text, run.logs);
    }
    const big = uploadRequest(`${origin}/201`, path, { limits: { ...LIMITS, maxBytes: 1000 } });
    await fails(
      client.upload(big.request),
      9011,
      "File of 300000 bytes is larger than the limit of 1000 bytes",
    );
    const missing = uploadRequest(`${origin}/201`, `${tmp}/nope`);
    await fails(client.upload(missing.request), 9011, new RegExp(`^Cannot read "${tmp}/nope": `));
  });
});
