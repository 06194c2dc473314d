/**
 * Well-formedness (XML 1.0 fatal errors, Namespaces in XML): each bad input is one real
 * SetParameterValues envelope broken in exactly one way, and must be a 9003
 * CwmpDecodeError with its pinned message and the request's cwmp:ID, so the session
 * answers it with a fault and changes nothing. The good inputs are edge cases that must
 * still decode, to the values pinned here.
 */
import assert from "node:assert/strict";
import {
  CwmpDecodeError,
  decodeEnvelope,
  faultFor,
  type SetParameterValues,
} from "../../src/soap/mod.ts";
import { declarations } from "./_envelope.ts";

const DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';
const SOAP = "http://schemas.xmlsoap.org/soap/envelope/";
const CWMP = "urn:dslforum-org:cwmp-1-0";
const OPEN = `<soap-env:Envelope ${declarations()}>` +
  '<soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">spv-1</cwmp:ID></soap-env:Header>' +
  "<soap-env:Body>";
const METHOD = "<cwmp:SetParameterValues><ParameterList " +
  'soap-enc:arrayType="cwmp:ParameterValueStruct[1]"><ParameterValueStruct>' +
  "<Name>Device.DeviceInfo.ProvisioningCode</Name>" +
  '<Value xsi:type="xsd:string">LAN.1</Value></ParameterValueStruct></ParameterList>' +
  "<ParameterKey>key-1</ParameterKey></cwmp:SetParameterValues>";
const CLOSE = "</soap-env:Body></soap-env:Envelope>";
/** The well-formed SetParameterValues every bad case breaks. */
const SPV = DECL + OPEN + METHOD + CLOSE;

/** `SPV` with the one occurrence of `from` replaced by `to`. */
function spv(from: string, to: string): string {
  const at = SPV.indexOf(from);
  assert.ok(at >= 0 && SPV.indexOf(from, at + 1) < 0, `"${from}" must occur once`);
  return SPV.slice(0, at) + to + SPV.slice(at + from.length);
}

const VALUE = ">LAN.1<";
const VALUE_TAG = '<Value xsi:type="xsd:string">';

interface BadCase {
  name: string;
  body: string | Uint8Array;
  message: string;
  /** The cwmp:ID the fault echoes; "spv-1" unless said. */
  id?: string;
}

