/**
 * The TFTP client of Download and Upload (RFC 1350, octet mode; options RFC 2347 with
 * blksize RFC 2348 and tsize RFC 2349; URLs RFC 3617). Sangoma Vega gateways upgrade
 * over TFTP only, so every failure mode here ends in a definite fault, never in a
 * half-written file reported as success.
 *
 * ```
 * download  RRQ(blksize, tsize=0) → OACK → ACK 0 → DATA 1 → ACK 1 → … → DATA n (short) → ACK n
 *           RRQ(…)                 → DATA 1 (options ignored: 512-byte blocks) → ACK 1 → …
 * upload    WRQ(blksize, tsize=N)  → OACK → DATA 1 → ACK 1 → … → DATA n (short) → ACK n
 *           WRQ(…)                 → ACK 0 (options ignored: 512-byte blocks) → DATA 1 → …
 * ```
 *
 * - Transfer ID: the first reply from the server's address fixes its port (RFC 1350 §4);
 *   a packet from any other address or port gets ERROR 5 and is otherwise ignored.
 * - An ERROR in answer to a request that carried options (other than file not found,
 *   access violation, disk full, file exists) is taken as the options refused: the
 *   request is sent once more, from a new port, without options.
 * - Retransmission: the last packet sent (request, ACK or DATA) goes again after
 *   `retransmitMs` without an answer, at most `retries` times; then the transfer fails
 *   (9015 when the server never answered, otherwise 9017 / 9011).
 * - Duplicate DATA (our ACK was lost) is ACKed again and not written twice; a duplicate
 *   ACK is ignored, never answered with DATA (the Sorcerer's Apprentice bug, RFC 1123
 *   §4.2.3.1). Block numbers wrap from 65535 to 0; a server that wraps to 1 is followed.
 * - tsize: asked as 0 on RRQ, and checked against FileSize and `limits.maxBytes` before a
 *   single block is accepted; the real size is sent on WRQ.
 * - Success only when the short final block arrived and the byte count matches tsize
 *   (when told) and FileSize (when not 0).
 * - Faults: ERROR 1 (file not found) and 2 (access violation) 9016; other ERRORs 9010 /
 *   9011 before any data, 9017 / 9011 after; 6 (file exists) on upload 9016; name not
 *   resolved or no answer at all 9015; larger than FileSize or maxBytes 9017; a complete
 *   file of a size other than FileSize 9018; cancelled 9010 / 9011.
 *
 * @module
 */

import { lookup } from "node:dns/promises";
import type { DownloadRequest, TransferClient, TransferResult, UploadRequest } from "./client.ts";
import { TransferGuard, writeAll } from "./_guard.ts";
import {
  decodeTftpPacket,
  encodeTftpPacket,
  MAX_BLOCK_SIZE,
  TftpErrorCode,
  type TftpOptions,
  type TftpPacket,
} from "./tftp_packet.ts";
import { tftpTarget, type TransferTarget } from "./url_target.ts";
import { clearTimer, setTimer, type Timer } from "../platform/timers.ts";

/** Options of {@linkcode createTftpClient}. */
export interface TftpClientOptions {
  /**
   * blksize to ask for (RFC 2348). Default 1428: with the 4-byte TFTP, 8-byte UDP and
   * 40-byte IPv6 headers a block still fits a 1500-byte MTU. 512 asks for no blksize.
   */
  blockSize?: number;
  /**
   * Wait for an answer before the last packet goes again, ms. Default: the request's
   * stall limit divided by (retries + 1), at most 1000 ms (tftpd-hpa's own default), at
   * least 20 ms.
   */
  retransmitMs?: number;
  /** Times one packet is sent again before the transfer fails. Default 5. */
  retries?: number;
}

/** The default 1,428-byte blocks (see {@linkcode TftpClientOptions.blockSize}). */
export const DEFAULT_BLOCK_SIZE = 1428;
const DEFAULT_RETRIES = 5;
/** Received blocks are written to the file in batches of about this size. */
const WRITE_BATCH = 128 * 1024;

