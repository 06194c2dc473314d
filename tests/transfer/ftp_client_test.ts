// The FTP client against vsftpd (Debian `vsftpd`, started per test on 127.0.0.1 from a
// temp dir; the tests skip with the reason when it cannot run) and against a scripted
// server of our own that misbehaves on purpose (`_hostile_ftp.ts`).
import assert from "node:assert/strict";
import { ftpTransferClient } from "../../src/transfer/ftp_client.ts";
import {
  type DownloadRequest,
  TransferError,
  type TransferLimits,
  type UploadRequest,
} from "../../src/transfer/client.ts";
import { type ScriptedFtpOptions, startScriptedFtp } from "./_hostile_ftp.ts";
import {
  type FileServer,
  sha256File,
  startVsftpd,
  vsftpdMissing,
  writeRandomFile,
} from "./_servers.ts";

const LIMITS: TransferLimits = {
  connectTimeoutMs: 3000,
  stallTimeoutMs: 5000,
  totalTimeoutMs: 60_000,
  maxBytes: 1 << 30,
};

const missing = vsftpdMissing();
if (missing !== undefined) console.warn(`ftp_client_test.ts: vsftpd tests ignored: ${missing}`);

function download(url: string, path: string, extra: Partial<DownloadRequest> = {}) {
  return ftpTransferClient.download({
    url,
    username: "",
    password: "",
    fileSize: 0,
    path,
    limits: LIMITS,
    ...extra,
  });
}

function upload(url: string, path: string, extra: Partial<UploadRequest> = {}) {
  return ftpTransferClient.upload({
    url,
    username: "",
    password: "",
    path,
    limits: LIMITS,
    ...extra,
  });
}

/** Asserts that `promise` rejects with a TransferError of `faultCode` (and `message`). */
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

