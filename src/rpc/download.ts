/**
 * Download (TR-069 A.3.2.8, required; CWMP-FACTS §4.5), Upload (A.4.1.5) and the queue RPCs
 * around them:
 * GetQueuedTransfers (A.4.1.1), GetAllQueuedTransfers (A.4.1.7), CancelTransfer (A.4.1.9).
 * These only validate and answer: the session engine stores an accepted Download before its
 * response goes out, runs it after the session and reports it with TransferComplete.
 *
 * | Case | Fault |
 * |---|---|
 * | URL scheme without a client (e.g. `sftp:`) | 9013 |
 * | URL not absolute, longer than 256, or with a space | 9003 |
 * | FileType without an apply command on this device | 9003 [U]: TR-069 names no code; icwmp and most CPEs answer "invalid arguments" |
 * | CommandKey longer than 32 | 9003 |
 * | 16 transfers already queued | 9004 |
 * | FileSize above the device's limit | 9004 |
 * | CancelTransfer of a transfer in progress, or of none | 9021 |
 *
 * GenieACS sends every optional argument empty (Username, Password, TargetFileName,
 * SuccessURL, FailureURL) and FileSize often 0 (unknown): all accepted.
 *
 * @module
 */

import type {
  CancelTransfer,
  CancelTransferResponse,
  Download,
  DownloadResponse,
  GetAllQueuedTransfersResponse,
  GetQueuedTransfersResponse,
  ScheduleDownload,
  ScheduleDownloadResponse,
  Upload,
  UploadResponse,
} from "../soap/messages.ts";
import { UNKNOWN_TIME } from "../datamodel/date_time.ts";
import { CwmpFault, InvalidArgumentsError, ResourcesExceededError } from "./errors.ts";

/** A queued transfer as the queue RPCs see it. */
export interface QueuedTransfer {
  commandKey: string;
  /** 1 not yet started, 2 in progress, 3 completed (not yet acknowledged). */
  state: 1 | 2 | 3;
  isDownload: boolean;
  fileType: string;
  fileSize: number;
  targetFileName: string;
}

/** What the handlers need to know about the device. */
export interface TransferPolicy {
  /** FileTypes the device can apply. */
  fileTypes: ReadonlySet<string>;
  /** FileTypes the device can upload. */
  uploadFileTypes: ReadonlySet<string>;
  /** URL schemes with a client, e.g. `http:`. */
  schemes: ReadonlySet<string>;
  /** Largest file accepted, bytes. */
  maxFileSize: number;
  /** The transfers queued now. */
  queued(): readonly QueuedTransfer[];
}

/** The most transfers queued at once. */
export const MAX_QUEUED = 16;

function checkUrl(url: string, policy: TransferPolicy): void {
  if (url.length > 256 || /\s/.test(url)) {
    throw new InvalidArgumentsError(`Invalid URL "${url.slice(0, 64)}"`);
  }
  let scheme: string;
  try {
    scheme = new URL(url).protocol;
  } catch {
    throw new InvalidArgumentsError(`Invalid URL "${url.slice(0, 64)}"`);
  }
  if (!policy.schemes.has(scheme)) {
    throw new CwmpFault(9013, `Unsupported protocol for file transfer: "${scheme}"`);
  }
}

function checkFileType(fileType: string, supported: ReadonlySet<string>): void {
  if (!supported.has(fileType)) {
    throw new InvalidArgumentsError(`FileType not supported: "${fileType.slice(0, 64)}"`);
  }
}

/** A file to download: a FileType this device applies, a FileSize it accepts. */
function checkDownloadFile(
  request: { fileType: string; fileSize: number },
  policy: TransferPolicy,
): void {
  checkFileType(request.fileType, policy.fileTypes);
  if (request.fileSize > policy.maxFileSize) {
    throw new ResourcesExceededError(
      `FileSize ${request.fileSize} above the device's limit of ${policy.maxFileSize} bytes`,
    );
  }
}

function checkQueue(commandKey: string, policy: TransferPolicy): void {
  if (commandKey.length > 32) {
    throw new InvalidArgumentsError("CommandKey longer than 32 characters");
  }
  if (policy.queued().length >= MAX_QUEUED) {
    throw new ResourcesExceededError(`Already ${MAX_QUEUED} transfers queued`);
  }
}

/**
 * Accepts an Upload for later (Status 1, Unknown Times) or throws the fault (as Download;
 * a FileType with no command that produces the file → 9003).
 */
