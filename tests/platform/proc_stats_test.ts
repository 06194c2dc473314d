import assert from "node:assert/strict";
import {
  keptDescriptors,
  keptLimit,
  MAX_KEPT_DESCRIPTORS,
  readProcStats,
} from "../../src/platform/proc_stats.ts";
import { readSmallFile } from "../../src/platform/read_small_file.ts";
import { parseProcessStat } from "../../src/datamodel/providers/linux/proc.ts";

/** Field `n` (1-based, proc_pid_stat(5)) of a stat text; the ones after comm. */
function field(text: string, n: number): string {
  return text.slice(text.lastIndexOf(")") + 2).split(" ")[n - 3];
}

function spawnSleep(seconds = 30): Deno.ChildProcess {
  return new Deno.Command("sleep", { args: [String(seconds)], stdout: "null", stderr: "null" })
    .spawn();
}

async function reap(child: Deno.ChildProcess): Promise<void> {
  try {
    child.kill("SIGKILL");
  } catch { /* already gone */ }
  await child.status;
}

/** PIDs `/proc` lists, as `ls /proc` would. */
function listedPids(): Set<number> {
  const pids = new Set<number>();
  for (const e of Deno.readDirSync("/proc")) if (/^\d+$/.test(e.name)) pids.add(Number(e.name));
  return pids;
}

Deno.test("readProcStats() gives every process /proc lists, as its stat file reads", () => {
  const before = listedPids();
  const stats = readProcStats();
  assert.ok(stats !== undefined, "the FFI path runs on this machine");
  const after = listedPids();
  // Processes that lived through both listings are all there; nothing else is.
  for (const pid of before) if (after.has(pid)) assert.ok(stats.has(pid), `pid ${pid} missing`);
  for (const pid of stats.keys()) assert.ok(before.has(pid) || after.has(pid), `pid ${pid}`);
  const own = stats.get(Deno.pid)!;
  assert.equal(parseProcessStat(own)?.pid, Deno.pid);
  const byPath = readSmallFile(`/proc/${Deno.pid}/stat`)!;
  assert.equal(
    own.slice(0, own.lastIndexOf(")") + 4),
    byPath.slice(0, byPath.lastIndexOf(")") + 4),
  );
  assert.equal(field(own, 4), field(byPath, 4)); // ppid
});

Deno.test("readProcStats() reads a kept descriptor afresh each time", () => {
  readProcStats();
  const ticks = () => Number(field(readProcStats()!.get(Deno.pid)!, 14)); // utime
  const start = ticks();
  const until = performance.now() + 150;
  let spin = 0;
  while (performance.now() < until) spin++;
  assert.ok(spin > 0);
  assert.ok(ticks() > start, "utime grew after 150 ms of CPU");
});

Deno.test("readProcStats() drops a process that ended and closes its descriptor", async () => {
  const child = spawnSleep();
  try {
    const pid = child.pid;
    assert.match(readProcStats()!.get(pid)!, /^\d+ \(sleep\) /);
    await reap(child);
    assert.equal(readProcStats()!.has(pid), false);
    const fds = [...Deno.readDirSync("/proc/self/fd")].map((e) => {
      try {
        return Deno.readLinkSync(`/proc/self/fd/${e.name}`);
      } catch {
        return "";
      }
    });
    assert.equal(fds.filter((l) => l === `/proc/${pid}/stat`).length, 0, "descriptor closed");
  } finally {
    await reap(child);
  }
});

Deno.test("readProcStats() reads a new process that took an old PID, not the old one", async () => {
  // Linux hands out the PID after ns_last_pid; root may set it (CAP_SYS_ADMIN).
  const first = spawnSleep();
  const pid = first.pid;
  readProcStats(); // keeps a descriptor of the sleep
  await reap(first);
  let second: Deno.ChildProcess | undefined;
  try {
    try {
      Deno.writeTextFileSync("/proc/sys/kernel/ns_last_pid", String(pid - 1));
    } catch (e) {
      console.log(`skipped: cannot set ns_last_pid (${(e as Error).message})`);
      return;
    }
    second = new Deno.Command("cat", { stdin: "piped", stdout: "null" }).spawn();
    if (second.pid !== pid) {
      console.log(`skipped: another process took pid ${pid} first`);
      return;
    }
    // The PID is listed again, so the kept descriptor of the reaped sleep is read first.
    assert.match(readProcStats()!.get(pid)!, new RegExp(`^${pid} \\(cat\\) `));
  } finally {
    if (second !== undefined) {
      await second.stdin.close();
      await second.status;
    }
  }
});

Deno.test("readProcStats() keeps at most MAX_KEPT_DESCRIPTORS open and reads the rest by path", async () => {
  const children = Array.from({ length: MAX_KEPT_DESCRIPTORS + 8 }, () => spawnSleep());
  try {
    const stats = readProcStats()!;
    for (const c of children) assert.match(stats.get(c.pid)!, /^\d+ \(sleep\) /);
    assert.equal(keptDescriptors(), MAX_KEPT_DESCRIPTORS);
  } finally {
    await Promise.all(children.map(reap));
  }
  readProcStats();
  assert.ok(keptDescriptors() < MAX_KEPT_DESCRIPTORS);
});

Deno.test("keptLimit() keeps a quarter of a low open-file limit at most", () => {
  const row = (soft: string) =>
    `Limit                     Soft Limit           Hard Limit           Units     \n` +
    `Max open files            ${soft.padEnd(21)}4096                 files     \n`;
  assert.equal(keptLimit(row("1024")), MAX_KEPT_DESCRIPTORS);
  assert.equal(keptLimit(row("200")), 50);
  assert.equal(keptLimit(row("unlimited")), MAX_KEPT_DESCRIPTORS);
  assert.equal(keptLimit(undefined), MAX_KEPT_DESCRIPTORS);
});

Deno.test("readProcStats() under a low open-file limit keeps no more than a quarter of it", async () => {
  const module = new URL("../../src/platform/proc_stats.ts", import.meta.url).href;
  const script = `const m = await import(${JSON.stringify(module)});
    const n = m.readProcStats().size; console.log(n + " " + m.keptDescriptors());`;
  const children = Array.from({ length: 60 }, () => spawnSleep());
  try {
    const out = await new Deno.Command("sh", {
      args: ["-c", `ulimit -n 100 && exec "$0" eval "$1"`, Deno.execPath(), script],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout).trim();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    const [read, keptNow] = text.split(" ").map(Number);
    assert.ok(read >= children.length, `read ${read} processes`);
    assert.equal(keptNow, 25);
  } finally {
    await Promise.all(children.map(reap));
  }
});
