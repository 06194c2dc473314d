/** Error fixtures: hostile and broken bodies, each pinned to its fault code, message and ID. */
import assert from "node:assert/strict";
import { CwmpDecodeError, decodeEnvelope } from "../../src/soap/mod.ts";
import { declarations, envelope } from "./_envelope.ts";

interface ErrorCase {
  name: string;
  xml: string;
  faultCode: number;
  message: string;
  id?: string;
  maxBytes?: number;
}

const SOAP = "http://schemas.xmlsoap.org/soap/envelope/";
const LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<soap-env:Envelope ${declarations()}><soap-env:Body><cwmp:Reboot><CommandKey>&lol3;</CommandKey></cwmp:Reboot></soap-env:Body></soap-env:Envelope>`;

const CASES: ErrorCase[] = [
  {
    name: "billion laughs DOCTYPE",
    xml: LAUGHS,
    faultCode: 9003,
    message: "Cannot decode envelope: DOCTYPE is not allowed at line 2, column 1",
  },
  {
    name: "undeclared entity",
    xml: envelope("<cwmp:Reboot><CommandKey>&lol;</CommandKey></cwmp:Reboot>", { id: "e1" }),
    faultCode: 9003,
    message: 'Cannot decode envelope: undeclared entity "&lol;" at line 2, column 400',
    id: "e1",
  },
  {
    name: "external entity reference",
    xml: envelope("<cwmp:Reboot><CommandKey>&xxe;</CommandKey></cwmp:Reboot>"),
    faultCode: 9003,
    message: 'Cannot decode envelope: undeclared entity "&xxe;" at line 2, column 316',
  },
  {
    name: "bare ampersand",
    xml: envelope("<cwmp:Reboot><CommandKey>AT&T</CommandKey></cwmp:Reboot>"),
    faultCode: 9003,
    message: 'Cannot decode envelope: unescaped "&" at line 2, column 318',
  },
  {
    name: "character reference to NUL",
    xml: envelope("<cwmp:Reboot><CommandKey>&#0;</CommandKey></cwmp:Reboot>"),
    faultCode: 9003,
    message: 'Cannot decode envelope: illegal character reference "&#0;" at line 2, column 316',
  },
  {
    name: "raw control character",
    xml: envelope("<cwmp:Reboot><CommandKey>a\u0001</CommandKey></cwmp:Reboot>"),
    faultCode: 9003,
    message: "Cannot decode envelope: disallowed character U+0001 at line 2, column 317",
  },
  {
    name: "processing instruction",
    xml: envelope('<?xml-stylesheet href="x"?><cwmp:FactoryReset/>', { id: "pi" }),
    faultCode: 9003,
    message:
      'Cannot decode envelope: processing instruction "<?xml-stylesheet" is not allowed at line 2, column 375',
    id: "pi",
  },
  {
    name: "other markup declaration",
    xml: envelope('<!ENTITY x "y"><cwmp:FactoryReset/>'),
    faultCode: 9003,
    message: 'Cannot decode envelope: unexpected markup "<!ENTITY" at line 2, column 291',
  },
  {
    name: "unterminated comment",
    xml: envelope("<!-- <cwmp:FactoryReset/>"),
    faultCode: 9003,
    message: "Cannot decode envelope: unterminated comment at line 2, column 291",
  },
  {
    name: "mismatched end tag",
    xml: envelope("<cwmp:Reboot><CommandKey>k</Commandkey></cwmp:Reboot>", { id: "m1" }),
    faultCode: 9003,
    message:
      'Cannot decode envelope: mismatched end tag "</Commandkey>", expected "</CommandKey>" at line 2, column 401',
    id: "m1",
  },
  {
    name: "truncated body",
    xml: envelope("<cwmp:Reboot><CommandKey>k</CommandKey></cwmp:Reboot>").slice(0, -30),
    faultCode: 9003,
    message:
      'Cannot decode envelope: unexpected end of input: "soap-env:Body" is not closed at line 2, column 349',
  },
  {
    name: "text after the root element",
    xml: envelope("<cwmp:FactoryReset/>") + "junk",
    faultCode: 9003,
    message:
      "Cannot decode envelope: unexpected text outside the root element at line 2, column 347",
  },
  {
    name: "second root element",
    xml: envelope("<cwmp:FactoryReset/>") + "<again/>",
    faultCode: 9003,
    message:
      "Cannot decode envelope: unexpected element after the root element at line 2, column 347",
  },
  {
    name: "not XML at all",
    xml: "hello",
    faultCode: 9003,
    message: "Cannot decode envelope: unexpected text outside the root element at line 1, column 1",
  },
  {
    name: "undeclared prefix",
    xml:
      `<soap-env:Envelope xmlns:soap-env="${SOAP}"><soap-env:Body><cwmp:Reboot/></soap-env:Body></soap-env:Envelope>`,
    faultCode: 9003,
    message: 'Cannot decode envelope: undeclared namespace prefix "cwmp" at line 1, column 107',
  },
  {
    name: "root is not an Envelope",
    xml: '<?xml version="1.0"?><html><body/></html>',
    faultCode: 9003,
    message: 'Cannot decode envelope: root element "html" is not a SOAP 1.1 Envelope',
  },
  {
    name: "SOAP 1.2 envelope",
    xml: '<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>',
    faultCode: 9003,
    message: 'Cannot decode envelope: root element "e:Envelope" is not a SOAP 1.1 Envelope',
  },
  {
    name: "missing Body",
    xml:
      `<soap-env:Envelope ${declarations()}><soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">nb</cwmp:ID></soap-env:Header></soap-env:Envelope>`,
    faultCode: 9003,
    message: 'Cannot decode envelope: missing "Body"',
    id: "nb",
  },
  {
    name: "two methods in one Body",
    xml: envelope("<cwmp:FactoryReset/><cwmp:FactoryReset/>", { id: "2m" }),
    faultCode: 9003,
    message: 'Cannot decode envelope: "Body" holds 2 elements, expected 1',
    id: "2m",
  },
  {
    name: "method in a wrong namespace",
    xml: envelope('<x:Reboot xmlns:x="urn:dslforum-org:cwmp-9-9"><CommandKey/></x:Reboot>', {
      id: "ns",
    }),
    faultCode: 9003,
    message:
      'Cannot decode envelope: "Reboot" is in namespace "urn:dslforum-org:cwmp-9-9", not a CWMP namespace',
    id: "ns",
  },
  {
    name: "unknown method",
    xml: envelope("<cwmp:Frobnicate><A>1</A></cwmp:Frobnicate>", { id: "u1" }),
    faultCode: 9000,
    message: 'Cannot decode "Frobnicate": unknown method',
    id: "u1",
  },
  {
    name: "SOAP Fault as a CWMP method name",
    xml: envelope("<cwmp:Fault/>"),
    faultCode: 9000,
    message: 'Cannot decode "Fault": unknown method',
  },
  {
    name: "header that must be understood",
    xml:
      `<soap-env:Envelope ${declarations()}><soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">mu</cwmp:ID><x:Tx xmlns:x="urn:example" soap-env:mustUnderstand="1">1</x:Tx></soap-env:Header><soap-env:Body/></soap-env:Envelope>`,
    faultCode: 9003,
    message: 'Cannot decode envelope: header "x:Tx" must be understood',
    id: "mu",
  },
  {
    name: "invalid HoldRequests",
    xml:
      `<soap-env:Envelope ${declarations()}><soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">hr</cwmp:ID><cwmp:HoldRequests soap-env:mustUnderstand="1">yes</cwmp:HoldRequests></soap-env:Header><soap-env:Body/></soap-env:Envelope>`,
    faultCode: 9003,
    message: 'Cannot decode envelope: invalid boolean "yes" in "Header/HoldRequests"',
    id: "hr",
  },
  {
    name: "missing nested argument",
    xml: envelope(
      "<cwmp:Inform><DeviceId><Manufacturer>M</Manufacturer><ProductClass>P</ProductClass>" +
        "<SerialNumber>S</SerialNumber></DeviceId></cwmp:Inform>",
      { id: "i1" },
    ),
    faultCode: 9003,
    message: 'Cannot decode Inform: missing "DeviceId/OUI"',
    id: "i1",
  },
  {
    name: "missing argument",
    xml: envelope("<cwmp:SetParameterValues><ParameterKey/></cwmp:SetParameterValues>"),
    faultCode: 9003,
    message: 'Cannot decode SetParameterValues: missing "ParameterList"',
  },
  {
    name: "missing Value in a ParameterValueStruct",
    xml: envelope(
      "<cwmp:SetParameterValues><ParameterList><ParameterValueStruct><Name>A</Name>" +
        "</ParameterValueStruct></ParameterList><ParameterKey/></cwmp:SetParameterValues>",
    ),
    faultCode: 9003,
    message: 'Cannot decode SetParameterValues: missing "ParameterList/ParameterValueStruct/Value"',
  },
  {
    name: "invalid boolean argument",
    xml: envelope(
      "<cwmp:GetParameterNames><ParameterPath>Device.</ParameterPath><NextLevel>yes</NextLevel></cwmp:GetParameterNames>",
    ),
    faultCode: 9003,
    message: 'Cannot decode GetParameterNames: invalid boolean "yes" in "NextLevel"',
  },
  {
    name: "negative unsignedInt",
    xml: envelope(
      "<cwmp:ScheduleInform><DelaySeconds>-5</DelaySeconds><CommandKey/></cwmp:ScheduleInform>",
    ),
    faultCode: 9003,
    message: 'Cannot decode ScheduleInform: invalid unsignedInt "-5" in "DelaySeconds"',
  },
  {
    name: "unsignedInt out of range",
    xml: envelope(
      "<cwmp:AddObjectResponse><InstanceNumber>4294967296</InstanceNumber><Status>0</Status></cwmp:AddObjectResponse>",
    ),
    faultCode: 9003,
    message:
      'Cannot decode AddObjectResponse: invalid unsignedInt "4294967296" in "InstanceNumber"',
  },
  {
    name: "Status outside 0 and 1",
    xml: envelope("<cwmp:DeleteObjectResponse><Status>2</Status></cwmp:DeleteObjectResponse>"),
    faultCode: 9003,
    message: 'Cannot decode DeleteObjectResponse: invalid Status "2" in "Status"',
  },
  {
    name: "ChangeDUState operation without xsi:type",
    xml: envelope(
      "<cwmp:ChangeDUState><Operations><URL>u</URL></Operations></cwmp:ChangeDUState>",
      { ns: "urn:dslforum-org:cwmp-1-2" },
    ),
    faultCode: 9003,
    message: 'Cannot decode ChangeDUState: missing xsi:type on "Operations"',
  },
  {
    name: "ChangeDUState operation of an unknown type",
    xml: envelope(
      '<cwmp:ChangeDUState><Operations xsi:type="cwmp:RestartOpStruct"/></cwmp:ChangeDUState>',
      { ns: "urn:dslforum-org:cwmp-1-2" },
    ),
    faultCode: 9003,
    message:
      'Cannot decode ChangeDUState: unknown operation type "cwmp:RestartOpStruct" in "Operations"',
  },
  {
    name: "Fault without CWMP detail",
    xml: envelope(
      "<soap-env:Fault><faultcode>Server</faultcode><faultstring>oops</faultstring></soap-env:Fault>",
      { id: "fd" },
    ),
    faultCode: 9003,
    message: 'Cannot decode Fault: missing "detail/Fault"',
    id: "fd",
  },
  {
    name: "oversize body",
    xml: envelope("<cwmp:Reboot><CommandKey>" + "x".repeat(200) + "</CommandKey></cwmp:Reboot>", {
      id: "big",
    }),
    maxBytes: 256,
    faultCode: 9004,
    message: "Cannot decode envelope: body of 702 bytes exceeds the limit of 256",
    id: "big",
  },
];

