/**
 * AutoCreateInstances (CWMP 1.4 alias-based addressing, TR-069 §3.6.1) through the
 * wire: while it is false a SetParameterValues under a missing `[alias]` row is a 9005
 * in the fault list; once the ACS sets it true, the same request creates the row (with
 * that Alias) and sets it, and the setting persists in the state directory.
 */

import assert from "node:assert/strict";
import type {
  Fault,
  GetParameterValuesResponse,
  SetParameterValues,
  SetParameterValuesResponse,
} from "../../src/soap/mod.ts";
import { withRig } from "./_rig.ts";

const MS = "Device.ManagementServer.";
const TABLE = `${MS}InformParameter.`;

const setEnable: SetParameterValues = {
  kind: "SetParameterValues",
  parameterList: [{ name: `${TABLE}[wan-stats].Enable`, value: "true", type: "xsd:boolean" }],
  parameterKey: "auto-1",
};

Deno.test("agent creates a missing [alias] row on SetParameterValues when AutoCreateInstances is true", async () => {
  await withRig(async ({ acs, start, stateDir, validateAll }) => {
    acs.enqueue(
      setEnable,
      {
        kind: "SetParameterValues",
        parameterList: [
          { name: `${MS}AutoCreateInstances`, value: "true", type: "xsd:boolean" },
        ],
        parameterKey: "",
      },
      setEnable,
      {
        kind: "GetParameterValues",
        parameterNames: [
          `${TABLE}[wan-stats].Alias`,
          `${TABLE}[wan-stats].Enable`,
          `${MS}InformParameterNumberOfEntries`,
          `${MS}AutoCreateInstances`,
          `${MS}ParameterKey`,
        ],
      },
    );
    await start();
    const [session] = await acs.waitForSessions(1, 15_000);
    const [refused, enabled, created, gpv] = session.messages;
    assert.equal(refused.kind, "Fault");
    assert.equal((refused as Fault).faultCode, 9003);
    assert.deepEqual(
      (refused as Fault).setParameterValuesFault?.map((f) => [f.parameterName, f.faultCode]),
      [[`${TABLE}[wan-stats].Enable`, 9005]],
    );
    assert.equal((enabled as SetParameterValuesResponse).status, 0);
    assert.equal((created as SetParameterValuesResponse).status, 0);
    assert.deepEqual((gpv as GetParameterValuesResponse).parameterList, [
      { name: `${TABLE}1.Alias`, value: "wan-stats", type: "xsd:string" },
      { name: `${TABLE}1.Enable`, value: "true", type: "xsd:boolean" },
      { name: `${MS}InformParameterNumberOfEntries`, value: "1", type: "xsd:unsignedInt" },
      { name: `${MS}AutoCreateInstances`, value: "true", type: "xsd:boolean" },
      { name: `${MS}ParameterKey`, value: "auto-1", type: "xsd:string" },
    ]);
    const stored = JSON.parse(await Deno.readTextFile(`${stateDir}/settings.json`));
    assert.equal(stored.autoCreateInstances, true);
    await validateAll();
  });
});
