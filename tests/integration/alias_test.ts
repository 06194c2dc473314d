/**
 * Alias-based addressing (CWMP 1.4, TR-069 §3.6.1) through the wire: a new row gets the
 * Alias `cpe-<n>`, `[alias]` paths address it, and InstanceMode "InstanceAlias" makes the
 * agent name rows by alias in GetParameterNames and GetParameterValues.
 */

import assert from "node:assert/strict";
import type {
  AddObjectResponse,
  GetParameterNamesResponse,
  GetParameterValuesResponse,
} from "../../src/soap/mod.ts";
import { withRig } from "./_rig.ts";

const TABLE = "Device.ManagementServer.InformParameter.";

Deno.test("agent addresses rows by [alias] and names them by alias in InstanceAlias mode", async () => {
  await withRig(async ({ acs, start, validateAll }) => {
    acs.enqueue(
      { kind: "AddObject", objectName: TABLE, parameterKey: "" },
      {
        kind: "GetParameterValues",
        parameterNames: [`${TABLE}[cpe-1].Alias`, `${TABLE}1.Enable`],
      },
      {
        kind: "SetParameterValues",
        parameterList: [
          { name: `${TABLE}[cpe-1].Enable`, value: "true", type: "xsd:boolean" },
          {
            name: "Device.ManagementServer.InstanceMode",
            value: "InstanceAlias",
            type: "xsd:string",
          },
        ],
        parameterKey: "",
      },
      { kind: "GetParameterNames", parameterPath: TABLE, nextLevel: true },
      { kind: "GetParameterValues", parameterNames: [`${TABLE}[cpe-1].Enable`] },
    );
    await start();
    const [session] = await acs.waitForSessions(1, 15_000);
    const [added, gpv, spv, gpn, gpvAlias] = session.messages;
    assert.equal((added as AddObjectResponse).instanceNumber, 1);
    assert.deepEqual((gpv as GetParameterValuesResponse).parameterList, [
      { name: `${TABLE}1.Alias`, value: "cpe-1", type: "xsd:string" },
      { name: `${TABLE}1.Enable`, value: "false", type: "xsd:boolean" },
    ]);
    assert.equal(spv.kind, "SetParameterValuesResponse");
    assert.deepEqual((gpn as GetParameterNamesResponse).parameterList.map((p) => p.name), [
      `${TABLE}[cpe-1].`,
    ]);
    assert.deepEqual((gpvAlias as GetParameterValuesResponse).parameterList, [
      { name: `${TABLE}[cpe-1].Enable`, value: "true", type: "xsd:boolean" },
    ]);
    await validateAll();
  });
});
