/**
 * ACS requests that are not well-formed XML, end to end (real agent process, fake ACS
 * on loopback): the agent answers each with fault 9003 echoing its cwmp:ID, changes
 * nothing, and the session carries on. The cases are the ones a fuzz campaign found
 * acted on: a body with bytes that are not UTF-8 (stored with U+FFFD, status 0) and a
 * comment inside a tag name (cut out, the RPC executed); the whole list of XML 1.0
 * fatal errors is in tests/soap/decode_wellformed_test.ts.
 */

import assert from "node:assert/strict";
import {
  type CwmpNamespace,
  decodeEnvelope,
  type Fault,
  type GetParameterValuesResponse,
} from "../../src/soap/mod.ts";
import type { AcsReply } from "../_helpers/fake_acs.ts";
import { valuesOf, withRig } from "./_rig.ts";

const NAMES = [
  "Device.DeviceInfo.ProvisioningCode",
  "Device.ManagementServer.PeriodicInformInterval",
  "Device.ManagementServer.ParameterKey",
];

function rawEnvelope(ns: CwmpNamespace, id: string, body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<soap-env:Envelope xmlns:soap-enc="http://schemas.xmlsoap.org/soap/encoding/" ` +
    `xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/" ` +
    `xmlns:xsd="http://www.w3.org/2001/XMLSchema" ` +
    `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:cwmp="${ns}">` +
    `<soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">${id}</cwmp:ID></soap-env:Header>` +
    `<soap-env:Body>${body}</soap-env:Body></soap-env:Envelope>`;
}

/** A SetParameterValues of ProvisioningCode and PeriodicInformInterval, ParameterKey "k". */
function spv(code: string): string {
  return "<cwmp:SetParameterValues><ParameterList " +
    'soap-enc:arrayType="cwmp:ParameterValueStruct[2]"><ParameterValueStruct>' +
    `<Name>Device.DeviceInfo.ProvisioningCode</Name><Value xsi:type="xsd:string">${code}</Value>` +
    "</ParameterValueStruct><ParameterValueStruct>" +
    "<Name>Device.ManagementServer.PeriodicInformInterval</Name>" +
    '<Value xsi:type="xsd:unsignedInt">120</Value></ParameterValueStruct></ParameterList>' +
    "<ParameterKey>must-not-stick</ParameterKey></cwmp:SetParameterValues>";
}

const GPV = "<cwmp:GetParameterValues><ParameterNames " +
  `soap-enc:arrayType="xsd:string[${NAMES.length}]">` +
  NAMES.map((n) => `<string>${n}</string>`).join("") +
  "</ParameterNames></cwmp:GetParameterValues>";

/** The envelope text with "\xFF" replaced by the byte 0xFF (not UTF-8 anywhere). */
function withByteFF(text: string): Uint8Array {
  const [before, after] = text.split("\xFF");
  const head = new TextEncoder().encode(before);
  const tail = new TextEncoder().encode(after);
  const out = new Uint8Array(head.length + 1 + tail.length);
  out.set(head);
  out[head.length] = 0xff;
  out.set(tail, head.length + 1);
  return out;
}

/** A 200 response written as bytes, keeping the connection (the session goes on). */
function wire200(body: Uint8Array): AcsReply {
  const head = new TextEncoder().encode(
    `HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset="utf-8"\r\n` +
      `Content-Length: ${body.length}\r\n\r\n`,
  );
  const data = new Uint8Array(head.length + body.length);
  data.set(head);
  data.set(body, head.length);
  return { wire: { data, keepOpen: true } };
}

const raw200 = (body: string): AcsReply => ({
  raw: { status: 200, body, headers: { "content-type": 'text/xml; charset="utf-8"' } },
});

Deno.test("agent answers ACS requests that are not well-formed XML with 9003 and changes nothing", async () => {
  let badUtf8Offset = -1;
  await withRig(async ({ acs, start, validateAll }) => {
    const agent = await start();
    const [session] = await acs.waitForSessions(1, 15_000);
    const sent = session.bodies.slice(1).map((b) => decodeEnvelope(b));
    assert.deepEqual(sent.map((e) => [e.header.id, e.message.kind]), [
      ["gpv-before", "GetParameterValuesResponse"],
      ["spv-bad-utf8", "Fault"],
      ["spv-comment-in-name", "Fault"],
      ["spv-lt-in-attribute", "Fault"],
      ["gpv-after", "GetParameterValuesResponse"],
    ]);
    const faults = sent.slice(1, 4).map((e) => e.message as Fault);
    assert.deepEqual(faults.map((f) => [f.faultcode, f.faultCode]), [
      ["Client", 9003],
      ["Client", 9003],
      ["Client", 9003],
    ]);
    assert.deepEqual(faults.map((f) => f.faultString), [
      `Cannot decode envelope: invalid UTF-8 at byte ${badUtf8Offset}`,
      "Cannot decode envelope: disallowed character in tag name at line 2, column 410",
      'Cannot decode envelope: disallowed character "<" at line 2, column 572',
    ]);
    const before = valuesOf((sent[0].message as GetParameterValuesResponse).parameterList);
    const after = valuesOf((sent[4].message as GetParameterValuesResponse).parameterList);
    assert.deepEqual(Object.keys(before), NAMES);
    assert.notEqual(before["Device.ManagementServer.PeriodicInformInterval"], "120");
    assert.deepEqual(after, before);
    assert.equal(
      agent.lines.some((l) => /Session engine error|Agent action failed/.test(l)),
      false,
      agent.lines.join("\n"),
    );
    await validateAll();
  }, {
    hook: (message, session) => {
      const ns = session.inform.namespace;
      const answered = session.messages.length; // CPE messages after the Inform, not Empty
      if (message.kind === "Empty" && answered === 0) {
        return raw200(rawEnvelope(ns, "gpv-before", GPV));
      }
      if (message.kind === "GetParameterValuesResponse" && answered === 1) {
        const bytes = withByteFF(rawEnvelope(ns, "spv-bad-utf8", spv("LAN\xFF1")));
        badUtf8Offset = bytes.indexOf(0xff);
        return wire200(bytes);
      }
      if (message.kind === "Fault" && answered === 2) {
        const body = spv("HACKED").replace(
          "<cwmp:SetParameterValues>",
          "<cwmp:SetParameter<!-- x -->Values>",
        );
        return raw200(rawEnvelope(ns, "spv-comment-in-name", body));
      }
      if (message.kind === "Fault" && answered === 3) {
        const body = spv("HACKED").replace('xsi:type="xsd:string"', 'xsi:type="xsd:<string"');
        return raw200(rawEnvelope(ns, "spv-lt-in-attribute", body));
      }
      if (message.kind === "Fault" && answered === 4) {
        return raw200(rawEnvelope(ns, "gpv-after", GPV));
      }
      return undefined;
    },
  });
});
