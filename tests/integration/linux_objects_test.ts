/**
 * The Linux data-model objects through the real agent, on this machine's real data:
 * MemoryStatus from /proc/meminfo and the IP interfaces (loopback at least), with
 * GetParameterNames and GetParameterValues of one session agreeing on the rows.
 */

import assert from "node:assert/strict";
import { withRig } from "./_rig.ts";
import { gpnOf, gpvOf } from "./_wire.ts";

const IP = "Device.IP.Interface.";
const TOTAL = "Device.DeviceInfo.MemoryStatus.Total";

/** Row numbers named by `paths` directly below `table`. */
function rowsOf(table: string, paths: readonly string[]): number[] {
  const rows = new Set<number>();
  for (const path of paths) {
    const m = path.slice(table.length).match(/^(\d+)\./);
    if (path.startsWith(table) && m) rows.add(Number(m[1]));
  }
  return [...rows].sort((a, b) => a - b);
}

Deno.test("Linux objects: MemoryStatus.Total and IP.Interface rows from this machine", async () => {
  await withRig(async ({ acs, start, validateAll }) => {
    acs.enqueue(
      { kind: "GetParameterValues", parameterNames: [TOTAL, "Device.DeviceInfo.MemoryStatus."] },
      { kind: "GetParameterNames", parameterPath: IP, nextLevel: false },
      { kind: "GetParameterNames", parameterPath: IP, nextLevel: true },
      { kind: "GetParameterValues", parameterNames: [IP] },
      { kind: "GetParameterValues", parameterNames: ["Device.IP.InterfaceNumberOfEntries"] },
    );
    await start();
    await acs.waitForSessions(1, 15_000);
    const session = acs.sessions[0];

    const memory = gpvOf(session, 0);
    assert.match(memory[TOTAL], /^[1-9]\d*$/);
    const meminfo = await Deno.readTextFile("/proc/meminfo");
    const kib = Number(meminfo.match(/^MemTotal:\s+(\d+) kB$/m)![1]);
    assert.equal(Number(memory[TOTAL]), kib);
    const free = Number(memory["Device.DeviceInfo.MemoryStatus.Free"]);
    assert.ok(free >= 0 && free <= kib, `Free ${free} of ${kib}`);

    const allNames = gpnOf(session, 1);
    const nextLevel = gpnOf(session, 2);
    const values = gpvOf(session, 3);
    const count = Number(gpvOf(session, 4)["Device.IP.InterfaceNumberOfEntries"]);
    const rows = rowsOf(IP, nextLevel);
    assert.ok(rows.length >= 1, nextLevel.join());
    assert.deepEqual(nextLevel, rows.map((n) => `${IP}${n}.`));
    assert.deepEqual(rowsOf(IP, allNames), rows);
    assert.deepEqual(rowsOf(IP, Object.keys(values)), rows);
    assert.equal(count, rows.length);

    const names = rows.map((n) => values[`${IP}${n}.Name`]);
    assert.ok(names.includes("lo"), `IP interfaces: ${names.join()}`);
    const system = [...Deno.readDirSync("/sys/class/net")].map((e) => e.name);
    for (const name of names) assert.ok(system.includes(name), `${name} is not on this machine`);
    const lo = rows[names.indexOf("lo")];
    assert.ok(
      Object.entries(values).some(([k, v]) =>
        k.startsWith(`${IP}${lo}.IPv4Address.`) && v === "127.0.0.1"
      ),
      "loopback has no 127.0.0.1",
    );
    await validateAll();
  });
});
