/**
 * One table of the fault codes the parameter RPCs answer (TR-069 Annex A,
 * CWMP-FACTS §6), each with the exact request that causes it, through the dispatcher.
 * 9009 (SetParameterAttributes) is tested with the attribute RPCs.
 */
import assert from "node:assert/strict";
import { addObject } from "../../src/rpc/add_object.ts";
import { deleteObject } from "../../src/rpc/delete_object.ts";
import { createDispatcher } from "../../src/rpc/dispatch.ts";
import type { CpeRequest } from "../../src/soap/messages.ts";
import { engineFixture } from "../datamodel/_engine_fixture.ts";

interface Row {
  request: CpeRequest;
  faultCode: number;
  /** SetParameterValuesFault codes, for SPV. */
  parameterCodes?: number[];
}

const LONG_KEY = "k".repeat(33);
const spv = (name: string, value: string, type = "xsd:string", parameterKey = ""): CpeRequest => ({
  kind: "SetParameterValues",
  parameterList: [{ name, value, type }],
  parameterKey,
});

const TABLE: Row[] = [
  // GetParameterValues
  { request: { kind: "GetParameterValues", parameterNames: ["Device.Nope."] }, faultCode: 9005 },
  { request: { kind: "GetParameterValues", parameterNames: ["Device..UpTime"] }, faultCode: 9005 },
  {
    request: { kind: "GetParameterValues", parameterNames: ["Device.Hosts.Host.9."] },
    faultCode: 9005,
  },
  // GetParameterNames
  {
    request: {
      kind: "GetParameterNames",
      parameterPath: "Device.DeviceInfo.UpTime",
      nextLevel: true,
    },
    faultCode: 9003,
  },
  {
    request: { kind: "GetParameterNames", parameterPath: "Device.Nope.", nextLevel: false },
    faultCode: 9005,
  },
  // SetParameterValues: 9003 wrapping the per-parameter codes
  { request: spv("Device.DeviceInfo.Nope", "x"), faultCode: 9003, parameterCodes: [9005] },
  {
    request: spv("Device.ManagementServer.PeriodicInformInterval", "60", "xsd:boolean"),
    faultCode: 9003,
    parameterCodes: [9006],
  },
  {
    request: spv("Device.ManagementServer.PeriodicInformInterval", "0", "xsd:unsignedInt"),
    faultCode: 9003,
    parameterCodes: [9007],
  },
  {
    request: spv("Device.DeviceInfo.UpTime", "5", "xsd:unsignedInt"),
    faultCode: 9003,
    parameterCodes: [9008],
  },
  {
    request: spv("Device.DeviceInfo.ProvisioningCode", "x", "xsd:string", LONG_KEY),
    faultCode: 9003,
  },
  // AddObject
  {
    request: { kind: "AddObject", objectName: "Device.Hosts.Host.", parameterKey: "" },
    faultCode: 9005,
  },
  {
    request: { kind: "AddObject", objectName: "Device.DeviceInfo.", parameterKey: "" },
    faultCode: 9005,
  },
  {
    request: { kind: "AddObject", objectName: "Device.Hosts.AccessControl", parameterKey: "" },
    faultCode: 9005,
  },
  {
    request: { kind: "AddObject", objectName: "Device.Nope.", parameterKey: "" },
    faultCode: 9005,
  },
  {
    request: {
      kind: "AddObject",
      objectName: "Device.Ghn.Interface.1.SMMaskedBand.",
      parameterKey: "",
    },
    faultCode: 9004,
  },
  {
    request: {
      kind: "AddObject",
      objectName: "Device.Hosts.AccessControl.",
      parameterKey: LONG_KEY,
    },
    faultCode: 9003,
  },
  // DeleteObject
  {
    request: {
      kind: "DeleteObject",
      objectName: "Device.Hosts.AccessControl.9.",
      parameterKey: "",
    },
    faultCode: 9005,
  },
  {
    request: { kind: "DeleteObject", objectName: "Device.Hosts.AccessControl.", parameterKey: "" },
    faultCode: 9005,
  },
  {
    request: { kind: "DeleteObject", objectName: "Device.Hosts.Host.1.", parameterKey: "" },
    faultCode: 9005,
  },
  {
    request: { kind: "DeleteObject", objectName: "Device.Hosts.Host.1.", parameterKey: LONG_KEY },
    faultCode: 9003,
  },
];

for (const row of TABLE) {
  const label = `${row.request.kind} ${JSON.stringify(row.request).slice(0, 90)}`;
  Deno.test(`createDispatcher() faults ${row.faultCode} for ${label}`, async () => {
    const { model, persisted, store } = engineFixture();
    persisted.load(
      "Device.Ghn.Interface.1.SMMaskedBand.",
      Array.from({ length: 32 }, (_, i) => i + 1),
    );
    const dispatcher = createDispatcher({
      model,
      handlers: {
        AddObject: (request, context) => addObject(context.model, request),
        DeleteObject: (request, context) => deleteObject(context.model, request),
      },
    });
    const response = await dispatcher.dispatch(row.request);
    assert.equal(response.kind, "Fault");
    if (response.kind !== "Fault") return;
    assert.equal(response.faultCode, row.faultCode);
    assert.deepEqual(
      response.setParameterValuesFault?.map((f) => f.faultCode),
      row.parameterCodes,
    );
    assert.equal(store.settings.parameterKey, "", "a faulted call never sets ParameterKey");
  });
}
