import assert from "node:assert/strict";
import { createDenoSystemSource } from "../../../../src/platform/system_source.ts";
import { fixture } from "./_fixture.ts";

Deno.test("FixtureSystemSource readText() serves captured files and undefined for missing ones", async () => {
  const source = fixture("host");
  assert.equal(await source.readText("/sys/class/net/eth0/address"), "02:fc:00:00:00:01\n");
  assert.equal(await source.readText("/sys/class/net/ifb0/speed"), undefined);
});

Deno.test("FixtureSystemSource listDir() lists sorted entries and [] for a missing directory", async () => {
  const source = fixture("host");
  assert.deepEqual(await source.listDir("/sys/class/net"), ["eth0", "ifb0", "ifb1", "lo"]);
  assert.deepEqual(await source.listDir("/nowhere"), []);
});

Deno.test("FixtureSystemSource run() answers stored output and 127 for an unknown command", async () => {
  const source = fixture("host");
  const neigh = await source.run(["ip", "-j", "neigh"]);
  assert.equal(neigh.code, 0);
  assert.equal(JSON.parse(neigh.stdout)[0].dst, "192.0.2.1");
  assert.deepEqual(await source.run(["ip", "-j", "link"]), { code: 127, stdout: "" });
});

Deno.test("FixtureSystemSource write() and remove() change the overlay, files and directories", async () => {
  const source = fixture("host");
  source.write("/etc/TZ", "UTC0\n");
  source.write("/sys/class/net/eth9/type", "1\n");
  source.remove("/sys/class/net/ifb0");
  assert.equal(await source.readText("/etc/TZ"), "UTC0\n");
  assert.equal(await source.readText("/sys/class/net/ifb0/type"), undefined);
  assert.deepEqual(await source.listDir("/sys/class/net"), ["eth0", "eth9", "ifb1", "lo"]);
});

Deno.test("FixtureSystemSource now() is the capture time unless set", () => {
  const source = fixture("host");
  assert.equal(new Date(source.now()).toISOString(), "2026-11-27T16:36:44.000Z");
  source.setNow(0);
  assert.equal(source.now(), 0);
});

Deno.test("createDenoSystemSource() reads /proc and reports a missing command as 127", async () => {
  const source = createDenoSystemSource();
  assert.match(await source.readText("/proc/uptime") ?? "", /^\d+\.\d+ /);
  assert.equal(await source.readText("/proc/no-such-file"), undefined);
  assert.ok((await source.listDir("/proc")).includes("self"));
  assert.deepEqual(await source.run(["/nonexistent/cmd"], 1000), { code: 127, stdout: "" });
  const echo = await source.run(["echo", "hi"], 5000);
  assert.deepEqual(echo, { code: 0, stdout: "hi\n" });
});

Deno.test("createDenoSystemSource().run() kills the command when the signal aborts", async () => {
  const source = createDenoSystemSource();
  const controller = new AbortController();
  const started = Date.now();
  const running = source.run(["sleep", "20"], 30_000, controller.signal);
  setTimeout(() => controller.abort(), 50);
  const result = await running;
  assert.equal(result.code, 124);
  // Killed, not waited for: far below the command's 20 s (a bound, not a timing claim).
  assert.ok(Date.now() - started < 10_000);
});

Deno.test("FixtureSystemSource readTextSync() answers as readText(), overlay included", async () => {
  const source = fixture("host");
  source.write("/etc/TZ", "UTC0\n");
  source.remove("/sys/class/net/ifb0");
  for (const path of ["/sys/class/net/eth0/address", "/sys/class/net/ifb0/speed", "/etc/TZ"]) {
    assert.equal(source.readTextSync(path), await source.readText(path));
  }
  assert.equal(source.readTextSync("/etc/TZ"), "UTC0\n");
  assert.equal(source.readTextSync("/sys/class/net/ifb0/type"), undefined);
});

Deno.test("createDenoSystemSource() readTextSync() reads /proc/self/stat and undefined for a missing file", () => {
  const source = createDenoSystemSource();
  assert.match(source.readTextSync?.("/proc/self/stat") ?? "", new RegExp(`^${Deno.pid} \\(`));
  assert.equal(source.readTextSync?.("/etc/no-such-file"), undefined);
});
