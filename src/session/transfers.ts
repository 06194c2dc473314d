/**
 * Queued file transfers in the engine (TR-069 A.3.2.8 Download, A.3.3.2 TransferComplete,
 * A.4.1.7 GetAllQueuedTransfers; CWMP-FACTS §4.5–4.7). A Download the ACS got a response for
 * is a {@linkcode TransferRecord} in the persisted snapshot, written before the response goes
 * out. Transfers run one at a time and only between sessions: the engine emits `startTransfer`
 * for the oldest due record; the agent runs it and feeds `transferDone`, which removes the
 * record and queues its TransferComplete with `7 TRANSFER COMPLETE` + `M Download` in the same
 * state change (one persist), so a transfer is reported exactly once across any crash. A
 * record found "in progress" at start was cut by a crash: it runs again (resuming where the
 * protocol allows), and never reports success on a partial file.
 *
 * @module
 */

import type { CpeRequest, EventStruct, TransferComplete } from "../soap/messages.ts";
import { addEvents, EventCode, eventStruct } from "./event_queue.ts";
import type { EventOf } from "./events.ts";
import { raise } from "./lifecycle.ts";
import type { TransferRecord } from "./snapshot.ts";
import type { Context } from "./_context.ts";
import { formatDateTime, UNKNOWN_TIME } from "../datamodel/date_time.ts";

function isoTime(ms: number | undefined): string {
  return ms === undefined ? UNKNOWN_TIME : formatDateTime(ms);
}

/** What a transfer request queues, received at `now`; undefined for other requests. */
export function transferOf(
  request: CpeRequest,
  now: number,
): Omit<TransferRecord, "id" | "state"> | undefined {
  if (
    request.kind !== "Download" && request.kind !== "Upload" &&
    request.kind !== "ScheduleDownload"
  ) return undefined;
  const common = {
    method: request.kind,
    commandKey: request.commandKey,
    fileType: request.fileType,
    url: request.url,
    username: request.username,
    password: request.password,
  };
  if (request.kind === "Upload") {
    return {
      ...common,
      fileSize: 0,
      targetFileName: "",
      notBefore: now + request.delaySeconds * 1000,
    };
  }
  const file = { fileSize: request.fileSize, targetFileName: request.targetFileName };
  if (request.kind === "Download") {
    return { ...common, ...file, notBefore: now + request.delaySeconds * 1000 };
  }
  return {
    ...common,
    ...file,
    notBefore: now,
    // Window offsets count from receipt of the RPC ([U] CWMP-FACTS §4.6).
    windows: request.timeWindowList.map((w) => ({
      start: now + w.windowStart * 1000,
      end: now + w.windowEnd * 1000,
      maxRetries: w.maxRetries,
    })),
  };
}

/**
 * The ACS acknowledged (or refused for good) a TransferComplete: its transfer, completed
 * and listed as State 3 until now, leaves the queue.
 */
export function forgetReported(ctx: Context, request: { kind: string; commandKey?: string }): void {
  if (request.kind !== "TransferComplete") return;
  const p = ctx.s.persisted;
  const i = p.transfers.findIndex((t) => t.state === 3 && t.commandKey === request.commandKey);
  if (i >= 0) p.transfers = [...p.transfers.slice(0, i), ...p.transfers.slice(i + 1)];
}

/** Queues a transfer the ACS was answered for (its response follows in the same step). */
export function queueTransfer(ctx: Context, record: Omit<TransferRecord, "id" | "state">): void {
  const p = ctx.s.persisted;
  const id = (p.transfers.at(-1)?.id ?? p.lastTransferId ?? 0) + 1;
  p.transfers = [...p.transfers, { ...record, id, state: 1 }];
  p.lastTransferId = id;
}

