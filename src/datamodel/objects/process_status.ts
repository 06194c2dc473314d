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
 * Cost: a whole-tree read lists `/proc` and reads each `/proc/<pid>/stat` once (one
 * file gives every parameter; `status` and `cmdline` are never opened), parsed by index:
 * on the real system through descriptors kept open between reads
 * (`SystemSource.processStats`, one `pread` per process), else synchronously where the
 * source can (`SystemSource.readTextSync`). The table answers synchronously once read, and values it builds in their
 * canonical form (integers, the state names, comm) are checked against the schema
 * only where the schema could refuse them (see {@linkcode columnOf}).
 *
 * Read-only.
 *
 * @module
 */

import { readSmallText, type SystemSource } from "../../platform/system_source.ts";
import { nullValue } from "../null_value.ts";
import type { Binding, MaybePromise, ParameterRef, Provider } from "../provider.ts";
import type { ParameterSchema } from "../schema.ts";
import { parseCpuTimes, parseProcessStat, type ProcessStat } from "../providers/linux/proc.ts";
import type { CpuTimes } from "../providers/linux/proc.ts";
import { conform, objectProvider, unsignedInt } from "./_table.ts";

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

const MAX_UNSIGNED_INT = 0xffffffff;
const MAX_COMMAND = 256;

/** One read of the process list: the rows by PID and the PIDs ascending. */
interface ProcessTable {
  readonly pids: readonly number[];
  readonly rows: ReadonlyMap<number, ProcessStat>;
}

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
  // One read of every /proc/<pid>/stat for the listing and the values of a request;
  // once read, both are answered without a promise.
  const maxAgeMs = options.maxAgeMs ?? 0;
  const clock = options.clock ?? (() => performance.now());
  let recent: { at: number; table: Promise<ProcessTable>; read?: ProcessTable } | undefined;
  const table = (): MaybePromise<ProcessTable> => {
    const now = clock();
    if (recent === undefined || now - recent.at >= maxAgeMs || now < recent.at) {
      const entry: NonNullable<typeof recent> = { at: now, table: readProcessTable(source) };
      // A failed read reaches the callers through `table`; nothing to remember then.
      entry.table.then((read) => {
        entry.read = read;
      }, () => {});
      recent = entry;
    }
    return recent.read ?? recent.table;
  };
  const columns = new WeakMap<ParameterSchema, (p: ProcessStat) => string>();
  const values = (rows: ReadonlyMap<number, ProcessStat>, refs: readonly ParameterRef[]) => {
    const out = new Array<string>(refs.length);
    for (let i = 0; i < refs.length; i++) {
      const ref = refs[i];
      let column = columns.get(ref.schema);
      if (column === undefined) columns.set(ref.schema, column = columnOf(ref, msPerTick));
      const row = rows.get(ref.instances[ref.instances.length - 1]);
      out[i] = row === undefined ? nullValue(ref.schema) : column(row);
    }
    return out;
  };
  const processes: Provider = {
    get(refs) {
      const t = table();
      return t instanceof Promise ? t.then((t) => values(t.rows, refs)) : values(t.rows, refs);
    },
    instances() {
      const t = table();
      return t instanceof Promise ? t.then((t) => t.pids) : t.pids;
    },
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
      provider: processes,
    },
  ];
}

/** Every process of `/proc` whose `stat` reads and parses, keyed by its PID. */
async function readProcessTable(source: SystemSource): Promise<ProcessTable> {
  const rows = new Map<number, ProcessStat>();
  const add = (text: string | undefined) => {
    const stat = text === undefined ? undefined : parseProcessStat(text);
    if (stat !== undefined && stat.pid > 0) rows.set(stat.pid, stat);
  };
  const stats = source.processStats?.();
  if (stats !== undefined) {
    for (const text of stats.values()) add(text);
    return { pids: [...rows.keys()].sort((a, b) => a - b), rows };
  }
  const names = (await source.listDir("/proc")).filter(isPid);
  for (
    const text of await Promise.all(names.map((n) => readSmallText(source, `/proc/${n}/stat`)))
  ) {
    add(text);
  }
  return { pids: [...rows.keys()].sort((a, b) => a - b), rows };
}

/**
 * How the parameter of `ref` reads from a row, as a value that fits its schema entry.
 * What `conform()` would do, done once per schema where it can be: Size and CPUTime
 * are always canonical unsignedInts (as is PID up to 2^32 − 1), comm sliced to 256
 * UTF-16 units is at most 256 characters, and Priority (0–99) and State (a few names)
 * take few values, so their checks are remembered per text. A schema with facets the
 * built text could break has every value checked.
 */
function columnOf(ref: ParameterRef, msPerTick: number): (p: ProcessStat) => string {
  const schema = ref.schema;
  const name = schema.path.slice(schema.path.lastIndexOf(".") + 1);
  const plain = schema.list === undefined && schema.ranges === undefined &&
    schema.enumerations === undefined && schema.patterns === undefined &&
    schema.minLength === undefined;
  const plainInt = plain && schema.type === "unsignedInt" && schema.maxLength === undefined;
  const checked = (read: (p: ProcessStat) => string) => (p: ProcessStat) =>
    conform(schema, read(p));
  const remembered = (read: (p: ProcessStat) => string) => {
    const known = new Map<string, string>();
    return (p: ProcessStat) => {
      const text = read(p);
      let value = known.get(text);
      if (value === undefined) known.set(text, value = conform(schema, text));
      return value;
    };
  };
  switch (name) {
    case "PID":
      return (p) =>
        plainInt && p.pid <= MAX_UNSIGNED_INT ? String(p.pid) : conform(schema, String(p.pid));
    case "Command": {
      const read = (p: ProcessStat) => p.comm.slice(0, MAX_COMMAND);
      const fits = plain && schema.type === "string" &&
        (schema.maxLength === undefined || schema.maxLength >= MAX_COMMAND);
      return fits ? read : checked(read);
    }
    case "Size": {
      const read = (p: ProcessStat) => unsignedInt(p.vsize / 1024);
      return plainInt ? read : checked(read);
    }
    case "Priority":
      return remembered((p) => String(Math.min(Math.max(p.priority, 0), 99)));
    case "CPUTime": {
      const read = (p: ProcessStat) => unsignedInt(p.cpuTicks * msPerTick);
      return plainInt ? read : checked(read);
    }
    case "State":
      return remembered((p) => STATES[p.state] ?? "Sleeping");
  }
  throw new TypeError(`Parameter not served: "${ref.path}"`);
}

/** A `/proc` entry named by a PID: digits, no leading zero. */
function isPid(name: string): boolean {
  if (name.length === 0 || name.charCodeAt(0) === 48) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
