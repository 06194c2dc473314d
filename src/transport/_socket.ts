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
 * Flow control on that path: Deno's `TLSSocket` keeps emitting `data` after `pause()`
 * (Deno 2.9.5: a 200 MB body queued 135 MB in memory), so TLS runs over a `Duplex` on our
 * own `Deno.connect` socket that reads from TCP only while fewer than 1 MiB of decrypted
 * bytes wait for a reader (`_node_tls.ts`, loaded only for insecure connections): the peer is
 * then slowed by TCP itself, and a slow reader (a file write) costs bounded memory whatever
 * the body size.
 *
 * @module
 */

/** A connected byte stream. */
export interface ByteSocket {
  /** Next chunk (a fresh array), or null at end of stream. */
  read(): Promise<Uint8Array | null>;
  /**
   * Reads at most `target.length` (> 0) bytes into `target`; the count, or null at end of
   * stream. Streaming readers reuse one buffer this way, so a long body makes no garbage.
   */
  readInto(target: Uint8Array): Promise<number | null>;
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
  if (options.insecure) {
    // Loaded only here: node:tls brings the Node compatibility layer (start-up, memory).
    const { nodeTlsSocket } = await import("./_node_tls.ts");
    return await nodeTlsSocket(await Deno.connect({ hostname, port }), hostname, pair);
  }
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
  const readInto = async (target: Uint8Array) => {
    try {
      return await conn.read(target);
    } catch (e) {
      if (closed) return null;
      throw e;
    }
  };
  return {
    localPort: (conn.localAddr as Deno.NetAddr).port,
    async read() {
      const buf = new Uint8Array(16384);
      const n = await readInto(buf);
      return n === null ? null : buf.subarray(0, n);
    },
    readInto,
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

/** Whether `e` is a failure to reach the peer at all (refused, unreachable, DNS), not TLS. */
export function isConnectError(e: unknown): boolean {
  if (
    e instanceof Deno.errors.ConnectionRefused || e instanceof Deno.errors.ConnectionReset ||
    e instanceof Deno.errors.TimedOut || e instanceof Deno.errors.AddrNotAvailable ||
    e instanceof Deno.errors.NetworkUnreachable || e instanceof Deno.errors.NotFound
  ) {
    return true;
  }
  const code = (e as { code?: unknown })?.code;
  return typeof code === "string" &&
    /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH)/.test(code);
}
