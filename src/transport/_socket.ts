/**
 * Private: opens the one TCP (or TLS) connection a CWMP session uses and wraps
 * it as a minimal byte socket, so the HTTP/1.1 code is the same over plain TCP,
 * verified TLS (`Deno.connectTls`) and unverified TLS.
 *
 * `insecure`: Deno's own APIs cannot turn certificate verification off in
 * process (`Deno.createHttpClient` has no such option, `Deno.connectTls` only
 * `unsafelyDisableHostnameVerification`; only the `--unsafely-ignore-certificate-errors`
 * flag does it globally). `node:tls` in Deno honours `rejectUnauthorized: false`,
 * so insecure connections go through `node:tls` and nothing else does.
 *
 * @module
 */

import tls from "node:tls";

/** A connected byte stream. */
export interface ByteSocket {
  /** Next chunk, or null at end of stream. */
  read(): Promise<Uint8Array | null>;
  write(data: Uint8Array): Promise<void>;
  close(): void;
  /** Local TCP port (lets tests see that requests share one connection). */
  readonly localPort: number;
}

/** TLS settings for {@linkcode openSocket}. */
export interface SocketTlsOptions {
  caCerts?: string[];
  cert?: string;
  key?: string;
  insecure?: boolean;
}

/** Opens a connection to the URL's host and port; TLS when the scheme is https. */
export async function openSocket(url: URL, options: SocketTlsOptions): Promise<ByteSocket> {
  const hostname = url.hostname.replace(/^\[|\]$/g, "");
  const https = url.protocol === "https:";
  const port = url.port ? Number(url.port) : https ? 443 : 80;
  if (!https) return denoSocket(await Deno.connect({ hostname, port }));
  const pair = options.cert !== undefined && options.key !== undefined
    ? { cert: options.cert, key: options.key }
    : {};
  if (options.insecure) return await nodeTlsSocket(hostname, port, pair);
  const conn = await Deno.connectTls({ hostname, port, caCerts: options.caCerts, ...pair });
  try {
    await conn.handshake();
  } catch (e) {
    conn.close();
    throw e;
  }
  return denoSocket(conn);
}

function denoSocket(conn: Deno.Conn): ByteSocket {
  let closed = false;
  return {
    localPort: (conn.localAddr as Deno.NetAddr).port,
    async read() {
      const buf = new Uint8Array(16384);
      try {
        const n = await conn.read(buf);
        return n === null ? null : buf.subarray(0, n);
      } catch (e) {
        if (closed) return null;
        throw e;
      }
    },
    async write(data) {
      let off = 0;
      while (off < data.length) off += await conn.write(data.subarray(off));
    },
    close() {
      if (closed) return;
      closed = true;
      try {
        conn.close();
      } catch { /* already closed by the peer */ }
    },
  };
}

function nodeTlsSocket(
  host: string,
  port: number,
  pair: { cert?: string; key?: string },
): Promise<ByteSocket> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let ended = false;
    let error: Error | undefined;
    let wake: (() => void) | undefined;
    const notify = () => {
      wake?.();
      wake = undefined;
    };
    const isIp = /^[\d.]+$/.test(host) || host.includes(":");
    const s = tls.connect({
      host,
      port,
      servername: isIp ? undefined : host,
      rejectUnauthorized: false,
      ...pair,
    });
    s.on("data", (d: Uint8Array) => {
      chunks.push(new Uint8Array(d));
      notify();
    });
    s.on("end", () => {
      ended = true;
      notify();
    });
    s.on("close", () => {
      ended = true;
      notify();
    });
    s.on("error", (e: Error) => {
      error = e;
      notify();
      reject(e);
    });
    s.once("secureConnect", () => {
      resolve({
        localPort: s.localPort ?? 0,
        async read() {
          while (chunks.length === 0 && !ended && !error) {
            await new Promise<void>((r) => (wake = r));
          }
          if (chunks.length > 0) return chunks.shift()!;
          if (error) throw error;
          return null;
        },
        write(data) {
          return new Promise((res, rej) => s.write(data, (e) => (e ? rej(e) : res())));
        },
        close() {
          ended = true;
          s.destroy();
          notify();
        },
      });
    });
  });
}
