import assert from "node:assert/strict";
import { ResponseReader } from "../../../src/services/diagnostics/_http_probe.ts";
import { runDownload } from "../../../src/services/diagnostics/download.ts";
import { runUpload } from "../../../src/services/diagnostics/upload.ts";
import { context } from "./_helpers.ts";

const BODY = new Uint8Array(200_000).fill(7);

async function withServer(
  handler: (request: Request) => Response | Promise<Response>,
  test: (base: string, seen: Request[]) => Promise<void>,
): Promise<void> {
  const seen: Request[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    seen.push(request);
    return handler(request);
  });
  try {
    await test(`http://127.0.0.1:${server.addr.port}`, seen);
  } finally {
    await server.shutdown();
  }
}

const fileServer = (request: Request) =>
  new URL(request.url).pathname === "/file.bin"
    ? new Response(BODY, { headers: { "content-type": "application/octet-stream" } })
    : new Response("missing", { status: 404 });

Deno.test("ResponseReader reads a chunked body split anywhere", () => {
  const text =
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=1\r\n world\r\n0\r\n\r\n";
  const bytes = new TextEncoder().encode(text);
  for (let cut = 1; cut < bytes.length; cut += 7) {
    const reader = new ResponseReader();
    reader.push(bytes.subarray(0, cut));
    reader.push(bytes.subarray(cut));
    assert.equal(reader.done, true);
    assert.equal(reader.status, 200);
    assert.equal(reader.bodyBytes, 11);
  }
});

Deno.test("runDownload() times one HTTP GET and counts the response bytes", async () => {
  await withServer(fileServer, async (base, seen) => {
    const outcome = await runDownload(
      { DownloadURL: `${base}/file.bin`, NumberOfConnections: "1", Interface: "" },
      context(),
    );
    assert.equal(outcome.state, "Complete");
    const r = outcome.results;
    assert.equal(seen.length, 1);
    assert.equal(seen[0].method, "GET");
    assert.ok(Number(r.TestBytesReceived) > BODY.length, "head + body");
    assert.ok(Number(r.TotalBytesReceived) > Number(r.TestBytesReceived), "IP-layer estimate");
    assert.ok(Number(r.TotalBytesSent) > 0);
    assert.equal(r.IPAddressUsed, "127.0.0.1");
    for (
      const name of ["TCPOpenRequestTime", "TCPOpenResponseTime", "ROMTime", "BOMTime", "EOMTime"]
    ) {
      assert.match(r[name], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, name);
    }
    // Order of the events (string order = time order for one format).
    assert.ok(r.TCPOpenRequestTime <= r.TCPOpenResponseTime);
    assert.ok(r.TCPOpenResponseTime <= r.ROMTime);
    assert.ok(r.ROMTime <= r.BOMTime && r.BOMTime <= r.EOMTime);
    assert.deepEqual(outcome.tables?.PerConnectionResult, []);
  });
});

Deno.test("runDownload() aggregates several connections: ROM/BOM earliest, EOM latest", async () => {
  await withServer(fileServer, async (base, seen) => {
    const outcome = await runDownload({
      DownloadURL: `${base}/file.bin`,
      NumberOfConnections: "3",
      EnablePerConnectionResults: "true",
    }, context());
    assert.equal(outcome.state, "Complete");
    assert.equal(seen.length, 3);
    const rows = outcome.tables?.PerConnectionResult ?? [];
    assert.equal(rows.length, 3);
    const r = outcome.results;
    const col = (name: string) => rows.map((row) => row[name]).sort();
    assert.equal(r.ROMTime, col("ROMTime")[0]);
    assert.equal(r.BOMTime, col("BOMTime")[0]);
    assert.equal(r.EOMTime, col("EOMTime")[2]);
    assert.equal(r.TCPOpenRequestTime, col("TCPOpenRequestTime")[2]);
    assert.equal(r.TCPOpenResponseTime, col("TCPOpenResponseTime")[2]);
    const sum = rows.reduce((a, row) => a + Number(row.TestBytesReceived), 0);
    assert.equal(r.TestBytesReceived, String(sum));
  });
});

