/**
 * ManagementServer.HTTPConnectionRequestEnable and EnableCWMP set by the ACS: the
 * connection-request port closes and reopens (ConnectionRequestURL empty meanwhile),
 * and with CWMP disabled connection requests get 503 and no session starts.
 */

import assert from "node:assert/strict";
import { crPortOf, curlConnectionRequest, eventsOf, informValues, withRig } from "./_rig.ts";
import { testNeeding } from "../_helpers/needs.ts";

/** Deno.test for the tests that drive curl: they skip, naming why, where it is unavailable. */
const test = testNeeding("curl");

async function refused(port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.close();
    return false;
  } catch (error) {
    return error instanceof Deno.errors.ConnectionRefused;
  }
}

function spv(name: string, value: string) {
  return {
    kind: "SetParameterValues" as const,
    parameterList: [{ name, value, type: "xsd:boolean" }],
    parameterKey: "",
  };
}

test("agent closes and reopens its CR port and refuses CRs with EnableCWMP false", async () => {
  await withRig(async ({ acs, start, validateAll }) => {
    const agent = await start();
    const port = await crPortOf(agent);
    await acs.waitForSessions(1, 15_000);

    // Session 2 (by CR): turn HTTP connection requests off, schedule a session 1 s later.
    acs.enqueue(
      spv("Device.ManagementServer.HTTPConnectionRequestEnable", "false"),
      { kind: "ScheduleInform", delaySeconds: 1, commandKey: "back" },
    );
    assert.equal(await curlConnectionRequest(port, "cr-user", "cr-pass"), 200);
    await acs.waitForSessions(2, 10_000);
    await acs.waitUntil(() => acs.sessions.length >= 3, "the scheduled session", 10_000);
    const third = acs.sessions[2];
    assert.deepEqual(eventsOf(third), ["3 SCHEDULED|", "M ScheduleInform|back"]);
    assert.equal(informValues(third)["Device.ManagementServer.ConnectionRequestURL"], "");
    assert.equal(await refused(port), true);

    // Session 3: turn them back on; the same port answers again.
    acs.enqueue(spv("Device.ManagementServer.HTTPConnectionRequestEnable", "true"));
    await acs.waitForSessions(3, 10_000);
    await agent.waitForLine(/Waiting the next session/, 5_000, agent.lines.length - 1);
    assert.equal(await curlConnectionRequest(port, "cr-user", "cr-pass"), 200);
    const fourth = (await acs.waitForSessions(4, 10_000))[3];
    assert.equal(
      informValues(fourth)["Device.ManagementServer.ConnectionRequestURL"],
      `http://127.0.0.1:${port}/cr`,
    );

    // Session 5 (by CR) turns CWMP off: later CRs get 503 and open no session.
    acs.enqueue(spv("Device.ManagementServer.EnableCWMP", "false"));
    assert.equal(await curlConnectionRequest(port, "cr-user", "cr-pass"), 200);
    await acs.waitForSessions(5, 10_000);
    assert.equal(await curlConnectionRequest(port, "cr-user", "cr-pass"), 503);
    let more = true;
    try {
      await acs.waitUntil(() => acs.sessions.length > 5, "a sixth session", 2_000);
    } catch {
      more = false;
    }
    assert.equal(more, false);
    await validateAll();
  });
});
