/**
 * What the bench reads from /proc: a process's CPU time and memory, and the
 * machine facts printed with the results. Linux only.
 *
 * @module
 */

let clockTicks: number | undefined;

/** `getconf CLK_TCK`: the unit of utime/stime in /proc/<pid>/stat. */
export async function clockTicksPerSecond(): Promise<number> {
  if (clockTicks === undefined) {
    const out = await new Deno.Command("getconf", { args: ["CLK_TCK"], stdout: "piped" }).output();
    clockTicks = Number(new TextDecoder().decode(out.stdout).trim()) || 100;
  }
  return clockTicks;
}

/** utime + stime of `pid` (all its threads), in clock ticks. */
export async function cpuTicks(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  // Fields after the command name, which may contain spaces: ") state ppid …".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of stat(5); fields[0] here is field 3.
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * Nanoseconds on CPU of the threads of `pid` alive now (sum of the first field of
 * /proc/<pid>/task/<tid>/schedstat): a finer cross-check of {@linkcode cpuTicks},
 * which counts exited threads too but in 10 ms steps.
 */
export async function cpuNanos(pid: number): Promise<number> {
  let total = 0;
  for await (const task of Deno.readDir(`/proc/${pid}/task`)) {
    try {
      const text = await Deno.readTextFile(`/proc/${pid}/task/${task.name}/schedstat`);
      total += Number(text.split(" ")[0]);
    } catch { /* the thread exited meanwhile */ }
  }
  return total;
}

/** Resident memory of `pid`, in KiB. */
export interface Memory {
  /** VmRSS: resident now. */
  rssKiB: number;
  /** VmHWM: peak resident. */
  hwmKiB: number;
  /** RssAnon: the resident part that is anonymous (heaps, JIT code, stacks). */
  anonKiB: number;
  /** RssFile: the resident part backed by files (the runtime's code pages, libraries). */
  fileKiB: number;
}

/** Reads VmRSS, VmHWM, RssAnon and RssFile from /proc/<pid>/status. */
export async function memory(pid: number): Promise<Memory> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const kib = (key: string) => Number(status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, "m"))?.[1]);
  return {
    rssKiB: kib("VmRSS"),
    hwmKiB: kib("VmHWM"),
    anonKiB: kib("RssAnon"),
    fileKiB: kib("RssFile"),
  };
}

/** The machine the figures come from. */
export interface MachineFacts {
  deno: string;
  v8: string;
  cpuModel: string;
  nproc: number;
  os: string;
  clockTicksPerSecond: number;
}

/** Deno version, CPU model (/proc/cpuinfo), CPU count, kernel. */
export async function machineFacts(): Promise<MachineFacts> {
  let cpuModel = "unknown";
  try {
    const info = await Deno.readTextFile("/proc/cpuinfo");
    cpuModel = info.match(/^model name\s*:\s*(.+)$/m)?.[1].trim() ?? cpuModel;
  } catch { /* not Linux */ }
  return {
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    cpuModel,
    nproc: navigator.hardwareConcurrency,
    os: `${Deno.build.os} ${Deno.osRelease()} ${Deno.build.arch}`,
    clockTicksPerSecond: await clockTicksPerSecond(),
  };
}