const BAD: BadCase[] = [
  // ---------------------------------------------------------------- characters
  {
    name: "a NUL character",
    body: spv(VALUE, ">LAN\u00001<"),
    message: "disallowed character U+0000 at line 2, column 569",
  },
  {
    name: "a U+0008 character",
    body: spv(VALUE, ">LAN\u00081<"),
    message: "disallowed character U+0008 at line 2, column 569",
  },
  {
    name: "a U+FFFE character",
    body: spv(VALUE, ">LAN\uFFFE1<"),
    message: "disallowed character U+FFFE at line 2, column 569",
  },
  {
    name: "a U+FFFF character",
    body: spv(VALUE, ">LAN\uFFFF1<"),
    message: "disallowed character U+FFFF at line 2, column 569",
  },
  {
    name: "a lone high surrogate",
    body: spv(VALUE, ">LAN\uD8001<"),
    message: "disallowed character U+D800 at line 2, column 569",
  },
  {
    name: "a lone low surrogate",
    body: spv(VALUE, ">LAN\uDC001<"),
    message: "disallowed character U+DC00 at line 2, column 569",
  },
  {
    name: "a control character in an attribute value",
    body: spv(VALUE_TAG, '<Value xsi:type="xsd:\u0001string">'),
    message: "disallowed character U+0001 at line 2, column 558",
  },
  {
    name: "a character reference to NUL",
    body: spv(VALUE, ">&#0;<"),
    message: 'illegal character reference "&#0;" at line 2, column 566',
  },
  {
    name: "a character reference to U+0008",
    body: spv(VALUE, ">&#x8;<"),
    message: 'illegal character reference "&#x8;" at line 2, column 566',
  },
  {
    name: "a character reference to U+FFFE",
    body: spv(VALUE, ">&#xFFFE;<"),
    message: 'illegal character reference "&#xFFFE;" at line 2, column 566',
  },
  {
    name: "a character reference to a surrogate",
    body: spv(VALUE, ">&#xD800;<"),
    message: 'illegal character reference "&#xD800;" at line 2, column 566',
  },
  {
    name: "a character reference above U+10FFFF",
    body: spv(VALUE, ">&#x110000;<"),
    message: 'illegal character reference "&#x110000;" at line 2, column 566',
  },
  {
    name: "a character reference to NUL in an attribute value",
    body: spv(VALUE_TAG, '<Value xsi:type="&#0;">'),
    message: 'illegal character reference "&#0;" at line 2, column 554',
  },
  // ---------------------------------------------------------------- references
  {
    name: "a bare ampersand",
    body: spv(VALUE, ">AT&T<"),
    message: 'unescaped "&" at line 2, column 568',
  },
  {
    name: "a bare ampersand in an attribute value",
    body: spv(VALUE_TAG, '<Value xsi:type="a&b">'),
    message: 'unescaped "&" at line 2, column 555',
  },
  {
    name: "an unknown entity reference",
    body: spv(VALUE, ">&lol;<"),
    message: 'undeclared entity "&lol;" at line 2, column 566',
  },
  {
    name: "a malformed character reference",
    body: spv(VALUE, ">&#x;<"),
    message: 'unescaped "&" at line 2, column 566',
  },
  // ---------------------------------------------------------------- names and attributes
  {
    name: "a comment inside a tag name",
    body: spv("<cwmp:SetParameterValues>", "<cwmp:SetParameter<!-- x -->Values>"),
    message: "disallowed character in tag name at line 2, column 396",
  },
  {
    name: "a comment inside an end tag name",
    body: spv("</cwmp:SetParameterValues>", "</cwmp:SetParameter<!-- x -->Values>"),
    message: "disallowed character in closing tag at line 2, column 671",
  },
  {
    name: '"<" inside an attribute value',
    body: spv(VALUE_TAG, '<Value xsi:type="xsd:<string">'),
    message: 'disallowed character "<" at line 2, column 558',
  },
  {
    name: "an attribute name starting with a digit",
    body: spv(VALUE_TAG, '<Value 1a="x" xsi:type="xsd:string">'),
    message: "disallowed character in attribute name at line 2, column 544",
  },
  {
    name: "an attribute name with a character outside NameChar",
    body: spv(VALUE_TAG, '<Value a$b="x" xsi:type="xsd:string">'),
    message: "disallowed character in attribute name at line 2, column 545",
  },
  {
    name: "an element name starting with a digit",
    body: spv("<Name>Device.DeviceInfo.ProvisioningCode</Name>", "<1Name>x</1Name>"),
    message: "disallowed character in tag name at line 2, column 491",
  },
  {
    name: "an element name with an empty prefix",
    body: spv("<ParameterKey>key-1</ParameterKey>", "<:ParameterKey>key-1</:ParameterKey>"),
    message: 'malformed name ":ParameterKey" at line 2, column 632',
  },
  {
    name: "an element name with two colons",
    body: spv("<ParameterKey>key-1</ParameterKey>", "<cwmp:a:b>key-1</cwmp:a:b>"),
    message: 'malformed name "cwmp:a:b" at line 2, column 627',
  },
  {
    name: "a duplicate attribute",
    body: spv(VALUE_TAG, '<Value xsi:type="xsd:string" xsi:type="xsd:int">'),
    message: 'duplicate attribute "{http://www.w3.org/2001/XMLSchema-instance}type" ' +
      "at line 2, column 584",
  },
  {
    name: "a duplicate attribute after namespace expansion",
    body: spv(
      VALUE_TAG,
      '<Value xmlns:p="urn:x" xmlns:q="urn:x" p:a="1" q:a="2" xsi:type="xsd:string">',
    ),
    message: 'duplicate attribute "{urn:x}a" at line 2, column 613',
  },
  {
    name: "an attribute without a value",
    body: spv(VALUE_TAG, '<Value checked xsi:type="xsd:string">'),
    message: "attribute without value at line 2, column 552",
  },
  {
    name: "an unquoted attribute value",
    body: spv(VALUE_TAG, '<Value a=1 xsi:type="xsd:string">'),
    message: "unquoted attribute value at line 2, column 546",
  },
  {
    name: "attributes without whitespace between them",
    body: spv(VALUE_TAG, '<Value a="1"xsi:type="xsd:string">'),
    message: "no whitespace between attributes at line 2, column 549",
  },
  {
    name: "an attribute on an end tag",
    body: spv("</ParameterKey>", '</ParameterKey a="1">'),
    message: "disallowed character in closing tag at line 2, column 652",
  },
  // ---------------------------------------------------------------- namespaces
  {
    name: "an unbound element prefix",
    body: spv("<ParameterKey>key-1</ParameterKey>", "<zz:ParameterKey>key-1</zz:ParameterKey>"),
    message: 'undeclared namespace prefix "zz" at line 2, column 634',
  },
  {
    name: "an unbound attribute prefix",
    body: spv(VALUE_TAG, '<Value zz:a="1" xsi:type="xsd:string">'),
    message: 'undeclared namespace prefix "zz" at line 2, column 574',
  },
  {
    name: "a prefix that is only undeclared in XML 1.1",
    body: spv(VALUE_TAG, '<Value xmlns:p="" xsi:type="xsd:string">'),
    message: "invalid attempt to undefine prefix in XML 1.0 at line 2, column 553",
  },
  {
    name: "the xml prefix bound to another namespace",
    body: spv(VALUE_TAG, '<Value xmlns:xml="urn:x" xsi:type="xsd:string">'),
    message:
      "xml prefix must be bound to http://www.w3.org/XML/1998/namespace at line 2, column 560",
  },
  // ---------------------------------------------------------------- XML declaration
  {
    name: 'a version "1*0"',
    body: spv('version="1.0"', 'version="1*0"'),
    message: "version number must match /^1\\.[0-9]+$/ at line 1, column 19",
  },
  {
    name: 'a version "2.0"',
    body: spv('version="1.0"', 'version="2.0"'),
    message: "version number must match /^1\\.[0-9]+$/ at line 1, column 19",
  },
  {
    name: "a declaration without a version",
    body: spv('version="1.0" ', ""),
    message: "expected one of version at line 1, column 15",
  },
  {
    name: "a malformed encoding name",
    body: spv('encoding="UTF-8"', 'encoding="-UTF"'),
    message: "encoding value must match /^[A-Za-z][A-Za-z0-9._-]*$/ at line 1, column 35",
  },
  {
    name: 'a standalone other than "yes" or "no"',
    body: spv('encoding="UTF-8"', 'encoding="UTF-8" standalone="maybe"'),
    message: 'standalone value must match "yes" or "no" at line 1, column 55',
  },
  {
    name: "whitespace before the declaration",
    body: "\n" + SPV,
    message: "an XML declaration must be at the start of the document at line 2, column 1",
  },
  {
    name: "a second declaration",
    body: spv(DECL, DECL + DECL),
    message: "an XML declaration must be at the start of the document at line 2, column 1",
  },
  {
    name: 'a processing instruction with target "XmL" in the body',
    body: spv("<soap-env:Body>", '<soap-env:Body><?XmL version="1.0"?>'),
    message: "an XML declaration must be at the start of the document at line 2, column 378",
  },
  {
    name: "a processing instruction",
    body: spv("<soap-env:Body>", '<soap-env:Body><?xml-stylesheet href="x"?>'),
    message: 'processing instruction "<?xml-stylesheet" is not allowed at line 2, column 378',
  },
  // ---------------------------------------------------------------- structure
  {
    name: "a mismatched end tag",
    body: spv("</ParameterKey>", "</Parameterkey>"),
    message: 'mismatched end tag "</Parameterkey>", expected "</ParameterKey>" ' +
      "at line 2, column 637",
  },
  {
    name: "an element left open",
    body: spv("</soap-env:Envelope>", ""),
    message: 'unexpected end of input: "soap-env:Envelope" is not closed at line 2, column 693',
  },
  {
    name: "text after the root element",
    body: SPV + "junk",
    message: "unexpected text outside the root element at line 2, column 714",
  },
  {
    name: "a second element after the root element",
    body: SPV + "<again/>",
    message: "unexpected element after the root element at line 2, column 714",
  },
  {
    name: "CDATA after the root element",
    body: SPV + "<![CDATA[x]]>",
    message: "unexpected text outside the root element at line 2, column 714",
  },
  {
    name: "no root element",
    body: DECL + "<!-- only a comment -->",
    message: "no root element at line 2, column 23",
    id: undefined,
  },
  {
    name: "an unterminated comment",
    body: spv("<ParameterKey>", "<!-- <ParameterKey>"),
    message: "unterminated comment at line 2, column 618",
  },
  {
    name: "an unterminated CDATA section",
    body: spv(VALUE, "><![CDATA[LAN.1<"),
    message: "unterminated CDATA section at line 2, column 566",
  },
  {
    name: "an unterminated processing instruction",
    body: spv("<soap-env:Body>", "<soap-env:Body><?pi "),
    message: "unterminated processing instruction at line 2, column 378",
  },
  {
    name: '"--" inside a comment',
    body: spv("<ParameterKey>", "<!-- a -- b --><ParameterKey>"),
    message: "malformed comment at line 2, column 627",
  },
  {
    name: 'a comment ending in "--->"',
    body: spv("<ParameterKey>", "<!-- a ---><ParameterKey>"),
    message: "malformed comment at line 2, column 627",
  },
  {
    name: '"]]>" in text',
    body: spv(VALUE, ">LAN]]>1<"),
    message: 'the string "]]>" is disallowed in char data at line 2, column 569',
  },
  {
    name: '"<" in text',
    body: spv(VALUE, ">LAN < 1<"),
    message: "disallowed character in tag name at line 2, column 571",
  },
  {
    name: "a DOCTYPE",
    body: spv(DECL, DECL + "<!DOCTYPE soap-env:Envelope>"),
    message: "DOCTYPE is not allowed at line 2, column 1",
  },
  {
    name: "a DOCTYPE with an internal subset",
    body: spv(DECL, DECL + '<!DOCTYPE e [<!ENTITY x "Device.">]>'),
    message: "DOCTYPE is not allowed at line 2, column 1",
  },
  {
    name: "a markup declaration in the body",
    body: spv("<soap-env:Body>", '<soap-env:Body><!ENTITY x "y">'),
    message: 'unexpected markup "<!ENTITY" at line 2, column 378',
  },
];