/** At start: transfers cut by a crash run again from the beginning of their state 1. */
export function resumeTransfers(ctx: Context, softwareVersion?: string): void {
  const p = ctx.s.persisted;
  // Firmware applied before the reboot: judged by the version now, reported in this boot's
  // first Inform (with `1 BOOT`).
  for (const t of p.transfers.filter((t) => t.afterBoot !== undefined)) {
    const { versionBefore, startTime, completeTime } = t.afterBoot!;
    const changed = softwareVersion !== undefined && softwareVersion !== versionBefore;
    report(
      ctx,
      t,
      changed ? { faultCode: 0, faultString: "", startTime, completeTime } : {
        faultCode: 9010,
        faultString: `SoftwareVersion still "${versionBefore.slice(0, 64)}" after the upgrade`,
        startTime,
        completeTime,
      },
      false,
    );
  }
  if (p.transfers.some((t) => t.state === 2)) {
    p.transfers = p.transfers.map((t) => (t.state === 2 ? { ...t, state: 1, resume: true } : t));
  }
}

/**
 * After a reboot that did not happen (its command failed): firmware applied and waiting for
 * the boot is reported now, as not running (9010), in the next session.
 */
export function failAfterBoot(ctx: Context): void {
  for (const t of ctx.s.persisted.transfers.filter((t) => t.afterBoot !== undefined)) {
    const { startTime, completeTime } = t.afterBoot!;
    report(ctx, t, {
      faultCode: 9010,
      faultString: "The reboot after the upgrade failed: the new firmware is not running",
      startTime,
      completeTime,
    }, false);
  }
}

/** When `t` may next start at or after `now` (its next window), or undefined: none left. */
function nextStart(t: TransferRecord, now: number): number | undefined {
  if (t.windows === undefined) return t.notBefore;
  const open = t.windows.find((w) => w.end > now && w.end > t.notBefore);
  return open === undefined ? undefined : Math.max(open.start, t.notBefore);
}

/** The earliest time a queued transfer becomes due or its last window closes. */
export function nextTransferAt(ctx: Pick<Context, "s">, now = 0): number | undefined {
  const times: number[] = [];
  for (const t of ctx.s.persisted.transfers) {
    if (t.state !== 1) continue;
    const at = nextStart(t, now);
    if (at !== undefined) times.push(at);
    if (t.windows !== undefined && t.windows.length > 0) times.push(t.windows.at(-1)!.end);
  }
  return times.length === 0 ? undefined : Math.min(...times);
}

/**
 * ScheduleDownloads whose windows all closed before they could run: reported at once with
 * 9020 (TR-069 A.4.1.8).
 */
function expireWindows(ctx: Context): void {
  const { s, now } = ctx;
  const expired = s.persisted.transfers.filter((t) =>
    t.state === 1 && t.windows !== undefined && nextStart(t, now) === undefined
  );
  for (const t of expired) {
    // Tried and failed: that failure; never tried: 9020.
    report(
      ctx,
      t,
      t.lastFault ?? {
        faultCode: 9020,
        faultString: "Download not started within its time windows",
      },
      true,
    );
  }
}

/** Wait before another attempt inside a ScheduleDownload window ([U] TR-069 gives none). */
export const WINDOW_RETRY_MS = 30_000;

/**
 * A ScheduleDownload attempt failed: try again in the same window while its MaxRetries
 * allow (and time remains), else in the next window; true when it will be tried again.
 */
function retryInWindow(
  ctx: Context,
  record: TransferRecord,
  fault: { faultCode: number; faultString: string },
): boolean {
  const { now } = ctx;
  const windows = record.windows ?? [];
  const attempts = (record.attempts ?? 0) + 1;
  const current = windows.find((w) => w.start <= now && now < w.end);
  const lastFault = { faultCode: fault.faultCode, faultString: fault.faultString };
  const again = (notBefore: number, tries: number) => {
    const { resume: _r, ...rest } = record;
    ctx.s.persisted.transfers = ctx.s.persisted.transfers.map((t) =>
      t.id === record.id ? { ...rest, state: 1, notBefore, attempts: tries, lastFault } : t
    );
    return true;
  };
  const max = current?.maxRetries ?? 0;
  if (
    current !== undefined && (max < 0 || attempts <= max) && now + WINDOW_RETRY_MS < current.end
  ) {
    return again(now + WINDOW_RETRY_MS, attempts);
  }
  const later = windows.find((w) => w.start > now);
  return later === undefined ? false : again(later.start, 0);
}

/**
 * Between sessions, with no transfer running: starts the oldest due one (state 2, persisted
 * before the agent acts) and emits `startTransfer`.
 */
