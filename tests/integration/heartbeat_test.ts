/**
 * Heartbeat sessions through the real agent (TR-069 Annex O): the Inform carries
 * `14 HEARTBEAT` alone at the InitiationTime phase, the CPE sends only its empty POST,
 * and the ACS's HeartbeatPolicy settings apply at once.
 */

import assert from "node:assert/strict";
import { eventsOf, withRig } from "./_rig.ts";
import { gpvOf } from "./_wire.ts";
import type { Fault } from "../../src/soap/mod.ts";

Deno.test("agent sends 14 HEARTBEAT alone on the InitiationTime grid", async () => {
  await withRig(async ({ acs, start, validateAll }) => {
    // The first heartbeat 4 s after now, then every 30 s.
    const at = new Date(Date.now() + 4000).toISOString().replace(/\.\d{3}Z$/, "Z");
    await start({
      acs: `heartbeat_enable = true\nheartbeat_interval = 30\nheartbeat_initiation_time = "${at}"`,
    });
    const sessions = await acs.waitForSessions(2, 20_000);
    assert.deepEqual(eventsOf(sessions[0]).sort(), ["0 BOOTSTRAP|", "1 BOOT|"]);
    assert.deepEqual(eventsOf(sessions[1]), ["14 HEARTBEAT|"]);
    const informAt = acs.requests.filter((r) => r.body.includes("14 HEARTBEAT"))[0].at;
    assert.ok(Math.abs(informAt - Date.parse(at)) < 1500, `${informAt - Date.parse(at)} ms off`);
    await acs.waitUntil(() => sessions[1].ended, "the heartbeat session's end", 5000);
    // The CPE's side of it: the Inform, then only the empty POST.
    assert.deepEqual(sessions[1].messages, []);
    await validateAll();
  });
});

Deno.test("the ACS turns heartbeats on with HeartbeatPolicy and reads them back", async () => {
  let step = 0;
  await withRig(async ({ acs, start }) => {
    await start();
    await acs.waitForSessions(2, 20_000);
    assert.equal(step, 3);
    const values = gpvOf(acs.sessions[0], 1);
    assert.equal(values["Device.ManagementServer.HeartbeatPolicy.Enable"], "true");
    assert.equal(values["Device.ManagementServer.HeartbeatPolicy.ReportingInterval"], "30");
    assert.deepEqual(eventsOf(acs.sessions[1]), ["14 HEARTBEAT|"]);
  }, {
    hook: (message) => {
      const at = new Date(Date.now() + 3000).toISOString().replace(/\.\d{3}Z$/, "Z");
      if (message.kind === "Empty" && step === 0) {
        step = 1;
        return {
          message: {
            kind: "SetParameterValues",
            parameterKey: "hb",
            parameterList: [
              ["Enable", "true", "xsd:boolean"],
              ["ReportingInterval", "30", "xsd:unsignedInt"],
              ["InitiationTime", at, "xsd:dateTime"],
            ].map(([name, value, type]) => ({
              name: `Device.ManagementServer.HeartbeatPolicy.${name}`,
              value,
              type,
            })),
          },
        };
      }
      if (message.kind === "SetParameterValuesResponse" && step === 1) {
        step = 2;
        return {
          message: {
            kind: "GetParameterValues",
            parameterNames: ["Device.ManagementServer.HeartbeatPolicy."],
          },
        };
      }
      if (message.kind === "GetParameterValuesResponse" && step === 2) step = 3;
      return undefined;
    },
  });
});

Deno.test("a ReportingInterval under 30 s is refused with 9007", async () => {
  let fault: unknown;
  await withRig(async ({ acs, start }) => {
    await start();
    await acs.waitForSessions(1, 20_000);
    await acs.waitUntil(() => fault !== undefined, "the fault", 10_000);
    const f = fault as Fault;
    assert.equal(f.faultCode, 9003);
    assert.deepEqual(f.setParameterValuesFault?.map((x) => x.faultCode), [9007]);
  }, {
    hook: (message) => {
      if (message.kind === "Empty" && fault === undefined) {
        return {
          message: {
            kind: "SetParameterValues",
            parameterKey: "hb",
            parameterList: [{
              name: "Device.ManagementServer.HeartbeatPolicy.ReportingInterval",
              value: "10",
              type: "xsd:unsignedInt",
            }],
          },
        };
      }
      if (message.kind === "Fault") fault = message;
      return undefined;
    },
  });
});
