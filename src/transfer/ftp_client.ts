/**
 * The FTP client of Download and Upload (RFC 959, RFC 2428 EPSV, RFC 3659 SIZE, URLs per
 * RFC 1738): one control connection, passive data connections only, binary.
 *
 * ```
 * connect ─ 220 ─ USER ─ 331 ─ PASS ─ 230 ─ TYPE I ─ 200 ─ [SIZE ─ 213]
 *   ─ EPSV 229 (or PASV 227) ─ connect data ─ RETR|STOR ─ 150 ─ bytes… ─ data closed ─ 226 ─ QUIT
 * ```
 *
 * - Login: the request's Username/Password, else the URL's userinfo, else `anonymous`
 *   with the password `anonymous@` (RFC 1635).
 * - No CWD: the file goes by its whole path (relative to the login directory, absolute
 *   after a leading `%2F`) in one RETR/STOR/SIZE. RFC 1738 describes a CWD per segment;
 *   one command instead saves a round trip per directory and leaves no directory state
 *   to get wrong, and servers with `/`-separated paths (vsftpd, tested here, and the
 *   other common Unix and Windows servers) take it: curl's `--ftp-method nocwd` relies
 *   on the same. A server that only takes bare names in RETR would need CWD.
 * - The data connection always goes to the address of the control connection: a PASV
 *   reply naming another host is logged and its address ignored (no FXP or bounce; RFC
 *   2577). EPSV first; after a 5xx to it, PASV for the rest of the session.
 * - Success is the whole file: the data connection ended by the server's FIN (not reset),
 *   then 226/250, and the byte count equal to SIZE when the server told it. FileSize
 *   (when not 0), SIZE and `limits.maxBytes` are enforced while the bytes arrive, into a
 *   fixed 256 KiB buffer: memory stays flat whatever the size. An upload is checked with
 *   SIZE after its 226 where the server answers it.
 * - Faults: connect failures 9015; 530 9012; 550/553/450 9016; the data connection
 *   broken or cut short, 426/451 or another failure after the transfer began 9017
 *   (download) / 9011 (upload); a complete file whose size is not FileSize 9018;
 *   cancelled, or anything else, 9010 / 9011.
 * - Resume (a download cut by a crash, `resume`): with a partial file of N bytes, fewer
 *   than the SIZE the server announces, `REST N` (RFC 3659) just before RETR; after its
 *   350 the bytes are appended and the whole file must reach SIZE. Without SIZE, or when
 *   the server refuses REST, the file is fetched again from its start.
 * - `ftps:` (AUTH TLS) is not supported: rejected with 9013. Common FTPS servers
 *   (vsftpd, ProFTPD) require the data connection to resume the control connection's
 *   TLS session, which the runtime's TLS client cannot do.
 *
 * @module
 */

import type {
  DownloadRequest,
  TransferClient,
  TransferError,
  TransferResult,
  UploadRequest,
} from "./client.ts";
import {
  type FtpReply,
  FtpReplyParser,
  parseEpsvReply,
  parsePasvReply,
  parseSizeReply,
  replyText,
} from "./ftp_reply.ts";
import { connectTcp, seconds, TransferGuard, writeAll } from "./_guard.ts";
import { ftpTarget, shown, type TransferTarget } from "./url_target.ts";
import { clearTimer, setTimer, type Timer } from "../platform/timers.ts";

/** Bytes read from or written to the data connection per file write/read. */
const CHUNK_BYTES = 256 * 1024;
/** Preliminary (1xx) replies accepted before the one that ends a command. */
const MAX_PRELIMINARY = 8;
/** How long QUIT waits for its 221 after a transfer succeeded, ms. */
const QUIT_WAIT_MS = 1000;

/** The FTP client: `ftp:` URLs. */
export const ftpTransferClient: TransferClient = {
  download: ftpDownload,
  upload: ftpUpload,
};