/** A TFTP client with `options`. */
export function createTftpClient(options: TftpClientOptions = {}): TransferClient {
  const blockSize = options.blockSize ?? DEFAULT_BLOCK_SIZE;
  if (!Number.isInteger(blockSize) || blockSize < 8 || blockSize > MAX_BLOCK_SIZE) {
    throw new RangeError(`Invalid TFTP blockSize: ${blockSize}`);
  }
  return {
    download: (request) => run(request, "download", blockSize, options),
    upload: (request) => run(request, "upload", blockSize, options),
  };
}

/** The TFTP client: `tftp:` URLs, 1,428-byte blocks, 5 retries. */
export const tftpTransferClient: TransferClient = createTftpClient();

/** A datagram and where it came from. */
type Datagram = [Uint8Array, Deno.Addr];

/** Thrown inside an attempt when the server refused the request's options. */
class OptionsRefused extends Error {}

interface Settings {
  target: TransferTarget;
  address: string;
  blockSize: number;
  retransmitMs: number;
  retries: number;
}

async function run(
  request: DownloadRequest | UploadRequest,
  direction: "download" | "upload",
  blockSize: number,
  options: TftpClientOptions,
): Promise<TransferResult> {
  const guard = new TransferGuard(direction, request);
  try {
    guard.check();
    let target: TransferTarget;
    try {
      target = tftpTarget(request.url);
    } catch (error) {
      throw guard.fail(guard.generic, (error as Error).message);
    }
    const retries = options.retries ?? DEFAULT_RETRIES;
    const settings: Settings = {
      target,
      address: await resolve(guard, target.host),
      blockSize,
      retries,
      retransmitMs: options.retransmitMs ??
        Math.max(20, Math.min(1000, Math.floor(request.limits.stallTimeoutMs / (retries + 1)))),
    };
    for (const withOptions of [true, false]) {
      const socket = new TftpSocket(guard, settings, request.onLog);
      try {
        const bytes = direction === "download"
          ? await receiveFile(guard, socket, settings, request as DownloadRequest, withOptions)
          : await sendFile(guard, socket, settings, request as UploadRequest, withOptions);
        return { bytes, startTime: guard.startTime, completeTime: Date.now() };
      } catch (error) {
        if (!(error instanceof OptionsRefused) || !withOptions) throw error;
        request.onLog?.(`TFTP ${error.message}; asking again without options`);
      } finally {
        await socket.close();
      }
    }
    throw guard.fail(guard.generic, "TFTP request failed"); // not reached
  } catch (error) {
    throw guard.settle(error);
  } finally {
    guard.dispose();
  }
}

/** The address of `host` (an IP literal as is; names through the system resolver). */
async function resolve(guard: TransferGuard, host: string): Promise<string> {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(":")) return host;
  try {
    return (await lookup(host)).address;
  } catch {
    guard.check();
    throw guard.fail(9015, `Cannot resolve TFTP server "${host}"`);
  }
}

/** The options a request carries. */
function requestOptions(settings: Settings, tsize: number, withOptions: boolean): TftpOptions {
  if (!withOptions) return {};
  const options: TftpOptions = {};
  if (settings.blockSize !== 512) options.blksize = String(settings.blockSize);
  options.tsize = String(tsize);
  return options;
}

/** The blksize and tsize of an OACK, checked against what was asked. */
function readOack(
  guard: TransferGuard,
  socket: TftpSocket,
  asked: TftpOptions,
  oack: TftpOptions,
): { blockSize: number; tsize?: number } {
  let blockSize = 512;
  let tsize: number | undefined;
  for (const [name, value] of Object.entries(oack)) {
    const n = /^\d{1,15}$/.test(value) ? Number(value) : NaN;
    if (!(name in asked)) {
      throw socket.abort(TftpErrorCode.OptionRefused, guard.generic, `option "${name}" not asked`);
    }
    if (name === "blksize") {
      if (!(n >= 8 && n <= Number(asked.blksize))) {
        throw socket.abort(
          TftpErrorCode.OptionRefused,
          guard.generic,
          `blksize "${value}" outside 8–${asked.blksize}`,
        );
      }
      blockSize = n;
    } else if (name === "tsize") {
      if (Number.isNaN(n)) {
        throw socket.abort(TftpErrorCode.OptionRefused, guard.generic, `tsize "${value}"`);
      }
      tsize = n;
    }
  }
  return { blockSize, tsize };
}

