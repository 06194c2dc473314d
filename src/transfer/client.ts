/**
 * The contract of the file-transfer clients (TR-069 A.3.2.8 Download, A.4.1.5 Upload): one
 * function per protocol, chosen by URL scheme, that streams between a URL and a local file
 * and either resolves with what moved or rejects with a {@linkcode TransferError} carrying
 * the TransferComplete FaultCode and a FaultString that says what really happened.
 *
 * Fault codes (TR-069 Table A.3.3.2 / CWMP-FACTS §4.5), the only ones a client may use:
 * - 9010 Download failure (generic), 9011 Upload failure (generic)
 * - 9012 File transfer server authentication failure (401/403 after credentials, FTP 530)
 * - 9013 Unsupported protocol for file transfer (scheme we cannot speak)
 * - 9015 Unable to contact file server (DNS, connect refused/timeout, TLS handshake or
 *   certificate failure)
 * - 9016 Unable to access file (HTTP 404/410, FTP 550, TFTP file not found / access violation)
 * - 9017 Unable to complete download (cut short, stalled, FileSize exceeded, too large)
 * - 9018 File corrupted (size or checksum mismatch after a complete transfer)
 *
 * @module
 */

/** TLS settings for file servers (a separate CA may be configured for them). */
export interface TransferTls {
  /** PEM CA bundle that replaces the system roots for file servers, if set. */
  caFile?: string;
  /** Directory of PEM CA files, if set. */
  caDir?: string;
  /** Client certificate and key (PEM paths), if the file server asks for one. */
  clientCert?: string;
  clientKey?: string;
  /** Skip certificate verification (never sends credentials pre-emptively then). */
  insecure?: boolean;
}

/** Limits every transfer honours. */
export interface TransferLimits {
  /** Connect (and TLS handshake) time limit, ms. */
  connectTimeoutMs: number;
  /** No byte moved for this long: the transfer fails (9017 download / 9011 upload), ms. */
  stallTimeoutMs: number;
  /** Whole-transfer time limit, ms. */
  totalTimeoutMs: number;
  /** Largest file accepted whatever FileSize says, bytes. */
  maxBytes: number;
}

/** A download: `url` → the file `path` (created or truncated; resumed when `resume`). */
export interface DownloadRequest {
  url: string;
  /** The RPC's Username/Password ("" = none); never logged, never put in a printed URL. */
  username: string;
  password: string;
  /** Announced size in bytes; 0 = unknown (GenieACS often sends 0: never reject for it). */
  fileSize: number;
  /** Where the bytes go; the caller picks a staging path and renames after verifying. */
  path: string;
  /** Continue a partial `path` with an HTTP Range request where the server allows it. */
  resume?: boolean;
  tls?: TransferTls;
  /**
   * HTTP: answer a Basic-only challenge over plain http (the password in clear); false by
   * default. Never pre-emptive, never over unverified TLS.
   */
  allowBasicOverHttp?: boolean;
  limits: TransferLimits;
  /** Aborts the transfer (CancelTransfer, shutdown): rejects with a TransferError 9010. */
  signal?: AbortSignal;
  /** Progress for the queue (bytes so far), called at most a few times a second. */
  onProgress?: (bytes: number) => void;
  /** Debug log lines (no credentials in them). */
  onLog?: (line: string) => void;
}

/** An upload: the file `path` → `url` (HTTP PUT, FTP STOR, TFTP WRQ). */
export interface UploadRequest {
  url: string;
  username: string;
  password: string;
  path: string;
  tls?: TransferTls;
  /** As {@linkcode DownloadRequest.allowBasicOverHttp}. */
  allowBasicOverHttp?: boolean;
  limits: TransferLimits;
  signal?: AbortSignal;
  onProgress?: (bytes: number) => void;
  onLog?: (line: string) => void;
}

/** What a finished transfer moved. Times in ms since the epoch. */
export interface TransferResult {
  bytes: number;
  startTime: number;
  completeTime: number;
}

/** A failed transfer, with the TransferComplete fault it reports. */
export class TransferError extends Error {
  override name = "TransferError";
  /** One of 9010–9018 (see the module doc). */
  readonly faultCode: number;
  /** When the transfer had started (ms since the epoch), if it had. */
  readonly startTime?: number;

  /** `message` is the FaultString: what happened, no credentials, ≤ 256 characters. */
  constructor(faultCode: number, message: string, startTime?: number) {
    super(message.length > 256 ? `${message.slice(0, 253)}...` : message);
    this.faultCode = faultCode;
    if (startTime !== undefined) this.startTime = startTime;
  }
}

/** One protocol's client. */
export interface TransferClient {
  download(request: DownloadRequest): Promise<TransferResult>;
  upload(request: UploadRequest): Promise<TransferResult>;
}