/** Downloads an `ftp:` URL to `request.path`. */
async function ftpDownload(request: DownloadRequest): Promise<TransferResult> {
  const guard = new TransferGuard("download", request);
  const log = request.onLog;
  let control: FtpControl | undefined;
  let file: Deno.FsFile | undefined;
  try {
    guard.check();
    const target = targetOf(request.url, guard);
    control = await FtpControl.login(guard, target, request);
    const size = await control.prepare(target.path);
    const limit = downloadLimit(guard, request, size);
    const data = await control.passive();
    const kept = request.resume ? await partialSize(request.path) : 0;
    const offset = size !== undefined && kept > 0 && kept < size && await control.restart(kept)
      ? kept
      : 0;
    const { completion } = await control.start(`RETR ${target.path}`, "RETR", target.path, data);
    file = await Deno.open(request.path, { write: true, create: true, truncate: offset === 0 });
    if (offset > 0) {
      await file.seek(offset, Deno.SeekMode.Start);
      log?.(`FTP download of "${target.path}" resumes at byte ${offset}`);
    }
    const bytes = offset + await receive(guard, data, file, limit, offset);
    const done = await completion;
    if (done.code !== 226 && done.code !== 250) {
      throw fault(guard, `FTP download of "${target.path}" failed`, done);
    }
    if (size !== undefined && bytes !== size) {
      throw guard.fail(9017, `FTP download cut short: ${bytes} of ${size} bytes`);
    }
    if (request.fileSize > 0 && bytes !== request.fileSize) {
      throw guard.fail(9018, `File has ${bytes} bytes, FileSize says ${request.fileSize}`);
    }
    log?.(`FTP download of "${target.path}" complete: ${bytes} bytes`);
    await control.quit();
    return { bytes, startTime: guard.startTime, completeTime: Date.now() };
  } catch (error) {
    throw guard.settle(error);
  } finally {
    guard.dispose();
    file?.close();
    control?.close();
  }
}

/** Uploads `request.path` to an `ftp:` URL with STOR. */
async function ftpUpload(request: UploadRequest): Promise<TransferResult> {
  const guard = new TransferGuard("upload", request);
  const log = request.onLog;
  let control: FtpControl | undefined;
  let file: Deno.FsFile | undefined;
  try {
    guard.check();
    const target = targetOf(request.url, guard);
    try {
      file = await Deno.open(request.path, { read: true });
    } catch (error) {
      throw guard.fail(9011, `Cannot read the file to upload: ${(error as Error).message}`);
    }
    control = await FtpControl.login(guard, target, request);
    await control.prepare();
    const data = await control.passive();
    const { completion } = await control.start(`STOR ${target.path}`, "STOR", target.path, data);
    const bytes = await send(guard, file, data);
    const done = await completion;
    if (done.code !== 226 && done.code !== 250) {
      throw fault(guard, `FTP upload of "${target.path}" failed`, done);
    }
    const stored = await control.size(target.path);
    if (stored !== undefined && stored !== bytes) {
      throw guard.fail(9011, `FTP server stored ${stored} of ${bytes} bytes`);
    }
    log?.(`FTP upload of "${target.path}" complete: ${bytes} bytes`);
    await control.quit();
    return { bytes, startTime: guard.startTime, completeTime: Date.now() };
  } catch (error) {
    throw guard.settle(error);
  } finally {
    guard.dispose();
    file?.close();
    control?.close();
  }
}

function targetOf(url: string, guard: TransferGuard): TransferTarget {
  if (/^ftps:/i.test(url)) {
    throw guard.fail(9013, `FTP over TLS is not supported: "${shown(url)}"`);
  }
  try {
    return ftpTarget(url);
  } catch (error) {
    throw guard.fail(guard.generic, (error as Error).message);
  }
}

/** The most bytes a download may bring: the smallest of maxBytes, FileSize and SIZE. */
function downloadLimit(
  guard: TransferGuard,
  request: DownloadRequest,
  size: number | undefined,
): { bytes: number; why: string } {
  const { maxBytes } = guard.limits;
  const fileSize = request.fileSize;
  if (size !== undefined) {
    if (size > maxBytes) {
      throw guard.fail(9017, `File of ${size} bytes exceeds the limit of ${maxBytes} bytes`);
    }
    if (fileSize > 0 && size > fileSize) {
      throw guard.fail(9017, `File of ${size} bytes exceeds FileSize ${fileSize}`);
    }
    if (fileSize > 0 && size < fileSize) {
      throw guard.fail(9018, `File has ${size} bytes, FileSize says ${fileSize}`);
    }
  }
  let limit = { bytes: maxBytes, why: `the limit of ${maxBytes} bytes` };
  if (fileSize > 0 && fileSize < limit.bytes) {
    limit = { bytes: fileSize, why: `FileSize ${fileSize}` };
  }
  if (size !== undefined && size < limit.bytes) {
    limit = { bytes: size, why: `the ${size} bytes SIZE announced` };
  }
  return limit;
}

