/**
 * The agent's timers, without Deno 2.9's global `setTimeout`: that one is Node's `Timeout`,
 * whose first use loads part of the Node compatibility layer (measured: 5–8 ms on the path
 * to the first Inform, about 2 MiB of RSS for good), and whose per-delay timer lists are
 * never freed once a timer with a new delay is cleared (about 190 bytes each time).
 *
 * All timers here share one scheduler: a heap of deadlines, woken by `AbortSignal.timeout`,
 * which runs on the runtime's own timers. Such a signal keeps the process alive only while
 * it has an "abort" listener, and cannot be cancelled, so the scheduler keeps exactly one
 * listening signal, the first to fire at or before the earliest deadline; the others fire
 * later to no effect (unlistened, they hold nothing up). Signals wait a power of two of
 * milliseconds (the largest within the deadline, then the rest in hops), and one is made
 * only when none pending fires in time: re-arming a timer later and later (a session
 * timeout) makes none, a session starting while the periodic Inform waits a day makes a
 * few, each gone after its wait.
 *
 * Timers due together run in deadline order, then in the order they were set; one set
 * while others run never runs in the same turn, so a callback re-arming itself at 0 ms
 * cannot starve the event loop. A callback that throws is reported as an uncaught error
 * (`reportError`), as a `setTimeout` callback would be.
 *
 * @module
 */

/** A pending timer, from {@linkcode setTimer} or {@linkcode setRepeating}. */
export interface Timer {
  readonly [brand]: true;
}

declare const brand: unique symbol;

interface Entry {
  due: number;
  seq: number;
  fn: () => void;
  /** Repeats every `every` ms (setRepeating); 0 = once. */
  every: number;
  /** Position in the heap; -1 when not scheduled. */
  at: number;
}

interface Wakeup {
  readonly signal: AbortSignal;
  readonly firesAt: number;
  listening: boolean;
}

// AbortSignal.timeout takes ms as an unsigned long long; a cap keeps far deadlines exact
// enough (the scheduler re-measures when it wakes).
const MAX_WAIT_MS = 2 ** 30;

const heap: Entry[] = [];
let seq = 0;
/** The signals not yet fired, earliest first; only `wakeups[0]` listens. */
const wakeups: Wakeup[] = [];

/** Calls `fn` once, `ms` from now (0 or less, or not a number: as soon as possible). */
export function setTimer(fn: () => void, ms: number): Timer {
  return add(fn, ms, 0);
}

/** Calls `fn` every `ms` (at least 1), first `ms` from now, until {@linkcode clearTimer}. */
export function setRepeating(fn: () => void, ms: number): Timer {
  const every = Math.max(1, Number.isFinite(ms) ? ms : 1);
  return add(fn, every, every);
}

/** Cancels `timer` (nothing if it already ran, was cleared, or is undefined). */
export function clearTimer(timer: Timer | undefined): void {
  const entry = timer as unknown as Entry | undefined;
  if (entry === undefined || entry.at < 0) return;
  remove(entry.at);
  entry.at = -1;
  wake();
}

/** Timers pending now (for tests and leak checks). */
export function pendingTimers(): number {
  return heap.length;
}

function add(fn: () => void, ms: number, every: number): Timer {
  const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
  const entry: Entry = { due: performance.now() + delay, seq: seq++, fn, every, at: -1 };
  push(entry);
  wake();
  return entry as unknown as Timer;
}

/** Makes the earliest deadline's signal the one listening, creating it if needed. */
function wake(): void {
  // A listening signal leaves the list when it fires; one that fired unlistened goes here.
  for (let i = wakeups.length - 1; i >= 0; i--) {
    if (wakeups[i].signal.aborted) wakeups.splice(i, 1);
  }
  const next = heap[0];
  const needed = next === undefined
    ? undefined
    // Within a millisecond counts as in time: the runtime's timers have that resolution.
    : wakeups.find((w) => w.firesAt <= next.due + 1) ?? createWakeup(next.due);
  // Only the one the earliest deadline needs keeps the process alive.
  for (const w of wakeups) setListening(w, w === needed);
}

function createWakeup(due: number): Wakeup {
  const now = performance.now();
  const left = due - now;
  // Hops of a power of two (the largest not past the deadline) until the last 2 ms: a
  // pending signal then serves any deadline after it, so deadlines that keep moving
  // earlier make a few signals per halving of the wait, not one each.
  const wait = left < 2
    ? Math.max(0, Math.ceil(left))
    : Math.min(MAX_WAIT_MS, 2 ** Math.floor(Math.log2(left)));
  const wakeup: Wakeup = {
    signal: AbortSignal.timeout(wait),
    firesAt: now + wait,
    listening: false,
  };
  let i = wakeups.length;
  while (i > 0 && wakeups[i - 1].firesAt > wakeup.firesAt) i--;
  wakeups.splice(i, 0, wakeup);
  return wakeup;
}

function setListening(wakeup: Wakeup, on: boolean): void {
  if (wakeup.listening === on) return;
  wakeup.listening = on;
  if (on) wakeup.signal.addEventListener("abort", onWake);
  else wakeup.signal.removeEventListener("abort", onWake);
}

function onWake(this: AbortSignal): void {
  const index = wakeups.findIndex((w) => w.signal === this);
  if (index >= 0) {
    setListening(wakeups[index], false);
    wakeups.splice(index, 1);
  }
  const now = performance.now();
  const last = seq;
  try {
    for (;;) {
      const entry = heap[0];
      if (entry === undefined || entry.due > now || entry.seq >= last) break;
      remove(0);
      entry.at = -1;
      if (entry.every > 0) {
        entry.due = Math.max(entry.due + entry.every, now);
        entry.seq = seq++;
        push(entry);
      }
      try {
        entry.fn();
      } catch (error) {
        reportError(error);
      }
    }
  } finally {
    wake();
  }
}

// ------------------------------------------------------------------ binary min-heap

function before(a: Entry, b: Entry): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}

function place(entry: Entry, at: number): void {
  heap[at] = entry;
  entry.at = at;
}

function push(entry: Entry): void {
  heap.push(entry);
  up(heap.length - 1);
}

function remove(at: number): void {
  const last = heap.pop()!;
  if (at === heap.length) return;
  place(last, at);
  up(at);
  down(last.at);
}

function up(at: number): void {
  const entry = heap[at];
  while (at > 0) {
    const parent = (at - 1) >> 1;
    if (!before(entry, heap[parent])) break;
    place(heap[parent], at);
    at = parent;
  }
  place(entry, at);
}

function down(at: number): void {
  const entry = heap[at];
  for (;;) {
    const left = 2 * at + 1;
    if (left >= heap.length) break;
    const right = left + 1;
    const child = right < heap.length && before(heap[right], heap[left]) ? right : left;
    if (!before(heap[child], entry)) break;
    place(heap[child], at);
    at = child;
  }
  place(entry, at);
}
