import assert from "node:assert/strict";
import { decodeEnvelope, isEmptyBody } from "../../src/soap/mod.ts";
import { envelope } from "./_envelope.ts";

const SOAP = "http://schemas.xmlsoap.org/soap/envelope/";

Deno.test("isEmptyBody() is true only for empty or whitespace bodies", () => {
  assert.equal(isEmptyBody(""), true);
  assert.equal(isEmptyBody(" \r\n\t"), true);
  assert.equal(isEmptyBody(" <a/>"), false);
});

Deno.test("decodeEnvelope() turns an empty HTTP body into an Empty message", () => {
  for (const body of ["", "\r\n  "]) {
    assert.deepEqual(decodeEnvelope(body), {
      namespace: "urn:dslforum-org:cwmp-1-0",
      header: {},
      message: { kind: "Empty" },
    });
  }
});

Deno.test("decodeEnvelope() turns an envelope with an empty Body into Empty, keeping the header", () => {
  const xml = envelope(" ", { id: "7", ns: "urn:dslforum-org:cwmp-1-2" });
  assert.deepEqual(decodeEnvelope(xml), {
    namespace: "urn:dslforum-org:cwmp-1-2",
    header: { id: "7" },
    message: { kind: "Empty" },
  });
});

Deno.test("decodeEnvelope() resolves any prefixes, including prefixed arguments", () => {
  const xml = `<S:Envelope xmlns:S="${SOAP}" xmlns:c="urn:dslforum-org:cwmp-1-1">` +
    `<S:Header><c:ID S:mustUnderstand="1">x1</c:ID></S:Header><S:Body>` +
    `<c:ScheduleInform><c:DelaySeconds> 30 </c:DelaySeconds><c:CommandKey>k</c:CommandKey>` +
    `</c:ScheduleInform></S:Body></S:Envelope>`;
  assert.deepEqual(decodeEnvelope(xml), {
    namespace: "urn:dslforum-org:cwmp-1-1",
    header: { id: "x1" },
    message: { kind: "ScheduleInform", delaySeconds: 30, commandKey: "k" },
  });
});

Deno.test("decodeEnvelope() resolves default namespaces and redeclared prefixes", () => {
  const xml = `<Envelope xmlns="${SOAP}"><Body>` +
    `<Reboot xmlns="urn:dslforum-org:cwmp-1-2"><CommandKey>r</CommandKey></Reboot>` +
    `</Body></Envelope>`;
  assert.deepEqual(decodeEnvelope(xml).message, { kind: "Reboot", commandKey: "r" });
  assert.equal(decodeEnvelope(xml).namespace, "urn:dslforum-org:cwmp-1-2");

  const rebound = `<a:Envelope xmlns:a="${SOAP}"><a:Body>` +
    `<a:Reboot xmlns:a="urn:dslforum-org:cwmp-1-0"><CommandKey/></a:Reboot></a:Body></a:Envelope>`;
  assert.deepEqual(decodeEnvelope(rebound).message, { kind: "Reboot", commandKey: "" });
});

Deno.test("decodeEnvelope() accepts 0, 1, true and false as booleans", () => {
  const cases: [string, boolean][] = [["0", false], ["1", true], ["true", true], [
    " false ",
    false,
  ]];
  for (const [text, expected] of cases) {
    const xml = envelope(
      `<cwmp:GetParameterNames><ParameterPath>Device.</ParameterPath><NextLevel>${text}</NextLevel></cwmp:GetParameterNames>`,
    );
    const { message } = decodeEnvelope(xml);
    assert.deepEqual(message, {
      kind: "GetParameterNames",
      parameterPath: "Device.",
      nextLevel: expected,
    });
  }
});

Deno.test("decodeEnvelope() reads every CWMP header element", () => {
  const xml =
    `<soap-env:Envelope xmlns:soap-env="${SOAP}" xmlns:cwmp="urn:dslforum-org:cwmp-1-2">` +
    `<soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">h</cwmp:ID>` +
    `<cwmp:HoldRequests soap-env:mustUnderstand="1">true</cwmp:HoldRequests>` +
    `<cwmp:NoMoreRequests>1</cwmp:NoMoreRequests><cwmp:SessionTimeout>90</cwmp:SessionTimeout>` +
    `<cwmp:SupportedCWMPVersions>1.0,1.4</cwmp:SupportedCWMPVersions>` +
    `<cwmp:UseCWMPVersion soap-env:mustUnderstand="1">1.4</cwmp:UseCWMPVersion>` +
    `<x:Trace xmlns:x="urn:example">ignored</x:Trace></soap-env:Header>` +
    `<soap-env:Body></soap-env:Body></soap-env:Envelope>`;
  assert.deepEqual(decodeEnvelope(xml).header, {
    id: "h",
    holdRequests: true,
    noMoreRequests: true,
    sessionTimeout: 90,
    supportedCWMPVersions: "1.0,1.4",
    useCWMPVersion: "1.4",
  });
});