/** Size of the partial file to resume, 0 if there is none. */
async function partialSize(path: string): Promise<number> {
  try {
    const info = await Deno.stat(path);
    return info.isFile ? info.size : 0;
  } catch {
    return 0;
  }
}

/**
 * Reads the data connection to its end into `file` (which already holds `offset` bytes);
 * returns the bytes read.
 */
async function receive(
  guard: TransferGuard,
  data: Deno.TcpConn,
  file: Deno.FsFile,
  limit: { bytes: number; why: string },
  offset = 0,
): Promise<number> {
  const buffer = new Uint8Array(CHUNK_BYTES);
  const low = CHUNK_BYTES / 4;
  let fill = 0;
  let total = 0;
  try {
    while (true) {
      let n: number | null;
      try {
        n = await data.read(buffer.subarray(fill));
      } catch (error) {
        guard.check();
        throw guard.fail(
          9017,
          `FTP data connection broken after ${total} bytes: ${reason(error)}`,
        );
      }
      if (n === null) break;
      total += n;
      fill += n;
      if (offset + total > limit.bytes) {
        throw guard.fail(9017, `FTP download exceeds ${limit.why}`);
      }
      guard.progress(offset + total);
      if (buffer.length - fill < low) {
        await writeAll(file, buffer.subarray(0, fill));
        fill = 0;
      }
    }
    await writeAll(file, buffer.subarray(0, fill));
    return total;
  } finally {
    try {
      data.close();
    } catch { /* closed by a failure */ }
  }
}

/** Writes `file` to the data connection and closes it (the end of the file); returns the count. */
async function send(guard: TransferGuard, file: Deno.FsFile, data: Deno.TcpConn): Promise<number> {
  // Two buffers: the next file read runs while the previous chunk goes out.
  const buffers = [new Uint8Array(CHUNK_BYTES), new Uint8Array(CHUNK_BYTES)];
  let which = 0;
  let reading = file.read(buffers[which]);
  let total = 0;
  try {
    while (true) {
      const n = await reading;
      if (n === null) break;
      const chunk = buffers[which].subarray(0, n);
      which ^= 1;
      reading = file.read(buffers[which]);
      reading.catch(() => {}); // seen at the next turn, or moot after a failure
      try {
        await writeAll(data, chunk);
      } catch (error) {
        guard.check();
        throw guard.fail(
          9011,
          `FTP data connection broken after ${total} bytes: ${reason(error)}`,
        );
      }
      total += n;
      guard.progress(total);
    }
    return total;
  } finally {
    try {
      data.close();
    } catch { /* closed by a failure */ }
  }
}

/** The fault of a reply that ends a command or transfer unsuccessfully. */
function fault(guard: TransferGuard, what: string, reply: FtpReply): TransferError {
  const text = `${what}: ${reply.code} "${replyText(reply)}"`;
  switch (reply.code) {
    case 530:
      return guard.fail(9012, text);
    case 450:
    case 550:
    case 553:
      return guard.fail(9016, text);
    case 421:
    case 426:
    case 451:
    case 452:
    case 552:
      return guard.fail(guard.incomplete, text);
    default:
      return guard.fail(guard.generic, text);
  }
}

function reason(error: unknown): string {
  if (error instanceof Deno.errors.ConnectionReset) return "connection reset";
  if (error instanceof Deno.errors.BrokenPipe) return "broken pipe";
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\(os error \d+\)$/, "").slice(0, 80);
}

