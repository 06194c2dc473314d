/**
 * Lightweight notifications (TR-069 Annex M) through the real agent: the ACS gives a
 * parameter Notification 3–6, its value changes on the LAN side (`set` then `notify` on
 * the control socket) and a UDP receiver on 127.0.0.1 (the test's, as an ACS would run
 * one) gets the datagram: every one parsed (header block, Content-Length, HMAC-SHA1
 * signature with the ACS password) and its XML validated against the lwnotif schema with
 * xmllint. Active ones (5, 6) arrive at once, passive ones (3, 4) with the next active
 * one or at LightweightNotificationTriggerInterval on the TriggerTime phase; nothing is
 * sent while LightweightNotificationProtocolsUsed is empty; the settings persist; an
 * agent speaking CWMP 1.0–1.3 refuses Notification 3–6 with 9003.
 */

import assert from "node:assert/strict";
import { sendControlRequest } from "../../src/agent/control_server.ts";
import type { CpeRequest, Fault } from "../../src/soap/mod.ts";
import { LwnReceiver, validateLwnXml } from "../_helpers/lwn_receiver.ts";
import { needs, unavailable } from "../_helpers/needs.ts";
import { eventsOf, withRig } from "./_rig.ts";
import { assertNoSession, crSession, faultOf, gpaOf, gpvOf, kindAt } from "./_wire.ts";

const MS = "Device.ManagementServer.";
/** Writable locally, no forced notification: the changed parameters. */
const A = `${MS}CWMPRetryMinimumWaitInterval`;
const B = `${MS}CWMPRetryIntervalMultiplier`;
/** No polling by timer: `notify` is the only trigger. */
const CPE = "notification_interval = 3600";
const PASSWORD = "acs-pass";

function spa(...list: [string, number][]): CpeRequest {
  return {
    kind: "SetParameterAttributes",
    parameterList: list.map(([name, notification]) => ({
      name,
      notificationChange: true,
      notification,
      accessListChange: false,
      accessList: [],
    })),
  };
}

function spv(list: [string, string, string][]): CpeRequest {
  return {
    kind: "SetParameterValues",
    parameterList: list.map(([name, value, type]) => ({ name, value, type })),
    parameterKey: "pk",
  };
}

const gpa = (...names: string[]): CpeRequest => ({
  kind: "GetParameterAttributes",
  parameterNames: names,
});
const gpv = (...names: string[]): CpeRequest => ({
  kind: "GetParameterValues",
  parameterNames: names,
});

/** `set` then `notify` through the control socket. */
async function localChange(stateDir: string, changes: [string, string][]): Promise<void> {
  const socket = `${stateDir}/control.sock`;
  for (const [name, value] of changes) {
    const set = await sendControlRequest(socket, { op: "set", args: [name, value] });
    assert.deepEqual(set, { lines: ['{"status":0}'], ok: true });
  }
  const notify = await sendControlRequest(socket, { op: "notify", args: [] });
  assert.deepEqual(notify, { lines: ['{"status":0}'], ok: true });
}

const lwnConfig = (port: number, more = "") =>
  `\n[lwn]\nenable = true\nhostname = "127.0.0.1"\nport = ${port}\n${more}`;

/** Waits `ms` and asserts that nothing more than `count` arrived. */
async function assertNoDatagram(receiver: LwnReceiver, count: number, ms: number, why: string) {
  await new Promise((resolve) => setTimeout(resolve, ms));
  assert.equal(receiver.received.length, count, why);
}

async function checkAll(receiver: LwnReceiver): Promise<void> {
  assert.deepEqual(receiver.malformed, []);
  for (const size of receiver.sizes) assert.ok(size <= 1400, `${size} bytes`);
  assert.ok(receiver.received.every((r) => r.signed), "every datagram is signed");
  const why = unavailable("xmllint");
  if (why !== undefined) return console.warn(`lwnotif schema check skipped: ${why}`);
  await validateLwnXml(receiver.received.map((r) => r.xml));
}

