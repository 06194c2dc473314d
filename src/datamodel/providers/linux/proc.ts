/**
 * Parsers of `/proc` files (proc(5)): `meminfo`, the `cpu` line of `stat`, and
 * `/proc/<pid>/stat`. Pure functions over text; reading is the caller's job.
 *
 * @module
 */

/** `/proc/meminfo` as field → value in KiB (the kernel's "kB" is KiB). */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^([^:\s]+):\s+(\d+)(?:\s+kB)?\s*$/.exec(line);
    if (m !== null) out.set(m[1], Number(m[2]));
  }
  return out;
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
  const line = text.split("\n").find((l) => /^cpu\s/.test(l));
  if (line === undefined) return undefined;
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  if (fields.length < 4 || fields.some((n) => !Number.isFinite(n))) return undefined;
  // user nice system idle iowait irq softirq steal [guest guest_nice]
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
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

/** `/proc/<pid>/stat`, or undefined when malformed. `comm` may hold spaces and parentheses. */
export function parseProcessStat(text: string): ProcessStat | undefined {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const rest = text.slice(close + 1).trim().split(/\s+/);
  // rest[0] is field 3 (state); field n is rest[n - 3].
  if (!Number.isSafeInteger(pid) || rest.length < 21) return undefined;
  const field = (n: number) => Number(rest[n - 3]);
  return {
    pid,
    comm: text.slice(open + 1, close),
    state: rest[0],
    cpuTicks: field(14) + field(15),
    priority: field(18),
    vsize: field(23),
  };
}
