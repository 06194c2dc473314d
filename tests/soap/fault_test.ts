import assert from "node:assert/strict";
import {
  CwmpDecodeError,
  decodeEnvelope,
  encodeEnvelope,
  FAULT_STRINGS,
  faultFor,
  faultString,
  soapFaultCode,
} from "../../src/soap/mod.ts";
import { validateEnvelopes } from "../_helpers/validate_envelope.ts";
import { testNeeding } from "../_helpers/needs.ts";

/** Deno.test for the tests that drive xmllint: they skip, naming why, where it is unavailable. */
const test = testNeeding("xmllint");

Deno.test("FAULT_STRINGS has a standard string for every code 9000-9032 and 8000-8006", () => {
  for (let code = 9000; code <= 9032; code++) assert.ok(FAULT_STRINGS[code], String(code));
  for (let code = 8000; code <= 8006; code++) assert.ok(FAULT_STRINGS[code], String(code));
  assert.equal(FAULT_STRINGS[9000], "Method not supported");
  assert.equal(FAULT_STRINGS[9008], "Attempt to set a non-writable parameter");
});

Deno.test("faultString() falls back for vendor and unknown codes", () => {
  assert.equal(faultString(9005), "Invalid parameter name");
  assert.equal(faultString(9850), "Vendor fault");
  assert.equal(faultString(9500), "Unknown fault");
});

Deno.test("soapFaultCode() uses Server for 9000-9002 and 9004, Client otherwise", () => {
  assert.deepEqual(
    [9000, 9001, 9002, 9003, 9004, 9005, 9022, 8000, 8003, 8005].map(soapFaultCode),
    [
      "Server",
      "Server",
      "Server",
      "Client",
      "Server",
      "Client",
      "Client",
      "Server",
      "Client",
      "Server",
    ],
  );
});

Deno.test("faultFor() builds the Fault for a decoding error with its message", () => {
  let error: unknown;
  try {
    decodeEnvelope(
      '<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" xmlns:c="urn:dslforum-org:cwmp-1-0">' +
        '<e:Header><c:ID e:mustUnderstand="1">r7</c:ID></e:Header><e:Body><c:Frobnicate/></e:Body></e:Envelope>',
    );
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof CwmpDecodeError);
  assert.equal(error.id, "r7");
  assert.deepEqual(faultFor(error), {
    kind: "Fault",
    faultcode: "Server",
    faultstring: "CWMP fault",
    faultCode: 9000,
    faultString: 'Cannot decode "Frobnicate": unknown method',
  });
});

Deno.test("faultFor() caps a long FaultString at 256 characters", () => {
  const fault = faultFor(new CwmpDecodeError(9003, "x".repeat(300)));
  assert.equal(fault.faultString.length, 256);
  assert.equal(fault.faultcode, "Client");
});

test("faultFor() builds a SetParameterValues fault that encodes to a valid envelope", async () => {
  const fault = faultFor({
    faultCode: 9003,
    setParameterValuesFault: [{
      parameterName: "Device.DeviceInfo.UpTime",
      faultCode: 9008,
      faultString: FAULT_STRINGS[9008],
    }],
  });
  assert.deepEqual(fault, {
    kind: "Fault",
    faultcode: "Client",
    faultstring: "CWMP fault",
    faultCode: 9003,
    faultString: "Invalid arguments",
    setParameterValuesFault: [{
      parameterName: "Device.DeviceInfo.UpTime",
      faultCode: 9008,
      faultString: "Attempt to set a non-writable parameter",
    }],
  });
  const xmls = [9000, 9003, 9004, 9032, 8005].map((faultCode) =>
    encodeEnvelope({
      namespace: "urn:dslforum-org:cwmp-1-2",
      header: { id: String(faultCode) },
      message: faultFor({ faultCode }),
    })
  );
  xmls.push(
    encodeEnvelope({ namespace: "urn:dslforum-org:cwmp-1-0", header: { id: "s" }, message: fault }),
  );
  await validateEnvelopes(xmls);
});
