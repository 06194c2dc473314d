/**
 * `Device.DeviceInfo.ProcessStatus.` and `.Process.{i}.` (TR-181 2.17) from `/proc`
 * (proc(5)).
 *
 * Supported:
 * - CPUUsage: busy share of all CPUs between two reads of the `cpu` line of
 *   `/proc/stat` (the provider keeps the previous sample; the first read measures
 *   since boot; when no tick passed, the previous figure stands).
 * - Process.{i}: the instance number is the PID (the table's functional unique key,
 *   so no number map is needed). PID; Command (`comm` from `/proc/<pid>/stat`: the
 *   executable name, never the argument list, which may hold secrets); Size (`vsize`,
 *   KiB); Priority (the kernel's 0–39 for normal tasks, 20 + nice; real-time tasks,
 *   negative there, read 0 = highest); CPUTime (utime + stime in ms, `clockTicks`
 *   per second, 100 on every Linux build we target); State (R Running, S Sleeping,
 *   D Uninterruptible, T/t Stopped, Z/X Zombie, I/P Idle).
 *
 * Unsupported: none of this object. ProcessNumberOfEntries is derived by the tree.
 *
 * Read-only.
 *
 * @module
 */

import type { SystemSource } from "../../platform/system_source.ts";
import type { Binding } from "../provider.ts";
import { parseCpuTimes, parseProcessStat, type ProcessStat } from "../providers/linux/proc.ts";
import type { CpuTimes } from "../providers/linux/proc.ts";
import { objectProvider, tableProvider, unsignedInt } from "./_table.ts";

/** Options of {@linkcode bindProcessStatus}. */
export interface ProcessStatusOptions {
  /** USER_HZ, clock ticks per second of `/proc` times. Default 100. */
  readonly clockTicks?: number;
  /**
   * How long one read of the process list serves every call (the listing and the
   * values of one request), ms. Default 0: every call reads again.
   */
  readonly maxAgeMs?: number;
  /** Monotonic clock in ms. Default `performance.now`. */
  readonly clock?: () => number;
}

/** Supported parameters of `Device.DeviceInfo.ProcessStatus.`. */
export const PROCESS_STATUS_PARAMETERS: readonly string[] = ["CPUUsage"];

/** Supported parameters of `Device.DeviceInfo.ProcessStatus.Process.{i}.`. */
export const PROCESS_PARAMETERS: readonly string[] = [
  "PID",
  "Command",
  "Size",
  "Priority",
  "CPUTime",
  "State",
];

const STATES: Readonly<Record<string, string>> = {
  R: "Running",
  S: "Sleeping",
  D: "Uninterruptible",
  T: "Stopped",
  t: "Stopped",
  Z: "Zombie",
  X: "Zombie",
  I: "Idle",
  P: "Idle",
};

/** Binds `ProcessStatus.` (CPUUsage) and `ProcessStatus.Process.{i}.` to `source`. */
export function bindProcessStatus(
  source: SystemSource,
  options: ProcessStatusOptions = {},
): Binding[] {
  const msPerTick = 1000 / (options.clockTicks ?? 100);
  let previous: CpuTimes = { total: 0, idle: 0 };
  let usage = 0;
  const cpuUsage = async (): Promise<number> => {
    const now = parseCpuTimes(await source.readText("/proc/stat") ?? "");
    if (now === undefined) return usage;
    const total = now.total - previous.total;
    const idle = now.idle - previous.idle;
    if (total > 0 && idle >= 0 && idle <= total) {
      usage = Math.round((100 * (total - idle)) / total);
    }
    previous = now;
    return usage;
  };
  const readRows = async (): Promise<Map<number, ProcessStat>> => {
    const pids = (await source.listDir("/proc")).filter((name) => /^[1-9]\d*$/.test(name));
    const stats = await Promise.all(
      pids.map(async (pid) => parseProcessStat(await source.readText(`/proc/${pid}/stat`) ?? "")),
    );
    const out = new Map<number, ProcessStat>();
    for (const stat of stats) if (stat !== undefined && stat.pid > 0) out.set(stat.pid, stat);
    return out;
  };
  // One read of every /proc/<pid>/stat for the listing and the values of a request.
  const maxAgeMs = options.maxAgeMs ?? 0;
  const clock = options.clock ?? (() => performance.now());
  let recent: { at: number; rows: Promise<Map<number, ProcessStat>> } | undefined;
  const rows = (): Promise<Map<number, ProcessStat>> => {
    const now = clock();
    if (recent === undefined || now - recent.at >= maxAgeMs || now < recent.at) {
      recent = { at: now, rows: readRows() };
    }
    return recent.rows;
  };
  return [
    {
      object: "Device.DeviceInfo.ProcessStatus.",
      parameters: PROCESS_STATUS_PARAMETERS,
      provider: objectProvider(cpuUsage, { CPUUsage: (n) => String(n) }),
    },
    {
      object: "Device.DeviceInfo.ProcessStatus.Process.{i}.",
      parameters: PROCESS_PARAMETERS,
      provider: tableProvider({
        rows,
        readers: {
          PID: (p) => String(p.pid),
          Command: (p) => p.comm.slice(0, 256),
          Size: (p) => unsignedInt(p.vsize / 1024),
          Priority: (p) => String(Math.min(Math.max(p.priority, 0), 99)),
          CPUTime: (p) => unsignedInt(p.cpuTicks * msPerTick),
          State: (p) => STATES[p.state] ?? "Sleeping",
        },
      }),
    },
  ];
}
