/**
 * The part of the engine's state that must survive a restart, as plain JSON data, and its
 * validation. `src/store/` writes it; `createSessionState()` reads it back.
 *
 * @module
 */

import type { AcsRequest, EventStruct } from "../soap/messages.ts";

/** Format version of {@linkcode SessionSnapshot}; bump on an incompatible change. */
export const SNAPSHOT_VERSION = 1;

/** A CPE request (TransferComplete …) waiting to be acknowledged by the ACS. Never an Inform. */
export type QueuedRequest = Exclude<AcsRequest, { kind: "Inform" }>;

/** A ScheduleInform waiting to fire: `at` in ms since the epoch. */
export interface ScheduledInform {
  at: number;
  commandKey: string;
}

/**
 * A file transfer the ACS was answered for (Download → DownloadResponse), waiting or
 * running. Holds the RPC's Password (the state directory is owner-only).
 */
export interface TransferRecord {
  /** Local number, increasing, never reused. */
  id: number;
  method: "Download" | "Upload" | "ScheduleDownload";
  commandKey: string;
  fileType: string;
  url: string;
  username: string;
  password: string;
  /** Announced size, 0 = unknown. */
  fileSize: number;
  targetFileName: string;
  /** Not started before this time (receipt + DelaySeconds), ms since the epoch. */
  notBefore: number;
  /**
   * TR-069 A.4.1.7 State: 1 not yet started, 2 in progress, 3 completed (its
   * TransferComplete not yet acknowledged).
   */
  state: 1 | 2 | 3;
  /** Set when a crash cut it: resume the partial file where the protocol allows. */
  resume?: boolean;
  /**
   * ScheduleDownload: the time windows (ms since the epoch) it may run in, in order, each
   * with its MaxRetries (−1 = no limit, [U]).
   */
  windows?: { start: number; end: number; maxRetries?: number }[];
  /** ScheduleDownload: failed attempts in the current window, and the last one's fault. */
  attempts?: number;
  lastFault?: { faultCode: number; faultString: string };
  /**
   * Applied firmware waiting for the reboot: reported at the next start, as applied only if
   * the SoftwareVersion then differs from `versionBefore`.
   */
  afterBoot?: { versionBefore: string; startTime?: number; completeTime?: number };
}

/** What the engine persists between runs. */
export interface SessionSnapshot {
  /** Always {@linkcode SNAPSHOT_VERSION}. */
  version: typeof SNAPSHOT_VERSION;
  /** Undelivered events, in flight ones included, with their CommandKeys. */
  pendingEvents: EventStruct[];
  /** Failed session attempts since the last success. */
  retryCount: number;
  /** The ACS URL of the last successful session; absent → next start raises BOOTSTRAP. */
  lastAcsUrl?: string;
  /** Set just before a Reboot RPC is carried out: the next start raises `M Reboot` with it. */
  rebootCommandKey?: string;
  /**
   * The CommandKey of a Reboot whose RebootResponse went out but which is not known to be
   * carried out (set before the response is sent, cleared once the reboot command ran): a
   * start that finds it in the same boot (see `rebootBootId`) reboots at once.
   */
  rebootPending?: string;
  /** The boot id when the reboot command was about to run (absent: unknown or not yet). */
  rebootBootId?: string;
  /** A FactoryResetResponse went out but the reset was not carried out yet (likewise). */
  factoryResetPending?: true;
  /** CPE requests (TransferComplete …) not yet acknowledged, oldest first. */
  queuedRequests: QueuedRequest[];
  /** ScheduleInforms not yet fired. */
  scheduledInforms: ScheduledInform[];
  /** Transfers acknowledged to the ACS and not yet reported, oldest first. */
  transfers: TransferRecord[];
  /** The id of the last transfer queued (ids are never reused). */
  lastTransferId?: number;
}