async function withVsftpd(test: (server: FileServer, dir: string) => Promise<void>) {
  const server = await startVsftpd();
  const dir = await Deno.makeTempDir({ prefix: "cwmp-ftp-test-" });
  try {
    await test(server, dir);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

async function withScripted(
  options: ScriptedFtpOptions,
  test: (base: string, dir: string, server: ReturnType<typeof startScriptedFtp>) => Promise<void>,
) {
  const server = startScriptedFtp(options);
  const dir = await Deno.makeTempDir({ prefix: "cwmp-ftp-test-" });
  try {
    await test(`ftp://127.0.0.1:${server.port}`, dir, server);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** Sizes that end exactly on buffer and block boundaries, and a few around them. */
const SIZES = [0, 1, 512 * 7, 1428 * 9, 65_536, 256 * 1024, 256 * 1024 + 1, 12_345_678];

Deno.test({
  name: "ftpTransferClient.download() brings vsftpd's files whole (sha256), any size",
  ignore: missing !== undefined,
  async fn() {
    await withVsftpd(async (server, dir) => {
      for (const [i, size] of SIZES.entries()) {
        const hash = await writeRandomFile(`${server.root}/f${i}.bin`, size, i + 1);
        const progress: number[] = [];
        const result = await download(`ftp://127.0.0.1:${server.port}/f${i}.bin`, `${dir}/${i}`, {
          fileSize: i % 2 === 0 ? size : 0,
          onProgress: (bytes) => progress.push(bytes),
        });
        assert.equal(result.bytes, size);
        assert.ok(result.startTime <= result.completeTime);
        assert.equal(await sha256File(`${dir}/${i}`), hash, `size ${size}`);
        assert.ok(progress.every((b) => b <= size));
      }
    });
  },
});

Deno.test({
  name: "ftpTransferClient.upload() stores whole files on vsftpd (sha256), any size",
  ignore: missing !== undefined,
  async fn() {
    await withVsftpd(async (server, dir) => {
      for (const [i, size] of SIZES.entries()) {
        const hash = await writeRandomFile(`${dir}/${i}`, size, i + 7);
        const result = await upload(`ftp://127.0.0.1:${server.port}/up/u${i}.bin`, `${dir}/${i}`);
        assert.equal(result.bytes, size);
        assert.equal(await sha256File(`${server.root}/up/u${i}.bin`), hash, `size ${size}`);
      }
      // Overwrite an existing file with a smaller one: nothing of the old one is left.
      await writeRandomFile(`${dir}/small`, 10, 99);
      await upload(`ftp://127.0.0.1:${server.port}/up/u7.bin`, `${dir}/small`);
      assert.equal((await Deno.stat(`${server.root}/up/u7.bin`)).size, 10);
    });
  },
});

Deno.test({
  name: "ftpTransferClient.download() decodes the URL path and sends it whole, without CWD",
  ignore: missing !== undefined,
  async fn() {
    await withVsftpd(async (server, dir) => {
      await Deno.mkdir(`${server.root}/fw dir/v1`, { recursive: true });
      const hash = await writeRandomFile(`${server.root}/fw dir/v1/a%b.bin`, 3000);
      const lines: string[] = [];
      await download(
        `ftp://127.0.0.1:${server.port}/fw%20dir/v1/a%25b.bin;type=i`,
        `${dir}/a`,
        { onLog: (line) => lines.push(line) },
      );
      assert.equal(await sha256File(`${dir}/a`), hash);
      assert.ok(lines.includes("FTP > RETR fw dir/v1/a%b.bin"), lines.join("\n"));
      assert.ok(!lines.some((line) => line.startsWith("FTP > CWD")));
    });
  },
});

Deno.test({
  name: "ftpTransferClient maps vsftpd's refusals: 530 → 9012, 550 → 9016, 553 → 9016",
  ignore: missing !== undefined,
  async fn() {
    await withVsftpd(async (server, dir) => {
      await writeRandomFile(`${server.root}/f.bin`, 100);
      const base = `ftp://127.0.0.1:${server.port}`;
      await rejectsWith(
        download(`${base}/f.bin`, `${dir}/x`, { username: "cwmp-no-such-user", password: "bad" }),
        9012,
        'FTP login refused: 530 "Login incorrect."',
      );
      await rejectsWith(
        download(`${base}/missing.bin`, `${dir}/x`),
        9016,
        'FTP RETR "missing.bin" refused: 550 "Failed to open file."',
      );
      await writeRandomFile(`${dir}/up`, 100);
      // The anonymous root belongs to root: vsftpd refuses to create a file there.
      await rejectsWith(
        upload(`${base}/denied.bin`, `${dir}/up`),
        9016,
        /^FTP STOR "denied.bin" refused: 553 /,
      );
    });
  },
});

Deno.test({
  name: "ftpTransferClient.download() checks FileSize and maxBytes against SIZE before RETR",
  ignore: missing !== undefined,
  async fn() {
    await withVsftpd(async (server, dir) => {
      await writeRandomFile(`${server.root}/f.bin`, 10_000);
      const url = `ftp://127.0.0.1:${server.port}/f.bin`;
      await rejectsWith(
        download(url, `${dir}/x`, { fileSize: 20_000 }),
        9018,
        "File has 10000 bytes, FileSize says 20000",
      );
      await rejectsWith(
        download(url, `${dir}/x`, { fileSize: 5_000 }),
        9017,
        "File of 10000 bytes exceeds FileSize 5000",
      );
      await rejectsWith(
        download(url, `${dir}/x`, { limits: { ...LIMITS, maxBytes: 9_999 } }),
        9017,
        "File of 10000 bytes exceeds the limit of 9999 bytes",
      );
    });
  },
});

Deno.test("ftpTransferClient.download() logs in as anonymous and speaks the expected dialogue", async () => {
  const file = new Uint8Array(5000).map((_, i) => i * 7);
  await withScripted({ files: { "d/f.bin": file } }, async (base, dir, server) => {
    const lines: string[] = [];
    const result = await download(`${base}/d/f.bin`, `${dir}/f`, { onLog: (l) => lines.push(l) });
    assert.equal(result.bytes, 5000);
    assert.deepEqual(await Deno.readFile(`${dir}/f`), file);
    assert.deepEqual(server.commands, [
      "USER anonymous",
      "PASS anonymous@",
      "TYPE I",
      "SIZE d/f.bin",
      "EPSV",
      "RETR d/f.bin",
      "QUIT",
    ]);
    assert.ok(lines.includes("FTP > PASS ****"));
  });
});

Deno.test("ftpTransferClient sends the request's credentials, else the URL's, never logs them", async () => {
  const file = new Uint8Array(10).fill(1);
  await withScripted(
    { files: { f: file }, user: "cpe", password: "s3cr:et" },
    async (base, dir, server) => {
      const lines: string[] = [];
      const onLog = (l: string) => lines.push(l);
      await download(`${base}/f`, `${dir}/a`, { username: "cpe", password: "s3cr:et", onLog });
      const port = new URL(base).port;
      await download(`ftp://cpe:s3cr%3Aet@127.0.0.1:${port}/f`, `${dir}/b`, { onLog });
      await rejectsWith(
        download(`${base}/f`, `${dir}/c`, { username: "cpe", password: "no" }),
        9012,
      );
      assert.equal(server.commands.filter((c) => c === "PASS s3cr:et").length, 2);
      assert.ok(!lines.some((l) => l.includes("s3cr") || l.includes("cpe")), lines.join("\n"));
      await rejectsWith(
        download(`${base}/f`, `${dir}/d`, { username: "cpe", password: "x\r\nDELE f" }),
        9012,
        "Username or Password holds CR, LF or NUL",
      );
    },
  );
});

Deno.test("ftpTransferClient falls back to PASV and connects to the control host, not the one PASV names", async () => {
  const file = new Uint8Array(70_000).fill(3);
  await withScripted(
    { files: { f: file }, epsv: false, pasvHost: "10.9.8.7" },
    async (base, dir, server) => {
      const lines: string[] = [];
      const result = await download(`${base}/f`, `${dir}/f`, { onLog: (l) => lines.push(l) });
      assert.equal(result.bytes, 70_000);
      assert.equal(server.dataConnections, 1);
      assert.ok(lines.includes("FTP PASV names 10.9.8.7; connecting to 127.0.0.1 instead"));
      // One EPSV refused, then PASV for every later transfer of the session.
      assert.deepEqual(server.commands.filter((c) => c === "EPSV" || c === "PASV"), [
        "EPSV",
        "PASV",
      ]);
    },
  );
});

Deno.test("ftpTransferClient.download() reads a 226 that arrives before the last bytes", async () => {
  const file = new Uint8Array(200_000).map((_, i) => i);
  await withScripted({ files: { f: file }, retr: "early226" }, async (base, dir) => {
    const result = await download(`${base}/f`, `${dir}/f`);
    assert.equal(result.bytes, file.length);
    assert.deepEqual(await Deno.readFile(`${dir}/f`), file);
  });
});

Deno.test("ftpTransferClient.download() fails 9017 when the data connection drops midway, never succeeds", async () => {
  const file = new Uint8Array(300_000).fill(9);
  const cases: [ScriptedFtpOptions, RegExp][] = [
    [{ retr: "fin426" }, /^FTP download of "f" failed: 426 "Failure writing network stream."$/],
    [{ retr: "rst426" }, /^FTP data connection broken after \d+ bytes: connection reset$/],
    [{ retr: "rst226" }, /^FTP data connection broken after \d+ bytes: connection reset$/],
    [{ retr: "fin226" }, /^FTP download cut short: 150000 of 300000 bytes$/],
    [
      { retr: "noReply" },
      /^FTP server closed the control connection \(awaiting the end of RETR\)$/,
    ],
  ];
  for (const [options, message] of cases) {
    await withScripted({ files: { f: file }, ...options }, async (base, dir) => {
      await rejectsWith(download(`${base}/f`, `${dir}/f`), 9017, message);
    });
  }
  // A lying 226 without SIZE: FileSize still tells the file is not whole.
  await withScripted({ files: { f: file }, retr: "fin226", size: false }, async (base, dir) => {
    await rejectsWith(
      download(`${base}/f`, `${dir}/f`, { fileSize: file.length }),
      9018,
      "File has 150000 bytes, FileSize says 300000",
    );
  });
});

Deno.test("ftpTransferClient.download() enforces FileSize and maxBytes while receiving when SIZE is not told", async () => {
  const file = new Uint8Array(600_000).fill(1);
  await withScripted({ files: { f: file }, size: false }, async (base, dir) => {
    await rejectsWith(
      download(`${base}/f`, `${dir}/f`, { fileSize: 500_000 }),
      9017,
      "FTP download exceeds FileSize 500000",
    );
    await rejectsWith(
      download(`${base}/f`, `${dir}/f`, { limits: { ...LIMITS, maxBytes: 100_000 } }),
      9017,
      "FTP download exceeds the limit of 100000 bytes",
    );
  });
  // A SIZE that lies low: the bytes beyond it are refused.
  await withScripted({ files: { f: file }, sizeOverride: 1000 }, async (base, dir) => {
    await rejectsWith(
      download(`${base}/f`, `${dir}/f`),
      9017,
      "FTP download exceeds the 1000 bytes SIZE announced",
    );
  });
});

Deno.test("ftpTransferClient.download() fails 9017 on a stalled data connection within the stall limit", async () => {
  await withScripted(
    { files: { f: new Uint8Array(100_000) }, retr: "stall" },
    async (base, dir) => {
      const started = performance.now();
      await rejectsWith(
        download(`${base}/f`, `${dir}/f`, { limits: { ...LIMITS, stallTimeoutMs: 300 } }),
        9017,
        "Transfer stalled: nothing moved for 300 ms",
      );
      assert.ok(performance.now() - started < 2000);
    },
  );
});

Deno.test("ftpTransferClient: connection refused or no greeting → 9015; total limit → 9017; cancel → 9010", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closedPort = listener.addr.port;
  listener.close();
  await rejectsWith(
    download(`ftp://127.0.0.1:${closedPort}/f`, "/nonexistent/x"),
    9015,
    `Cannot connect to FTP server "127.0.0.1:${closedPort}": connection refused`,
  );
  await withScripted({ silent: true }, async (base, dir) => {
    await rejectsWith(
      download(`${base}/f`, `${dir}/f`, { limits: { ...LIMITS, connectTimeoutMs: 200 } }),
      9015,
      "FTP server sent no greeting within 200 ms",
    );
  });
  await withScripted(
    { files: { f: new Uint8Array(100_000) }, retr: "stall" },
    async (base, dir) => {
      await rejectsWith(
        download(`${base}/f`, `${dir}/f`, { limits: { ...LIMITS, totalTimeoutMs: 300 } }),
        9017,
        "Transfer took longer than 300 ms",
      );
      const abort = new AbortController();
      setTimeout(() => abort.abort(), 100);
      await rejectsWith(
        download(`${base}/f`, `${dir}/f`, { signal: abort.signal }),
        9010,
        "Download cancelled",
      );
      await rejectsWith(
        upload(`${base}/f`, `${dir}/f`, { signal: AbortSignal.abort() }),
        9011,
        "Upload cancelled",
      );
    },
  );
});

Deno.test("ftpTransferClient refuses ftps: with 9013 and a bad URL with 9010/9011", async () => {
  await rejectsWith(
    download("ftps://127.0.0.1/f", "/tmp/x"),
    9013,
    'FTP over TLS is not supported: "ftps://127.0.0.1/f"',
  );
  await rejectsWith(
    download("ftp://127.0.0.1/a%0Ab", "/tmp/x"),
    9010,
    'URL holds CR, LF or NUL: "ftp://127.0.0.1/a%0Ab"',
  );
  await rejectsWith(
    upload("ftp://127.0.0.1/", "/tmp/x"),
    9011,
    'FTP URL names no file: "ftp://127.0.0.1/"',
  );
});

Deno.test("ftpTransferClient.upload() fails 9011 on a 451 midway and on a server that stores less", async () => {
  await withScripted({ stor: "abort451" }, async (base, dir) => {
    await writeRandomFile(`${dir}/u`, 2_000_000);
    await rejectsWith(upload(`${base}/u`, `${dir}/u`), 9011);
  });
  await withScripted({ stor: "short" }, async (base, dir, server) => {
    await writeRandomFile(`${dir}/u`, 100_000);
    await rejectsWith(
      upload(`${base}/u`, `${dir}/u`),
      9011,
      "FTP server stored 50000 of 100000 bytes",
    );
    assert.equal(server.stored.u.length, 50_000);
  });
  await withScripted({}, async (base, dir) => {
    await rejectsWith(
      upload(`${base}/u`, `${dir}/none`),
      9011,
      /^Cannot read the file to upload: /,
    );
  });
});

Deno.test({
  name: "ftpTransferClient.download() resumes a partial file with REST on vsftpd",
  ignore: missing !== undefined,
  async fn() {
    await withVsftpd(async (server, dir) => {
      const size = 300_000;
      await writeRandomFile(`${server.root}/fw.bin`, size, 5);
      const whole = await Deno.readFile(`${server.root}/fw.bin`);
      // A part of 100,000 bytes kept from a cut download; zeros here, so that the result
      // shows which bytes came again.
      await Deno.writeFile(`${dir}/fw.part`, new Uint8Array(100_000));
      const logs: string[] = [];
      const result = await download(`ftp://127.0.0.1:${server.port}/fw.bin`, `${dir}/fw.part`, {
        resume: true,
        fileSize: size,
        onLog: (line) => logs.push(line),
      });
      assert.equal(result.bytes, size);
      const got = await Deno.readFile(`${dir}/fw.part`);
      assert.equal(got.length, size);
      assert.deepEqual(got.subarray(0, 100_000), new Uint8Array(100_000), "the part was kept");
      assert.deepEqual(got.subarray(100_000), whole.subarray(100_000), "the rest came after it");
      assert.ok(logs.some((l) => l.includes("resumes at byte 100000")), logs.join("\n"));
      // Without `resume`, the same partial file is fetched again from the start.
      await Deno.writeFile(`${dir}/fw.part`, new Uint8Array(100_000));
      await download(`ftp://127.0.0.1:${server.port}/fw.bin`, `${dir}/fw.part`);
      assert.deepEqual(await Deno.readFile(`${dir}/fw.part`), whole);
    });
  },
});

Deno.test("ftpTransferClient.download() starts again from byte 0 where REST is refused or SIZE unknown", async () => {
  const file = new Uint8Array(5000).map((_, i) => i % 251);
  for (const size of [true, false]) {
    await withScripted({ files: { "fw.bin": file }, size }, async (base, dir, server) => {
      await Deno.writeFile(`${dir}/fw.part`, new Uint8Array(2000));
      const result = await download(`${base}/fw.bin`, `${dir}/fw.part`, { resume: true });
      assert.equal(result.bytes, 5000);
      assert.deepEqual(await Deno.readFile(`${dir}/fw.part`), file);
      const rest = server.commands.filter((c) => c.startsWith("REST"));
      assert.deepEqual(rest, size ? ["REST 2000"] : [], "no REST without a SIZE to check");
    });
  }
});
