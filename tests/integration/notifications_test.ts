/**
 * Value-change notifications through the real agent (TR-069 §3.2.1, A.3.2.4/A.3.2.5):
 * the ACS sets attributes, the value changes on the LAN side (`cwmp-agent set`), the
 * explicit trigger (`cwmp-agent notify`) detects it; passive changes wait for the next
 * session, active ones open a `4 VALUE CHANGE` session (after
 * DefaultActiveNotificationThrottle), values the ACS set itself are never reported,
 * attributes survive a restart, and the 9009 rules hold on the wire.
 *
 * The parameter is Device.ManagementServer.CWMPRetryMinimumWaitInterval: writable
 * locally and with no forced notification. Device.DeviceInfo.ProvisioningCode is
 * `activeNotify="forceEnabled"` in TR-181 2.17, so Notification 1 on it is refused
 * (9009) and it is always active; a test below pins that.
 */

import assert from "node:assert/strict";
import { sendControlRequest } from "../../src/agent/control_server.ts";
import type { CpeRequest } from "../../src/soap/mod.ts";
import { eventsOf, informValues, withRig } from "./_rig.ts";
import {
  assertNoSession,
  cliOk,
  crSession,
  endedSessions,
  faultOf,
  gpaOf,
  kindAt,
  sessionTimes,
} from "./_wire.ts";

const PARAM = "Device.ManagementServer.CWMPRetryMinimumWaitInterval";
const CODE = "Device.DeviceInfo.ProvisioningCode";
const VALUE_CHANGE = "4 VALUE CHANGE|";
const CONNECTION_REQUEST = "6 CONNECTION REQUEST|";
/** No polling by timer during a test: `notify` is the only trigger. */
const CPE = "notification_interval = 3600";

function spa(name: string, notification: number): CpeRequest {
  return {
    kind: "SetParameterAttributes",
    parameterList: [{
      name,
      notificationChange: true,
      notification,
      accessListChange: false,
      accessList: [],
    }],
  };
}

function spv(name: string, value: string, type: string, parameterKey = "pk"): CpeRequest {
  return { kind: "SetParameterValues", parameterList: [{ name, value, type }], parameterKey };
}

/** `set` then `notify` through the control socket, as the CLI does, without its start-up time. */
async function localChange(stateDir: string, name: string, value: string): Promise<void> {
  const socket = `${stateDir}/control.sock`;
  const set = await sendControlRequest(socket, { op: "set", args: [name, value] });
  assert.deepEqual(set, { lines: ['{"status":0}'], ok: true });
  const notify = await sendControlRequest(socket, { op: "notify", args: [] });
  assert.deepEqual(notify, { lines: ['{"status":0}'], ok: true });
}

Deno.test("passive notification: a LAN-side change waits for the next session and is sent once", async () => {
  await withRig(async ({ acs, dir, start, validateAll }) => {
    const agent = await start({ cpe: CPE });
    await acs.waitForSessions(1, 15_000);
    await agent.waitForLine(/Waiting the next session/);
    const config = `${dir}/cwmp.toml`;

    const setup = await crSession(acs, agent, spa(PARAM, 1), {
      kind: "GetParameterAttributes",
      parameterNames: [PARAM],
    });
    kindAt(setup, 0, "SetParameterAttributesResponse");
    assert.deepEqual(gpaOf(setup, 1), { [PARAM]: 1 });

    await cliOk(config, "set", PARAM, "7");
    assert.deepEqual((await cliOk(config, "notify")).lines, [{ status: 0 }]);
    await assertNoSession(acs, 3_000, "a passive change must not open a session");

    const carrying = await crSession(acs, agent);
    const events = eventsOf(carrying);
    assert.ok(events.includes(CONNECTION_REQUEST), events.join());
    assert.ok(events.includes(VALUE_CHANGE), events.join());
    assert.equal(informValues(carrying)[PARAM], "7");

    const next = await crSession(acs, agent);
    assert.deepEqual(eventsOf(next), [CONNECTION_REQUEST]);
    assert.equal(informValues(next)[PARAM], undefined);
    await validateAll();
  });
});

Deno.test("active notification: a LAN-side change opens a 4 VALUE CHANGE session, throttled", async () => {
  await withRig(async ({ acs, stateDir, dir, start, validateAll }) => {
    const agent = await start({ cpe: CPE });
    await acs.waitForSessions(1, 15_000);
    await agent.waitForLine(/Waiting the next session/);
    const config = `${dir}/cwmp.toml`;

    kindAt(await crSession(acs, agent, spa(PARAM, 2)), 0, "SetParameterAttributesResponse");

    // Through the real CLI first.
    await cliOk(config, "set", PARAM, "7");
    await cliOk(config, "notify");
    await acs.waitForSessions(3, 10_000);
    const own = acs.sessions[2];
    assert.deepEqual(eventsOf(own), [VALUE_CHANGE]);
    assert.equal(informValues(own)[PARAM], "7");
    assert.equal(acs.sessions.length, 3);

    // DefaultActiveNotificationThrottle = 4 s.
    const throttle = 4_000;
    const tolerance = 250;
    const set = await crSession(
      acs,
      agent,
      spv("Device.ManagementServer.DefaultActiveNotificationThrottle", "4", "xsd:unsignedInt"),
    );
    kindAt(set, 0, "SetParameterValuesResponse");

    await localChange(stateDir, PARAM, "8");
    await acs.waitForSessions(5, 15_000);
    const first = acs.sessions[4];
    assert.deepEqual(eventsOf(first), [VALUE_CHANGE]);
    assert.equal(informValues(first)[PARAM], "8");
    const afterSet = sessionTimes(acs, first).start - sessionTimes(acs, set).end;
    assert.ok(afterSet >= throttle - tolerance, `first session only ${afterSet} ms after the last`);

    await localChange(stateDir, PARAM, "9");
    await acs.waitForSessions(6, 15_000);
    const second = acs.sessions[5];
    assert.deepEqual(eventsOf(second), [VALUE_CHANGE]);
    assert.equal(informValues(second)[PARAM], "9");
    const gap = sessionTimes(acs, second).start - sessionTimes(acs, first).end;
    assert.ok(gap >= throttle - tolerance, `second session only ${gap} ms after the first`);
    assert.ok(gap < throttle + 5_000, `second session ${gap} ms after the first`);
    assert.equal(acs.sessions.length, 6);
    await validateAll();
  });
});

