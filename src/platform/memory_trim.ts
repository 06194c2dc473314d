/**
 * Gives memory back to the system once the agent has gone quiet after a session.
 *
 * V8 keeps the heap pages a busy stretch grew (a GetParameterValues of the whole tree, a
 * burst of connection requests) and glibc keeps what it freed; neither hands them back on
 * its own while the process sleeps between sessions. A router wants that memory between
 * sessions, so after `delayMs` without a new session the agent runs V8's last-resort
 * collection (what V8 does under memory pressure: full collections until nothing more is
 * freed, new space shrunk, empty pages unmapped) and glibc's `malloc_trim(0)`.
 *
 * Measured (`bench/memory_bench.ts`, 2,000 sessions after the 1,000-name GPVs, x86_64):
 * without it RSS stays 23.7 MiB above the idle figure; with it 11.2 MiB above, and the
 * idle figure itself 5 MiB lower. A plain full collection (`gc()`) frees the objects but
 * keeps the pages (RSS unchanged). It costs one collection of the live heap (~15 MB,
 * a few ms) per quiet spell, never inside a session, and only after a stretch that grew RSS
 * by {@linkcode IDLE_TRIM_GROWTH_BYTES} (see {@linkcode IdleTrim}).
 *
 * The collection needs `--expose-gc` (in `src/cli/v8_flags.ts`); without it, or without
 * glibc (musl has no `malloc_trim`), that half is skipped.
 *
 * @module
 */

import { lazyLibc } from "./ffi_libc.ts";
import { WakeTimer } from "./wake_timer.ts";

/** How long after a session the agent waits for quiet before trimming, ms. */
export const IDLE_TRIM_DELAY_MS = 2_000;

/** How much RSS must have grown since the last trim for the next one to run, bytes. */
export const IDLE_TRIM_GROWTH_BYTES = 4 * 1048576;

const SYMBOLS = { malloc_trim: { parameters: ["usize"], result: "i32" } } as const;
const openLibc = lazyLibc(SYMBOLS);

/** V8's `gc` with options, present under `--expose-gc`. */
type GcFunction = (options?: { type: string; execution: string; flavor: string }) => unknown;

/** What {@linkcode trimMemory} could do. */
export interface TrimResult {
  /** V8's last-resort collection ran. */
  readonly heap: boolean;
  /** glibc's `malloc_trim` ran. */
  readonly malloc: boolean;
  /** Resident set before and after, bytes. */
  readonly rssBefore: number;
  readonly rssAfter: number;
}

/** Runs V8's last-resort collection and glibc's `malloc_trim(0)`, where available. */
export function trimMemory(): TrimResult {
  const rssBefore = Deno.memoryUsage().rss;
  const gc = (globalThis as { gc?: GcFunction }).gc;
  const heap = typeof gc === "function";
  if (heap) gc({ type: "major", execution: "sync", flavor: "last-resort" });
  const libc = openLibc();
  libc?.symbols.malloc_trim(0n);
  return { heap, malloc: libc !== undefined, rssBefore, rssAfter: Deno.memoryUsage().rss };
}

/** One log line for a trim, e.g. `Memory trimmed (V8 heap, malloc): RSS 93.5 -> 76.6 MiB`. */
export function describeTrim(result: TrimResult): string {
  const parts = [...(result.heap ? ["V8 heap"] : []), ...(result.malloc ? ["malloc"] : [])];
  const mib = (bytes: number) => (bytes / 1048576).toFixed(1);
  return `Memory trimmed (${parts.join(", ") || "nothing to trim"}): RSS ${
    mib(result.rssBefore)
  } -> ${mib(result.rssAfter)} MiB`;
}

/** Options of {@linkcode IdleTrim}. */
export interface IdleTrimOptions {
  /** Quiet period after the last {@linkcode IdleTrim.schedule}, ms. */
  readonly delayMs?: number;
  /** Trims only when RSS grew by this much since the last trim (bytes; 0: always). */
  readonly growthBytes?: number;
  /** The resident set now, bytes. */
  readonly rss?: () => number;
  readonly trim?: () => TrimResult;
  /** Told of each trim that ran. */
  readonly onTrim?: (result: TrimResult) => void;
}

/**
 * Trims once the caller has been quiet for `delayMs` since its last {@linkcode schedule},
 * if RSS grew by `growthBytes` since the last trim (the first time: always). A trim costs
 * the next session a few ms of CPU (V8's caches and inline state start cold again:
 * measured 3–6 ms on x86_64 for a session 2.6 s after one), so a session that grew little
 * does not pay it; what it grew stays bounded by `growthBytes`.
 */
export class IdleTrim {
  readonly #timer = new WakeTimer();
  readonly #delayMs: number;
  readonly #growthBytes: number;
  readonly #rss: () => number;
  readonly #trim: () => TrimResult;
  readonly #onTrim: (result: TrimResult) => void;
  #baseline: number | undefined;
  #closed = false;

  constructor(options: IdleTrimOptions = {}) {
    this.#delayMs = options.delayMs ?? IDLE_TRIM_DELAY_MS;
    this.#growthBytes = options.growthBytes ?? IDLE_TRIM_GROWTH_BYTES;
    this.#rss = options.rss ?? (() => Deno.memoryUsage().rss);
    this.#trim = options.trim ?? trimMemory;
    this.#onTrim = options.onTrim ?? (() => {});
  }

  /** (Re)starts the quiet period; a later call pushes the trim back. Nothing once closed. */
  schedule(): void {
    if (!this.#closed) this.#timer.arm(this.#delayMs, () => this.#run());
  }

  /** Cancels a pending trim. */
  cancel(): void {
    this.#timer.cancel();
  }

  /** Cancels a pending trim and ignores later {@linkcode schedule}s. */
  close(): void {
    this.#closed = true;
    this.#timer.cancel();
  }

  #run(): void {
    if (this.#baseline !== undefined && this.#rss() - this.#baseline < this.#growthBytes) return;
    const result = this.#trim();
    this.#baseline = result.rssAfter;
    this.#onTrim(result);
  }
}