export function upload(request: Upload, policy: TransferPolicy): UploadResponse {
  checkUrl(request.url, policy);
  checkFileType(request.fileType, policy.uploadFileTypes);
  checkQueue(request.commandKey, policy);
  return { kind: "UploadResponse", status: 1, startTime: UNKNOWN_TIME, completeTime: UNKNOWN_TIME };
}

/**
 * Accepts a Download for later (Status 1, Unknown Times) or throws the fault.
 *
 * @throws {CwmpFault} 9013 for an unsupported scheme; {InvalidArgumentsError} (9003);
 * {ResourcesExceededError} (9004).
 */
export function download(request: Download, policy: TransferPolicy): DownloadResponse {
  checkUrl(request.url, policy);
  checkDownloadFile(request, policy);
  checkQueue(request.commandKey, policy);
  return {
    kind: "DownloadResponse",
    status: 1,
    startTime: UNKNOWN_TIME,
    completeTime: UNKNOWN_TIME,
  };
}

/** WindowModes this agent can honour (TR-069 A.4.1.8). */
const WINDOW_MODES = ["1 At Any Time", "2 Immediately", "3 When Idle"];

/**
 * ScheduleDownload: one or two windows, each start < end, in order and not overlapping;
 * `1 At Any Time`, `2 Immediately` and `3 When Idle` run the download as early as the window
 * allows (the agent transfers only between sessions: always idle). `4 Confirmation Needed`
 * is refused: there is no user to ask ([U] 9003, invalid arguments).
 *
 * @throws {InvalidArgumentsError} (9003), as Download otherwise.
 */
export function scheduleDownload(
  request: ScheduleDownload,
  policy: TransferPolicy,
): ScheduleDownloadResponse {
  checkUrl(request.url, policy);
  checkDownloadFile(request, policy);
  const windows = request.timeWindowList;
  if (windows.length < 1 || windows.length > 2) {
    throw new InvalidArgumentsError(`TimeWindowList needs 1 or 2 windows, got ${windows.length}`);
  }
  windows.forEach((w, i) => {
    if (!(w.windowStart < w.windowEnd)) {
      throw new InvalidArgumentsError(`Window ${i + 1}: WindowStart must be before WindowEnd`);
    }
    if (i > 0 && w.windowStart < windows[i - 1].windowEnd) {
      throw new InvalidArgumentsError("Windows must be in order and must not overlap");
    }
    if (!WINDOW_MODES.includes(w.windowMode)) {
      throw new InvalidArgumentsError(
        `WindowMode not supported: "${w.windowMode.slice(0, 40)}" (no user to confirm)`,
      );
    }
  });
  checkQueue(request.commandKey, policy);
  return { kind: "ScheduleDownloadResponse" };
}

/** GetQueuedTransfers: CommandKey and State of each queued transfer. */
export function getQueuedTransfers(policy: TransferPolicy): GetQueuedTransfersResponse {
  return {
    kind: "GetQueuedTransfersResponse",
    transferList: policy.queued().slice(0, MAX_QUEUED).map((t) => ({
      commandKey: t.commandKey,
      state: t.state,
    })),
  };
}

/** GetAllQueuedTransfers: every queued transfer with its file details. */
export function getAllQueuedTransfers(policy: TransferPolicy): GetAllQueuedTransfersResponse {
  return {
    kind: "GetAllQueuedTransfersResponse",
    transferList: policy.queued().slice(0, MAX_QUEUED).map((t) => ({ ...t })),
  };
}

/**
 * CancelTransfer: allowed when every queued transfer with the CommandKey has not started
 * (the engine then drops them; no TransferComplete follows, [U] the ACS asked for it).
 *
 * @throws {CwmpFault} 9021 when one is in progress or none has that CommandKey.
 */
export function cancelTransfer(
  request: CancelTransfer,
  policy: TransferPolicy,
): CancelTransferResponse {
  const matching = policy.queued().filter((t) => t.commandKey === request.commandKey);
  if (matching.length === 0) {
    throw new CwmpFault(9021, `No queued transfer with CommandKey "${request.commandKey}"`);
  }
  if (matching.some((t) => t.state !== 1)) {
    throw new CwmpFault(9021, `Transfer "${request.commandKey}" is already in progress`);
  }
  return { kind: "CancelTransferResponse" };
}
