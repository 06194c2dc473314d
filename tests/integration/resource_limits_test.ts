/**
 * One small request must not exhaust the agent's memory: a GetParameterValues of
 * 10,000 empty names (91 KB, each one the whole tree) and a GetParameterAttributes of
 * 1,000 are answered with fault 9004 within seconds, the agent's RSS barely moves, and
 * the session carries on. Before the response budget the first one ran the agent out
 * of memory after 42 s. The control socket goes through the same bound.
 */

import assert from "node:assert/strict";
import type { CpeRequest, Fault } from "../../src/soap/mod.ts";
import type { AcsReply } from "../_helpers/fake_acs.ts";
import { withRig } from "./_rig.ts";
import { cli } from "./_wire.ts";

/** VmRSS and VmHWM of `pid`, in MiB. */
async function memoryOf(pid: number): Promise<{ rss: number; hwm: number }> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const kib = (key: string) => Number(status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, "m"))![1]);
  return { rss: kib("VmRSS") / 1024, hwm: kib("VmHWM") / 1024 };
}

const MAX_RISE_MIB = 60;

Deno.test("agent answers a GPV of 10,000 empty names and a GPA of 1,000 with 9004, in bounded memory", async () => {
  const script: [string, CpeRequest][] = [
    ["gpv-10000", { kind: "GetParameterValues", parameterNames: Array(10_000).fill("") }],
    ["gpa-1000", { kind: "GetParameterAttributes", parameterNames: Array(1000).fill("") }],
    ["gpv-after", { kind: "GetParameterValues", parameterNames: ["Device.DeviceInfo."] }],
  ];
  const labels = script.map(([id]) => id);
  let pid = 0;
  let before = Infinity;
  const sentAt: number[] = [];
  const answeredAt: number[] = [];
  await withRig(async ({ acs, dir, start, validateAll }) => {
    const agent = await start({ severity: "INFO" });
    pid = agent.child.pid;
    const [session] = await acs.waitForSessions(1, 30_000);
    const after = await memoryOf(pid);

    const messages = session.messages;
    assert.deepEqual(messages.map((m) => m.kind), [
      "Fault",
      "Fault",
      "GetParameterValuesResponse",
    ]);
    const faults = messages.slice(0, 2) as Fault[];
    assert.deepEqual(faults.map((f) => [f.faultCode, f.faultcode, f.faultString]), [
      [9004, "Server", "Response would exceed 8388608 bytes"],
      [9004, "Server", "Response would exceed 8388608 bytes"],
    ]);
    for (let i = 0; i < 2; i++) {
      const seconds = (answeredAt[i] - sentAt[i]) / 1000;
      assert.ok(seconds < 5, `${labels[i]} answered after ${seconds.toFixed(1)} s`);
    }
    // VmHWM is the peak since start: an upper bound of what the two requests took.
    const rise = after.hwm - before;
    assert.ok(rise < MAX_RISE_MIB, `RSS rose by ${rise.toFixed(1)} MiB (from ${before} MiB)`);
    const last = messages[2];
    assert.ok(last.kind === "GetParameterValuesResponse" && last.parameterList.length > 5);
    await agent.waitForLine(/\[INFO\] End session$/);
    assert.equal(agent.lines.some((l) => /End session with failure/.test(l)), false);

    // The control socket: the same limits.
    const local = await cli(`${dir}/cwmp.toml`, "get", ...Array(10_000).fill(""));
    assert.equal(local.code, 1, local.stderr);
    assert.deepEqual(local.lines, [{
      fault: 9004,
      message: "Response would exceed 8388608 bytes",
    }]);
    const ok = await cli(`${dir}/cwmp.toml`, "get", "Device.DeviceInfo.SerialNumber");
    assert.equal(ok.code, 0, ok.stderr);
    await validateAll();
  }, {
    hook: async (message): Promise<AcsReply | undefined> => {
      if (message.kind === "Inform") return undefined;
      if (sentAt.length > answeredAt.length) answeredAt.push(performance.now());
      const next = script.shift();
      if (next === undefined) return undefined;
      if (next[0] === "gpv-10000") before = (await memoryOf(pid)).rss;
      if (next[0] !== "gpv-after") sentAt.push(performance.now());
      return { header: { id: next[0] }, message: next[1] };
    },
  });
});
