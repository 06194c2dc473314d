import assert from "node:assert/strict";
import { decodeEnvelope, encodeEnvelope, type Envelope } from "../../src/soap/mod.ts";
import { validateEnvelopes } from "../_helpers/validate_envelope.ts";
import { testNeeding } from "../_helpers/needs.ts";

/** Deno.test for the tests that drive xmllint: they skip, naming why, where it is unavailable. */
const test = testNeeding("xmllint");

const NS0 = "urn:dslforum-org:cwmp-1-0" as const;
const NS2 = "urn:dslforum-org:cwmp-1-2" as const;
const produced: string[] = [];

function encode(envelope: Envelope): string {
  const xml = encodeEnvelope(envelope);
  produced.push(xml);
  return xml;
}

Deno.test("encodeEnvelope() writes an Empty message as an empty body", () => {
  assert.equal(
    encodeEnvelope({ namespace: NS0, header: { id: "1" }, message: { kind: "Empty" } }),
    "",
  );
});

Deno.test("encodeEnvelope() escapes markup in values, names and the ID", () => {
  const xml = encode({
    namespace: NS0,
    header: { id: "a<b>&c" },
    message: {
      kind: "GetParameterValuesResponse",
      parameterList: [{ name: "X.<&>", value: `<tag a="1">&amp;</tag> 'q'`, type: "xsd:string" }],
    },
  });
  assert.ok(xml.includes('<cwmp:ID soap-env:mustUnderstand="1">a&lt;b&gt;&amp;c</cwmp:ID>'));
  assert.ok(xml.includes("<Name>X.&lt;&amp;&gt;</Name>"));
  assert.ok(
    xml.includes(`<Value xsi:type="xsd:string">&lt;tag a="1"&gt;&amp;amp;&lt;/tag&gt; 'q'</Value>`),
  );
  const { message } = decodeEnvelope(xml);
  assert.deepEqual(message, {
    kind: "GetParameterValuesResponse",
    parameterList: [{ name: "X.<&>", value: `<tag a="1">&amp;</tag> 'q'`, type: "xsd:string" }],
  });
});

Deno.test("encodeEnvelope() replaces XML-illegal characters with U+FFFD and keeps CR", () => {
  const value = "a\u0000b\u0007c\u001Fd\uFFFEe\uD800f\r\n\tg\u{1F600}";
  const xml = encode({
    namespace: NS0,
    header: { id: "ctl" },
    message: { kind: "Kicked", command: value, referer: "", arg: "", next: "" },
  });
  assert.ok(
    xml.includes("<Command>a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf&#xD;\n\tg\u{1F600}</Command>"),
  );
  const { message } = decodeEnvelope(xml);
  assert.equal(
    message.kind === "Kicked" && message.command,
    "a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf\r\n\tg\u{1F600}",
  );
});

Deno.test("encodeEnvelope() escapes quotes in the xsi:type attribute", () => {
  const xml = encodeEnvelope({
    namespace: NS0,
    header: {},
    message: {
      kind: "SetParameterValues",
      parameterList: [{ name: "A", value: "1", type: 'xsd:int" x="<' }],
      parameterKey: "",
    },
  });
  assert.ok(xml.includes('<Value xsi:type="xsd:int&quot; x=&quot;&lt;">1</Value>'));
});

Deno.test("encodeEnvelope() marks ID, HoldRequests and UseCWMPVersion mustUnderstand", () => {
  const xml = encode({
    namespace: NS2,
    header: {
      id: "h1",
      holdRequests: true,
      noMoreRequests: true,
      sessionTimeout: 30,
      supportedCWMPVersions: "1.0,1.4",
      useCWMPVersion: "1.4",
    },
    message: { kind: "InformResponse", maxEnvelopes: 1 },
  });
  assert.ok(xml.includes(
    '<soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">h1</cwmp:ID>' +
      '<cwmp:HoldRequests soap-env:mustUnderstand="1">1</cwmp:HoldRequests>' +
      "<cwmp:SessionTimeout>30</cwmp:SessionTimeout>" +
      '<cwmp:SupportedCWMPVersions soap-env:mustUnderstand="0">1.0,1.4</cwmp:SupportedCWMPVersions>' +
      '<cwmp:UseCWMPVersion soap-env:mustUnderstand="1">1.4</cwmp:UseCWMPVersion></soap-env:Header>',
  ));
  assert.ok(!xml.includes("NoMoreRequests"));
});

Deno.test("encodeEnvelope() leaves the Header out when there is nothing in it", () => {
  const xml = encode({ namespace: NS0, header: {}, message: { kind: "GetRPCMethods" } });
  assert.ok(xml.endsWith(
    "<soap-env:Body><cwmp:GetRPCMethods></cwmp:GetRPCMethods></soap-env:Body></soap-env:Envelope>",
  ));
  assert.ok(!xml.includes("Header"));
});

Deno.test("encodeEnvelope() writes empty arrays with a zero count", () => {
  const xml = encode({
    namespace: NS0,
    header: { id: "e" },
    message: { kind: "GetParameterValuesResponse", parameterList: [] },
  });
  assert.ok(
    xml.includes(
      '<ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[0]"></ParameterList>',
    ),
  );
});

Deno.test("encodeEnvelope() rejects an unknown kind and a missing argument", () => {
  assert.throws(
    () => encodeEnvelope({ namespace: NS0, header: {}, message: { kind: "Nope" } as never }),
    { name: "TypeError", message: 'Cannot encode: unknown message kind "Nope"' },
  );
  assert.throws(
    () => encodeEnvelope({ namespace: NS0, header: {}, message: { kind: "Reboot" } as never }),
    { name: "TypeError", message: 'Cannot encode: missing "commandKey"' },
  );
});

test("encodeEnvelope() output of this file validates against the BBF schemas", async () => {
  assert.ok(produced.length >= 5);
  await validateEnvelopes(produced);
});
