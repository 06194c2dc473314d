import assert from "node:assert/strict";
import {
  attrBytes,
  MAX_TEXT_BYTES_PER_UNIT,
  parameterAttributeStructBytes,
  parameterInfoStructBytes,
  parameterValueStructBytes,
  textBytes,
} from "../../src/soap/encoded_size.ts";
import { encodeEnvelope } from "../../src/soap/encode.ts";
import type {
  CwmpMessage,
  ParameterAttributeStruct,
  ParameterInfoStruct,
  ParameterValueStruct,
} from "../../src/soap/messages.ts";

const NS = "urn:dslforum-org:cwmp-1-2";
const utf8 = (text: string) => new TextEncoder().encode(text).length;
const envelopeBytes = (message: CwmpMessage) =>
  utf8(encodeEnvelope({ namespace: NS, header: { id: "x" }, message }));

/** Strings that exercise every escaping and UTF-8 length class. */
const SAMPLES = [
  "",
  "Device.DeviceInfo.SerialNumber",
  "a&b<c>d\"e'f",
  "tab\there\nnewline\rcr",
  "\x00\x01\x08\x0B\x0C\x1F\x7F",
  "é ß ™ € 日本",
  "😀 pair, lone \uD800 and \uDC00, swapped \uDC00\uD800",
  "\uFFFE\uFFFF\uFFFD",
  "]]>&amp;",
];

Deno.test("textBytes() and attrBytes() match what encodeEnvelope() writes", () => {
  for (const s of SAMPLES) {
    // The value's text and the type's attribute of one ParameterValueStruct.
    const base: ParameterValueStruct = { name: "N", value: "", type: "xsd:string" };
    const list = (item: ParameterValueStruct): CwmpMessage => ({
      kind: "GetParameterValuesResponse",
      parameterList: [item],
    });
    const plain = envelopeBytes(list(base));
    assert.equal(envelopeBytes(list({ ...base, value: s })) - plain, textBytes(s), `text ${s}`);
    assert.equal(
      envelopeBytes(list({ ...base, type: `xsd:string${s}` })) - plain,
      attrBytes(s),
      `attribute ${s}`,
    );
  }
});

Deno.test("MAX_TEXT_BYTES_PER_UNIT bounds textBytes() by the length", () => {
  for (const s of [...SAMPLES, "&&&&", "\r\r", "\x01", "日本", "😀😀"]) {
    assert.ok(textBytes(s) <= MAX_TEXT_BYTES_PER_UNIT * s.length, s);
  }
  assert.equal(textBytes("&\r"), MAX_TEXT_BYTES_PER_UNIT * 2);
});

Deno.test("parameter*StructBytes() give each item's exact share of the envelope", () => {
  const values: ParameterValueStruct[] = SAMPLES.map((s, i) => ({
    name: `Device.X.${i}.${s}`,
    value: s,
    type: i % 2 ? "xsd:string" : "xsd:unsignedInt",
  }));
  const infos: ParameterInfoStruct[] = SAMPLES.map((s, i) => ({
    name: `Device.${s}.`,
    writable: i % 2 === 0,
  }));
  const attributes: ParameterAttributeStruct[] = SAMPLES.map((s, i) => ({
    name: `Device.${s}`,
    notification: i % 3,
    accessList: i % 4 === 1 ? ["Subscriber"] : i % 4 === 3 ? ["Sub&scriber", "é"] : [],
  }));
  // Lists of one digit of count (9 items) against the empty list: the arrayType count
  // "[9]" and "[0]" have the same length.
  const cases: [CwmpMessage, CwmpMessage, number][] = [
    [
      { kind: "GetParameterValuesResponse", parameterList: values },
      { kind: "GetParameterValuesResponse", parameterList: [] },
      values.reduce((n, v) => n + parameterValueStructBytes(v), 0),
    ],
    [
      { kind: "GetParameterNamesResponse", parameterList: infos },
      { kind: "GetParameterNamesResponse", parameterList: [] },
      infos.reduce((n, v) => n + parameterInfoStructBytes(v), 0),
    ],
    [
      { kind: "GetParameterAttributesResponse", parameterList: attributes },
      { kind: "GetParameterAttributesResponse", parameterList: [] },
      attributes.reduce((n, v) => n + parameterAttributeStructBytes(v), 0),
    ],
  ];
  assert.equal(SAMPLES.length, 9);
  for (const [full, empty, sum] of cases) {
    assert.equal(envelopeBytes(full) - envelopeBytes(empty), sum, full.kind);
  }
});