Deno.test("runDownload() maps bad inputs and failures to Error_* values", async () => {
  await withServer(fileServer, async (base) => {
    const run = (params: Record<string, string>) => runDownload(params, context());
    assert.equal((await run({ DownloadURL: `${base}/nothing` })).state, "Error_TransferFailed");
    assert.equal((await run({ DownloadURL: "ftp://127.0.0.1/x" })).state, "Error_Other");
    assert.equal((await run({ DownloadURL: "not a url" })).state, "Error_Other");
    assert.equal(
      (await run({ DownloadURL: `${base}/file.bin`, NumberOfConnections: "99" })).state,
      "Error_Other",
    );
    assert.equal(
      (await run({ DownloadURL: `${base}/file.bin`, Interface: "Device.IP.Interface.7" })).state,
      "Error_Other",
    );
  });
  const noResolve = await runDownload(
    { DownloadURL: "http://nosuch.invalid/x" },
    context(undefined, { resolve: () => Promise.resolve([]) }),
  );
  assert.equal(noResolve.state, "Error_CannotResolveHostName");
  // Port 1 (tcpmux) has no listener: a closed ephemeral port could be reused by a test
  // running in parallel before we connect.
  const refused = await runDownload({ DownloadURL: "http://127.0.0.1:1/" }, context());
  assert.equal(refused.state, "Error_InitConnectionFailed");
});

Deno.test("runDownload() reports Error_NoResponse when the server stays silent", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) accepted.push(conn);
  })();
  try {
    const outcome = await runDownload(
      { DownloadURL: `http://127.0.0.1:${listener.addr.port}/` },
      context(),
      { idleTimeoutMs: 200 },
    );
    assert.equal(outcome.state, "Error_NoResponse");
  } finally {
    listener.close();
    for (const conn of accepted) conn.close();
    await accepting.catch(() => {});
  }
});

Deno.test("runUpload() PUTs TestFileLength bytes and times the transfer", async () => {
  let received = 0;
  await withServer(async (request) => {
    const length = (await request.arrayBuffer()).byteLength;
    received += length;
    return new Response(null, { status: 201 });
  }, async (base, seen) => {
    const outcome = await runUpload({
      UploadURL: `${base}/up`,
      TestFileLength: "150000",
      NumberOfConnections: "2",
      EnablePerConnectionResults: "true",
    }, context());
    assert.equal(outcome.state, "Complete");
    assert.deepEqual(seen.map((r) => r.method), ["PUT", "PUT"]);
    assert.equal(received, 300_000);
    const r = outcome.results;
    assert.ok(Number(r.TestBytesSent) > 300_000, "heads + bodies");
    assert.ok(r.ROMTime <= r.BOMTime && r.BOMTime <= r.EOMTime);
    assert.equal(outcome.tables?.PerConnectionResult.length, 2);
  });
});

Deno.test("runUpload() reports Error_NoTransferComplete on an error status", async () => {
  await withServer(async (request) => {
    await request.arrayBuffer();
    return new Response("no", { status: 403 });
  }, async (base) => {
    const outcome = await runUpload({ UploadURL: `${base}/up`, TestFileLength: "10" }, context());
    assert.equal(outcome.state, "Error_NoTransferComplete");
  });
});

Deno.test("runDownload() stops when the signal aborts", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) accepted.push(conn);
  })();
  const controller = new AbortController();
  try {
    const running = runDownload(
      { DownloadURL: `http://127.0.0.1:${listener.addr.port}/` },
      context(undefined, { signal: controller.signal }),
    );
    setTimeout(() => controller.abort(), 50);
    assert.equal((await running).state, "Error_Other");
  } finally {
    listener.close();
    for (const conn of accepted) conn.close();
    await accepting.catch(() => {});
  }
});
