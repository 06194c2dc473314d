/**
 * ManagementServer.URL changed by the ACS: the next session goes to the new ACS with
 * `0 BOOTSTRAP` (TR-181 BOOTSTRAP rule), and the new URL survives a restart.
 */

import assert from "node:assert/strict";
import { startFakeAcs } from "../_helpers/fake_acs.ts";
import { validateEnvelopes } from "../_helpers/validate_envelope.ts";
import { eventsOf, withRig } from "./_rig.ts";

Deno.test("agent bootstraps to the new ACS after SetParameterValues of ManagementServer.URL", async () => {
  const second = startFakeAcs();
  try {
    await withRig(async ({ acs, start, validateAll }) => {
      acs.enqueue({
        kind: "SetParameterValues",
        parameterList: [{
          name: "Device.ManagementServer.URL",
          value: second.url,
          type: "xsd:string",
        }],
        parameterKey: "move-1",
      });
      const agent = await start();
      const [first] = await acs.waitForSessions(1, 15_000);
      assert.deepEqual(eventsOf(first), ["0 BOOTSTRAP|", "1 BOOT|"]);
      const [moved] = await second.waitForSessions(1, 10_000);
      assert.deepEqual(eventsOf(moved), ["0 BOOTSTRAP|"]);
      assert.equal(acs.sessions.length, 1);

      // After a restart the stored URL is used, and the ACS is no longer new.
      await agent.kill("SIGTERM");
      await start();
      const sessions = await second.waitForSessions(2, 15_000);
      assert.deepEqual(eventsOf(sessions[1]), ["1 BOOT|"]);
      assert.equal(acs.sessions.length, 1);
      await validateAll();
      await validateEnvelopes(second.received);
    });
  } finally {
    await second.close();
  }
});
