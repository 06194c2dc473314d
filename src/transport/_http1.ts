/**
 * Private: a minimal HTTP/1.1 client codec over a {@linkcode ByteSocket}
 * (RFC 9112): serialise one request, read one response (status line, headers,
 * body by Content-Length, chunked, or until close). No pipelining: CWMP forbids
 * it (TR-069 §3.4.1), so one request is in flight at a time.
 *
 * @module
 */

import type { ByteSocket } from "./_socket.ts";

/** One request to serialise. Header names are sent as given. */
export interface Http1Request {
  method: string;
  target: string;
  headers: [string, string][];
  body: Uint8Array;
}

/** One parsed response; `body` still content-encoded. */
export interface Http1Response {
  status: number;
  statusText: string;
  headers: Headers;
  /** Set-Cookie lines in order (not joined). */
  setCookies: string[];
  body: Uint8Array;
  /** Whether the connection may carry another request. */
  keepAlive: boolean;
}

/** Joins `parts` (whose lengths add up to `total`) into one array. */
export function concatBytes(parts: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Thrown when the response would exceed `maxBodyBytes`. */
export class BodyTooLargeError extends Error {
  /** Creates the error. */
  constructor(limit: number) {
    super(`Response body exceeds "${limit}" bytes`);
    this.name = "BodyTooLargeError";
  }
}

const MAX_HEADER_BYTES = 64 * 1024;
const LATIN1 = new TextDecoder("latin1");

/** Writes the request in one write. */
export async function writeRequest(socket: ByteSocket, req: Http1Request): Promise<void> {
  let head = `${req.method} ${req.target} HTTP/1.1\r\n`;
  for (const [name, value] of req.headers) {
    if (/[\r\n]/.test(name + value)) throw new TypeError(`Invalid header "${name}"`);
    head += `${name}: ${value}\r\n`;
  }
  head += "\r\n";
  const headBytes = new TextEncoder().encode(head);
  const all = new Uint8Array(headBytes.length + req.body.length);
  all.set(headBytes);
  all.set(req.body, headBytes.length);
  await socket.write(all);
}

/**
 * Buffered reader over a socket. Unread bytes are `#buf[#start..#end]`; a read moves
 * `#start` instead of copying what is left, so a body of many tiny chunks or a block
 * of many short header lines costs linear time, not quadratic.
 */
export class SocketReader {
  #socket: ByteSocket;
  #buf = new Uint8Array(0);
  #start = 0;
  #end = 0;
  #eof = false;

  /** Wraps a socket. */
  constructor(socket: ByteSocket) {
    this.#socket = socket;
  }

  get #length(): number {
    return this.#end - this.#start;
  }

  async #fill(): Promise<boolean> {
    if (this.#eof) return false;
    const chunk = await this.#socket.read();
    if (chunk === null) {
      this.#eof = true;
      return false;
    }
    if (this.#end + chunk.length > this.#buf.length) {
      // Compact, growing geometrically when the unread part does not fit.
      const needed = this.#length + chunk.length;
      if (needed > this.#buf.length) {
        const next = new Uint8Array(Math.max(needed, this.#buf.length * 2));
        next.set(this.#buf.subarray(this.#start, this.#end));
        this.#buf = next;
      } else {
        this.#buf.copyWithin(0, this.#start, this.#end);
      }
      this.#end = this.#length;
      this.#start = 0;
    }
    this.#buf.set(chunk, this.#end);
    this.#end += chunk.length;
    return true;
  }

  /** A line without its CRLF (or LF); null at end of stream before any byte. */
  async readLine(limit: number): Promise<string | null> {
    let scanned = 0;
    for (;;) {
      const i = this.#buf.subarray(this.#start + scanned, this.#end).indexOf(10);
      if (i >= 0) {
        const line = this.#take(scanned + i + 1);
        const end = line.length >= 2 && line[line.length - 2] === 13 ? 2 : 1;
        return LATIN1.decode(line.subarray(0, line.length - end));
      }
      scanned = this.#length;
      if (this.#length > limit) throw new SyntaxError("Response header line too long");
      if (!(await this.#fill())) {
        if (this.#length === 0) return null;
        throw new SyntaxError("Connection closed in the middle of a header");
      }
    }
  }

  /** Exactly `n` bytes. */
  async readExact(n: number): Promise<Uint8Array> {
    while (this.#length < n) {
      if (!(await this.#fill())) throw new SyntaxError("Connection closed in the middle of a body");
    }
    return this.#take(n);
  }

  /** Everything up to end of stream, at most `limit` bytes. */
  async readToEnd(limit: number): Promise<Uint8Array> {
    while (await this.#fill()) {
      if (this.#length > limit) throw new BodyTooLargeError(limit);
    }
    return this.#take(this.#length);
  }

  /** A copy of the next `n` unread bytes (the buffer is reused). */
  #take(n: number): Uint8Array {
    const out = this.#buf.slice(this.#start, this.#start + n);
    this.#start += n;
    return out;
  }
}

/** Reads one response; skips 1xx interim responses. */
export async function readResponse(
  reader: SocketReader,
  options: { maxBodyBytes: number; method: string; onFirstByte?: () => void },
): Promise<Http1Response> {
  for (;;) {
    const statusLine = await reader.readLine(MAX_HEADER_BYTES);
    if (statusLine === null) throw new SyntaxError("Connection closed before a response");
    options.onFirstByte?.();
    const m = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(statusLine);
    if (!m) throw new SyntaxError(`Invalid status line "${statusLine.slice(0, 80)}"`);
    const status = Number(m[2]);
    const headers = new Headers();
    const setCookies: string[] = [];
    let headerBytes = 0;
    for (;;) {
      const line = await reader.readLine(MAX_HEADER_BYTES);
      if (line === null) throw new SyntaxError("Connection closed in the middle of a header");
      if (line === "") break;
      headerBytes += line.length;
      if (headerBytes > MAX_HEADER_BYTES) throw new SyntaxError("Response headers too large");
      const colon = line.indexOf(":");
      if (colon <= 0) throw new SyntaxError(`Invalid header line "${line.slice(0, 80)}"`);
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === "set-cookie") setCookies.push(value);
      headers.append(name, value);
    }
    if (status >= 100 && status < 200) continue;
    const connection = (headers.get("connection") ?? "").toLowerCase();
    let keepAlive = m[1] === "1"
      ? !/\bclose\b/.test(connection)
      : /\bkeep-alive\b/.test(connection);
    let body: Uint8Array;
    const te = (headers.get("transfer-encoding") ?? "").toLowerCase();
    const cl = headers.get("content-length");
    if (options.method === "HEAD" || status === 204 || status === 304) {
      body = new Uint8Array(0);
    } else if (te.includes("chunked")) {
      body = await readChunked(reader, options.maxBodyBytes);
    } else if (cl !== null) {
      if (!/^\d+$/.test(cl)) throw new SyntaxError(`Invalid Content-Length "${cl}"`);
      const n = Number(cl);
      if (n > options.maxBodyBytes) throw new BodyTooLargeError(options.maxBodyBytes);
      body = await reader.readExact(n);
    } else {
      body = await reader.readToEnd(options.maxBodyBytes);
      keepAlive = false;
    }
    return { status, statusText: m[3] ?? "", headers, setCookies, body, keepAlive };
  }
}

async function readChunked(reader: SocketReader, limit: number): Promise<Uint8Array> {
  // One growing buffer rather than one array per chunk: a body of many tiny chunks must
  // not cost far more memory than its size.
  let body = new Uint8Array(Math.min(limit, 16384));
  let total = 0;
  for (;;) {
    const line = await reader.readLine(4096);
    if (line === null) throw new SyntaxError("Connection closed in the middle of a body");
    const sizeText = line.split(";")[0].trim();
    if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText)) {
      throw new SyntaxError(`Invalid chunk size "${line.slice(0, 40)}"`);
    }
    const size = parseInt(sizeText, 16);
    if (size === 0) break;
    if (total + size > limit) throw new BodyTooLargeError(limit);
    const chunk = await reader.readExact(size);
    if (total + size > body.length) {
      const next = new Uint8Array(Math.min(limit, Math.max(total + size, body.length * 2)));
      next.set(body.subarray(0, total));
      body = next;
    }
    body.set(chunk, total);
    total += size;
    if ((await reader.readLine(4096)) !== "") throw new SyntaxError("Invalid chunk end");
  }
  // Trailers, read and dropped, within the header size limit.
  let trailerBytes = 0;
  for (;;) {
    const line = await reader.readLine(MAX_HEADER_BYTES);
    if (line === null || line === "") break;
    trailerBytes += line.length;
    if (trailerBytes > MAX_HEADER_BYTES) throw new SyntaxError("Response trailers too large");
  }
  return body.slice(0, total);
}