/** Where the size a server announced (tsize) conflicts with FileSize or maxBytes. */
function checkAnnounced(
  guard: TransferGuard,
  socket: TftpSocket,
  tsize: number,
  fileSize: number,
): void {
  const { maxBytes } = guard.limits;
  if (tsize > maxBytes) {
    throw socket.abort(
      TftpErrorCode.DiskFull,
      9017,
      `file of ${tsize} bytes exceeds the limit of ${maxBytes} bytes`,
    );
  }
  if (fileSize > 0 && tsize > fileSize) {
    throw socket.abort(
      TftpErrorCode.DiskFull,
      9017,
      `file of ${tsize} bytes exceeds FileSize ${fileSize}`,
    );
  }
  if (fileSize > 0 && tsize < fileSize) {
    throw socket.abort(0, 9018, `file has ${tsize} bytes, FileSize says ${fileSize}`);
  }
}

/** The fault of an ERROR packet from the server. */
function serverError(
  guard: TransferGuard,
  packet: { code: number; message: string },
  started: boolean,
  withOptions: boolean,
): Error {
  const text = `TFTP server error ${packet.code}: "${packet.message.slice(0, 160)}"`;
  const { code } = packet;
  const definite = code === TftpErrorCode.FileNotFound || code === TftpErrorCode.AccessViolation ||
    code === TftpErrorCode.DiskFull || code === TftpErrorCode.FileExists;
  if (!started && withOptions && !definite) return new OptionsRefused(text);
  if (code === TftpErrorCode.FileNotFound || code === TftpErrorCode.AccessViolation) {
    return guard.fail(9016, text);
  }
  if (code === TftpErrorCode.FileExists && guard.direction === "upload") {
    return guard.fail(9016, text);
  }
  return guard.fail(started ? guard.incomplete : guard.generic, text);
}

/** RRQ, then DATA blocks into `request.path`; returns the byte count. */
async function receiveFile(
  guard: TransferGuard,
  socket: TftpSocket,
  settings: Settings,
  request: DownloadRequest,
  withOptions: boolean,
): Promise<number> {
  const asked = requestOptions(settings, 0, withOptions);
  socket.request({ kind: "RRQ", filename: settings.target.path, mode: "octet", options: asked });
  let blockSize = 512;
  let tsize: number | undefined;
  let started = false; // an OACK or DATA came: the server has the transfer going
  let expected = 1;
  let lastBlock = -1; // the block number last written and ACKed
  let rollsToOne = false; // the server numbers the block after 65535 as 1, not 0
  let received = 0;
  let limit = { bytes: guard.limits.maxBytes, why: `the limit of ${guard.limits.maxBytes} bytes` };
  if (request.fileSize > 0 && request.fileSize < limit.bytes) {
    limit = { bytes: request.fileSize, why: `FileSize ${request.fileSize}` };
  }
  let file: Deno.FsFile | undefined; // opened once the server answers
  const batch = new Uint8Array(WRITE_BATCH + MAX_BLOCK_SIZE);
  let fill = 0;
  try {
    while (true) {
      const packet = await socket.next(started);
      switch (packet.kind) {
        case "ERROR":
          throw serverError(guard, packet, started, withOptions);
        case "OACK": {
          if (started) {
            if (lastBlock < 0) socket.reply({ kind: "ACK", block: 0 });
            continue; // a repeated OACK: our ACK 0 was lost
          }
          const oack = readOack(guard, socket, asked, packet.options);
          blockSize = oack.blockSize;
          if (oack.tsize !== undefined) {
            checkAnnounced(guard, socket, oack.tsize, request.fileSize);
            tsize = oack.tsize;
            if (tsize < limit.bytes) limit = { bytes: tsize, why: `tsize ${tsize}` };
          }
          started = true;
          file = await Deno.open(request.path, { write: true, create: true, truncate: true });
          socket.reply({ kind: "ACK", block: 0 });
          continue;
        }
        case "DATA":
          break;
        default:
          continue; // ACK, RRQ, WRQ: nothing a downloader expects
      }
      started = true; // DATA 1 at once: options ignored, 512-byte blocks
      file ??= await Deno.open(request.path, { write: true, create: true, truncate: true });
      let block = packet.block;
      if (block !== expected && expected === 0 && block === 1 && lastBlock === 0xffff) {
        rollsToOne = true; // the block after 65535 is numbered 1 on this server
        block = expected;
      }
      if (block !== expected) {
        if (packet.block === lastBlock) socket.reply({ kind: "ACK", block: lastBlock });
        continue; // a duplicate (our ACK was lost) is ACKed again, never written twice
      }
      const data = packet.data;
      if (data.length > blockSize) {
        throw socket.abort(
          TftpErrorCode.IllegalOperation,
          9017,
          `DATA block of ${data.length} bytes, blksize is ${blockSize}`,
        );
      }
      received += data.length;
      if (received > limit.bytes) {
        throw socket.abort(TftpErrorCode.DiskFull, 9017, `download exceeds ${limit.why}`);
      }
      batch.set(data, fill);
      fill += data.length;
      lastBlock = packet.block;
      socket.reply({ kind: "ACK", block: lastBlock });
      guard.progress(received);
      if (data.length < blockSize) break;
      expected = (lastBlock + 1) & 0xffff;
      if (expected === 0 && rollsToOne) expected = 1;
      if (fill >= WRITE_BATCH) {
        await writeAll(file!, batch.subarray(0, fill));
        fill = 0;
      }
    }
    await writeAll(file!, batch.subarray(0, fill));
  } finally {
    file?.close();
  }
  if (tsize !== undefined && received !== tsize) {
    throw guard.fail(9017, `TFTP download cut short: ${received} of ${tsize} bytes`);
  }
  if (request.fileSize > 0 && received !== request.fileSize) {
    throw guard.fail(9018, `File has ${received} bytes, FileSize says ${request.fileSize}`);
  }
  request.onLog?.(`TFTP download of "${settings.target.path}" complete: ${received} bytes`);
  return received;
}