Deno.test(
  "active lightweight notification (5): the change arrives at once as a signed lwnotif datagram, no session",
  needs("curl"),
  async () => {
    const receiver = new LwnReceiver(PASSWORD);
    try {
      await withRig(async ({ acs, stateDir, start, validateAll }) => {
        const agent = await start({
          cpe: CPE,
          acsUsername: "cpe-user",
          acsPassword: PASSWORD,
          extra: lwnConfig(receiver.port),
        });
        await acs.waitForSessions(1, 15_000);
        await agent.waitForLine(/Waiting the next session/);

        const setup = await crSession(
          acs,
          agent,
          spa([A, 5]),
          gpa(A),
          gpv(
            `${MS}LightweightNotificationProtocolsSupported`,
            `${MS}LightweightNotificationProtocolsUsed`,
            `${MS}UDPLightweightNotificationHost`,
            `${MS}UDPLightweightNotificationPort`,
            `${MS}LightweightNotificationTriggerInterval`,
          ),
        );
        kindAt(setup, 0, "SetParameterAttributesResponse");
        assert.deepEqual(gpaOf(setup, 1), { [A]: 5 });
        assert.deepEqual(gpvOf(setup, 2), {
          [`${MS}LightweightNotificationProtocolsSupported`]: "UDP",
          [`${MS}LightweightNotificationProtocolsUsed`]: "UDP",
          [`${MS}UDPLightweightNotificationHost`]: "127.0.0.1",
          [`${MS}UDPLightweightNotificationPort`]: String(receiver.port),
          [`${MS}LightweightNotificationTriggerInterval`]: "0",
        });

        const before = Math.floor(Date.now() / 1000);
        await localChange(stateDir, [[A, "7"]]);
        const [got] = await receiver.waitFor(1, 5_000);
        assert.deepEqual(got.params, [{ name: A, type: "xsd:unsignedInt", value: "7" }]);
        assert.equal(got.un, "cpe-user");
        assert.equal(got.oui, "A1B2C3");
        assert.equal(got.productClass, "TestGW");
        assert.equal(got.serialNumber, "SN0001");
        assert.match(got.cn, /^[0-9a-f]{32}$/);
        assert.ok(got.ts >= before && got.ts <= before + 5, `TS ${got.ts}`);
        assert.equal(got.headers["host"], `127.0.0.1:${receiver.port}`);
        assert.ok(got.signed);
        // Notification 5 is lightweight only: no 4 VALUE CHANGE session.
        await assertNoSession(acs, 1_500, "an active lightweight change must not open a session");

        // Notification 6: the datagram at once, and the value in the next Inform as well.
        kindAt(await crSession(acs, agent, spa([A, 6])), 0, "SetParameterAttributesResponse");
        await localChange(stateDir, [[A, "8"]]);
        const [, second] = await receiver.waitFor(2, 5_000);
        assert.deepEqual(second.params, [{ name: A, type: "xsd:unsignedInt", value: "8" }]);
        assert.notEqual(second.cn, got.cn);
        const next = await crSession(acs, agent);
        assert.ok(eventsOf(next).includes("4 VALUE CHANGE|"), eventsOf(next).join());
        await checkAll(receiver);
        await validateAll();
      });
    } finally {
      await receiver.close();
    }
  },
);

Deno.test(
  "passive lightweight notifications (3, 4) wait for an active one or for the trigger interval",
  needs("curl"),
  async () => {
    const receiver = new LwnReceiver(PASSWORD);
    try {
      await withRig(async ({ acs, stateDir, start, validateAll }) => {
        const agent = await start({
          cpe: CPE,
          acsUsername: "cpe-user",
          acsPassword: PASSWORD,
          extra: lwnConfig(receiver.port),
        });
        await acs.waitForSessions(1, 15_000);
        await agent.waitForLine(/Waiting the next session/);

        // Interval 0: the passive change waits for the active one and goes in its datagram.
        kindAt(
          await crSession(acs, agent, spa([A, 3], [B, 5])),
          0,
          "SetParameterAttributesResponse",
        );
        await localChange(stateDir, [[A, "7"]]);
        await assertNoDatagram(receiver, 0, 1_500, "a passive change waits");
        await localChange(stateDir, [[B, "3000"]]);
        const [both] = await receiver.waitFor(1, 5_000);
        assert.deepEqual(both.params, [
          { name: A, type: "xsd:unsignedInt", value: "7" },
          { name: B, type: "xsd:unsignedInt", value: "3000" },
        ]);

        // The ACS sets a 2 s trigger interval on a phase of its own: 1 s past even seconds.
        const set = await crSession(
          acs,
          agent,
          spv([
            [`${MS}LightweightNotificationTriggerInterval`, "2", "xsd:unsignedInt"],
            [`${MS}LightweightNotificationTriggerTime`, "2020-01-01T00:00:01Z", "xsd:dateTime"],
          ]),
          spa([A, 4]),
        );
        kindAt(set, 0, "SetParameterValuesResponse");
        kindAt(set, 1, "SetParameterAttributesResponse");
        await localChange(stateDir, [[A, "9"]]);
        const [, timed] = await receiver.waitFor(2, 5_000);
        assert.deepEqual(timed.params, [{ name: A, type: "xsd:unsignedInt", value: "9" }]);
        // On the grid: an odd second, a little after it (timers never fire early).
        const at = receiver.received[1].at;
        assert.equal(Math.floor(at / 1000) % 2, 1, `received at ${new Date(at).toISOString()}`);
        assert.ok(at % 1000 < 500, `received at ${new Date(at).toISOString()}`);
        // Notification 4 is passive for the Inform too: no session of its own.
        await assertNoSession(acs, 1_000, "passive changes must not open a session");
        await checkAll(receiver);
        await validateAll();
      });
    } finally {
      await receiver.close();
    }
  },
);

