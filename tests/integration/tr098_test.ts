/**
 * The TR-098 root (`[cpe] datamodel = "tr098"`, icwmp's `datamodel` option): the Inform,
 * GetParameterValues, GetParameterNames and SetParameterValues speak
 * `InternetGatewayDevice.` names, `Device.` is unknown (9005), and every envelope passes
 * the BBF schema.
 */

import assert from "node:assert/strict";
import { eventsOf, informOf, informValues, withRig } from "./_rig.ts";
import { crSession, faultOf, gpnOf, gpvOf, kindAt } from "./_wire.ts";

const IGD = "InternetGatewayDevice.";

Deno.test("datamodel tr098: Inform, GPV, GPN and SPV use InternetGatewayDevice. names", async () => {
  await withRig(async ({ acs, start, validateAll }) => {
    acs.enqueue(
      {
        kind: "GetParameterValues",
        parameterNames: [`${IGD}DeviceInfo.SerialNumber`, `${IGD}ManagementServer.ParameterKey`],
      },
      { kind: "GetParameterNames", parameterPath: "", nextLevel: true },
      {
        kind: "SetParameterValues",
        parameterList: [{
          name: `${IGD}ManagementServer.PeriodicInformInterval`,
          value: "1800",
          type: "xsd:unsignedInt",
        }],
        parameterKey: "pk-098",
      },
      { kind: "GetParameterValues", parameterNames: ["Device.DeviceInfo.SerialNumber"] },
    );
    const agent = await start({ cpe: 'datamodel = "tr098"' });
    await acs.waitForSessions(1, 15_000);
    const boot = acs.sessions[0];
    assert.deepEqual(eventsOf(boot), ["0 BOOTSTRAP|", "1 BOOT|"]);
    const names = informOf(boot).parameterList.map((p) => p.name);
    assert.ok(names.length > 0);
    for (const name of names) assert.ok(name.startsWith(IGD), `Inform carries ${name}`);
    const values = informValues(boot);
    assert.equal(values[`${IGD}DeviceInfo.SoftwareVersion`], "1.0.0");
    assert.equal(values[`${IGD}ManagementServer.ParameterKey`], "");
    assert.ok(`${IGD}ManagementServer.ConnectionRequestURL` in values);

    assert.deepEqual(gpvOf(boot, 0), {
      [`${IGD}DeviceInfo.SerialNumber`]: "SN0001",
      [`${IGD}ManagementServer.ParameterKey`]: "",
    });
    assert.deepEqual(gpnOf(boot, 1), [IGD]);
    kindAt(boot, 2, "SetParameterValuesResponse");
    assert.equal(faultOf(boot, 3).faultCode, 9005);

    await agent.waitForLine(/Waiting the next session/);
    const next = await crSession(acs, agent, {
      kind: "GetParameterNames",
      parameterPath: `${IGD}ManagementServer.`,
      nextLevel: true,
    });
    assert.equal(informValues(next)[`${IGD}ManagementServer.ParameterKey`], "pk-098");
    const msNames = gpnOf(next, 0);
    assert.ok(msNames.includes(`${IGD}ManagementServer.PeriodicInformInterval`));
    assert.ok(msNames.every((n) => n.startsWith(`${IGD}ManagementServer.`)));
    await validateAll();
  });
});
