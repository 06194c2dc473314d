/**
 * Parsers of `/proc` files (proc(5)): `meminfo`, the `cpu` line of `stat`, and
 * `/proc/<pid>/stat`. Pure functions over text; reading is the caller's job.
 *
 * A whole-tree read parses one `/proc/<pid>/stat` per process, so these scan the text
 * by index rather than splitting it: no regex, no array of fields, only the strings
 * that are kept (see `bench/linux_gpv_bench.ts`).
 *
 * @module
 */

/** `/proc/meminfo` as field → value in KiB (the kernel's "kB" is KiB). */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const end = text.length;
  for (let start = 0; start < end;) {
    let eol = text.indexOf("\n", start);
    if (eol < 0) eol = end;
    const entry = meminfoLine(text, start, eol);
    if (entry !== undefined) out.set(entry[0], entry[1]);
    start = eol + 1;
  }
  return out;
}

// One line of meminfo, `Name:  123 kB`: a name without white space, a colon, white
// space, digits, then optionally white space and "kB", then only white space.
function meminfoLine(text: string, start: number, end: number): [string, number] | undefined {
  const colon = text.indexOf(":", start);
  if (colon <= start || colon >= end) return undefined;
  for (let i = start; i < colon; i++) if (isSpace(text.charCodeAt(i))) return undefined;
  let at = colon + 1;
  if (at >= end || !isSpace(text.charCodeAt(at))) return undefined;
  while (at < end && isSpace(text.charCodeAt(at))) at++;
  const digits = at;
  while (at < end && isDigit(text.charCodeAt(at))) at++;
  if (at === digits) return undefined;
  const value = Number(text.slice(digits, at));
  let rest = at;
  while (rest < end && isSpace(text.charCodeAt(rest))) rest++;
  if (rest > at && text.startsWith("kB", rest)) rest += 2;
  while (rest < end && isSpace(text.charCodeAt(rest))) rest++;
  return rest === end ? [text.slice(start, colon), value] : undefined;
}

/** Aggregate CPU time from the `cpu` line of `/proc/stat`, in ticks. */
export interface CpuTimes {
  /** Every field summed (guest time is already inside user/nice). */
  readonly total: number;
  /** idle + iowait. */
  readonly idle: number;
}

/** The `cpu` line of `/proc/stat`, or undefined when it is missing. */
export function parseCpuTimes(text: string): CpuTimes | undefined {
  // The kernel prints it first; the rest of the file (the `intr` line alone holds
  // hundreds of counters) is never looked at.
  let start = 0;
  while (!(text.startsWith("cpu", start) && isBlank(text.charCodeAt(start + 3)))) {
    const eol = text.indexOf("\n", start);
    if (eol < 0) return undefined;
    start = eol + 1;
  }
  let end = text.indexOf("\n", start);
  if (end < 0) end = text.length;
  // user nice system idle iowait irq softirq steal [guest guest_nice]
  const fields: number[] = [];
  for (let at = start + 3; at < end;) {
    while (at < end && isSpace(text.charCodeAt(at))) at++;
    if (at >= end) break;
    const from = at;
    while (at < end && !isSpace(text.charCodeAt(at))) at++;
    const n = Number(text.slice(from, at));
    if (!Number.isFinite(n)) return undefined;
    fields.push(n);
  }
  if (fields.length < 4) return undefined;
  let total = 0;
  for (let i = 0; i < 8 && i < fields.length; i++) total += fields[i];
  return { total, idle: fields[3] + (fields[4] ?? 0) };
}

/** The fields of `/proc/<pid>/stat` the data model uses. */
export interface ProcessStat {
  readonly pid: number;
  /** `comm`, the executable name (at most 15 characters). */
  readonly comm: string;
  /** One-letter state: R S D T t Z X I P W. */
  readonly state: string;
  /** utime + stime, in clock ticks. */
  readonly cpuTicks: number;
  /** Kernel `priority` field: 0–39 for normal tasks (20 + nice), negative for real-time. */
  readonly priority: number;
  /** Virtual memory size in bytes. */
  readonly vsize: number;
}

// Fields of /proc/<pid>/stat (proc(5) numbering) read by parseProcessStat().
const STATE = 3;
const UTIME = 14;
const STIME = 15;
const PRIORITY = 18;
const VSIZE = 23;

/** `/proc/<pid>/stat`, or undefined when malformed. `comm` may hold spaces and parentheses. */
export function parseProcessStat(text: string): ProcessStat | undefined {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  if (!Number.isSafeInteger(pid)) return undefined;
  // The fields after comm are separated by white space; the first is field 3.
  const end = text.length;
  let field = STATE - 1;
  let state = "";
  let cpuTicks = 0;
  let priority = 0;
  let vsize = 0;
  for (let at = close + 1; at < end && field < VSIZE;) {
    while (at < end && isSpace(text.charCodeAt(at))) at++;
    if (at >= end) break;
    const from = at;
    while (at < end && !isSpace(text.charCodeAt(at))) at++;
    switch (++field) {
      case STATE:
        state = text.slice(from, at);
        break;
      case UTIME:
      case STIME:
        cpuTicks += decimal(text, from, at);
        break;
      case PRIORITY:
        priority = decimal(text, from, at);
        break;
      case VSIZE:
        vsize = decimal(text, from, at);
        break;
    }
  }
  if (field < VSIZE) return undefined;
  return { pid, comm: text.slice(open + 1, close), state, cpuTicks, priority, vsize };
}

/** `Number(text.slice(from, to))`, without the slice when it is a plain decimal integer. */
function decimal(text: string, from: number, to: number): number {
  const first = text.charCodeAt(from) === 45 ? from + 1 : from; // "-"
  // Up to 15 digits the sum below is exact; longer ones round as Number() rounds.
  if (first === to || to - first > 15) return Number(text.slice(from, to));
  let n = 0;
  for (let i = first; i < to; i++) {
    const c = text.charCodeAt(i);
    if (!isDigit(c)) return Number(text.slice(from, to));
    n = n * 10 + (c - 48);
  }
  return first === from ? n : -n;
}

// What /\s/ matches (the kernel prints only ASCII; the rest keeps the split's rule).
function isSpace(c: number): boolean {
  if (c < 0xa0) return c === 32 || (c >= 9 && c <= 13);
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 ||
    c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

// White space within a line.
function isBlank(c: number): boolean {
  return c !== 10 && isSpace(c);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