/** `SPV` as bytes with `bytes` in place of the value "LAN.1". */
function spvBytes(bytes: number[]): Uint8Array {
  const [head, tail] = SPV.split("LAN.1").map((s) => new TextEncoder().encode(s));
  return new Uint8Array([...head, ...bytes, ...tail]);
}

const VALUE_OFFSET = new TextEncoder().encode(SPV.slice(0, SPV.indexOf("LAN.1"))).length;

const BAD_UTF8: [string, number[]][] = [
  ["a lone byte 0xFF", [0x4c, 0xff, 0x31]],
  ["a lone continuation byte", [0x4c, 0x80, 0x31]],
  ["an overlong encoding of '/'", [0x4c, 0xc0, 0xaf]],
  ["a truncated 3-byte sequence", [0x4c, 0xe2, 0x82, 0x31]],
  ["an encoded surrogate (CESU-8)", [0x4c, 0xed, 0xa0, 0x80]],
  ["a code point above U+10FFFF", [0x4c, 0xf4, 0x90, 0x80, 0x80]],
];
for (const [name, bytes] of BAD_UTF8) {
  BAD.push({
    name: `bytes that are not UTF-8: ${name}`,
    body: spvBytes(bytes),
    message: `invalid UTF-8 at byte ${VALUE_OFFSET + 1}`,
  });
}

