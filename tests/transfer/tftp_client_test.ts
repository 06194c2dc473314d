// The TFTP client against tftpd-hpa (Debian `tftpd-hpa`, started per test on 127.0.0.1
// from a temp dir; the tests skip with the reason when it cannot run) and against a
// scripted server that misbehaves on purpose (`_hostile_tftp.ts`).
import assert from "node:assert/strict";
import { createTftpClient, tftpTransferClient } from "../../src/transfer/tftp_client.ts";
import {
  type DownloadRequest,
  TransferError,
  type TransferLimits,
  type UploadRequest,
} from "../../src/transfer/client.ts";
import {
  type ScriptedTftp,
  serveFile,
  startScriptedTftp,
  takeFile,
  type TftpPeer,
} from "./_hostile_tftp.ts";
import {
  type FileServer,
  sha256File,
  startTftpd,
  tftpdMissing,
  writeRandomFile,
} from "./_servers.ts";

const LIMITS: TransferLimits = {
  connectTimeoutMs: 3000,
  stallTimeoutMs: 3000,
  totalTimeoutMs: 120_000,
  maxBytes: 1 << 30,
};

/** Quick retransmissions for the scripted server's tests. */
const fast = createTftpClient({ retransmitMs: 50, retries: 3 });

const missing = tftpdMissing();
if (missing !== undefined) console.warn(`tftp_client_test.ts: tftpd-hpa tests ignored: ${missing}`);

function download(url: string, path: string, extra: Partial<DownloadRequest> = {}, client = fast) {
  return client.download({
    url,
    username: "",
    password: "",
    fileSize: 0,
    path,
    limits: LIMITS,
    ...extra,
  });
}

function upload(url: string, path: string, extra: Partial<UploadRequest> = {}, client = fast) {
  return client.upload({ url, username: "", password: "", path, limits: LIMITS, ...extra });
}

async function rejectsWith(
  promise: Promise<unknown>,
  faultCode: number,
  message?: string | RegExp,
): Promise<TransferError> {
  const error = await promise.then(
    (result) => assert.fail(`expected fault ${faultCode}, got ${JSON.stringify(result)}`),
    (e) => e,
  );
  assert.ok(error instanceof TransferError, String(error));
  assert.equal(error.faultCode, faultCode, error.message);
  if (typeof message === "string") assert.equal(error.message, message);
  else if (message !== undefined) assert.match(error.message, message);
  return error;
}

