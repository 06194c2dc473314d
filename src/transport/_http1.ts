/**
 * Private: a minimal HTTP/1.1 client codec over a {@linkcode ByteSocket}
 * (RFC 9112): serialise one request, read one response (status line, headers,
 * body by Content-Length, chunked, or until close). No pipelining: CWMP forbids
 * it (TR-069 §3.4.1), so one request is in flight at a time.
 *
 * Two ways to read a body: {@linkcode readResponse} buffers it whole under a size
 * limit (the ACS client); {@linkcode readResponseHead} + {@linkcode BodyReader} stream
 * it into a caller's buffer piece by piece (file transfers, any size, flat memory).
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

/**
 * A response's header fields, as much of `Headers` as the clients use: names compared
 * without case, a repeated field's values joined with ", " (RFC 9110 §5.3). Our own: the
 * runtime's `Headers` is loaded on first use (about 1 ms and its memory, after the first
 * Inform), and an agent has no other use for it.
 */
export class ResponseHeaders {
  readonly #fields = new Map<string, string>();

  /** Adds a field; a name seen before gets `, value` appended. */
  append(name: string, value: string): void {
    const key = name.toLowerCase();
    const had = this.#fields.get(key);
    this.#fields.set(key, had === undefined ? value : `${had}, ${value}`);
  }

  /** The field's value, or null. */
  get(name: string): string | null {
    return this.#fields.get(name.toLowerCase()) ?? null;
  }

  /** Whether the field is there. */
  has(name: string): boolean {
    return this.#fields.has(name.toLowerCase());
  }
}

/** RFC 9110 §5.1: a field name is a token. */
const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** One parsed response; `body` still content-encoded. */
export interface Http1Response {
  status: number;
  statusText: string;
  headers: ResponseHeaders;
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

/** How the end of a response body is found (RFC 9112 §6.3). */
export type BodyFraming =
  | { kind: "none" }
  | { kind: "length"; length: number }
  | { kind: "chunked" }
  | { kind: "close" };

/** A response's status line and headers; the body is still on the connection. */
export interface Http1ResponseHead {
  status: number;
  statusText: string;
  headers: ResponseHeaders;
  /** Set-Cookie lines in order (not joined). */
  setCookies: string[];
  /** Whether the connection may carry another request once the body is read. */
  keepAlive: boolean;
  framing: BodyFraming;
}

/** The connection ended before the body did (a SyntaxError, as other framing errors). */
export class TruncatedBodyError extends SyntaxError {
  /** Body bytes received before the end. */
  readonly received: number;
  /** Content-Length, when the body had one. */
  readonly expected?: number;

  /** Creates the error. */
  constructor(received: number, expected?: number) {
    super(
      expected === undefined
        ? `Connection closed in the middle of a chunked body after ${received} bytes`
        : `Connection closed after ${received} of ${expected} bytes`,
    );
    this.name = "TruncatedBodyError";
    this.received = received;
    if (expected !== undefined) this.expected = expected;
  }
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

