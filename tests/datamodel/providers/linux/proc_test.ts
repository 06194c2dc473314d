import assert from "node:assert/strict";
import {
  parseCpuTimes,
  parseMeminfo,
  parseProcessStat,
} from "../../../../src/datamodel/providers/linux/proc.ts";

Deno.test("parseProcessStat() reads pid, comm, state, utime + stime, priority and vsize", () => {
  const stat = "1 (process_api) S 0 0 0 0 -1 4194560 78840 27907016 0 1059 202 416 72020 " +
    "11095 20 0 13 0 11 45174784 3590 18446744073709551615 1 1 0 0 0 0 0 4096 1256 0 0 0 17 " +
    "1 0 0 0 0 0 0 0 0 0 0 0 0 0\n";
  assert.deepEqual(parseProcessStat(stat), {
    pid: 1,
    comm: "process_api",
    state: "S",
    cpuTicks: 618,
    priority: 20,
    vsize: 45174784,
  });
});

Deno.test("parseProcessStat() reads a negative priority and any white space between fields", () => {
  const stat = "400 (rt) R\t1 400 400 0 -1 0 100 0 0 0  12345 678 0 0 -51 0 3 0 950 10485760\n";
  assert.deepEqual(parseProcessStat(stat), {
    pid: 400,
    comm: "rt",
    state: "R",
    cpuTicks: 13023,
    priority: -51,
    vsize: 10485760,
  });
});

Deno.test("parseProcessStat() reads numbers beyond 15 digits and odd ones as Number() does", () => {
  const stat = (utime: string, vsize: string) =>
    `9 (x) S 1 2 3 4 5 6 7 8 9 10 ${utime} 0 13 14 20 16 17 18 19 ${vsize}`;
  assert.equal(parseProcessStat(stat("1", "98765432109876543210"))?.vsize, 98765432109876543210);
  assert.equal(parseProcessStat(stat("1e3", "0x10"))?.cpuTicks, 1000);
  assert.equal(parseProcessStat(stat("1e3", "0x10"))?.vsize, 16);
  assert.ok(Number.isNaN(parseProcessStat(stat("abc", "1"))?.cpuTicks));
  assert.ok(Number.isNaN(parseProcessStat(stat("-", "1"))?.cpuTicks));
});

Deno.test("parseProcessStat() answers undefined without comm, a numeric pid or field 23", () => {
  assert.equal(parseProcessStat(""), undefined);
  assert.equal(parseProcessStat("12 comm S 1 2 3"), undefined);
  assert.equal(
    parseProcessStat("x (a) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20"),
    undefined,
  );
  // 20 fields after comm: vsize (field 23) is missing.
  assert.equal(
    parseProcessStat("5 (a) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19"),
    undefined,
  );
  assert.equal(
    parseProcessStat("5 (a) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20")?.vsize,
    20,
  );
});

Deno.test("parseMeminfo() reads every `Name: value [kB]` line and skips the others", () => {
  const text = "MemTotal:       24684096 kB\nMemFree:        24042064 kB\n" +
    "HugePages_Total:       0\nActive(anon):     123 kB\nBad line\nNo Space: 5 kB\n" +
    "Glued:5 kB\nUnit:  7kB\nTrailing:  9 kB   \n";
  assert.deepEqual(
    [...parseMeminfo(text)],
    [
      ["MemTotal", 24684096],
      ["MemFree", 24042064],
      ["HugePages_Total", 0],
      ["Active(anon)", 123],
      ["Trailing", 9],
    ],
  );
  assert.equal(parseMeminfo("").size, 0);
});

Deno.test("parseCpuTimes() sums the first 8 fields of the cpu line; idle is idle + iowait", () => {
  const text = "cpu  1000 0 500 8000 500 0 0 0 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\nintr 5 6 7\n";
  assert.deepEqual(parseCpuTimes(text), { total: 10000, idle: 8500 });
  assert.deepEqual(parseCpuTimes("intr 1\ncpu 1 2 3 4 5 6 7 8 9 10\n"), { total: 36, idle: 9 });
  assert.deepEqual(parseCpuTimes("cpu 1 2 3 4"), { total: 10, idle: 4 });
});

Deno.test("parseCpuTimes() answers undefined without a whole cpu line", () => {
  assert.equal(parseCpuTimes(""), undefined);
  assert.equal(parseCpuTimes("cpu0 1 2 3 4\n"), undefined);
  assert.equal(parseCpuTimes("cpu 1 2 3\n"), undefined);
  assert.equal(parseCpuTimes("cpu 1 2 x 4\n"), undefined);
  assert.equal(parseCpuTimes("cpu\n1 2 3 4\n"), undefined);
});
