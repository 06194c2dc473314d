/**
 * The real agent's control socket under hostile local clients: its mode, an unknown op,
 * invalid JSON, an oversize line and a silent client that must not block the CLI.
 */

import assert from "node:assert/strict";
import { sendControlRequest } from "../../src/agent/control_server.ts";
import { withRig } from "./_rig.ts";

async function rawLine(path: string, bytes: Uint8Array): Promise<string> {
  const conn = await Deno.connect({ transport: "unix", path });
  const timer = setTimeout(() => conn.close(), 8_000);
  try {
    const writing = conn.write(bytes).catch(() => 0);
    const text = await new Response(conn.readable).text().catch(() => "");
    await writing;
    return text;
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed */ }
  }
}

Deno.test("agent's control socket is 0600 and survives hostile clients", async () => {
  await withRig(async ({ acs, start, stateDir }) => {
    const agent = await start();
    await acs.waitForSessions(1, 15_000);
    await agent.waitForLine(/Waiting the next session/);
    const path = `${stateDir}/control.sock`;
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    // The state dir (ACS-set secrets, the socket) is the owner's only.
    assert.equal((await Deno.stat(stateDir)).mode! & 0o777, 0o700);

    const silent = await Deno.connect({ transport: "unix", path });
    try {
      const unknown = await sendControlRequest(path, { op: "reboot", args: [] });
      assert.equal(unknown?.ok, false);
      assert.match(unknown!.lines[0], /Unknown local operation \\"reboot\\"/);
      const bad = await rawLine(path, new TextEncoder().encode("{nope\n"));
      assert.match(bad, /"ok":false/);
      const huge = new TextEncoder().encode(`{"op":"get","args":["${"A".repeat(100_000)}"]}\n`);
      assert.match(await rawLine(path, huge), /Control request too large/);
      const t0 = Date.now();
      const got = await sendControlRequest(path, {
        op: "get",
        args: ["Device.DeviceInfo.Manufacturer"],
      });
      assert.ok(Date.now() - t0 < 3_000);
      assert.deepEqual(got?.ok, true);
      assert.match(got!.lines[0], /"value":"Example"/);
    } finally {
      silent.close();
    }
  });
});
