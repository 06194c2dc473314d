/**
 * The hot path at full size: a 10,000-parameter GetParameterValuesResponse (~2 MB).
 * Its speed is measured by `deno task bench`, not here.
 */
import assert from "node:assert/strict";
import {
  decodeEnvelope,
  encodeEnvelope,
  type Envelope,
  type ParameterValueStruct,
} from "../../src/soap/mod.ts";

const TYPES = ["xsd:string", "xsd:unsignedInt", "xsd:boolean", "xsd:dateTime"];

function bigResponse(): Envelope {
  const parameterList: ParameterValueStruct[] = [];
  for (let i = 0; i < 10_000; i++) {
    parameterList.push({
      name: `Device.Hosts.Host.${i}.X_EXAMPLE_VendorSpecificParameterName`,
      value: i % 7 === 0 ? `Value & <escaped> ${i}` : `value-${i}-${"v".repeat(40)}`,
      type: TYPES[i % 4],
    });
  }
  return {
    namespace: "urn:dslforum-org:cwmp-1-0",
    header: { id: "perf" },
    message: { kind: "GetParameterValuesResponse", parameterList },
  };
}

Deno.test("encodeEnvelope() and decodeEnvelope() round-trip 10,000 parameters", () => {
  const value = bigResponse();
  const xml = encodeEnvelope(value);
  assert.ok(xml.length > 1_000_000, `only ${xml.length} characters`);
  assert.deepEqual(decodeEnvelope(xml), value);
});