/** The control connection: commands out, replies in, and the session's steps. */
class FtpControl {
  readonly #guard: TransferGuard;
  readonly #conn: Deno.TcpConn;
  readonly #log: ((line: string) => void) | undefined;
  readonly #parser = new FtpReplyParser();
  readonly #queue: FtpReply[] = [];
  readonly #buffer = new Uint8Array(8192);
  readonly #encoder = new TextEncoder();
  /** The address data connections go to: the control connection's peer. */
  readonly peer: string;
  #epsv = true;
  #closed = false;

  private constructor(guard: TransferGuard, conn: Deno.TcpConn, log?: (line: string) => void) {
    this.#guard = guard;
    this.#conn = conn;
    this.#log = log;
    this.peer = conn.remoteAddr.hostname;
    guard.onFail(() => this.close());
  }

  /** Connects, reads the greeting and logs in; 9015 / 9012 on failure. */
  static async login(
    guard: TransferGuard,
    target: TransferTarget,
    request: { username: string; password: string; onLog?: (line: string) => void },
  ): Promise<FtpControl> {
    const conn = await connectTcp(guard, target.host, target.port, "FTP server");
    const control = new FtpControl(guard, conn, request.onLog);
    const wait = guard.limits.connectTimeoutMs;
    const timer = setTimer(
      () => guard.fail(9015, `FTP server sent no greeting within ${seconds(wait)}`),
      wait,
    );
    let greeting: FtpReply;
    try {
      greeting = await control.#final("the greeting", 9015);
    } finally {
      clearTimer(timer);
    }
    if (greeting.code !== 220) {
      throw guard.fail(
        9015,
        `FTP server refused the session: ${greeting.code} "${replyText(greeting)}"`,
      );
    }
    const [user, password] = request.username !== ""
      ? [request.username, request.password]
      : target.username !== ""
      ? [target.username, target.password]
      : ["anonymous", "anonymous@"];
    if (/[\r\n\0]/.test(user + password)) {
      throw guard.fail(9012, "Username or Password holds CR, LF or NUL");
    }
    const shownUser = user === "anonymous" ? "USER anonymous" : "USER ****";
    let reply = await control.command(`USER ${user}`, shownUser);
    if (reply.code === 331) reply = await control.command(`PASS ${password}`, "PASS ****");
    if (reply.code === 332) {
      throw guard.fail(9012, "FTP server asks for an account (ACCT), which is not supported");
    }
    if (reply.code !== 230 && reply.code !== 202) {
      if (reply.code === 421) throw fault(guard, "FTP login failed", reply);
      throw guard.fail(9012, `FTP login refused: ${reply.code} "${replyText(reply)}"`);
    }
    return control;
  }

