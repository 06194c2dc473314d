/**
 * TFTP packets: the pure codec of the TFTP client (RFC 1350 §5, option extension RFC
 * 2347; options blksize RFC 2348, tsize and timeout RFC 2349). No I/O.
 *
 * ```
 * RRQ/WRQ  | 01/02 | filename | 0 | mode | 0 | opt1 | 0 | value1 | 0 | …
 * DATA     | 03 | block u16 | 0–65464 bytes
 * ACK      | 04 | block u16
 * ERROR    | 05 | code u16 | message | 0
 * OACK     | 06 | opt1 | 0 | value1 | 0 | …
 * ```
 *
 * Opcodes, block numbers and error codes are big-endian u16. Strings are written as UTF-8
 * (netascii is its ASCII subset) and read back with invalid bytes replaced. Option names
 * are case-insensitive (RFC 2347): decoding lower-cases them; values are kept as sent.
 * Decoding is lenient where servers are known to be sloppy (an ERROR message or the last
 * option value without its NUL, bytes after an ACK's block number) and strict elsewhere.
 *
 * @module
 */

/** Opcodes (RFC 1350 §5, RFC 2347 for OACK). */
export const TftpOpcode = {
  RRQ: 1,
  WRQ: 2,
  DATA: 3,
  ACK: 4,
  ERROR: 5,
  OACK: 6,
} as const;

/** Error codes (RFC 1350 Appendix; 8 from RFC 2347). */
export const TftpErrorCode = {
  NotDefined: 0,
  FileNotFound: 1,
  AccessViolation: 2,
  DiskFull: 3,
  IllegalOperation: 4,
  UnknownTransferId: 5,
  FileExists: 6,
  NoSuchUser: 7,
  OptionRefused: 8,
} as const;

/** Largest DATA payload: blksize 65464 (RFC 2348). */
export const MAX_BLOCK_SIZE = 65464;

/** Options of a request or OACK, in the order sent; names lower-case when decoded. */
export type TftpOptions = Record<string, string>;

/** A TFTP packet. */
export type TftpPacket =
  | { kind: "RRQ"; filename: string; mode: string; options: TftpOptions }
  | { kind: "WRQ"; filename: string; mode: string; options: TftpOptions }
  /** On decode `data` is a view into the datagram, not a copy. */
  | { kind: "DATA"; block: number; data: Uint8Array }
  | { kind: "ACK"; block: number }
  | { kind: "ERROR"; code: number; message: string }
  | { kind: "OACK"; options: TftpOptions };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The bytes of `packet`.
 *
 * @throws {TypeError} when a string holds NUL
 * @throws {RangeError} when a block number or code is not a u16, or DATA is too long
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeTftpPacket } from "./tftp_packet.ts";
 *
 * assert.deepEqual(encodeTftpPacket({ kind: "ACK", block: 258 }), new Uint8Array([0, 4, 1, 2]));
 * ```
 */
export function encodeTftpPacket(packet: TftpPacket): Uint8Array {
  switch (packet.kind) {
    case "RRQ":
    case "WRQ": {
      const strings = [packet.filename, packet.mode, ...Object.entries(packet.options).flat()];
      return withStrings(TftpOpcode[packet.kind], strings);
    }
    case "OACK":
      return withStrings(TftpOpcode.OACK, Object.entries(packet.options).flat());
    case "DATA": {
      if (packet.data.length > MAX_BLOCK_SIZE) {
        throw new RangeError(`TFTP DATA longer than ${MAX_BLOCK_SIZE} bytes`);
      }
      const bytes = new Uint8Array(4 + packet.data.length);
      header(bytes, TftpOpcode.DATA, u16(packet.block, "block"));
      bytes.set(packet.data, 4);
      return bytes;
    }
    case "ACK": {
      const bytes = new Uint8Array(4);
      header(bytes, TftpOpcode.ACK, u16(packet.block, "block"));
      return bytes;
    }
    case "ERROR": {
      const message = encoder.encode(noNul(packet.message));
      const bytes = new Uint8Array(5 + message.length);
      header(bytes, TftpOpcode.ERROR, u16(packet.code, "error code"));
      bytes.set(message, 4);
      return bytes;
    }
  }
}

/**
 * Reads one datagram.
 *
 * @throws {SyntaxError} when the bytes are not a TFTP packet
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeTftpPacket } from "./tftp_packet.ts";
 *
 * const oack = new Uint8Array([0, 6, ...new TextEncoder().encode("blksize\x001428\x00")]);
 * assert.deepEqual(decodeTftpPacket(oack), { kind: "OACK", options: { blksize: "1428" } });
 * ```
 */