/** WRQ, then the file as DATA blocks; returns the byte count. */
async function sendFile(
  guard: TransferGuard,
  socket: TftpSocket,
  settings: Settings,
  request: UploadRequest,
  withOptions: boolean,
): Promise<number> {
  let file: Deno.FsFile;
  let size: number;
  try {
    file = await Deno.open(request.path, { read: true });
    size = (await file.stat()).size;
  } catch (error) {
    throw guard.fail(9011, `Cannot read the file to upload: ${(error as Error).message}`);
  }
  try {
    const asked = requestOptions(settings, size, withOptions);
    socket.request({ kind: "WRQ", filename: settings.target.path, mode: "octet", options: asked });
    const reader = new BlockReader(file);
    let blockSize = 512;
    let started = false;
    let block = 0; // the DATA block awaiting its ACK (0: the WRQ)
    let last = false; // `block` is the short final one
    let sent = 0;
    while (true) {
      const packet = await socket.next(started);
      if (packet.kind === "ERROR") throw serverError(guard, packet, started, withOptions);
      if (!started) {
        if (packet.kind === "OACK") {
          const oack = readOack(guard, socket, asked, packet.options);
          blockSize = oack.blockSize;
        } else if (packet.kind !== "ACK" || packet.block !== 0) {
          continue;
        }
        started = true;
      } else if (packet.kind !== "ACK" || packet.block !== block) {
        continue; // a duplicate ACK is never answered with DATA
      } else if (last) {
        break;
      }
      const data = await reader.next(blockSize);
      block = (block + 1) & 0xffff;
      last = data.length < blockSize;
      sent += data.length;
      socket.reply({ kind: "DATA", block, data });
      guard.progress(sent);
    }
    if (sent !== size) {
      throw guard.fail(9011, `File changed during the upload: sent ${sent} of ${size} bytes`);
    }
    request.onLog?.(`TFTP upload of "${settings.target.path}" complete: ${sent} bytes`);
    return sent;
  } finally {
    file.close();
  }
}

/** Reads a file in blocks of any size through one buffer. */
class BlockReader {
  readonly #file: Deno.FsFile;
  readonly #buffer = new Uint8Array(WRITE_BATCH + MAX_BLOCK_SIZE);
  #start = 0;
  #end = 0;
  #eof = false;

  constructor(file: Deno.FsFile) {
    this.#file = file;
  }