for (const c of BAD) {
  Deno.test(`decodeEnvelope() rejects ${c.name} with fault 9003`, () => {
    let caught: unknown;
    try {
      decodeEnvelope(c.body);
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof CwmpDecodeError, `expected a CwmpDecodeError, got ${caught}`);
    assert.equal(caught.message, `Cannot decode envelope: ${c.message}`);
    assert.equal(caught.faultCode, 9003);
    assert.equal(caught.id, "id" in c ? c.id : "spv-1");
    const fault = faultFor(caught);
    assert.deepEqual([fault.faultcode, fault.faultCode], ["Client", 9003]);
    assert.equal(fault.faultString, caught.message);
  });
}

Deno.test("decodeEnvelope() reports the first of two errors", () => {
  const xml = spv(VALUE, ">AT&T<").replace("</ParameterKey>", "</Parameterkey>");
  assert.throws(() => decodeEnvelope(xml), {
    message: 'Cannot decode envelope: unescaped "&" at line 2, column 568',
  });
});

Deno.test("decodeEnvelope() rejects a lone surrogate that saxes would pair with the next character", () => {
  // saxes 6 reads "\uD800a" as one code point (U+0461) and would accept it.
  assert.throws(() => decodeEnvelope(spv(VALUE, ">\uD800a<")), {
    message: "Cannot decode envelope: disallowed character U+D800 at line 2, column 566",
  });
});

