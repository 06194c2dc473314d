/**
 * The report loop of one enabled Bulk Data profile: at each report time (`schedule.ts`)
 * collect, encode with the retained failed reports, hand the body to the profile's
 * transport, retry, retain.
 *
 * States of a report: collected → sending ⇄ waiting for a retry → delivered | failed.
 * - Retries (TR-069 Annex N.2.2.1, when the transport has a retry policy: HTTP.RetryEnable)
 *   go on "until it is successfully delivered or until the next reporting interval for the
 *   data transfer becomes effective"; a retry whose wait would pass the next report time
 *   is not made, and a send still running when the next report is due is cancelled.
 *   Retry counts start at zero for each report (and after a restart).
 * - A failed report joins the retained ones, which go with the next report (Annex N.3,
 *   `report.ts`); NumberOfRetainedFailedReports bounds them, the oldest dropped first; 0
 *   keeps none; −1 "as many as possible": here {@linkcode MAX_RETAINED}. Whatever the
 *   setting, the retained reports hold at most {@linkcode MAX_RETAINED_ITEMS} parameters
 *   together ("If the CPE cannot retain the number of failed reports ... the oldest failed
 *   reports are deleted"): 64 reports of 10,000 parameters would not fit a small router.
 * - A delivered report clears the retained ones (they went with it).
 *
 * Reports never wait for each other beyond that cancel, nor for a CWMP session: the loop
 * runs on its own timers, and a slow collector only delays its own profile.
 *
 * @module
 */

import { WakeTimer } from "../../platform/wake_timer.ts";
import type { ReportItem } from "./collect.ts";
import { type Collection, encodeReport, type EncodingSettings } from "./report.ts";
import { nextReportAt, retryWaitMs } from "./schedule.ts";
import type { ReportTransport } from "./transport.ts";

/** Retained failed reports kept for NumberOfRetainedFailedReports −1. */
export const MAX_RETAINED = 64;

/** Parameters all retained reports of a profile may hold together. */
export const MAX_RETAINED_ITEMS = 100_000;

/** Options of {@linkcode ProfileSender}. */
export interface ProfileSenderOptions {
  /** `Device.BulkData.Profile.3.`: names the profile in logs. */
  readonly path: string;
  /** ReportingInterval, ms. */
  readonly intervalMs: number;
  /** TimeReference (ms since the epoch); undefined for the Unknown Time. */
  readonly timeReference?: number;
  readonly encoding: EncodingSettings;
  /** NumberOfRetainedFailedReports: −1, 0 or a count. */
  readonly retainLimit: number;
  readonly transport: ReportTransport;
  /** Reads the profile's parameters now. */
  collect(): Promise<ReportItem[]>;
  /** Failed reports from before (a restart with PersistAcrossReboot, a changed setting). */
  readonly retained?: readonly Collection[];
  /** After each change of the retained reports. */
  onRetained?(retained: readonly Collection[]): void;
  /** After each report: delivered or not (with the last error). */
  onResult?(delivered: boolean, error?: Error): void;
  log(level: "info" | "warning", message: string): void;
  now(): number;
  /** Time since boot, ms. */
  uptime(): number;
  random(): number;
}

/** Runs one profile's reports until {@linkcode ProfileSender.stop}. */
export class ProfileSender {
  readonly #o: ProfileSenderOptions;
  #retained: Collection[];
  /** Armed at each report with what is left of the interval: a WakeTimer, which does not leak. */
  readonly #timer = new WakeTimer();
  #nextAt = 0;
  #startedAt = 0;
  #sending?: AbortController;
  #delivering: Promise<void> = Promise.resolve();
  #stopped = false;

  /** Prepares the loop; {@linkcode start} begins it. */
  constructor(options: ProfileSenderOptions) {
    this.#o = options;
    this.#retained = trim([...(options.retained ?? [])], options.retainLimit);
  }

  /** Failed reports waiting for the next one. */
  get retained(): readonly Collection[] {
    return this.#retained;
  }

  /** When the next report is due (ms since the epoch). */
  get nextAt(): number {
    return this.#nextAt;
  }

  /** Starts the first reporting interval now. */
  start(): void {
    this.#startedAt = this.#o.now();
    this.#schedule();
  }

  /** Makes a report now, outside the schedule (tests, benchmarks); resolves once it settled. */
  async reportNow(): Promise<void> {
    await this.#report();
    await this.#delivering;
  }

  /** Stops the loop and cancels a send in progress (that report is retained). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timer.cancel();
    this.#sending?.abort();
    await this.#delivering;
  }

  #schedule(): void {
    if (this.#stopped) return;
    const now = this.#o.now();
    this.#nextAt = nextReportAt(now, this.#o.intervalMs, this.#o.timeReference, this.#startedAt);
    this.#timer.arm(this.#nextAt - now, () => {
      this.#schedule();
      this.#report().catch((error) =>
        this.#o.log("warning", `${this.#o.path}: report failed: ${(error as Error).message}`)
      );
    });
  }

  async #report(): Promise<void> {
    // The next interval is effective: a send of the previous report ends here.
    this.#sending?.abort();
    await this.#delivering;
    if (this.#stopped) return;
    const collection: Collection = {
      collectedAt: this.#o.now(),
      uptime: this.#o.uptime(),
      items: await this.#o.collect(),
    };
    const collections = [...this.#retained, collection];
    const report = encodeReport(collections, this.#o.encoding);
    const controller = new AbortController();
    this.#sending = controller;
    this.#delivering = this.#deliver(report, collections, controller.signal);
  }

  async #deliver(
    report: ReturnType<typeof encodeReport>,
    collections: Collection[],
    signal: AbortSignal,
  ): Promise<void> {
    const o = this.#o;
    let attempt = 0;
    let last: Error | undefined;
    for (;;) {
      try {
        await o.transport.send(report, signal);
        if (this.#retained.length > 0) {
          this.#retained = [];
          o.onRetained?.(this.#retained);
        }
        o.onResult?.(true);
        return;
      } catch (error) {
        last = error instanceof Error ? error : new Error(String(error));
      }
      if (signal.aborted) break;
      const policy = o.transport.retryPolicy?.();
      if (policy === undefined) break;
      attempt++;
      const wait = retryWaitMs(attempt, policy, o.random);
      if (o.now() + wait >= this.#nextAt) break;
      if (attempt === 1) {
        o.log("warning", `${o.path}: report not delivered (${last.message}); retrying`);
      }
      if (!await sleep(wait, signal)) break;
    }
    this.#retained = trim(collections, o.retainLimit);
    o.onRetained?.(this.#retained);
    o.log(
      "warning",
      `${o.path}: report not delivered (${last.message}); ${this.#retained.length} retained`,
    );
    o.onResult?.(false, last);
  }
}

/**
 * The newest `limit` collections (−1: {@linkcode MAX_RETAINED}) that hold at most
 * {@linkcode MAX_RETAINED_ITEMS} parameters together.
 */
function trim(collections: Collection[], limit: number): Collection[] {
  const keep = limit < 0 ? MAX_RETAINED : limit;
  const kept = keep === 0 ? [] : collections.slice(-keep);
  let items = 0;
  for (let i = kept.length - 1; i >= 0; i--) {
    items += kept[i].items.length;
    if (items > MAX_RETAINED_ITEMS) return kept.slice(i + 1);
  }
  return kept;
}

/**
 * Waits `ms`; false when `signal` aborted first. The waits are random: on a WakeTimer, so
 * one cancelled by a stop does not leak.
 */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = new WakeTimer();
    timer.arm(ms, () => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    });
    const onAbort = () => {
      timer.cancel();
      resolve(false);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