  /** The next `size` bytes (fewer only at the end of the file); valid until the next call. */
  async next(size: number): Promise<Uint8Array> {
    if (this.#end - this.#start < size && !this.#eof) {
      this.#buffer.copyWithin(0, this.#start, this.#end);
      this.#end -= this.#start;
      this.#start = 0;
      while (this.#end < WRITE_BATCH && !this.#eof) {
        const n = await this.#file.read(this.#buffer.subarray(this.#end));
        if (n === null) this.#eof = true;
        else this.#end += n;
      }
    }
    const n = Math.min(size, this.#end - this.#start);
    const block = this.#buffer.subarray(this.#start, this.#start + n);
    this.#start += n;
    return block;
  }
}

/**
 * One transfer's UDP socket: sends to the server, locks its transfer ID on the first
 * reply, answers strangers with ERROR 5, retransmits the last packet on time-outs.
 */
class TftpSocket {
  readonly #guard: TransferGuard;
  readonly #conn: Deno.DatagramConn;
  readonly #address: string;
  readonly #port: number;
  readonly #retries: number;
  readonly #retransmitMs: number;
  readonly #log: ((line: string) => void) | undefined;
  readonly #buffer = new Uint8Array(4 + MAX_BLOCK_SIZE + 1);
  #peer: Deno.NetAddr | undefined;
  #last: Uint8Array | undefined;
  #pending: Promise<Datagram> | undefined;
  #waiter: ((got: Datagram | undefined) => void) | undefined;
  #ready: Datagram | undefined;
  #deadline = 0;
  #timer: Timer | undefined;
  /** The last send in flight (close waits for it). */
  #sending: Promise<void> = Promise.resolve();
  #unregister: () => void;
  /** An ERROR was sent or received: nothing more goes to the server. */
  #ended = false;