Deno.test("decodeEnvelope() never resolves a prefix or entity to an Object.prototype member", () => {
  assert.throws(
    () =>
      decodeEnvelope(spv("<ParameterKey>key-1</ParameterKey>", "<constructor:K>k</constructor:K>")),
    {
      message:
        'Cannot decode envelope: undeclared namespace prefix "constructor" at line 2, column 632',
    },
  );
  assert.throws(() => decodeEnvelope(spv(VALUE, ">&toString;<")), {
    message: 'Cannot decode envelope: undeclared entity "&toString;" at line 2, column 566',
  });
});

Deno.test("decodeEnvelope() checks the size of a byte body before decoding it", () => {
  const bytes = new TextEncoder().encode(SPV);
  assert.throws(() => decodeEnvelope(bytes, { maxBytes: 100 }), {
    faultCode: 9004,
    id: "spv-1",
    message: `Cannot decode envelope: body of ${bytes.length} bytes exceeds the limit of 100`,
  });
});

// ---------------------------------------------------------------- well-formed edge cases

/** The SetParameterValues `body` decodes to. */
function decodeSpv(body: string | Uint8Array): SetParameterValues {
  const envelope = decodeEnvelope(body);
  assert.equal(envelope.message.kind, "SetParameterValues");
  return envelope.message as SetParameterValues;
}

/** The one Value `body` decodes to. */
function valueOf(body: string | Uint8Array): string {
  return decodeSpv(body).parameterList[0].value;
}

Deno.test("decodeEnvelope() reads the unbroken SetParameterValues", () => {
  assert.deepEqual(decodeEnvelope(SPV), {
    namespace: CWMP,
    header: { id: "spv-1" },
    message: {
      kind: "SetParameterValues",
      parameterList: [{
        name: "Device.DeviceInfo.ProvisioningCode",
        value: "LAN.1",
        type: "xsd:string",
      }],
      parameterKey: "key-1",
    },
  });
  assert.deepEqual(decodeEnvelope(new TextEncoder().encode(SPV)), decodeEnvelope(SPV));
});