  /**
   * Reads at most `target.length` bytes into `target`: what is buffered first, then
   * straight from the socket (no copy through the buffer). The count, or null at end of
   * stream.
   */
  async readInto(target: Uint8Array): Promise<number | null> {
    if (this.#length > 0) {
      const n = Math.min(this.#length, target.length);
      target.set(this.#buf.subarray(this.#start, this.#start + n));
      this.#start += n;
      return n;
    }
    if (this.#eof) return null;
    const n = await this.#socket.readInto(target);
    if (n === null) this.#eof = true;
    return n;
  }

  /** A copy of the next `n` unread bytes (the buffer is reused). */
  #take(n: number): Uint8Array {
    const out = this.#buf.slice(this.#start, this.#start + n);
    this.#start += n;
    return out;
  }
}

/** Options of {@linkcode readResponseHead}. */
export interface ReadHeadOptions {
  /** The request's method (a HEAD response has no body). */
  method: string;
  /** Called when the first byte of a response arrives. */
  onFirstByte?: () => void;
  /** Return 1xx interim responses (e.g. 100 Continue) instead of skipping them. */
  interim?: boolean;
}

/** Reads a response's status line and headers, and how its body is framed; skips 1xx. */
export async function readResponseHead(
  reader: SocketReader,
  options: ReadHeadOptions,
): Promise<Http1ResponseHead> {
  for (;;) {
    const statusLine = await reader.readLine(MAX_HEADER_BYTES);
    if (statusLine === null) throw new SyntaxError("Connection closed before a response");
    options.onFirstByte?.();
    const m = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(statusLine);
    if (!m) throw new SyntaxError(`Invalid status line "${statusLine.slice(0, 80)}"`);
    const status = Number(m[2]);
    const headers = new ResponseHeaders();
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
      if (!FIELD_NAME.test(name) || value.includes("\0") || value.includes("\r")) {
        throw new SyntaxError(`Invalid header line "${line.slice(0, 80)}"`);
      }
      if (name.toLowerCase() === "set-cookie") setCookies.push(value);
      headers.append(name, value);
    }
    const statusText = m[3] ?? "";
    if (status >= 100 && status < 200) {
      if (options.interim) {
        return { status, statusText, headers, setCookies, keepAlive: true, framing: NO_BODY };
      }
      continue;
    }
    const connection = (headers.get("connection") ?? "").toLowerCase();
    let keepAlive = m[1] === "1"
      ? !/\bclose\b/.test(connection)
      : /\bkeep-alive\b/.test(connection);
    let framing: BodyFraming;
    const te = (headers.get("transfer-encoding") ?? "").toLowerCase();
    const cl = headers.get("content-length");
    if (options.method === "HEAD" || status === 204 || status === 304) {
      framing = NO_BODY;
    } else if (te.includes("chunked")) {
      framing = { kind: "chunked" };
    } else if (cl !== null) {
      if (!/^\d+$/.test(cl)) throw new SyntaxError(`Invalid Content-Length "${cl}"`);
      framing = { kind: "length", length: Number(cl) };
    } else {
      framing = { kind: "close" };
      keepAlive = false;
    }
    return { status, statusText, headers, setCookies, keepAlive, framing };
  }
}

const NO_BODY: BodyFraming = { kind: "none" };

/** Reads one response, its body buffered whole; skips 1xx interim responses. */
export async function readResponse(
  reader: SocketReader,
  options: { maxBodyBytes: number; method: string; onFirstByte?: () => void },
): Promise<Http1Response> {
  const { framing, ...head } = await readResponseHead(reader, options);
  let body: Uint8Array;
  if (framing.kind === "none") {
    body = new Uint8Array(0);
  } else if (framing.kind === "chunked") {
    body = await readChunked(reader, options.maxBodyBytes);
  } else if (framing.kind === "length") {
    if (framing.length > options.maxBodyBytes) throw new BodyTooLargeError(options.maxBodyBytes);
    body = await reader.readExact(framing.length);
  } else {
    body = await reader.readToEnd(options.maxBodyBytes);
  }
  return { ...head, body };
}

/**
 * Streams one response body into the caller's buffer: {@linkcode BodyReader.readInto}
 * until it returns null. Content-Length bodies end at their length (bytes after it are
 * never read); a connection closed before the end is a {@linkcode TruncatedBodyError};
 * chunked bodies are decoded, their trailers read and dropped.
 */
export class BodyReader {
  #reader: SocketReader;
  #framing: BodyFraming;
  /** Body bytes returned so far. */
  #received = 0;
  /** Bytes left in the current chunk (chunked) or body (length). */
  #left: number;
  #chunkSeen = false;
  #done: boolean;

  /** Reads the body framed as `framing` from `reader`. */
  constructor(reader: SocketReader, framing: BodyFraming) {
    this.#reader = reader;
    this.#framing = framing;
    this.#left = framing.kind === "length" ? framing.length : 0;
    this.#done = framing.kind === "none";
  }

  /** Body bytes returned so far. */
  get received(): number {
    return this.#received;
  }

  /** Whether the whole body has been read. */
  get done(): boolean {
    return this.#done;
  }

  /** Reads at most `target.length` (> 0) body bytes into `target`; null at the end of the body. */
  async readInto(target: Uint8Array): Promise<number | null> {
    if (this.#done) return null;
    const kind = this.#framing.kind;
    if (kind === "close") {
      const n = await this.#reader.readInto(target);
      if (n === null) {
        this.#done = true;
        return null;
      }
      this.#received += n;
      return n;
    }
    if (kind === "length" && this.#left === 0) {
      this.#done = true;
      return null;
    }
    if (kind === "chunked" && this.#left === 0 && !(await this.#nextChunk())) return null;
    const n = await this.#reader.readInto(target.subarray(0, Math.min(target.length, this.#left)));
    if (n === null) {
      throw new TruncatedBodyError(
        this.#received,
        kind === "length" ? (this.#framing as { length: number }).length : undefined,
      );
    }
    this.#left -= n;
    this.#received += n;
    return n;
  }

  /** Reads the next chunk's size line; false (and trailers read) at the last chunk. */
  async #nextChunk(): Promise<boolean> {
    const line = async (limit: number) => {
      const l = await this.#reader.readLine(limit);
      if (l === null) throw new TruncatedBodyError(this.#received);
      return l;
    };
    if (this.#chunkSeen && (await line(4096)) !== "") throw new SyntaxError("Invalid chunk end");
    this.#chunkSeen = true;
    const sizeLine = await line(4096);
    const sizeText = sizeLine.split(";")[0].trim();
    if (!/^[0-9a-fA-F]{1,12}$/.test(sizeText)) {
      throw new SyntaxError(`Invalid chunk size "${sizeLine.slice(0, 40)}"`);
    }
    this.#left = parseInt(sizeText, 16);
    if (this.#left > 0) return true;
    // Trailers, read and dropped; a close right after the last chunk ends the body too.
    let trailerBytes = 0;
    for (;;) {
      const trailer = await this.#reader.readLine(MAX_HEADER_BYTES);
      if (trailer === null || trailer === "") break;
      trailerBytes += trailer.length;
      if (trailerBytes > MAX_HEADER_BYTES) throw new SyntaxError("Response trailers too large");
    }
    this.#done = true;
    return false;
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
