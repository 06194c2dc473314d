/**
 * FTP replies (RFC 959 §4.2): the pure parser of the control connection's server side,
 * and the readers of the few reply texts the client needs (229 EPSV, 227 PASV, 213
 * SIZE). No I/O: bytes in, replies out.
 *
 * ```
 * single line   "226 Transfer complete.\r\n"
 * multi-line    "211-Features:\r\n" " EPSV\r\n" "123 is a line too\r\n" "211 End\r\n"
 * ```
 *
 * A multi-line reply opens with `ddd-` and ends at the first line that starts with the
 * same code and a space (RFC 959 §4.2: lines in between may start with anything,
 * digits included). A bare `ddd` line is taken as `ddd ` (seen from old servers). Lines
 * end with CRLF; a lone LF is accepted, trailing CRs are dropped. Bytes are read as
 * UTF-8 (RFC 2640), invalid sequences replaced.
 *
 * A hostile server cannot make the parser hold more than {@linkcode MAX_REPLY_BYTES}:
 * a longer line or reply is a RangeError.
 *
 * @module
 */

/** Longest reply (all its lines) the parser accepts, bytes. */
export const MAX_REPLY_BYTES = 64 * 1024;

/** One complete reply. */
export interface FtpReply {
  /** The three-digit code, 100–599. */
  code: number;
  /** The text of each line: the code and separator removed from the first and last. */
  lines: string[];
}

const LF = 0x0a;
const decoder = new TextDecoder();

/** The text of a reply's lines joined by spaces, for FaultStrings and logs (≤ 200 characters). */
export function replyText(reply: FtpReply): string {
  const text = reply.lines.map((line) => line.trim()).filter((line) => line !== "").join(" ");
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

/**
 * Incremental reply parser: {@linkcode FtpReplyParser.push} takes the bytes as they
 * arrive, cut anywhere, and returns the replies they complete.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FtpReplyParser } from "./ftp_reply.ts";
 *
 * const parser = new FtpReplyParser();
 * const bytes = new TextEncoder().encode("230-Welcome\r\n230 Login successful.\r\n");
 * assert.deepEqual(parser.push(bytes), [{ code: 230, lines: ["Welcome", "Login successful."] }]);
 * ```
 */
export class FtpReplyParser {
  /** Bytes of the line not yet ended. */
  #partial: Uint8Array[] = [];
  #partialBytes = 0;
  /** The open multi-line reply, if any. */
  #open: FtpReply | undefined;
  #openBytes = 0;

  /**
   * Feeds `bytes`; returns the replies completed by them, in order.
   *
   * @throws {SyntaxError} on a line that is not a reply where one must start
   * @throws {RangeError} when a line or reply exceeds {@linkcode MAX_REPLY_BYTES}
   */
  push(bytes: Uint8Array): FtpReply[] {
    const replies: FtpReply[] = [];
    let start = 0;
    while (start < bytes.length) {
      const end = bytes.indexOf(LF, start);
      if (end < 0) {
        this.#keep(bytes.subarray(start));
        break;
      }
      const reply = this.#line(this.#take(bytes.subarray(start, end)));
      if (reply !== undefined) replies.push(reply);
      start = end + 1;
    }
    return replies;
  }

  /** Whether a reply has started but not ended (bytes are pending). */
  get pending(): boolean {
    return this.#open !== undefined || this.#partialBytes > 0;
  }

  #keep(chunk: Uint8Array): void {
    this.#partialBytes += chunk.length;
    if (this.#partialBytes + this.#openBytes > MAX_REPLY_BYTES) {
      throw new RangeError(`FTP reply longer than ${MAX_REPLY_BYTES} bytes`);
    }
    this.#partial.push(chunk.slice());
  }

  #take(tail: Uint8Array): string {
    let bytes = tail;
    if (this.#partialBytes > 0) {
      this.#keep(tail);
      bytes = new Uint8Array(this.#partialBytes);
      let at = 0;
      for (const part of this.#partial) {
        bytes.set(part, at);
        at += part.length;
      }
      this.#partial = [];
      this.#partialBytes = 0;
    } else if (tail.length + this.#openBytes > MAX_REPLY_BYTES) {
      throw new RangeError(`FTP reply longer than ${MAX_REPLY_BYTES} bytes`);
    }
    return decoder.decode(bytes).replace(/\r+$/, "");
  }

  #line(line: string): FtpReply | undefined {
    const open = this.#open;
    if (open !== undefined) {
      if (isEnd(line, open.code)) {
        open.lines.push(line.slice(4));
        this.#open = undefined;
        this.#openBytes = 0;
        return open;
      }
      open.lines.push(line);
      this.#openBytes += line.length + 2;
      return undefined;
    }
    const m = /^([1-5]\d\d)([ -]|$)/.exec(line);
    if (m === null) {
      const shown = line.length > 40 ? `${line.slice(0, 40)}...` : line;
      throw new SyntaxError(`Cannot parse FTP reply: "${shown}"`);
    }
    const code = Number(m[1]);
    if (m[2] === "-") {
      this.#open = { code, lines: [line.slice(4)] };
      this.#openBytes = line.length + 2;
      return undefined;
    }
    return { code, lines: [line.slice(4)] };
  }
}

function isEnd(line: string, code: number): boolean {
  const prefix = String(code);
  return line.startsWith(prefix) && (line.length === 3 || line[3] === " ");
}

/**
 * The port of a `229 Entering Extended Passive Mode (|||6446|)` reply (RFC 2428 §3):
 * the text between parentheses is three delimiters, the port, a delimiter.
 *
 * @throws {SyntaxError} when the reply holds no such port
 */
export function parseEpsvReply(reply: FtpReply): number {
  const text = reply.lines.join(" ");
  const m = /\(([\x21-\x7e])\1\1(\d{1,5})\1\)/.exec(text);
  const port = m === null ? NaN : Number(m[2]);
  if (!(port >= 1 && port <= 65535)) {
    throw new SyntaxError(`Cannot read the port of EPSV reply: "${replyText(reply)}"`);
  }
  return port;
}

/** Address and port named by a PASV reply. */
export interface PasvAddress {
  host: string;
  port: number;
}

/**
 * The address of a `227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)` reply (RFC 959
 * §4.1.2; the parentheses are optional in practice, RFC 1123 §4.1.2.6).
 *
 * @throws {SyntaxError} when the reply holds no such address
 */
export function parsePasvReply(reply: FtpReply): PasvAddress {
  const text = reply.lines.join(" ");
  const m = /(\d{1,3}),\s*(\d{1,3}),\s*(\d{1,3}),\s*(\d{1,3}),\s*(\d{1,3}),\s*(\d{1,3})/.exec(
    text,
  );
  const n = m === null ? [] : m.slice(1).map(Number);
  const port = n[4] * 256 + n[5];
  if (m === null || n.some((v) => v > 255) || !(port >= 1)) {
    throw new SyntaxError(`Cannot read the address of PASV reply: "${replyText(reply)}"`);
  }
  return { host: n.slice(0, 4).join("."), port };
}

/**
 * The size in bytes of a `213 <size>` reply to SIZE (RFC 3659 §4).
 *
 * @throws {SyntaxError} when the text is not a decimal size
 */
export function parseSizeReply(reply: FtpReply): number {
  const text = reply.lines[reply.lines.length - 1].trim();
  const size = /^\d{1,16}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(size)) {
    throw new SyntaxError(`Cannot read the size of SIZE reply: "${replyText(reply)}"`);
  }
  return size;
}
