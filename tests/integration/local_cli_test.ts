/**
 * `cwmp-agent get|set|names|attrs …` against the running agent through its control
 * socket: JSON lines like icwmp's `icwmpd -m 1 get_value`, faults as JSON with exit 1,
 * local sets leave ParameterKey alone, and a clear message when no agent runs.
 */

import assert from "node:assert/strict";
import { withRig } from "./_rig.ts";
import { cli } from "./_wire.ts";

Deno.test("cwmp-agent get/set/names talk to the running agent and print JSON lines", async () => {
  await withRig(async ({ acs, dir, start }) => {
    const agent = await start();
    await acs.waitForSessions(1, 15_000);
    const config = `${dir}/cwmp.toml`;
    await agent.waitForLine(/Waiting the next session/);

    const got = await cli(
      config,
      "get",
      "Device.DeviceInfo.SerialNumber",
      "Device.DeviceInfo.UpTime",
    );
    assert.equal(got.code, 0, got.stderr);
    assert.deepEqual(got.lines[0], {
      parameter: "Device.DeviceInfo.SerialNumber",
      value: "SN0001",
      type: "xsd:string",
    });
    assert.equal(got.lines[1].type, "xsd:unsignedInt");

    const set = await cli(config, "set", "Device.DeviceInfo.ProvisioningCode", "LAN.1");
    assert.deepEqual(set.lines, [{ status: 0 }]);
    const back = await cli(
      config,
      "get",
      "Device.DeviceInfo.ProvisioningCode",
      "Device.ManagementServer.ParameterKey",
    );
    assert.deepEqual(back.lines.map((l) => l.value), ["LAN.1", ""]);

    const names = await cli(config, "names", "Device.DeviceInfo.", "true");
    assert.ok(
      names.lines.some((l) =>
        l.parameter === "Device.DeviceInfo.ProvisioningCode" && l.writable === "1"
      ),
    );

    const bad = await cli(config, "get", "Device.NoSuchThing.");
    assert.equal(bad.code, 1);
    assert.equal(bad.lines[0].fault, 9005);

    const ro = await cli(config, "set", "Device.DeviceInfo.SerialNumber", "X");
    assert.equal(ro.code, 1);
    assert.equal(ro.lines[0].fault, 9003);
    assert.deepEqual(ro.lines[1].fault, 9008);

    const usage = await cli(config, "set", "Device.DeviceInfo.ProvisioningCode");
    assert.equal(usage.code, 2);

    await agent.kill("SIGTERM");
    const gone = await cli(config, "get", "Device.");
    assert.equal(gone.code, 1);
    assert.match(
      gone.stderr,
      /cwmp-agent is not running \(no control socket at ".*control\.sock"\)/,
    );
  });
});