Deno.test("decodeEnvelope() reads CDATA sections as text", () => {
  assert.equal(valueOf(spv(VALUE, "><![CDATA[<a&b>]]]]><![CDATA[>]]><")), "<a&b>]]>");
  assert.equal(valueOf(spv(VALUE, ">LAN<![CDATA[.]]>1<")), "LAN.1");
});

Deno.test("decodeEnvelope() reads the predefined entities and character references", () => {
  assert.equal(
    valueOf(spv(VALUE, ">&lt;&amp;&gt;&quot;&apos;&#65;&#x42;&#x1F600;&#9;&#xD;<")),
    "<&>\"'AB\u{1F600}\t\r",
  );
  assert.equal(valueOf(spv(VALUE_TAG, '<Value xsi:type="xsd:&#x73;tring">')), "LAN.1");
});

Deno.test("decodeEnvelope() skips comments between and inside elements", () => {
  const body = spv("<soap-env:Body>", "<!-- a - b --><soap-env:Body><!---->")
    .replace(VALUE, "><!-- & < -->LAN<!-- x -->.1<");
  assert.equal(
    valueOf(DECL + "<!-- before -->\n" + body.slice(DECL.length) + "\n<!-- after -->\n"),
    "LAN.1",
  );
});

Deno.test("decodeEnvelope() reads '>' and quotes inside quoted attribute values", () => {
  const body = spv(VALUE_TAG, `<Value a="x>y" b='say "hi"' c="it's" xsi:type='xsd:string'>`);
  assert.deepEqual(decodeSpv(body).parameterList[0], {
    name: "Device.DeviceInfo.ProvisioningCode",
    value: "LAN.1",
    type: "xsd:string",
  });
});

Deno.test("decodeEnvelope() reads UTF-8 multibyte text from a string and from bytes", () => {
  const text = "héllo € 日本 \u{1F600}";
  const body = spv(VALUE, `>${text}<`);
  assert.equal(valueOf(body), text);
  assert.equal(valueOf(new TextEncoder().encode(body)), text);
  const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(body)]);
  assert.equal(valueOf(bom), text);
  assert.equal(valueOf("\uFEFF" + body), text);
});

Deno.test("decodeEnvelope() resolves default namespaces and prefixes redeclared inside", () => {
  const defaults = `<Envelope xmlns="${SOAP}"><Header><ID xmlns="${CWMP}">d1</ID></Header><Body>` +
    `<SetParameterValues xmlns="urn:dslforum-org:cwmp-1-2"><ParameterList><ParameterValueStruct>` +
    "<Name>A</Name><Value>v</Value></ParameterValueStruct></ParameterList>" +
    "<ParameterKey/></SetParameterValues></Body></Envelope>";
  const decoded = decodeEnvelope(defaults);
  assert.equal(decoded.namespace, "urn:dslforum-org:cwmp-1-2");
  assert.equal(decoded.header.id, "d1");

  // cwmp rebound to 1-2 on the method, xsd rebound to another prefix's URI inside.
  const rebound = spv(
    "<cwmp:SetParameterValues>",
    '<cwmp:SetParameterValues xmlns:cwmp="urn:dslforum-org:cwmp-1-2">',
  )
    .replace(
      VALUE_TAG,
      '<Value xmlns:xsd="urn:not-schema" xmlns:s="http://www.w3.org/2001/XMLSchema" xsi:type="s:int">',
    );
  const envelope = decodeEnvelope(rebound);
  assert.equal(envelope.namespace, "urn:dslforum-org:cwmp-1-2");
  assert.equal((envelope.message as SetParameterValues).parameterList[0].type, "xsd:int");
});

Deno.test("decodeEnvelope() accepts the XML declaration's other spellings", () => {
  const decls = [
    "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n",
    '<?xml version="1.0"?>',
    '<?xml version="1.1" encoding="UTF-8"?>', // read as XML 1.0 (XML 1.0 §2.8)
    "",
  ];
  for (const decl of decls) assert.equal(valueOf(spv(DECL, decl)), "LAN.1", decl);
});