/** A snapshot with nothing in it: the state of a new or factory-reset device. */
export function emptySnapshot(): SessionSnapshot {
  return {
    version: SNAPSHOT_VERSION,
    pendingEvents: [],
    retryCount: 0,
    queuedRequests: [],
    scheduledInforms: [],
    transfers: [],
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isEventStruct(value: unknown): value is EventStruct {
  return isRecord(value) && typeof value.eventCode === "string" &&
    typeof value.commandKey === "string";
}

function isScheduledInform(value: unknown): value is ScheduledInform {
  return isRecord(value) && Number.isFinite(value.at) && typeof value.commandKey === "string";
}

function isTransferRecord(value: unknown): value is TransferRecord {
  if (!isRecord(value)) return false;
  const strings = ["commandKey", "fileType", "url", "username", "password", "targetFileName"];
  const methods = ["Download", "Upload", "ScheduleDownload"];
  const windows = value.windows;
  if (
    windows !== undefined &&
    (!Array.isArray(windows) ||
      !windows.every((w) => isRecord(w) && Number.isFinite(w.start) && Number.isFinite(w.end)))
  ) return false;
  if (value.attempts !== undefined && !Number.isInteger(value.attempts)) return false;
  const fault = value.lastFault;
  if (
    fault !== undefined &&
    !(isRecord(fault) && Number.isInteger(fault.faultCode) && typeof fault.faultString === "string")
  ) return false;
  const after = value.afterBoot;
  if (after !== undefined && !(isRecord(after) && typeof after.versionBefore === "string")) {
    return false;
  }
  return Number.isInteger(value.id) && methods.includes(value.method as string) &&
    strings.every((k) => typeof value[k] === "string") && Number.isInteger(value.fileSize) &&
    Number.isFinite(value.notBefore) && [1, 2, 3].includes(value.state as number) &&
    (value.resume === undefined || typeof value.resume === "boolean");
}

function isQueuedRequest(value: unknown): value is QueuedRequest {
  return isRecord(value) && typeof value.kind === "string" && value.kind !== "Inform";
}

/**
 * Checks parsed JSON against the snapshot shape and returns it typed.
 *
 * @throws {TypeError} when a field is missing or has the wrong type
 * @throws {RangeError} when `version` is not {@linkcode SNAPSHOT_VERSION}
 */
export function parseSnapshot(value: unknown): SessionSnapshot {
  if (!isRecord(value)) throw new TypeError("Cannot read snapshot: not a JSON object");
  if (value.version !== SNAPSHOT_VERSION) {
    throw new RangeError(`Cannot read snapshot: unsupported version "${value.version}"`);
  }
  const fail = (field: string) => new TypeError(`Cannot read snapshot: bad "${field}"`);
  const { pendingEvents, retryCount, lastAcsUrl, rebootCommandKey, rebootPending } = value;
  if (!Array.isArray(pendingEvents) || !pendingEvents.every(isEventStruct)) {
    throw fail("pendingEvents");
  }
  if (!Number.isInteger(retryCount) || (retryCount as number) < 0) throw fail("retryCount");
  if (lastAcsUrl !== undefined && typeof lastAcsUrl !== "string") throw fail("lastAcsUrl");
  if (rebootCommandKey !== undefined && typeof rebootCommandKey !== "string") {
    throw fail("rebootCommandKey");
  }
  if (rebootPending !== undefined && typeof rebootPending !== "string") {
    throw fail("rebootPending");
  }
  if (value.rebootBootId !== undefined && typeof value.rebootBootId !== "string") {
    throw fail("rebootBootId");
  }
  if (value.factoryResetPending !== undefined && value.factoryResetPending !== true) {
    throw fail("factoryResetPending");
  }
  if (!Array.isArray(value.queuedRequests) || !value.queuedRequests.every(isQueuedRequest)) {
    throw fail("queuedRequests");
  }
  if (!Array.isArray(value.scheduledInforms) || !value.scheduledInforms.every(isScheduledInform)) {
    throw fail("scheduledInforms");
  }
  // Absent in snapshots written before transfers existed.
  const transfers = value.transfers ?? [];
  if (!Array.isArray(transfers) || !transfers.every(isTransferRecord)) throw fail("transfers");
  if (value.lastTransferId !== undefined && !Number.isInteger(value.lastTransferId)) {
    throw fail("lastTransferId");
  }
  const snapshot: SessionSnapshot = {
    version: SNAPSHOT_VERSION,
    pendingEvents: pendingEvents.map((e) => ({ eventCode: e.eventCode, commandKey: e.commandKey })),
    retryCount: retryCount as number,
    queuedRequests: value.queuedRequests,
    scheduledInforms: value.scheduledInforms.map((s) => ({ at: s.at, commandKey: s.commandKey })),
    transfers: transfers.map((t) => ({ ...t })),
  };
  if (typeof value.lastTransferId === "number") snapshot.lastTransferId = value.lastTransferId;
  if (lastAcsUrl !== undefined) snapshot.lastAcsUrl = lastAcsUrl;
  if (rebootCommandKey !== undefined) snapshot.rebootCommandKey = rebootCommandKey;
  if (rebootPending !== undefined) snapshot.rebootPending = rebootPending;
  if (typeof value.rebootBootId === "string") snapshot.rebootBootId = value.rebootBootId;
  if (value.factoryResetPending === true) snapshot.factoryResetPending = true;
  return snapshot;
}
