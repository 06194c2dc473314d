/**
 * What survives the agent process: settings set by the ACS across a clean stop
 * (SIGTERM), and undelivered events across a crash (SIGKILL mid-session).
 */

import assert from "node:assert/strict";
import type { GetParameterValuesResponse } from "../../src/soap/mod.ts";
import type { AcsSessionRecord } from "../_helpers/fake_acs.ts";
import { eventsOf, informOf, informValues, valuesOf, withRig } from "./_rig.ts";

Deno.test("agent keeps ACS-set values across a SIGTERM restart and informs 1 BOOT only", async () => {
  await withRig(async ({ acs, start, validateAll }) => {
    acs.enqueue({
      kind: "SetParameterValues",
      parameterList: [
        {
          name: "Device.ManagementServer.PeriodicInformInterval",
          value: "1800",
          type: "xsd:unsignedInt",
        },
        { name: "Device.DeviceInfo.ProvisioningCode", value: "prov-7", type: "xsd:string" },
      ],
      parameterKey: "pk-3",
    });
    const first = await start();
    await acs.waitForSessions(1, 15_000);
    await first.waitForLine(/Waiting the next session/);
    const status = await first.kill("SIGTERM");
    assert.equal(status.code, 0);
    assert.ok(first.lines.some((l) => /cwmp-agent stopped/.test(l)));

    acs.enqueue({
      kind: "GetParameterValues",
      parameterNames: ["Device.ManagementServer.PeriodicInformInterval"],
    });
    const second = await start();
    const sessions = await acs.waitForSessions(2, 15_000);
    assert.equal(sessions.length, 2);
    assert.deepEqual(eventsOf(sessions[0]), ["0 BOOTSTRAP|", "1 BOOT|"]);
    assert.deepEqual(eventsOf(sessions[1]), ["1 BOOT|"]);
    assert.equal(informOf(sessions[1]).retryCount, 0);
    const values = informValues(sessions[1]);
    assert.equal(values["Device.DeviceInfo.ProvisioningCode"], "prov-7");
    assert.equal(values["Device.ManagementServer.ParameterKey"], "pk-3");
    const gpv = sessions[1].messages[0] as GetParameterValuesResponse;
    assert.equal(gpv.kind, "GetParameterValuesResponse");
    assert.deepEqual(valuesOf(gpv.parameterList), {
      "Device.ManagementServer.PeriodicInformInterval": "1800",
    });
    await second.waitForLine(/Periodic event is enabled\. Interval period = 1800s/);
    await validateAll();
  });
});

Deno.test("agent re-sends an undelivered BOOTSTRAP after SIGKILL and delivers it once", async () => {
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  let firstSession: AcsSessionRecord | undefined;
  await withRig(async ({ acs, start, validateAll }) => {
    try {
      const first = await start();
      // The ACS holds its answer to the first empty POST: the session is open, the Inform
      // was answered, nothing was delivered yet from the agent's point of view.
      await acs.waitUntil(
        () => acs.sessions.length === 1 && acs.requests.some((r) => r.body === ""),
        "the first empty POST",
        15_000,
      );
      assert.equal(acs.sessions[0].ended, false);
      const status = await first.kill("SIGKILL");
      assert.equal(status.signal, "SIGKILL");
    } finally {
      release();
    }
    assert.deepEqual(eventsOf(acs.sessions[0]), ["0 BOOTSTRAP|", "1 BOOT|"]);

    const second = await start();
    await acs.waitForSessions(1, 15_000); // the second session, completed this time
    assert.equal(acs.sessions.length, 2);
    assert.deepEqual(eventsOf(acs.sessions[1]), ["0 BOOTSTRAP|", "1 BOOT|"]);
    await second.waitForLine(/Waiting the next session/);
    assert.equal((await second.kill("SIGTERM")).code, 0);

    await start();
    await acs.waitForSessions(2, 15_000);
    assert.equal(acs.sessions.length, 3);
    assert.deepEqual(eventsOf(acs.sessions[2]), ["1 BOOT|"]);
    await validateAll();
  }, {
    hook: async (message, session) => {
      firstSession ??= session;
      if (message.kind !== "Empty" || session !== firstSession) return undefined;
      await held; // until the agent was killed; the answer goes nowhere
      return { raw: { status: 503, body: "" } };
    },
  });
});

Deno.test("agent keeps an in-flight M Reboot across SIGKILL until delivered", async () => {
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  let holdSession: AcsSessionRecord | undefined;
  await withRig(async ({ acs, start, validateAll }) => {
    acs.enqueue({ kind: "Reboot", commandKey: "rk-kill" });
    const first = await start();
    await acs.waitForSessions(1, 15_000);
    // The reboot command ("true") ran; the system going down is played by SIGTERM.
    await first.waitForLine(/waiting for the system to go down/, 15_000);
    assert.equal((await first.kill("SIGTERM")).code, 0);
    try {
      const second = await start();
      // Only the persisted in-flight events can carry M Reboot past this crash: the
      // reboot CommandKey itself was consumed when the second run started.
      await acs.waitUntil(
        () => acs.requests.filter((r) => r.body === "").length === 2,
        "the second session's empty POST",
        15_000,
      );
      assert.deepEqual(eventsOf(acs.sessions[1]), ["1 BOOT|", "M Reboot|rk-kill"]);
      assert.equal((await second.kill("SIGKILL")).signal, "SIGKILL");
    } finally {
      release();
    }
    await start();
    await acs.waitForSessions(2, 15_000);
    assert.equal(acs.sessions.length, 3);
    // EventList order carries no meaning (the retained event comes first here).
    assert.deepEqual(eventsOf(acs.sessions[2]).sort(), ["1 BOOT|", "M Reboot|rk-kill"]);
    await validateAll();
  }, {
    hook: async (message, session) => {
      if (message.kind === "Inform" && session.inform.message.kind === "Inform") {
        const codes = session.inform.message.event.map((e) => e.eventCode);
        if (codes.includes("M Reboot")) holdSession ??= session;
      }
      if (message.kind !== "Empty" || session !== holdSession) return undefined;
      await held;
      return { raw: { status: 503, body: "" } };
    },
  });
});
