/**
 * One HTTP/1.1 client connection for streaming exchanges, the transport of HTTP(S) file
 * transfers: write a request head and any body in pieces, read a response head, then
 * stream its body into a reused buffer ({@linkcode BodyReader}), so a body of any size
 * costs flat memory. TCP, verified TLS (`Deno.connectTls` with extra CA certificates and
 * a client certificate) or unverified TLS (`insecure`, through `node:tls`), as the ACS
 * client's connection (`_socket.ts`, `_http1.ts`).
 *
 * It owns no policy: authentication, redirects, time limits and what a status means are
 * the caller's. {@linkcode HttpConnection.close} may be called at any time (a watchdog
 * does): a read pending on a closed connection ends as end of stream.
 *
 * @module
 */

import {
  BodyReader,
  type Http1ResponseHead,
  readResponseHead,
  SocketReader,
  writeRequest,
} from "./_http1.ts";
import { type ByteSocket, openSocket } from "./_socket.ts";

export {
  type BodyFraming,
  BodyReader,
  type Http1ResponseHead as HttpResponseHead,
  type ResponseHeaders,
  TruncatedBodyError,
} from "./_http1.ts";
export { isConnectError } from "./_socket.ts";

/** TLS settings of {@linkcode openHttpConnection} (https URLs only). */
export interface HttpConnectionOptions {
  /** Trusted CA certificates (PEM), added to the system roots. */
  caCerts?: string[];
  /** Client certificate chain and key (PEM text). */
  cert?: string;
  key?: string;
  /** Skip certificate verification (node:tls); the peer is then unauthenticated. */
  insecure?: boolean;
}

/** Options of {@linkcode HttpConnection.readHead}. */
export interface HttpReadHeadOptions {
  /** The request's method (a HEAD response has no body). */
  method: string;
  /** Return a 1xx interim response (100 Continue) instead of skipping it. */
  interim?: boolean;
  /** Called when the first byte of a response arrives. */
  onFirstByte?: () => void;
}

/** Opens a connection to `url`'s host and port; TLS when its scheme is https. */
export async function openHttpConnection(
  url: URL,
  options: HttpConnectionOptions = {},
): Promise<HttpConnection> {
  return new HttpConnection(url.origin, await openSocket(url, options));
}

/** A connected HTTP/1.1 client connection; one request at a time. */
export class HttpConnection {
  /** The origin (`scheme://host:port`) it is connected to. */
  readonly origin: string;
  #socket: ByteSocket;
  #reader: SocketReader;
  #closed = false;

  /** Wraps a connected socket; use {@linkcode openHttpConnection}. */
  constructor(origin: string, socket: ByteSocket) {
    this.origin = origin;
    this.#socket = socket;
    this.#reader = new SocketReader(socket);
  }

  /** The local TCP port (tells connections apart in logs and tests). */
  get localPort(): number {
    return this.#socket.localPort;
  }

  /** Whether {@linkcode HttpConnection.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Writes a request line and headers (names as given, no CR/LF allowed), no body. */
  async writeHead(method: string, target: string, headers: [string, string][]): Promise<void> {
    await writeRequest(this.#socket, { method, target, headers, body: new Uint8Array(0) });
  }

  /** Writes body bytes (all of them before it resolves). */
  async write(bytes: Uint8Array): Promise<void> {
    await this.#socket.write(bytes);
  }

  /** Reads the next response's status line and headers; the body stays on the connection. */
  readHead(options: HttpReadHeadOptions): Promise<Http1ResponseHead> {
    return readResponseHead(this.#reader, options);
  }

  /** A reader of the body of `head`, which must be the response just read. */
  body(head: Http1ResponseHead): BodyReader {
    return new BodyReader(this.#reader, head.framing);
  }

  /** Closes the connection; pending and later reads end as end of stream. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#socket.close();
  }
}
