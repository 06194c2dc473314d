/**
 * The config file against values the ACS set, across restarts of the real agent: an
 * unchanged file value lets the ACS's value stand, an edited one wins; each disagreement
 * is one log line, never with a secret in it.
 */

import assert from "node:assert/strict";
import type { GetParameterValuesResponse } from "../../src/soap/mod.ts";
import { valuesOf, withRig } from "./_rig.ts";

const MS = "Device.ManagementServer.";

Deno.test("agent lets an edited config value win over the ACS's and an unchanged one lose", async () => {
  await withRig(async ({ acs, start }) => {
    acs.enqueue({
      kind: "SetParameterValues",
      parameterList: [
        { name: `${MS}PeriodicInformInterval`, value: "1800", type: "xsd:unsignedInt" },
        { name: `${MS}ConnectionRequestPassword`, value: "acs-set-pw", type: "xsd:string" },
      ],
      parameterKey: "pk-1",
    });
    const first = await start({ periodicInterval: 86400, crPassword: "file-pw-1" });
    await acs.waitForSessions(1, 15_000);
    await first.waitForLine(/Waiting the next session/);
    assert.equal((await first.kill("SIGTERM")).code, 0);

    // Same file: the ACS's values stand, and each disagreement is said once.
    const second = await start({ periodicInterval: 86400, crPassword: "file-pw-1" });
    await second.waitForLine(/Periodic event is enabled\. Interval period = 1800s/);
    await second.waitForLine(
      /PeriodicInformInterval: the value the ACS set \(1800\) stands over the config file's acs\.periodic_inform_interval \(86400\)/,
    );
    await second.waitForLine(
      /ConnectionRequestPassword: the value the ACS set stands over the config file's connection_request\.password \(unchanged/,
    );
    await acs.waitForSessions(2, 15_000);
    await second.waitForLine(/Waiting the next session/);
    assert.equal((await second.kill("SIGTERM")).code, 0);

    // Edited interval: the file wins; the password, unchanged, stays the ACS's.
    acs.enqueue({
      kind: "GetParameterValues",
      parameterNames: [`${MS}PeriodicInformInterval`],
    });
    const third = await start({ periodicInterval: 600, crPassword: "file-pw-1" });
    await third.waitForLine(
      /PeriodicInformInterval: the config file's acs\.periodic_inform_interval \(600\) changed since the last start and replaces the value the ACS set \(1800\)/,
    );
    await third.waitForLine(/Periodic event is enabled\. Interval period = 600s/);
    const sessions = await acs.waitForSessions(3, 15_000);
    const gpv = sessions[2].messages[0] as GetParameterValuesResponse;
    assert.deepEqual(valuesOf(gpv.parameterList), { [`${MS}PeriodicInformInterval`]: "600" });
    await third.waitForLine(/Waiting the next session/);
    assert.ok(third.lines.some((l) => /ConnectionRequestPassword: the value the ACS set/.test(l)));
    assert.equal((await third.kill("SIGTERM")).code, 0);

    // Edited password: the file wins, and no password is ever logged.
    const fourth = await start({ periodicInterval: 600, crPassword: "file-pw-2" });
    await fourth.waitForLine(
      /ConnectionRequestPassword: the config file's connection_request\.password changed since the last start and replaces the value the ACS set$/,
    );
    await acs.waitForSessions(4, 15_000);
    await fourth.waitForLine(/Waiting the next session/);
    assert.ok(!fourth.lines.some((l) => /PeriodicInformInterval: /.test(l)));
    for (const agent of [first, second, third, fourth]) {
      for (const secret of ["acs-set-pw", "file-pw-1", "file-pw-2"]) {
        assert.ok(!agent.lines.some((l) => l.includes(secret)), secret);
      }
    }
  });
});