Deno.test(
  "lightweight notifications stay off while LightweightNotificationProtocolsUsed is empty; the settings persist",
  needs("curl"),
  async () => {
    const receiver = new LwnReceiver(PASSWORD);
    try {
      await withRig(async ({ acs, stateDir, start, validateAll }) => {
        const config = {
          cpe: CPE,
          acsUsername: "cpe-user",
          acsPassword: PASSWORD,
          extra: lwnConfig(receiver.port),
        };
        let agent = await start(config);
        await acs.waitForSessions(1, 15_000);
        await agent.waitForLine(/Waiting the next session/);

        const refused = await crSession(
          acs,
          agent,
          spv([[`${MS}LightweightNotificationProtocolsUsed`, "XMPP", "xsd:string"]]),
        );
        const fault = faultOf(refused, 0) as Fault;
        assert.deepEqual(
          fault.setParameterValuesFault?.map((f) => [f.parameterName, f.faultCode]),
          [[`${MS}LightweightNotificationProtocolsUsed`, 9007]],
        );
        const off = await crSession(
          acs,
          agent,
          spv([
            [`${MS}LightweightNotificationProtocolsUsed`, "", "xsd:string"],
            [`${MS}LightweightNotificationTriggerInterval`, "60", "xsd:unsignedInt"],
          ]),
          spa([A, 5]),
        );
        kindAt(off, 0, "SetParameterValuesResponse");
        kindAt(off, 1, "SetParameterAttributesResponse");
        await localChange(stateDir, [[A, "7"]]);
        await assertNoDatagram(receiver, 0, 2_000, "ProtocolsUsed is empty: nothing is sent");

        // Kept across a restart: the ACS's empty ProtocolsUsed wins over the unchanged file.
        await agent.kill("SIGTERM");
        agent = await start(config);
        await acs.waitForSessions(acs.sessions.length + 1, 15_000);
        await agent.waitForLine(/Waiting the next session/);
        const after = await crSession(
          acs,
          agent,
          gpv(
            `${MS}LightweightNotificationProtocolsUsed`,
            `${MS}LightweightNotificationTriggerInterval`,
          ),
          gpa(A),
        );
        assert.deepEqual(gpvOf(after, 0), {
          [`${MS}LightweightNotificationProtocolsUsed`]: "",
          [`${MS}LightweightNotificationTriggerInterval`]: "60",
        });
        assert.deepEqual(gpaOf(after, 1), { [A]: 5 });
        await localChange(stateDir, [[A, "8"]]);
        await assertNoDatagram(receiver, 0, 1_500, "still off after the restart");

        // Back on: the next change goes out.
        kindAt(
          await crSession(
            acs,
            agent,
            spv([[`${MS}LightweightNotificationProtocolsUsed`, "UDP", "xsd:string"]]),
          ),
          0,
          "SetParameterValuesResponse",
        );
        await localChange(stateDir, [[A, "9"]]);
        const [got] = await receiver.waitFor(1, 5_000);
        assert.deepEqual(got.params, [{ name: A, type: "xsd:unsignedInt", value: "9" }]);
        await checkAll(receiver);
        await validateAll();
      });
    } finally {
      await receiver.close();
    }
  },
);

Deno.test(
  "SetParameterAttributes with Notification 3-6 is refused with 9003 by an agent speaking CWMP 1.3",
  needs("curl"),
  async () => {
    await withRig(async ({ acs, start, validateAll }) => {
      const agent = await start({ cpe: CPE, amdVersion: 4 });
      await acs.waitForSessions(1, 15_000);
      await agent.waitForLine(/Waiting the next session/);
      const session = await crSession(
        acs,
        agent,
        spa([A, 3]),
        spa([A, 6]),
        spa([A, 2]),
        gpa(A),
      );
      for (const i of [0, 1]) {
        const fault = faultOf(session, i);
        assert.equal(fault.faultCode, 9003);
        assert.match(fault.faultString, /Lightweight notification needs CWMP 1\.4/);
      }
      kindAt(session, 2, "SetParameterAttributesResponse");
      assert.deepEqual(gpaOf(session, 3), { [A]: 2 });
      await validateAll();
    });
  },
);