Deno.test("a value the ACS sets on an actively notified parameter is not reported back", async () => {
  await withRig(async ({ acs, dir, start, validateAll }) => {
    const agent = await start({ cpe: CPE });
    await acs.waitForSessions(1, 15_000);
    await agent.waitForLine(/Waiting the next session/);
    const config = `${dir}/cwmp.toml`;

    kindAt(await crSession(acs, agent, spa(PARAM, 2)), 0, "SetParameterAttributesResponse");
    const set = await crSession(acs, agent, {
      kind: "SetParameterValues",
      parameterList: [
        { name: PARAM, value: "9", type: "xsd:unsignedInt" },
        // Always active (forceEnabled): the ACS's own value is not a change either.
        { name: CODE, value: "acs-code", type: "xsd:string" },
      ],
      parameterKey: "pk-9",
    });
    kindAt(set, 0, "SetParameterValuesResponse");

    await cliOk(config, "notify");
    await assertNoSession(acs, 3_000, "the ACS's own SetParameterValues is no value change");
    const next = await crSession(acs, agent);
    assert.deepEqual(eventsOf(next), [CONNECTION_REQUEST]);
    assert.equal(informValues(next)[PARAM], undefined);
    assert.equal(informValues(next)[CODE], "acs-code");

    // The watch is still live: a LAN-side change of the same parameter is reported.
    await cliOk(config, "set", PARAM, "10");
    await cliOk(config, "notify");
    await acs.waitForSessions(5, 10_000);
    assert.deepEqual(eventsOf(acs.sessions[4]), [VALUE_CHANGE]);
    assert.equal(informValues(acs.sessions[4])[PARAM], "10");
    await validateAll();
  });
});

Deno.test("ProvisioningCode is always active: a LAN-side change opens a session, Notification 1 is refused", async () => {
  await withRig(async ({ acs, dir, start, validateAll }) => {
    const agent = await start({ cpe: CPE });
    await acs.waitForSessions(1, 15_000);
    await agent.waitForLine(/Waiting the next session/);
    const config = `${dir}/cwmp.toml`;

    const refused = await crSession(acs, agent, spa(CODE, 1), spa(CODE, 2), {
      kind: "GetParameterAttributes",
      parameterNames: [CODE],
    });
    assert.equal(faultOf(refused, 0).faultCode, 9009);
    kindAt(refused, 1, "SetParameterAttributesResponse");
    assert.deepEqual(gpaOf(refused, 2), { [CODE]: 2 });

    await cliOk(config, "set", CODE, "LAN.1");
    await cliOk(config, "notify");
    await acs.waitForSessions(3, 10_000);
    assert.deepEqual(eventsOf(acs.sessions[2]), [VALUE_CHANGE]);
    assert.equal(informValues(acs.sessions[2])[CODE], "LAN.1");
    await validateAll();
  });
});

Deno.test("GetParameterAttributes shows what was set, after a SIGTERM restart too; 9009 on canDeny", async () => {
  await withRig(async ({ acs, start, validateAll }) => {
    const agent = await start({ cpe: CPE });
    await acs.waitForSessions(1, 15_000);
    await agent.waitForLine(/Waiting the next session/);

    const names = [
      PARAM,
      "Device.ManagementServer.PeriodicInformInterval",
      "Device.DeviceInfo.UpTime",
    ];
    const gpa: CpeRequest = { kind: "GetParameterAttributes", parameterNames: names };
    const session = await crSession(
      acs,
      agent,
      gpa,
      spa(PARAM, 2),
      spa(names[1], 1),
      spa(names[2], 1), // passive is allowed on canDeny
      spa(names[2], 2), // active is not
      gpa,
    );
    assert.deepEqual(gpaOf(session, 0), { [names[0]]: 0, [names[1]]: 0, [names[2]]: 0 });
    kindAt(session, 1, "SetParameterAttributesResponse");
    kindAt(session, 2, "SetParameterAttributesResponse");
    kindAt(session, 3, "SetParameterAttributesResponse");
    assert.equal(faultOf(session, 4).faultCode, 9009);
    const expected = { [names[0]]: 2, [names[1]]: 1, [names[2]]: 1 };
    assert.deepEqual(gpaOf(session, 5), expected);

    assert.equal((await agent.kill("SIGTERM")).code, 0);
    acs.enqueue(gpa);
    await start({ cpe: CPE });
    await acs.waitForSessions(acs.sessions.length + 1, 15_000);
    const boot = acs.sessions.at(-1)!;
    assert.deepEqual(eventsOf(boot), ["1 BOOT|"]);
    assert.deepEqual(gpaOf(boot, 0), expected);
    assert.ok(endedSessions(acs) === acs.sessions.length);
    await validateAll();
  });
});