for (const c of CASES) {
  Deno.test(`decodeEnvelope() rejects ${c.name}`, () => {
    let caught: unknown;
    try {
      decodeEnvelope(c.xml, c.maxBytes === undefined ? {} : { maxBytes: c.maxBytes });
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof CwmpDecodeError, `expected a CwmpDecodeError, got ${caught}`);
    assert.equal(caught.message, c.message);
    assert.equal(caught.faultCode, c.faultCode);
    assert.equal(caught.id, c.id);
    assert.equal(caught.name, "CwmpDecodeError");
  });
}

Deno.test("decodeEnvelope() rejects a 5 MiB body by default with fault 9004", () => {
  const xml = envelope(
    "<cwmp:Reboot><CommandKey>" + "x".repeat(5 * 1024 * 1024) + "</CommandKey></cwmp:Reboot>",
  );
  assert.throws(() => decodeEnvelope(xml), { faultCode: 9004 });
  assert.equal(decodeEnvelope(xml, { maxBytes: 8 * 1024 * 1024 }).message.kind, "Reboot");
});

Deno.test("decodeEnvelope() names the unknown method on the error", () => {
  try {
    decodeEnvelope(envelope("<cwmp:X_ACME_Reset/>"));
    assert.fail("no error");
  } catch (error) {
    assert.ok(error instanceof CwmpDecodeError);
    assert.equal(error.method, "X_ACME_Reset");
  }
});