export function decodeTftpPacket(bytes: Uint8Array): TftpPacket {
  if (bytes.length < 2) fail("shorter than 2 bytes");
  const opcode = (bytes[0] << 8) | bytes[1];
  switch (opcode) {
    case TftpOpcode.RRQ:
    case TftpOpcode.WRQ: {
      const strings = readStrings(bytes, false);
      if (strings.length < 2) fail("request without filename and mode");
      const [filename, mode, ...rest] = strings;
      return {
        kind: opcode === TftpOpcode.RRQ ? "RRQ" : "WRQ",
        filename,
        mode: mode.toLowerCase(),
        options: pairs(rest),
      };
    }
    case TftpOpcode.DATA:
      if (bytes.length < 4) fail("DATA shorter than 4 bytes");
      if (bytes.length > 4 + MAX_BLOCK_SIZE) fail(`DATA longer than ${MAX_BLOCK_SIZE} bytes`);
      return { kind: "DATA", block: (bytes[2] << 8) | bytes[3], data: bytes.subarray(4) };
    case TftpOpcode.ACK:
      if (bytes.length < 4) fail("ACK shorter than 4 bytes");
      return { kind: "ACK", block: (bytes[2] << 8) | bytes[3] };
    case TftpOpcode.ERROR: {
      if (bytes.length < 4) fail("ERROR shorter than 4 bytes");
      const end = bytes.indexOf(0, 4);
      const message = decoder.decode(bytes.subarray(4, end < 0 ? bytes.length : end));
      return { kind: "ERROR", code: (bytes[2] << 8) | bytes[3], message };
    }
    case TftpOpcode.OACK:
      return { kind: "OACK", options: pairs(readStrings(bytes, true)) };
    default:
      fail(`unknown opcode ${opcode}`);
  }
}

function fail(what: string): never {
  throw new SyntaxError(`Cannot decode TFTP packet: ${what}`);
}

function header(bytes: Uint8Array, opcode: number, value: number): void {
  bytes[0] = opcode >> 8;
  bytes[1] = opcode & 0xff;
  bytes[2] = value >> 8;
  bytes[3] = value & 0xff;
}

function u16(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) {
    throw new RangeError(`TFTP ${what} out of range: ${value}`);
  }
  return value;
}

function noNul(text: string): string {
  if (text.includes("\0")) throw new TypeError(`TFTP string holds NUL: "${text.slice(0, 40)}"`);
  return text;
}

function withStrings(opcode: number, strings: string[]): Uint8Array {
  const parts = strings.map((s) => encoder.encode(noNul(s)));
  const bytes = new Uint8Array(2 + parts.reduce((n, p) => n + p.length + 1, 0));
  bytes[1] = opcode;
  let at = 2;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length + 1; // the NUL is already 0
  }
  return bytes;
}

/** The NUL-terminated strings after the opcode; `lenientEnd` accepts a last one without NUL. */
function readStrings(bytes: Uint8Array, lenientEnd: boolean): string[] {
  const strings: string[] = [];
  let at = 2;
  while (at < bytes.length) {
    let end = bytes.indexOf(0, at);
    if (end < 0) {
      if (!lenientEnd) fail("string without its NUL");
      end = bytes.length;
    }
    strings.push(decoder.decode(bytes.subarray(at, end)));
    at = end + 1;
  }
  return strings;
}

function pairs(strings: string[]): TftpOptions {
  if (strings.length % 2 !== 0) fail(`option "${strings[strings.length - 1]}" without a value`);
  const options: TftpOptions = {};
  for (let i = 0; i < strings.length; i += 2) {
    const name = strings[i].toLowerCase();
    if (name === "") fail("empty option name");
    if (Object.hasOwn(options, name)) fail(`option "${name}" twice`);
    // defineProperty: a name like "__proto__" stays a plain key.
    Object.defineProperty(options, name, {
      value: strings[i + 1],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return options;
}
