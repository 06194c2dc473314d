/**
 * Reboot, FactoryReset and ScheduleInform end to end: the response goes out, the
 * session ends, the configured system command runs (a marker file here), and the
 * next start reports the right events.
 */

import assert from "node:assert/strict";
import type { GetParameterValuesResponse } from "../../src/soap/mod.ts";
import { eventsOf, informValues, valuesOf, withRig } from "./_rig.ts";

function markerCommand(path: string, text: string): string[] {
  return ["sh", "-c", `printf '%s' "$1" > "$2"`, "marker", text, path];
}

Deno.test("agent reboots after the session and informs M Reboot with the CommandKey once", async () => {
  await withRig(async ({ acs, dir, start, validateAll }) => {
    const marker = `${dir}/rebooted`;
    const rebootCommand = markerCommand(marker, "reboot rk-1");
    acs.enqueue({ kind: "Reboot", commandKey: "rk-1" });
    const first = await start({ rebootCommand });
    const [session] = await acs.waitForSessions(1, 15_000);
    assert.deepEqual(session.messages.map((m) => m.kind), ["RebootResponse"]);
    // The command ran; the agent stays until the system takes it down (SIGTERM here).
    await first.waitForLine(/waiting for the system to go down/, 15_000);
    assert.equal(await Deno.readTextFile(marker), "reboot rk-1");
    assert.equal((await first.kill("SIGTERM")).code, 0);
    const ended = first.lines.findIndex((l) => /\[INFO\] End session$/.test(l));
    const rebooting = first.lines.findIndex((l) => /Rebooting the device/.test(l));
    assert.ok(ended >= 0 && rebooting > ended, "The reboot must follow the end of the session");

    const second = await start({ rebootCommand });
    await acs.waitForSessions(2, 15_000);
    assert.deepEqual(eventsOf(acs.sessions[1]), ["1 BOOT|", "M Reboot|rk-1"]);
    await second.waitForLine(/Waiting the next session/);
    assert.equal((await second.kill("SIGTERM")).code, 0);

    await start({ rebootCommand });
    await acs.waitForSessions(3, 15_000);
    assert.deepEqual(eventsOf(acs.sessions[2]), ["1 BOOT|"]);
    await validateAll();
  });
});

Deno.test("agent factory-resets: command runs, then BOOTSTRAP with config values back", async () => {
  await withRig(async ({ acs, dir, start, validateAll }) => {
    const marker = `${dir}/factory-reset`;
    const factoryResetCommand = markerCommand(marker, "factory reset");
    acs.enqueue(
      {
        kind: "SetParameterValues",
        parameterList: [
          { name: "Device.DeviceInfo.ProvisioningCode", value: "fr-x", type: "xsd:string" },
          {
            name: "Device.ManagementServer.PeriodicInformInterval",
            value: "999",
            type: "xsd:unsignedInt",
          },
        ],
        parameterKey: "pk-fr",
      },
      { kind: "FactoryReset" },
    );
    const first = await start({ factoryResetCommand });
    const [session] = await acs.waitForSessions(1, 15_000);
    assert.deepEqual(session.messages.map((m) => m.kind), [
      "SetParameterValuesResponse",
      "FactoryResetResponse",
    ]);
    assert.equal((await first.waitForExit(15_000)).code, 0);
    assert.equal(await Deno.readTextFile(marker), "factory reset");
    assert.ok(first.lines.some((l) => /Factory reset of the device/.test(l)));

    acs.enqueue({
      kind: "GetParameterValues",
      parameterNames: ["Device.ManagementServer.PeriodicInformInterval"],
    });
    await start({ factoryResetCommand });
    await acs.waitForSessions(2, 15_000);
    const after = acs.sessions[1];
    assert.deepEqual(eventsOf(after), ["0 BOOTSTRAP|", "1 BOOT|"]);
    assert.equal(informValues(after)["Device.ManagementServer.ParameterKey"], "");
    assert.equal(informValues(after)["Device.DeviceInfo.ProvisioningCode"], "");
    const gpv = after.messages[0] as GetParameterValuesResponse;
    assert.deepEqual(valuesOf(gpv.parameterList), {
      "Device.ManagementServer.PeriodicInformInterval": "86400",
    });
    await validateAll();
  });
});

Deno.test("agent offers FactoryReset without a command: its own state is reset, then BOOTSTRAP", async () => {
  await withRig(async ({ acs, start, stateDir, validateAll }) => {
    acs.enqueue(
      {
        kind: "SetParameterValues",
        parameterList: [
          { name: "Device.DeviceInfo.ProvisioningCode", value: "fr-y", type: "xsd:string" },
        ],
        parameterKey: "pk-fr2",
      },
      { kind: "GetRPCMethods" },
      { kind: "FactoryReset" },
    );
    const first = await start({ factoryResetCommand: [] });
    const [session] = await acs.waitForSessions(1, 15_000);
    assert.deepEqual(session.messages.map((m) => m.kind), [
      "SetParameterValuesResponse",
      "GetRPCMethodsResponse",
      "FactoryResetResponse",
    ]);
    const methods = session.messages[1] as { methodList: string[] };
    assert.ok(methods.methodList.includes("FactoryReset"), "REQUIRED: always offered");
    // The agent ends for its supervisor to start it afresh.
    assert.equal((await first.waitForExit(15_000)).code, 0);
    assert.ok(first.lines.some((l) => /Factory reset of the agent's state/.test(l)));
    assert.equal(await Deno.stat(`${stateDir}/settings.json`).catch(() => null), null);

    await start({ factoryResetCommand: [] });
    await acs.waitForSessions(2, 15_000);
    assert.deepEqual(eventsOf(acs.sessions[1]), ["0 BOOTSTRAP|", "1 BOOT|"]);
    assert.equal(informValues(acs.sessions[1])["Device.DeviceInfo.ProvisioningCode"], "");
    await validateAll();
  });
});

Deno.test("agent informs 3 SCHEDULED + M ScheduleInform after DelaySeconds", async () => {
  await withRig(async ({ acs, start, validateAll }) => {
    acs.enqueue({ kind: "ScheduleInform", delaySeconds: 1, commandKey: "sk" });
    await start();
    const sessions = await acs.waitForSessions(2, 10_000);
    assert.deepEqual(sessions[0].messages.map((m) => m.kind), ["ScheduleInformResponse"]);
    assert.deepEqual(eventsOf(sessions[1]), ["3 SCHEDULED|", "M ScheduleInform|sk"]);
    const answered = acs.requests.find((r) => r.body.includes("ScheduleInformResponse"))!;
    const informed = acs.requests.find((r) => r.body.includes("3 SCHEDULED"))!;
    const delay = informed.at - answered.at;
    assert.ok(delay >= 900 && delay < 5_000, `scheduled Inform after ${delay} ms`);
    await validateAll();
  });
});