export function maybeStartTransfer(ctx: Context): void {
  const { s, now } = ctx;
  if (s.phase !== "idle" && s.phase !== "retryWait") return;
  expireWindows(ctx);
  if (s.phase !== "idle" && s.phase !== "retryWait") return;
  const p = s.persisted;
  if (p.transfers.some((t) => t.state === 2)) return;
  const due = p.transfers.find((t) => {
    if (t.state !== 1) return false;
    const at = nextStart(t, now);
    return at !== undefined && at <= now;
  });
  if (due === undefined) return;
  const started: TransferRecord = { ...due, state: 2 };
  p.transfers = p.transfers.map((t) => (t.id === due.id ? started : t));
  ctx.actions.push({ kind: "startTransfer", transfer: started });
}

/**
 * `transferDone`: the record leaves the queue and its TransferComplete is queued with
 * `7 TRANSFER COMPLETE` + `M Download` in the same change; a session opens for it at once
 * (GenieACS never sends a connection request to collect it). Then the next due transfer.
 */
export function onTransferDone(ctx: Context, event: EventOf<"transferDone">): void {
  const p = ctx.s.persisted;
  const record = p.transfers.find((t) => t.id === event.id);
  if (record === undefined || record.afterBoot !== undefined) return;
  if (event.reboot === true && event.faultCode === 0 && event.versionBefore !== undefined) {
    // Judged after the boot: the record stays, marked, and the device reboots.
    const afterBoot = {
      versionBefore: event.versionBefore,
      ...(event.startTime === undefined ? {} : { startTime: event.startTime }),
      ...(event.completeTime === undefined ? {} : { completeTime: event.completeTime }),
    };
    p.transfers = p.transfers.map((t) => (t.id === record.id ? { ...t, afterBoot } : t));
    rebootForTransfer(ctx);
    return;
  }
  if (record.windows !== undefined && event.faultCode !== 0 && retryInWindow(ctx, record, event)) {
    maybeStartTransfer(ctx);
    return;
  }
  report(ctx, record, event, true);
  if (event.reboot !== true) maybeStartTransfer(ctx);
}

function withoutRunState(t: TransferRecord): TransferRecord {
  const { resume: _r, afterBoot: _a, password: _p, attempts: _n, lastFault: _f, ...rest } = t;
  return { ...rest, password: "" };
}

/** Reboots now, or when the running session ends. */
function rebootForTransfer(ctx: Context): void {
  const session = ctx.s.session;
  if (session !== undefined) {
    session.rebootForTransfer = true;
    return;
  }
  ctx.s.phase = "halted";
  ctx.s.retryAt = undefined;
  ctx.actions.push({ kind: "reboot", commandKey: "" });
}

/** Takes `record` out of the queue and queues its TransferComplete with its events. */
function report(
  ctx: Context,
  record: TransferRecord,
  event: Pick<
    EventOf<"transferDone">,
    "faultCode" | "faultString" | "startTime" | "completeTime" | "reboot"
  >,
  kick: boolean,
): void {
  const p = ctx.s.persisted;
  // Completed: State 3 in GetAllQueuedTransfers until the ACS acknowledges the report.
  p.transfers = p.transfers.map((t) =>
    t.id === record.id ? { ...withoutRunState(t), state: 3 as const } : t
  );
  const request: TransferComplete = {
    kind: "TransferComplete",
    commandKey: record.commandKey,
    faultStruct: { faultCode: event.faultCode, faultString: event.faultString },
    startTime: isoTime(event.startTime),
    completeTime: isoTime(event.completeTime),
  };
  p.queuedRequests = [...p.queuedRequests, request];
  const events: EventStruct[] = [
    eventStruct(EventCode.TransferComplete),
    eventStruct(`M ${record.method}`, record.commandKey),
  ];
  if (event.reboot === true || !kick) {
    // Firmware: the report goes out after the boot (`1 BOOT` + these events); a session
    // running now ends first, then the device reboots (no `M Reboot`: no Reboot RPC).
    p.pendingEvents = addEvents(p.pendingEvents, events);
    if (event.reboot === true) rebootForTransfer(ctx);
    return;
  }
  raise(ctx, events);
}
