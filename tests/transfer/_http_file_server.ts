/**
 * Test helper: a small HTTP/1.1 file server on 127.0.0.1 (port 0), plain or TLS, written
 * on raw sockets so a test can misbehave exactly as it wants (bodies cut short, lying
 * Content-Lengths, endless or dripping bodies). Each request goes to the test's handler
 * with a {@linkcode RawResponse} to write bytes with; helpers serve a file with Range
 * support, or chunked, or delimited by close. Also the test PKI (openssl in a temp dir):
 * a CA, a server certificate for localhost, an expired one and one for another name.
 *
 * @module
 */

import { createHash } from "node:crypto";

/** One request as the server read it (a PUT body read whole: test files are small). */
export interface FileServerRequest {
  method: string;
  path: string;
  headers: Headers;
  body: Uint8Array;
  remotePort: number;
}

/** Writes the response; the connection stays for the next request unless closed. */
export interface RawResponse {
  write(data: Uint8Array | string): Promise<void>;
  /** Status line and headers (names as given), then the blank line. */
  head(status: number, headers?: Record<string, string>): Promise<void>;
  close(): void;
  readonly closed: boolean;
}

/** A handler: answers `req` on `res`. */
export type Handler = (req: FileServerRequest, res: RawResponse) => Promise<void>;

/** Options of {@linkcode startFileServer}. */
export interface FileServerOptions {
  /** PEM certificate and key: a TLS server. */
  cert?: string;
  key?: string;
  /**
   * Answer `Expect: 100-continue` with 100 before reading the body (default true); false, or
   * false for this request: the handler answers without the body (as a server refusing it
   * would) and the connection is closed after it.
   */
  sendContinue?: boolean | ((req: FileServerRequest) => boolean);
}

/** A running server. */
export interface FileServer {
  port: number;
  /** `http://127.0.0.1:port` or `https://localhost:port`. */
  origin: string;
  seen: FileServerRequest[];
  close(): Promise<void>;
}

const REASONS: Record<number, string> = {
  100: "Continue",
  200: "OK",
  206: "Partial Content",
  301: "Moved Permanently",
  302: "Found",
  307: "Temporary Redirect",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  416: "Range Not Satisfiable",
  500: "Internal Server Error",
};

const encoder = new TextEncoder();
const latin1 = new TextDecoder("latin1");

/** Starts a server; `handler` answers every request. */
export function startFileServer(handler: Handler, options: FileServerOptions = {}): FileServer {
  const tls = options.cert !== undefined;
  const listener = tls
    ? Deno.listenTls({ hostname: "127.0.0.1", port: 0, cert: options.cert!, key: options.key! })
    : Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const seen: FileServerRequest[] = [];
  const conns = new Set<Deno.Conn>();
  const loops: Promise<void>[] = [];
  const accepting = (async () => {
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch {
        return; // closed
      }
      conns.add(conn);
      loops.push(
        serveConnection(conn, handler, seen, options.sendContinue ?? true)
          .catch(() => {})
          .finally(() => {
            conns.delete(conn);
            try {
              conn.close();
            } catch { /* closed */ }
          }),
      );
    }
  })();
  return {
    port,
    origin: tls ? `https://localhost:${port}` : `http://127.0.0.1:${port}`,
    seen,
    async close() {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch { /* closed */ }
      }
      await accepting;
      await Promise.allSettled(loops);
    },
  };
}

async function serveConnection(
  conn: Deno.Conn,
  handler: Handler,
  seen: FileServerRequest[],
  sendContinue: boolean | ((req: FileServerRequest) => boolean),
): Promise<void> {
  let buf = new Uint8Array(0);
  let closed = false;
  const fill = async (): Promise<boolean> => {
    const chunk = new Uint8Array(65536);
    const n = await conn.read(chunk);
    if (n === null) return false;
    const next = new Uint8Array(buf.length + n);
    next.set(buf);
    next.set(chunk.subarray(0, n), buf.length);
    buf = next;
    return true;
  };
  const res: RawResponse = {
    async write(data) {
      const bytes = typeof data === "string" ? encoder.encode(data) : data;
      let off = 0;
      while (off < bytes.length) off += await conn.write(bytes.subarray(off));
    },
    async head(status, headers = {}) {
      let text = `HTTP/1.1 ${status} ${REASONS[status] ?? "Status"}\r\n`;
      for (const [k, v] of Object.entries(headers)) text += `${k}: ${v}\r\n`;
      await res.write(text + "\r\n");
    },
    close() {
      if (closed) return;
      closed = true;
      try {
        conn.close();
      } catch { /* closed */ }
    },
    get closed() {
      return closed;
    },
  };
  const remotePort = (conn.remoteAddr as Deno.NetAddr).port;
  while (!closed) {
    let end: number;
    while ((end = indexOfBlankLine(buf)) < 0) {
      if (!(await fill())) return;
    }
    const [requestLine, ...lines] = latin1.decode(buf.subarray(0, end)).split("\r\n");
    buf = buf.slice(end + 4);
    const [method, path] = requestLine.split(" ");
    const headers = new Headers();
    for (const line of lines) {
      const i = line.indexOf(":");
      headers.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
    }
    const length = Number(headers.get("content-length") ?? "0");
    const expect = length > 0 && headers.get("expect")?.toLowerCase() === "100-continue";
    const early = { method, path, headers, body: new Uint8Array(0), remotePort };
    if (expect && !(typeof sendContinue === "boolean" ? sendContinue : sendContinue(early))) {
      const req = early;
      seen.push(req);
      await handler(req, res);
      res.close();
      return;
    }
    if (expect) await res.write("HTTP/1.1 100 Continue\r\n\r\n");
    while (buf.length < length) {
      if (!(await fill())) return;
    }
    const body = buf.slice(0, length);
    buf = buf.slice(length);
    const req = { method, path, headers, body, remotePort };
    seen.push(req);
    await handler(req, res);
  }
}