  constructor(guard: TransferGuard, settings: Settings, log?: (line: string) => void) {
    const address = settings.address;
    this.#guard = guard;
    this.#address = address;
    this.#port = settings.target.port;
    this.#retries = settings.retries;
    this.#retransmitMs = settings.retransmitMs;
    this.#log = log;
    this.#conn = Deno.listenDatagram({
      transport: "udp",
      hostname: address.includes(":") ? "::" : "0.0.0.0",
      port: 0,
    });
    this.#unregister = guard.onFail(() => this.#wake());
  }

  /** Sends the request to the server's well-known port. */
  request(packet: TftpPacket): void {
    this.#sendLast(encodeTftpPacket(packet), {
      transport: "udp",
      hostname: this.#address,
      port: this.#port,
    });
  }

  /** Sends `packet` to the locked transfer ID; it is what a time-out sends again. */
  reply(packet: TftpPacket): void {
    this.#sendLast(encodeTftpPacket(packet), this.#peer!);
  }

  /**
   * The next packet from the server (the first one locks its transfer ID). After each
   * silent `retransmitMs` the last packet goes again; after `retries` of them the
   * transfer fails: 9015 when nothing came yet (`started` false), else 9017 / 9011.
   */
  async next(started: boolean): Promise<TftpPacket> {
    const retries = this.#retries;
    let tries = 0;
    while (true) {
      this.#guard.check();
      const got = await this.#receive(this.#retransmitMs);
      this.#guard.check();
      if (got === undefined) {
        if (tries++ >= retries) {
          const code = started || this.#peer !== undefined ? this.#guard.incomplete : 9015;
          const what = this.#peer === undefined
            ? `No answer from TFTP server "${this.#address}:${this.#port}"`
            : "TFTP server stopped answering";
          throw this.#guard.fail(code, `${what} (${retries} retries)`);
        }
        this.#send(this.#last!, this.#peer ?? this.#requestAddr());
        continue;
      }
      const [bytes, from] = got;
      const addr = from as Deno.NetAddr;
      if (!this.#isServer(addr)) {
        this.#stranger(addr);
        continue;
      }
      let packet: TftpPacket;
      try {
        packet = decodeTftpPacket(bytes);
      } catch (error) {
        this.#log?.(`TFTP ignored from ${addr.hostname}:${addr.port}: ${(error as Error).message}`);
        continue;
      }
      if (packet.kind === "RRQ" || packet.kind === "WRQ") continue;
      if (this.#peer === undefined) {
        this.#peer = { transport: "udp", hostname: addr.hostname, port: addr.port };
      }
      if (packet.kind === "ERROR") this.#ended = true;
      this.#guard.touch();
      return packet;
    }
  }

  /**
   * Sends ERROR `tftpCode` to the server (when it has a transfer going) and fails the
   * transfer with `faultCode` and "TFTP <what>".
   */
  abort(tftpCode: number, faultCode: number, what: string): Error {
    if (this.#peer !== undefined && !this.#ended) {
      this.#send(encodeTftpPacket({ kind: "ERROR", code: tftpCode, message: what }), this.#peer);
      this.#ended = true;
    }
    const text = `TFTP ${what}`;
    return this.#guard.fail(faultCode, text.charAt(0).toUpperCase() + text.slice(1));
  }

  /** Tells the server (when a transfer is going and the failure was ours) and closes. */
  async close(): Promise<void> {
    this.#unregister();
    const failure = this.#guard.failure;
    if (failure !== undefined && this.#peer !== undefined && !this.#ended) {
      this.#ended = true;
      const message = failure.message.slice(0, 100);
      try {
        await this.#conn.send(encodeTftpPacket({ kind: "ERROR", code: 0, message }), this.#peer);
      } catch { /* best effort */ }
    }
    await this.#sending;
    this.#conn.close();
    clearTimer(this.#timer);
    this.#timer = undefined;
    await this.#pending?.catch(() => {});
  }

  #requestAddr(): Deno.NetAddr {
    return { transport: "udp", hostname: this.#address, port: this.#port };
  }

  #isServer(addr: Deno.NetAddr): boolean {
    if (this.#peer !== undefined) {
      return addr.port === this.#peer.port && sameHost(addr.hostname, this.#peer.hostname);
    }
    return sameHost(addr.hostname, this.#address);
  }

  #stranger(addr: Deno.NetAddr): void {
    this.#log?.(`TFTP packet from unknown transfer ID ${addr.hostname}:${addr.port}`);
    const error = {
      kind: "ERROR",
      code: TftpErrorCode.UnknownTransferId,
      message: "Unknown transfer ID",
    } as const;
    this.#send(encodeTftpPacket(error), {
      transport: "udp",
      hostname: addr.hostname,
      port: addr.port,
    });
  }

  #sendLast(bytes: Uint8Array, to: Deno.NetAddr): void {
    this.#last = bytes;
    this.#send(bytes, to);
  }

  #send(bytes: Uint8Array, to: Deno.NetAddr): void {
    this.#sending = this.#conn.send(bytes, to).then(() => {}, (error) => {
      this.#log?.(`TFTP send to ${to.hostname}:${to.port} failed: ${(error as Error).message}`);
    });
  }

  /**
   * The next datagram, or undefined after `ms` (or when the transfer failed). One receive
   * is in flight at a time and survives a time-out; one timer serves every call (its
   * deadline moves on, it re-arms when it fires early): nothing is created per datagram
   * but the promise returned.
   */
  #receive(ms: number): Promise<Datagram | undefined> {
    const ready = this.#ready;
    if (ready !== undefined) {
      this.#ready = undefined;
      return Promise.resolve(ready);
    }
    if (this.#pending === undefined) {
      this.#pending = this.#conn.receive(this.#buffer);
      this.#pending.then(
        (got) => this.#deliver(got),
        () => this.#deliver(undefined),
      );
    }
    this.#deadline = performance.now() + ms;
    if (this.#timer === undefined) this.#timer = setTimer(this.#onTimer, ms);
    return new Promise((resolve) => this.#waiter = resolve);
  }

  #deliver(got: Datagram | undefined): void {
    this.#pending = undefined;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (waiter !== undefined) waiter(got);
    else if (got !== undefined) this.#ready = got; // arrived after a time-out, before the next call
  }

  #onTimer = (): void => {
    this.#timer = undefined;
    if (this.#waiter === undefined) return; // between calls: the next one re-arms
    const left = this.#deadline - performance.now();
    if (left > 1) {
      this.#timer = setTimer(this.#onTimer, left);
      return;
    }
    this.#wake();
  };

  /** Ends the wait of {@linkcode #receive} with undefined (the receive stays in flight). */
  #wake(): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.(undefined);
  }
}

/** Whether two IP addresses are the same (an IPv4-mapped IPv6 address = its IPv4 one). */
function sameHost(a: string, b: string): boolean {
  const plain = (ip: string) => ip.replace(/^::ffff:(?=\d+\.)/i, "").toLowerCase();
  return plain(a) === plain(b);
}