async function withTftpd(test: (server: FileServer, dir: string) => Promise<void>) {
  const server = await startTftpd();
  const dir = await Deno.makeTempDir({ prefix: "cwmp-tftp-test-" });
  try {
    await test(server, dir);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

async function withScripted(
  script: (peer: TftpPeer) => Promise<void>,
  test: (base: string, dir: string, server: ScriptedTftp) => Promise<void>,
) {
  const server = startScriptedTftp(script);
  const dir = await Deno.makeTempDir({ prefix: "cwmp-tftp-test-" });
  try {
    await test(`tftp://127.0.0.1:${server.port}`, dir, server);
    await server.done();
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
}

function bytes(n: number, seed = 1): Uint8Array {
  return new Uint8Array(n).map((_, i) => (i * 31 + seed) & 0xff);
}

/** Sizes on and around both block sizes' boundaries. */
const SIZES = [0, 1, 511, 512, 513, 512 * 40, 1427, 1428, 1428 * 30, 1428 * 30 + 1, 3_000_001];

Deno.test({
  name:
    "tftpTransferClient.download() brings tftpd-hpa's files whole (sha256), 1428- and 512-byte blocks",
  ignore: missing !== undefined,
  async fn() {
    await withTftpd(async (server, dir) => {
      for (
        const [client, label] of [[tftpTransferClient, "1428"], [
          createTftpClient({ blockSize: 512 }),
          "512",
        ]] as const
      ) {
        for (const [i, size] of SIZES.entries()) {
          const hash = await writeRandomFile(`${server.root}/f${i}.bin`, size, i + 1);
          await Deno.chmod(`${server.root}/f${i}.bin`, 0o644);
          const result = await download(
            `tftp://127.0.0.1:${server.port}/f${i}.bin`,
            `${dir}/${i}`,
            {
              fileSize: i % 2 === 0 ? size : 0,
            },
            client,
          );
          assert.equal(result.bytes, size, `${label}: size ${size}`);
          assert.equal(await sha256File(`${dir}/${i}`), hash, `${label}: size ${size}`);
        }
      }
    });
  },
});

Deno.test({
  name:
    "tftpTransferClient.upload() stores whole files on tftpd-hpa (sha256), 1428- and 512-byte blocks",
  ignore: missing !== undefined,
  async fn() {
    await withTftpd(async (server, dir) => {
      for (
        const [client, label] of [[tftpTransferClient, "1428"], [
          createTftpClient({ blockSize: 512 }),
          "512",
        ]] as const
      ) {
        for (const [i, size] of SIZES.entries()) {
          const hash = await writeRandomFile(`${dir}/${i}`, size, i + 5);
          const result = await upload(
            `tftp://127.0.0.1:${server.port}/u${label}-${i}.bin`,
            `${dir}/${i}`,
            {},
            client,
          );
          assert.equal(result.bytes, size);
          assert.equal(
            await sha256File(`${server.root}/u${label}-${i}.bin`),
            hash,
            `${label}: size ${size}`,
          );
        }
      }
    });
  },
});

Deno.test({
  name:
    "tftpTransferClient crosses block number 65535 → 0 both ways with tftpd-hpa (33.6 MB at 512 bytes)",
  ignore: missing !== undefined,
  async fn() {
    await withTftpd(async (server, dir) => {
      const size = 512 * 65_536 + 1000; // blocks 1…65535, 0, 1, 2
      const hash = await writeRandomFile(`${server.root}/big.bin`, size, 3);
      await Deno.chmod(`${server.root}/big.bin`, 0o644);
      const client = createTftpClient({ blockSize: 512 });
      await download(
        `tftp://127.0.0.1:${server.port}/big.bin`,
        `${dir}/big`,
        { fileSize: size },
        client,
      );
      assert.equal(await sha256File(`${dir}/big`), hash);
      await upload(`tftp://127.0.0.1:${server.port}/big-up.bin`, `${dir}/big`, {}, client);
      assert.equal(await sha256File(`${server.root}/big-up.bin`), hash);
    });
  },
});

Deno.test({
  name:
    "tftpTransferClient with tftpd-hpa: missing file → 9016, tsize vs FileSize and maxBytes before any block",
  ignore: missing !== undefined,
  async fn() {
    await withTftpd(async (server, dir) => {
      const base = `tftp://127.0.0.1:${server.port}`;
      await rejectsWith(
        download(`${base}/missing.bin`, `${dir}/x`),
        9016,
        'TFTP server error 1: "File not found"',
      );
      await writeRandomFile(`${server.root}/f.bin`, 10_000);
      await Deno.chmod(`${server.root}/f.bin`, 0o644);
      await rejectsWith(
        download(`${base}/f.bin`, `${dir}/x`, { fileSize: 20_000 }),
        9018,
        "TFTP file has 10000 bytes, FileSize says 20000",
      );
      await rejectsWith(
        download(`${base}/f.bin`, `${dir}/x`, { fileSize: 5000 }),
        9017,
        "TFTP file of 10000 bytes exceeds FileSize 5000",
      );
      await rejectsWith(
        download(`${base}/f.bin`, `${dir}/x`, { limits: { ...LIMITS, maxBytes: 9999 } }),
        9017,
        "TFTP file of 10000 bytes exceeds the limit of 9999 bytes",
      );
      // Unreadable to the server's user (nobody).
      await Deno.chmod(`${server.root}/f.bin`, 0o600);
      // tftpd-hpa reports EACCES as ERROR 0 (not 2) with strerror's text: 9010.
      await rejectsWith(
        download(`${base}/f.bin`, `${dir}/x`),
        9010,
        'TFTP server error 0: "Permission denied"',
      );
    });
  },
});

Deno.test("tftpTransferClient.download() maps ERROR packets: 1, 2 → 9016; mid-transfer → 9017 with the message", async () => {
  for (const [code, message] of [[1, "File not found"], [2, "Access violation"]] as const) {
    await withScripted(async (peer) => {
      await peer.send({ kind: "ERROR", code, message });
    }, async (base, dir) => {
      await rejectsWith(
        download(`${base}/f`, `${dir}/f`),
        9016,
        `TFTP server error ${code}: "${message}"`,
      );
    });
  }
  await withScripted(async (peer) => {
    await serveFile(peer, bytes(5000), {
      before: async (n) => {
        if (n === 4) {
          await peer.send({ kind: "ERROR", code: 0, message: "disk on fire" });
          return "stop";
        }
      },
    });
  }, async (base, dir) => {
    await rejectsWith(
      download(`${base}/f`, `${dir}/f`),
      9017,
      'TFTP server error 0: "disk on fire"',
    );
  });
});

Deno.test("tftpTransferClient.download() falls back to 512-byte blocks when blksize is refused or ignored", async () => {
  const file = bytes(512 * 5 + 100);
  // ERROR 8 to the request with options; the second request carries none.
  await withScripted(async (peer) => {
    if (peer.index === 0) {
      await peer.send({ kind: "ERROR", code: 8, message: "Option negotiation failed" });
      return;
    }
    assert.deepEqual(peer.request.kind === "RRQ" && peer.request.options, {});
    await serveFile(peer, file);
  }, async (base, dir, server) => {
    const lines: string[] = [];
    const result = await download(`${base}/f`, `${dir}/f`, { onLog: (l) => lines.push(l) });
    assert.equal(result.bytes, file.length);
    assert.deepEqual(await Deno.readFile(`${dir}/f`), file);
    assert.equal(server.requests.length, 2);
    assert.deepEqual(server.requests[0].kind === "RRQ" && server.requests[0].options, {
      blksize: "1428",
      tsize: "0",
    });
    assert.ok(lines.some((l) => l.includes("asking again without options")));
  });
  // Options ignored: DATA 1 of 512 bytes at once.
  await withScripted(async (peer) => {
    await serveFile(peer, file);
  }, async (base, dir, server) => {
    await download(`${base}/f`, `${dir}/f`);
    assert.deepEqual(await Deno.readFile(`${dir}/f`), file);
    assert.equal(server.requests.length, 1);
  });
});

Deno.test("tftpTransferClient.download() writes duplicate DATA once and ACKs it again", async () => {
  const file = bytes(1428 * 6 + 7);
  let seen: number[] = [];
  await withScripted(async (peer) => {
    const result = await serveFile(peer, file, {
      oack: { blksize: "1428", tsize: String(file.length) },
      copies: 2,
    });
    seen = result.acks;
  }, async (base, dir) => {
    await download(`${base}/f`, `${dir}/f`, { fileSize: file.length });
    assert.deepEqual(await Deno.readFile(`${dir}/f`), file);
  });
  // ACK 0, then every block ACKed twice: once when written, once for its duplicate.
  assert.deepEqual(seen.slice(0, 5), [0, 1, 1, 2, 2]);
  assert.ok(seen.filter((b) => b === 7).length >= 1);
});

Deno.test("tftpTransferClient.download() answers a packet from a foreign port with ERROR 5 and carries on", async () => {
  const file = bytes(512 * 8 + 3);
  let strangerGot: unknown;
  await withScripted(async (peer) => {
    await serveFile(peer, file, {
      before: async (n) => {
        if (n !== 4) return;
        // A stranger sends the block the client expects next, with the wrong bytes.
        await peer.send(
          { kind: "DATA", block: 4, data: new Uint8Array(512).fill(0xee) },
          peer.foreign,
        );
        strangerGot = await peer.receive(1000, peer.foreign);
      },
    });
  }, async (base, dir) => {
    await download(`${base}/f`, `${dir}/f`);
    assert.deepEqual(await Deno.readFile(`${dir}/f`), file);
  });
  assert.deepEqual(strangerGot, { kind: "ERROR", code: 5, message: "Unknown transfer ID" });
});

Deno.test("tftpTransferClient.download() retries then fails 9017 within the limit when the server goes silent", async () => {
  let acks: number[] = [];
  await withScripted(async (peer) => {
    const result = await serveFile(peer, bytes(512 * 10), {
      before: (n) => n === 4 ? "stop" : undefined,
    });
    // Everything the client sends while it waits in vain.
    for (let packet; (packet = await peer.receive(400)) !== undefined;) {
      if (packet.kind === "ACK") result.acks.push(packet.block);
    }
    acks = result.acks;
  }, async (base, dir) => {
    const started = performance.now();
    await rejectsWith(
      download(`${base}/f`, `${dir}/f`),
      9017,
      "TFTP server stopped answering (3 retries)",
    );
    const took = performance.now() - started;
    assert.ok(took < 1000, `took ${took} ms`); // 4 waits of 50 ms
  });
  // ACK 3 once, then sent again 3 times; then ERROR 0 (not an ACK).
  assert.deepEqual(acks, [1, 2, 3, 3, 3, 3]);
});

Deno.test("tftpTransferClient: no TFTP server at all → 9015 after the retries", async () => {
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const port = (socket.addr as Deno.NetAddr).port;
  try {
    await rejectsWith(
      download(`tftp://127.0.0.1:${port}/f`, "/nonexistent/x"),
      9015,
      `No answer from TFTP server "127.0.0.1:${port}" (3 retries)`,
    );
    // The request went out 4 times.
    let requests = 0;
    while (true) {
      const got = await Promise.race([
        socket.receive(),
        new Promise<undefined>((r) => setTimeout(() => r(undefined), 50)),
      ]);
      if (got === undefined) break;
      requests++;
    }
    assert.equal(requests, 4);
  } finally {
    socket.close();
  }
  await rejectsWith(
    download("tftp://no-such-host.invalid/f", "/tmp/x"),
    9015,
    'Cannot resolve TFTP server "no-such-host.invalid"',
  );
});

Deno.test("tftpTransferClient.download() refuses bad OACKs and oversized DATA, telling the server", async () => {
  const cases: [Record<string, string>, number, string][] = [
    [{ blksize: "2000" }, 9010, 'TFTP blksize "2000" outside 8–1428'],
    [{ windowsize: "4" }, 9010, 'TFTP option "windowsize" not asked'],
    [{ tsize: "-1" }, 9010, 'TFTP tsize "-1"'],
  ];
  for (const [oack, code, message] of cases) {
    let error: unknown;
    await withScripted(async (peer) => {
      await peer.send({ kind: "OACK", options: oack });
      error = await peer.receive(1000);
    }, async (base, dir) => {
      await rejectsWith(download(`${base}/f`, `${dir}/f`), code, message);
    });
    assert.deepEqual(error, { kind: "ERROR", code: 8, message: message.slice(5) });
  }
  await withScripted(async (peer) => {
    await peer.send({ kind: "DATA", block: 1, data: new Uint8Array(600) });
    await peer.receive(1000);
  }, async (base, dir) => {
    await rejectsWith(
      download(`${base}/f`, `${dir}/f`),
      9017,
      "TFTP DATA block of 600 bytes, blksize is 512",
    );
  });
});

Deno.test("tftpTransferClient.download() checks FileSize and maxBytes while receiving when tsize is not told", async () => {
  const file = bytes(512 * 20);
  for (
    const [extra, message] of [
      [{ fileSize: 5000 }, "TFTP download exceeds FileSize 5000"],
      [{ limits: { ...LIMITS, maxBytes: 4000 } }, "TFTP download exceeds the limit of 4000 bytes"],
    ] as const
  ) {
    let error: { code: number; message: string } | undefined;
    await withScripted(async (peer) => {
      error = (await serveFile(peer, file)).error;
    }, async (base, dir) => {
      await rejectsWith(download(`${base}/f`, `${dir}/f`, extra), 9017, message);
    });
    assert.equal(error?.code, 3);
  }
  // Complete, but not the size FileSize announced.
  await withScripted(async (peer) => {
    await serveFile(peer, file);
  }, async (base, dir) => {
    await rejectsWith(
      download(`${base}/f`, `${dir}/f`, { fileSize: 20_000 }),
      9018,
      "File has 10240 bytes, FileSize says 20000",
    );
  });
  // A short final block before tsize was reached.
  await withScripted(async (peer) => {
    await serveFile(peer, bytes(3000), { oack: { tsize: "4000" } });
  }, async (base, dir) => {
    await rejectsWith(
      download(`${base}/f`, `${dir}/f`),
      9017,
      "TFTP download cut short: 3000 of 4000 bytes",
    );
  });
});

Deno.test("tftpTransferClient.download() follows block numbers past 65535, wrapping to 0 or to 1", async () => {
  const file = bytes(8 * 65_536 + 20); // blksize 8: 65,539 blocks
  for (
    const [label, number] of [["to 0", (n: number) => n & 0xffff], [
      "to 1",
      (n: number) => n <= 65535 ? n : ((n - 65536) % 65535) + 1,
    ]] as const
  ) {
    await withScripted(async (peer) => {
      await serveFile(peer, file, { oack: { blksize: "8" }, number });
    }, async (base, dir) => {
      const result = await download(`${base}/f`, `${dir}/f`);
      assert.equal(result.bytes, file.length, label);
      assert.deepEqual(await Deno.readFile(`${dir}/f`), file, label);
    });
  }
});

Deno.test("tftpTransferClient.upload() never sends DATA again for a duplicate ACK (Sorcerer's Apprentice)", async () => {
  const file = bytes(1428 * 10 + 5);
  let got: Awaited<ReturnType<typeof takeFile>> | undefined;
  await withScripted(async (peer) => {
    const tsize = peer.request.kind === "WRQ" ? peer.request.options.tsize : "";
    got = await takeFile(peer, { oack: { blksize: "1428", tsize }, ackCopies: 3 });
  }, async (base, dir) => {
    await Deno.writeFile(`${dir}/u`, file);
    await upload(`${base}/u`, `${dir}/u`);
  });
  assert.deepEqual(got?.file, file);
  assert.deepEqual(got?.dataPerBlock, new Array(11).fill(1));
});

Deno.test("tftpTransferClient.upload() sends tsize, falls back to 512 on ACK 0, maps ERRORs", async () => {
  const file = bytes(512 * 3);
  await withScripted(async (peer) => {
    assert.deepEqual(peer.request.kind === "WRQ" && peer.request.options, {
      blksize: "1428",
      tsize: "1536",
    });
    const got = await takeFile(peer); // ACK 0: options ignored
    assert.deepEqual(got.file, file);
    assert.deepEqual(got.dataPerBlock, [1, 1, 1, 1]); // and an empty 4th block
  }, async (base, dir) => {
    await Deno.writeFile(`${dir}/u`, file);
    assert.equal((await upload(`${base}/u`, `${dir}/u`)).bytes, file.length);
  });
  for (const [code, fault] of [[2, 9016], [3, 9011], [6, 9016]] as const) {
    await withScripted(async (peer) => {
      await peer.send({ kind: "ERROR", code, message: "no" });
    }, async (base, dir) => {
      await Deno.writeFile(`${dir}/u`, file);
      await rejectsWith(upload(`${base}/u`, `${dir}/u`), fault, `TFTP server error ${code}: "no"`);
    });
  }
  await withScripted(async (peer) => {
    await takeFile(peer, { before: (n) => n === 2 ? "stop" : undefined, timeoutMs: 100 });
  }, async (base, dir) => {
    await Deno.writeFile(`${dir}/u`, file);
    await rejectsWith(
      upload(`${base}/u`, `${dir}/u`),
      9011,
      "TFTP server stopped answering (3 retries)",
    );
  });
});

Deno.test("tftpTransferClient: cancel → 9010 / 9011 and an ERROR to the server", async () => {
  let error: unknown;
  await withScripted(async (peer) => {
    const result = await serveFile(peer, bytes(512 * 100), {
      timeoutMs: 1000,
      before: async (n) => {
        if (n === 3) await new Promise((r) => setTimeout(r, 300));
      },
    });
    error = result.error;
  }, async (base, dir) => {
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 100);
    await rejectsWith(
      download(`${base}/f`, `${dir}/f`, { signal: abort.signal }),
      9010,
      "Download cancelled",
    );
  });
  assert.deepEqual(error, { code: 0, message: "Download cancelled" });
  await rejectsWith(
    upload("tftp://127.0.0.1:9/u", "/tmp/none", { signal: AbortSignal.abort() }),
    9011,
    "Upload cancelled",
  );
});