function indexOfBlankLine(buf: Uint8Array): number {
  for (let i = 0; i + 3 < buf.length; i++) {
    if (buf[i] === 13 && buf[i + 1] === 10 && buf[i + 2] === 13 && buf[i + 3] === 10) return i;
  }
  return -1;
}

/** Options of {@linkcode serveFile}. */
export interface ServeFileOptions {
  /** Honour `Range: bytes=N-` (default true). */
  ranges?: boolean;
  etag?: string;
}

/** Answers with `data`: 200 with Content-Length, or 206 / 416 for a Range request. */
export async function serveFile(
  req: FileServerRequest,
  res: RawResponse,
  data: Uint8Array,
  options: ServeFileOptions = {},
): Promise<void> {
  const extra: Record<string, string> = options.etag ? { ETag: options.etag } : {};
  const range = /^bytes=(\d+)-$/.exec(req.headers.get("range") ?? "");
  const ifRange = req.headers.get("if-range");
  const honour = range !== null && (options.ranges ?? true) &&
    (ifRange === null || ifRange === options.etag);
  if (honour) {
    const start = Number(range[1]);
    if (start >= data.length) {
      await res.head(416, { "Content-Range": `bytes */${data.length}`, "Content-Length": "0" });
      return;
    }
    await res.head(206, {
      ...extra,
      "Content-Range": `bytes ${start}-${data.length - 1}/${data.length}`,
      "Content-Length": String(data.length - start),
    });
    await res.write(data.subarray(start));
    return;
  }
  await res.head(200, { ...extra, "Content-Length": String(data.length) });
  await res.write(data);
}

/** Answers with `data` in chunks of `chunk` bytes (Transfer-Encoding: chunked). */
export async function serveChunked(res: RawResponse, data: Uint8Array, chunk = 1000) {
  await res.head(200, { "Transfer-Encoding": "chunked" });
  for (let off = 0; off < data.length; off += chunk) {
    const part = data.subarray(off, off + chunk);
    await res.write(`${part.length.toString(16)};ext=1\r\n`);
    await res.write(part);
    await res.write("\r\n");
  }
  await res.write("0\r\nX-Trailer: yes\r\n\r\n");
}

/** Answers with `data` and no length: the body ends when the server closes. */
export async function serveUntilClose(res: RawResponse, data: Uint8Array) {
  await res.head(200, { "Connection": "close" });
  await res.write(data);
  res.close();
}

/** `n` pseudo-random bytes. */
export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let off = 0; off < n; off += 65536) {
    crypto.getRandomValues(out.subarray(off, Math.min(n, off + 65536)));
  }
  return out;
}

/** SHA-256 of bytes, hex. */
export function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The test PKI. */
export interface TestPki {
  dir: string;
  caFile: string;
  key: string;
  /** For localhost and 127.0.0.1, valid now. */
  goodCert: string;
  /** For localhost, expired. */
  expiredCert: string;
  /** For other.example only. */
  otherNameCert: string;
}

async function openssl(dir: string, args: string[]): Promise<void> {
  const out = await new Deno.Command("openssl", { args, cwd: dir, stdout: "null", stderr: "piped" })
    .output();
  if (!out.success) {
    throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/** A CA and three server certificates signed by it, in a temp dir. */
export async function makeTestPki(): Promise<TestPki> {
  const dir = await Deno.makeTempDir({ prefix: "cwmp-transfer-tls-" });
  await openssl(dir, [
    ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem"],
    ...["-days", "1", "-subj", "/CN=Test File Server CA"],
    ...["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"],
  ]);
  await openssl(dir, [
    ...["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr"],
    ...["-subj", "/CN=localhost"],
  ]);
  const sign = async (name: string, san: string, days: string) => {
    await Deno.writeTextFile(
      `${dir}/${name}.ext`,
      `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`,
    );
    // `-days -1` puts notAfter a day before now: an expired certificate.
    await openssl(dir, [
      ...["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key"],
      ...["-CAcreateserial", "-out", `${name}.pem`, "-days", days, "-extfile", `${name}.ext`],
    ]);
    return await Deno.readTextFile(`${dir}/${name}.pem`);
  };
  return {
    dir,
    caFile: `${dir}/ca.pem`,
    key: await Deno.readTextFile(`${dir}/server.key`),
    goodCert: await sign("good", "DNS:localhost,IP:127.0.0.1", "1"),
    expiredCert: await sign("expired", "DNS:localhost,IP:127.0.0.1", "-1"),
    otherNameCert: await sign("other", "DNS:other.example", "1"),
  };
}
