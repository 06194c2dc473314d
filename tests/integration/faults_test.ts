/**
 * CWMP faults through the wire: the agent answers bad ACS requests with the right
 * fault, echoing the request's cwmp:ID, changes nothing, and the session carries on
 * to the ACS's 204.
 */

import assert from "node:assert/strict";
import {
  type CpeRequest,
  decodeEnvelope,
  type Fault,
  type GetParameterValuesResponse,
} from "../../src/soap/mod.ts";
import type { AcsReply } from "../_helpers/fake_acs.ts";
import { valuesOf, withRig } from "./_rig.ts";

const NS = "urn:dslforum-org:cwmp-1-2";

function rawEnvelope(id: string, body: string, prolog = ""): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${prolog}` +
    `<soap-env:Envelope xmlns:soap-enc="http://schemas.xmlsoap.org/soap/encoding/" ` +
    `xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/" ` +
    `xmlns:xsd="http://www.w3.org/2001/XMLSchema" ` +
    `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:cwmp="${NS}">` +
    `<soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">${id}</cwmp:ID></soap-env:Header>` +
    `<soap-env:Body>${body}</soap-env:Body></soap-env:Envelope>`;
}

const raw = (body: string): AcsReply => ({
  raw: { status: 200, body, headers: { "content-type": 'text/xml; charset="utf-8"' } },
});
const request = (id: string, message: CpeRequest): AcsReply => ({ header: { id }, message });

const GPV_ONE = '<cwmp:GetParameterValues><ParameterNames soap-enc:arrayType="xsd:string[1]">' +
  "<string>Device.DeviceInfo.SerialNumber</string></ParameterNames></cwmp:GetParameterValues>";

Deno.test("agent answers bad ACS requests with CWMP faults and the session carries on", async () => {
  const script: AcsReply[] = [
    request("gpv-unknown", {
      kind: "GetParameterValues",
      parameterNames: ["Device.DeviceInfo.NoSuchParameter"],
    }),
    request("spv-readonly", {
      kind: "SetParameterValues",
      parameterList: [
        {
          name: "Device.ManagementServer.PeriodicInformInterval",
          value: "120",
          type: "xsd:unsignedInt",
        },
        { name: "Device.DeviceInfo.SerialNumber", value: "HACKED", type: "xsd:string" },
      ],
      parameterKey: "must-not-stick",
    }),
    request("gpn-param-nextlevel", {
      kind: "GetParameterNames",
      parameterPath: "Device.DeviceInfo.SerialNumber",
      nextLevel: true,
    }),
    raw(rawEnvelope("frob-1", "<cwmp:Frobnicate/>")),
    raw(rawEnvelope("broken-1", GPV_ONE).replace("</soap-env:Body></soap-env:Envelope>", "")),
    raw(
      rawEnvelope(
        "doctype-1",
        GPV_ONE.replace("Device.DeviceInfo.SerialNumber", "&xxe;"),
        '<!DOCTYPE soap-env:Envelope [<!ENTITY xxe "Device.DeviceInfo.SerialNumber">]>\n',
      ),
    ),
    request("gpv-after", {
      kind: "GetParameterValues",
      parameterNames: [
        "Device.DeviceInfo.SerialNumber",
        "Device.ManagementServer.PeriodicInformInterval",
        "Device.ManagementServer.ParameterKey",
      ],
    }),
  ];
  await withRig(async ({ acs, start, validateAll }) => {
    const agent = await start();
    const [session] = await acs.waitForSessions(1, 15_000);
    const sent = session.bodies.slice(1).map((b) => decodeEnvelope(b));
    assert.deepEqual(sent.map((e) => [e.header.id, e.message.kind]), [
      ["gpv-unknown", "Fault"],
      ["spv-readonly", "Fault"],
      ["gpn-param-nextlevel", "Fault"],
      ["frob-1", "Fault"],
      ["broken-1", "Fault"],
      ["doctype-1", "Fault"],
      ["gpv-after", "GetParameterValuesResponse"],
    ]);
    const faults = sent.slice(0, 6).map((e) => e.message as Fault);
    assert.deepEqual(faults.map((f) => f.faultCode), [9005, 9003, 9003, 9000, 9003, 9003]);
    assert.deepEqual(faults.map((f) => f.faultcode), [
      "Client",
      "Client",
      "Client",
      "Server",
      "Client",
      "Client",
    ]);
    assert.deepEqual(faults.map((f) => f.faultString), [
      'Invalid parameter name: "Device.DeviceInfo.NoSuchParameter"',
      "Cannot set 1 parameter",
      'NextLevel true needs a partial path, not a parameter: "Device.DeviceInfo.SerialNumber"',
      'Cannot decode "Frobnicate": unknown method',
      'Cannot decode envelope: unexpected end of input: "soap-env:Body" is not closed at line 2, column 546',
      "Cannot decode envelope: DOCTYPE is not allowed at line 2, column 1",
    ]);
    assert.deepEqual(
      faults[1].setParameterValuesFault?.map((f) => [f.parameterName, f.faultCode]),
      [["Device.DeviceInfo.SerialNumber", 9008]],
    );
    for (const f of faults) assert.doesNotMatch(f.faultString, /\bat .*\.ts:\d+/); // no stacks
    // Nothing changed: the valid half of the faulted SPV and its ParameterKey were dropped.
    const after = sent[6].message as GetParameterValuesResponse;
    assert.deepEqual(valuesOf(after.parameterList), {
      "Device.DeviceInfo.SerialNumber": "SN0001",
      "Device.ManagementServer.PeriodicInformInterval": "86400",
      "Device.ManagementServer.ParameterKey": "",
    });
    assert.equal(session.ended, true);
    await agent.waitForLine(/\[INFO\] End session$/);
    assert.equal(agent.lines.some((l) => /End session with failure/.test(l)), false);
    await validateAll();
  }, {
    hook: (message) => {
      if (message.kind === "Inform") return undefined;
      return script.shift();
    },
  });
});
