/**
 * What the FTP and TFTP clients share per transfer: the time limits and the caller's
 * AbortSignal (through {@linkcode Watchdog}), progress reports, and the first failure,
 * whatever caused it. A failure closes the transfer's sockets (registered with
 * {@linkcode TransferGuard.onFail}) so that pending reads end at once; the client's loop
 * then rethrows {@linkcode TransferGuard.failure} instead of the read error.
 *
 * Private to `src/transfer/`.
 *
 * @module
 */

import { TransferError, type TransferLimits } from "./client.ts";
import { Watchdog, type WatchdogReason } from "./_watchdog.ts";
import { clearTimer, setTimer } from "../platform/timers.ts";

/** Download or upload: picks the generic and the "could not complete" fault codes. */
export type Direction = "download" | "upload";

/** Progress is reported at most this often, ms. */
const PROGRESS_INTERVAL_MS = 250;

/** Options of {@linkcode TransferGuard}. */
export interface GuardOptions {
  limits: TransferLimits;
  signal?: AbortSignal;
  onProgress?: (bytes: number) => void;
}

/** The limits, signal and failure of one transfer; call {@linkcode dispose} at its end. */
export class TransferGuard {
  /** When the transfer started, ms since the epoch. */
  readonly startTime: number = Date.now();
  readonly direction: Direction;
  readonly limits: TransferLimits;
  #failure: TransferError | undefined;
  #closers = new Set<() => void>();
  #lastReport = 0;
  #onProgress: ((bytes: number) => void) | undefined;
  #watchdog: Watchdog;

  constructor(direction: Direction, options: GuardOptions) {
    this.direction = direction;
    this.limits = options.limits;
    this.#onProgress = options.onProgress;
    this.#watchdog = new Watchdog({
      limits: options.limits,
      signal: options.signal,
      onFire: (reason) => this.#fired(reason),
    });
  }

  /** 9010 for a download, 9011 for an upload. */
  get generic(): number {
    return this.direction === "download" ? 9010 : 9011;
  }

  /** 9017 for a download (could not complete), 9011 for an upload. */
  get incomplete(): number {
    return this.direction === "download" ? 9017 : 9011;
  }

  /** The first failure, if any. */
  get failure(): TransferError | undefined {
    return this.#failure;
  }

  /** Throws the failure, if any. */
  check(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }

  /**
   * Records the first failure, closes every registered socket and returns the failure
   * (a later failure is dropped: the first one is what happened).
   */
  fail(faultCode: number, message: string): TransferError {
    if (this.#failure === undefined) {
      this.#failure = new TransferError(faultCode, message, this.startTime);
      for (const close of this.#closers) {
        try {
          close();
        } catch { /* already closed */ }
      }
      this.#closers.clear();
    }
    return this.#failure;
  }

  /** Registers `close`, run on failure; returns the function that unregisters it. */
  onFail(close: () => void): () => void {
    if (this.#failure !== undefined) {
      try {
        close();
      } catch { /* already closed */ }
    }
    this.#closers.add(close);
    return () => this.#closers.delete(close);
  }

  /** Something arrived or left: the stall clock starts again. */
  touch(): void {
    this.#watchdog.activity();
  }

  /** `bytes` moved so far: the stall clock starts again; progress now and then. */
  progress(bytes: number): void {
    this.#watchdog.activity();
    const now = performance.now();
    if (this.#onProgress !== undefined && now - this.#lastReport >= PROGRESS_INTERVAL_MS) {
      this.#lastReport = now;
      this.#onProgress(bytes);
    }
  }

  /**
   * The error to reject with after `error` ended the transfer: the recorded failure if
   * there is one (a closed socket's read error is its consequence), `error` itself if it
   * is a TransferError, otherwise a generic fault with its message.
   */
  settle(error: unknown): TransferError {
    if (this.#failure !== undefined) return this.#failure;
    if (error instanceof TransferError) return this.fail(error.faultCode, error.message);
    const message = error instanceof Error ? error.message : String(error);
    return this.fail(this.generic, `Transfer failed: ${message}`);
  }

  /** Stops the clocks and forgets the signal. Call once, in `finally`. */
  dispose(): void {
    this.#watchdog.stop();
    this.#closers.clear();
  }

  #fired(reason: WatchdogReason): TransferError {
    const { stallTimeoutMs, totalTimeoutMs } = this.limits;
    switch (reason) {
      case "cancel":
        return this.fail(
          this.generic,
          this.direction === "download" ? "Download cancelled" : "Upload cancelled",
        );
      case "stall":
        return this.fail(
          this.incomplete,
          `Transfer stalled: nothing moved for ${seconds(stallTimeoutMs)}`,
        );
      case "total":
        return this.fail(this.incomplete, `Transfer took longer than ${seconds(totalTimeoutMs)}`);
    }
  }
}

/** "30 s", "1.5 s", "250 ms" */
export function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}

/** Writes all of `bytes` to `w` (Deno.Conn, Deno.FsFile). */
export async function writeAll(
  w: { write(p: Uint8Array): Promise<number> },
  bytes: Uint8Array,
): Promise<void> {
  let at = 0;
  while (at < bytes.length) at += await w.write(bytes.subarray(at));
}

/**
 * Connects to `host:port` within `timeoutMs`, or fails the transfer with 9015 (unable
 * to contact the file server). The connection is closed if the transfer fails later.
 */
export async function connectTcp(
  guard: TransferGuard,
  host: string,
  port: number,
  what: string,
): Promise<Deno.TcpConn> {
  const abort = new AbortController();
  const unregister = guard.onFail(() => abort.abort());
  const timer = setTimer(() => abort.abort(), guard.limits.connectTimeoutMs);
  const where = `"${host.includes(":") ? `[${host}]` : host}:${port}"`;
  try {
    const conn = await Deno.connect({ hostname: host, port, signal: abort.signal });
    guard.check();
    return conn;
  } catch (error) {
    guard.check();
    const reason = abort.signal.aborted
      ? `no answer within ${seconds(guard.limits.connectTimeoutMs)}`
      : connectReason(error);
    throw guard.fail(9015, `Cannot connect to ${what} ${where}: ${reason}`);
  } finally {
    clearTimer(timer);
    unregister();
  }
}

function connectReason(error: unknown): string {
  if (error instanceof Deno.errors.ConnectionRefused) return "connection refused";
  if (error instanceof Deno.errors.NotFound) return "host name not found";
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\(os error \d+\)$/, "").slice(0, 80);
}