Deno.test("decodeEnvelope() normalises line ends and attribute whitespace (XML 1.0 §2.11, §3.3.3)", () => {
  assert.equal(valueOf(spv(VALUE, ">a\r\nb\rc<")), "a\nb\nc");
  const body = spv(VALUE_TAG, '<Value xsi:type="\txsd:string\n">');
  assert.equal(decodeSpv(body).parameterList[0].type, "xsd:string");
});

Deno.test("decodeEnvelope() accepts whitespace inside end tags and around the root", () => {
  const body = spv("</ParameterKey>", "</ParameterKey \n>");
  assert.equal(decodeSpv(" \n" + body.slice(DECL.length) + "\n\t").parameterKey, "key-1");
});

Deno.test("decodeEnvelope() lets GenieACS's soap-env:Body:Fault through once, no other such name", () => {
  const fault = (name: string, end = name) =>
    DECL + OPEN + `<${name}><faultcode>Server</faultcode><faultstring>CWMP fault</faultstring>` +
    "<detail><cwmp:Fault><FaultCode>8000</FaultCode><FaultString>Method not supported" +
    `</FaultString></cwmp:Fault></detail></${end}>` + CLOSE;
  assert.deepEqual(decodeEnvelope(fault("soap-env:Body:Fault")).message, {
    kind: "Fault",
    faultcode: "Server",
    faultstring: "CWMP fault",
    faultCode: 8000,
    faultString: "Method not supported",
  });
  // Any other name with two colons stays an error; so does a second Body:Fault, or one
  // whose end tag does not match. With another prefix it is read, then is no method.
  const rejected: [string, number, string][] = [
    [
      fault("soap-env:Body:Faults"),
      9003,
      'Cannot decode envelope: malformed name "soap-env:Body:Faults" at line 2, column 399',
    ],
    [
      fault("soap-env:Body:Fault", "soap-env:Body:Faul"),
      9003,
      'Cannot decode envelope: mismatched end tag "</soap-env:Body:Faul>", ' +
      'expected "</soap-env:Body:Fault>" at line 2, column 581',
    ],
    [
      fault("soap-env:Body:Fault").replace("<detail>", "<soap-env:Body:Fault/><detail>"),
      9003,
      'Cannot decode envelope: malformed name "soap-env:Body:Fault" at line 2, column 486',
    ],
    [fault("cwmp:Body:Fault"), 9000, 'Cannot decode "Body:Fault": unknown method'],
  ];
  for (const [xml, faultCode, message] of rejected) {
    assert.throws(() => decodeEnvelope(xml), { faultCode, message });
  }
});

Deno.test("decodeEnvelope() accepts 32 levels of elements and refuses 33 with fault 9004", () => {
  // Envelope, Body, Reboot and CommandKey are 4 levels.
  const nested = (levels: number) =>
    DECL + OPEN.replace("spv-1", "deep-1") + "<cwmp:Reboot><CommandKey>k" +
    "<a>".repeat(levels - 4) + "</a>".repeat(levels - 4) + "</CommandKey></cwmp:Reboot>" + CLOSE;
  assert.deepEqual(decodeEnvelope(nested(32)).message, { kind: "Reboot", commandKey: "k" });
  assert.throws(() => decodeEnvelope(nested(33)), {
    faultCode: 9004,
    id: "deep-1",
    message: "Cannot decode envelope: elements nested deeper than 32 levels at line 2, column 491",
  });
  // 400,000 levels: refused at the 33rd, so the rest is never read.
  assert.throws(() => decodeEnvelope(nested(400_000)), { faultCode: 9004 });
});

Deno.test("decodeEnvelope() words a late bad '&' after many comments in one pass", () => {
  const comments = "<!-- & -->".repeat(100_000);
  assert.throws(() => decodeEnvelope(spv(VALUE, `>${comments}AT&T<`)), {
    faultCode: 9003,
    message: 'Cannot decode envelope: unescaped "&" at line 2, column 1000568',
  });
});