  /** TYPE I, then the SIZE of `path` if given (undefined where the server does not tell). */
  async prepare(path?: string): Promise<number | undefined> {
    const type = await this.command("TYPE I");
    if (type.code !== 200) throw fault(this.#guard, "FTP server refused binary mode", type);
    return path === undefined ? undefined : await this.size(path);
  }

  /** REST `offset` (RFC 3659): true when the server will start the next RETR there. */
  async restart(offset: number): Promise<boolean> {
    const reply = await this.command(`REST ${offset}`);
    if (reply.code === 421) throw fault(this.#guard, "FTP server closed the session", reply);
    return reply.code === 350;
  }

  /** SIZE of `path`, or undefined when the server does not answer it with 213. */
  async size(path: string): Promise<number | undefined> {
    const reply = await this.command(`SIZE ${path}`);
    if (reply.code !== 213) return undefined;
    try {
      return parseSizeReply(reply);
    } catch {
      return undefined;
    }
  }

  /** Opens a passive data connection: EPSV, or PASV once EPSV was refused. */
  async passive(): Promise<Deno.TcpConn> {
    if (this.#epsv) {
      const reply = await this.command("EPSV");
      if (reply.code === 229) {
        try {
          return await this.#connectData(parseEpsvReply(reply));
        } catch (error) {
          if (!(error instanceof SyntaxError)) throw error;
          this.#log?.(`FTP ${error.message}; trying PASV`);
        }
      } else if (reply.code < 500) {
        throw fault(this.#guard, "FTP server refused EPSV", reply);
      }
      this.#epsv = false;
    }
    const reply = await this.command("PASV");
    if (reply.code !== 227) throw fault(this.#guard, "FTP server refused passive mode", reply);
    let address;
    try {
      address = parsePasvReply(reply);
    } catch (error) {
      throw this.#guard.fail(this.#guard.generic, (error as Error).message);
    }
    if (address.host !== this.peer) {
      this.#log?.(`FTP PASV names ${address.host}; connecting to ${this.peer} instead`);
    }
    return await this.#connectData(address.port);
  }

  async #connectData(port: number): Promise<Deno.TcpConn> {
    const data = await connectTcp(this.#guard, this.peer, port, "FTP data port");
    this.#guard.onFail(() => data.close());
    return data;
  }

  /**
   * Sends `command` (RETR/STOR) with the data connection open and waits for its 1xx;
   * returns the promise of the reply that ends the transfer (wrapped, so that awaiting
   * this method does not wait for it). A failure reply before or
   * during the transfer fails it at once (closing the data connection).
   */
  async start(
    command: string,
    verb: string,
    path: string,
    data: Deno.TcpConn,
  ): Promise<{ completion: Promise<FtpReply> }> {
    const guard = this.#guard;
    const first = await this.command(command);
    if (first.code >= 200) {
      try {
        data.close();
      } catch { /* already closed */ }
      throw fault(guard, `FTP ${verb} "${path}" refused`, first);
    }
    const completion = this.#final(`the end of ${verb}`, guard.incomplete).then((reply) => {
      if (reply.code >= 300) {
        fault(guard, `FTP ${verb === "RETR" ? "download" : "upload"} of "${path}" failed`, reply);
      }
      return reply;
    });
    completion.catch(() => {}); // observed by the caller; failures also land in guard
    return { completion };
  }

  /** Sends `command` and reads its reply (preliminary 1xx replies included). */
  async command(command: string, shownCommand = command): Promise<FtpReply> {
    this.#log?.(`FTP > ${shownCommand}`);
    try {
      await writeAll(this.#conn, this.#encoder.encode(`${command}\r\n`));
    } catch (error) {
      this.#guard.check();
      throw this.#guard.fail(
        this.#guard.incomplete,
        `FTP control connection lost: ${reason(error)}`,
      );
    }
    const verb = shownCommand.split(" ")[0];
    return await this.#reply(`the reply to ${verb}`, this.#guard.incomplete);
  }

  /** QUIT, waiting at most a second for 221; errors ignored (the transfer is done). */
  async quit(): Promise<void> {
    let timer: Timer | undefined;
    try {
      await writeAll(this.#conn, this.#encoder.encode("QUIT\r\n"));
      const reply = this.#reply("QUIT", this.#guard.generic);
      reply.catch(() => {});
      await Promise.race([reply, new Promise<void>((r) => timer = setTimer(r, QUIT_WAIT_MS))]);
    } catch {
      /* the server may drop the connection at once */
    } finally {
      clearTimer(timer);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch { /* already closed */ }
  }

  /** The next reply that is not preliminary (1xx). */
  async #final(what: string, faultCode: number): Promise<FtpReply> {
    for (let i = 0; i <= MAX_PRELIMINARY; i++) {
      const reply = await this.#reply(what, faultCode);
      if (reply.code >= 200) return reply;
    }
    throw this.#guard.fail(faultCode, `FTP server sent too many 1xx replies (awaiting ${what})`);
  }

  /** The next reply; the control connection ending or garbled fails with `faultCode`. */
  async #reply(what: string, faultCode: number): Promise<FtpReply> {
    const guard = this.#guard;
    while (this.#queue.length === 0) {
      let n: number | null;
      try {
        n = await this.#conn.read(this.#buffer);
      } catch (error) {
        guard.check();
        throw guard.fail(faultCode, `FTP control connection lost: ${reason(error)}`);
      }
      guard.check();
      if (n === null) {
        throw guard.fail(faultCode, `FTP server closed the control connection (awaiting ${what})`);
      }
      guard.touch();
      try {
        this.#queue.push(...this.#parser.push(this.#buffer.subarray(0, n)));
      } catch (error) {
        throw guard.fail(faultCode, (error as Error).message);
      }
    }
    const reply = this.#queue.shift()!;
    this.#log?.(`FTP < ${reply.code} ${replyText(reply)}`);
    return reply;
  }
}