Deno.test("decodeEnvelope() normalises xsi:type prefixes and defaults a missing type to xsd:string", () => {
  const xml = envelope(
    `<cwmp:GetParameterValuesResponse><ParameterList>` +
      `<ParameterValueStruct><Name>A</Name><Value xmlns:xs="http://www.w3.org/2001/XMLSchema" xsi:type="xs:boolean">1</Value></ParameterValueStruct>` +
      `<ParameterValueStruct><Name>B</Name><Value>plain</Value></ParameterValueStruct>` +
      `<ParameterValueStruct><Name>C</Name><Value xsi:type="soap-enc:base64">AA==</Value></ParameterValueStruct>` +
      `</ParameterList></cwmp:GetParameterValuesResponse>`,
  );
  assert.deepEqual(decodeEnvelope(xml).message, {
    kind: "GetParameterValuesResponse",
    parameterList: [
      { name: "A", value: "1", type: "xsd:boolean" },
      { name: "B", value: "plain", type: "xsd:string" },
      { name: "C", value: "AA==", type: "soap-enc:base64" },
    ],
  });
});

Deno.test("decodeEnvelope() keeps text around comments and reads CDATA literally", () => {
  const xml = envelope(
    `<!-- before --><cwmp:Kicked><Command>a<!-- x > y -->b</Command>` +
      `<Referer><![CDATA[<&>]]>tail</Referer><Arg>&#x41;&#66;&amp;&apos;&quot;</Arg>` +
      `<Next>\u00e9\u{1F600}</Next></cwmp:Kicked>`,
  );
  assert.deepEqual(decodeEnvelope(xml).message, {
    kind: "Kicked",
    command: "ab",
    referer: "<&>tail",
    arg: "AB&'\"",
    next: "\u00e9\u{1F600}",
  });
});

Deno.test("decodeEnvelope() accepts a byte order mark and no XML declaration", () => {
  const xml = "\uFEFF" + envelope("<cwmp:FactoryReset/>").replace(/^<\?xml[^>]*>\n/, "");
  assert.deepEqual(decodeEnvelope(xml).message, { kind: "FactoryReset" });
});

Deno.test("decodeEnvelope() ignores array counts and item names", () => {
  const xml = envelope(
    `<cwmp:GetParameterValues><ParameterNames soap-enc:arrayType="xsd:string[9]">` +
      `<xsd:string>A.</xsd:string><string>B</string></ParameterNames></cwmp:GetParameterValues>`,
  );
  assert.deepEqual(decodeEnvelope(xml).message, {
    kind: "GetParameterValues",
    parameterNames: ["A.", "B"],
  });
});

Deno.test("decodeEnvelope() reads a Fault with prefixed faultcode and no FaultString", () => {
  const xml = envelope(
    `<soap-env:Fault><faultcode>soap-env:Server.Busy</faultcode><faultstring>CWMP fault</faultstring>` +
      `<detail><cwmp:Fault><FaultCode>8005</FaultCode></cwmp:Fault></detail></soap-env:Fault>`,
    { id: "f", ns: "urn:dslforum-org:cwmp-1-2" },
  );
  assert.deepEqual(decodeEnvelope(xml), {
    namespace: "urn:dslforum-org:cwmp-1-2",
    header: { id: "f" },
    message: {
      kind: "Fault",
      faultcode: "Server",
      faultstring: "CWMP fault",
      faultCode: 8005,
      faultString: "",
    },
  });
});

Deno.test("decodeEnvelope() fills schema-optional CommandKey and leaves optional fields out", () => {
  const xml = envelope(
    `<cwmp:ChangeDUState><Operations xsi:type="cwmp:UninstallOpStruct"><UUID>u</UUID></Operations>` +
      `</cwmp:ChangeDUState>`,
    { ns: "urn:dslforum-org:cwmp-1-2" },
  );
  assert.deepEqual(decodeEnvelope(xml).message, {
    kind: "ChangeDUState",
    operations: [{ op: "Uninstall", uuid: "u" }],
    commandKey: "",
  });
});

Deno.test("decodeEnvelope() accepts a body just under maxBytes counted in UTF-8", () => {
  const xml = envelope("<cwmp:Reboot><CommandKey>\u00e9\u00e9</CommandKey></cwmp:Reboot>");
  const bytes = new TextEncoder().encode(xml).length;
  assert.equal(decodeEnvelope(xml, { maxBytes: bytes }).message.kind, "Reboot");
  assert.throws(() => decodeEnvelope(xml, { maxBytes: bytes - 1 }), { faultCode: 9004 });
});
