import assert from "node:assert/strict";
import type { CpeRequest, Fault, SetParameterValuesFaultStruct } from "../../src/soap/messages.ts";
import { createDispatcher, toFault } from "../../src/rpc/dispatch.ts";
import { CwmpFault, RequestDeniedError } from "../../src/rpc/errors.ts";
import { sliceFixture } from "./_slice_fixture.ts";

const MS = "Device.ManagementServer.";

interface FaultCase {
  why: string;
  request: CpeRequest;
  faultcode: "Client" | "Server";
  faultCode: number;
  faultString: string;
  list?: SetParameterValuesFaultStruct[];
}

const spv = (name: string, value: string, type: string): CpeRequest => ({
  kind: "SetParameterValues",
  parameterList: [{ name, value, type }],
  parameterKey: "should-not-stick",
});

const CASES: FaultCase[] = [
  {
    why: "9000 for a method with no handler",
    request: { kind: "SetVouchers", voucherList: [] },
    faultcode: "Server",
    faultCode: 9000,
    faultString: 'Method not supported: "SetVouchers"',
  },
  {
    why: "9003 for GPN with a parameter name and NextLevel true",
    request: { kind: "GetParameterNames", parameterPath: `${MS}URL`, nextLevel: true },
    faultcode: "Client",
    faultCode: 9003,
    faultString: `NextLevel true needs a partial path, not a parameter: "${MS}URL"`,
  },
  {
    why: "9003 for the same parameter twice in one SPV",
    request: {
      kind: "SetParameterValues",
      parameterList: [
        { name: `${MS}Username`, value: "a", type: "xsd:string" },
        { name: `${MS}Username`, value: "b", type: "xsd:string" },
      ],
      parameterKey: "k",
    },
    faultcode: "Client",
    faultCode: 9003,
    faultString: `Parameter appears more than once: "${MS}Username"`,
  },
  {
    why: "9005 for GPV of an unknown name",
    request: { kind: "GetParameterValues", parameterNames: ["Device.DeviceInfo.Nope"] },
    faultcode: "Client",
    faultCode: 9005,
    faultString: 'Invalid parameter name: "Device.DeviceInfo.Nope"',
  },
  {
    why: "9005 for GPN of an unknown path",
    request: { kind: "GetParameterNames", parameterPath: "Device.Nope.", nextLevel: false },
    faultcode: "Client",
    faultCode: 9005,
    faultString: 'Invalid parameter name: "Device.Nope."',
  },
  {
    why: "9003 + 9005 for SPV of an unknown name",
    request: spv(`${MS}Nope`, "1", "xsd:string"),
    faultcode: "Client",
    faultCode: 9003,
    faultString: "Cannot set 1 parameter",
    list: [{
      parameterName: `${MS}Nope`,
      faultCode: 9005,
      faultString: `Invalid parameter name: "${MS}Nope"`,
    }],
  },
  {
    why: "9003 + 9006 for SPV with a wrong xsi:type",
    request: spv(`${MS}PeriodicInformInterval`, "true", "xsd:boolean"),
    faultcode: "Client",
    faultCode: 9003,
    faultString: "Cannot set 1 parameter",
    list: [{
      parameterName: `${MS}PeriodicInformInterval`,
      faultCode: 9006,
      faultString: `Type "xsd:boolean" does not fit "${MS}PeriodicInformInterval" (unsignedInt)`,
    }],
  },
  {
    why: "9003 + 9007 for SPV with a value out of range",
    request: spv(`${MS}CWMPRetryMinimumWaitInterval`, "70000", "xsd:unsignedInt"),
    faultcode: "Client",
    faultCode: 9003,
    faultString: "Cannot set 1 parameter",
    list: [{
      parameterName: `${MS}CWMPRetryMinimumWaitInterval`,
      faultCode: 9007,
      faultString:
        `Invalid value for "${MS}CWMPRetryMinimumWaitInterval": "70000" is outside [1, 65535]`,
    }],
  },
  {
    why: "9003 + 9008 for SPV of a read-only parameter",
    request: spv("Device.DeviceInfo.SerialNumber", "X", "xsd:string"),
    faultcode: "Client",
    faultCode: 9003,
    faultString: "Cannot set 1 parameter",
    list: [{
      parameterName: "Device.DeviceInfo.SerialNumber",
      faultCode: 9008,
      faultString: 'Parameter is not writable: "Device.DeviceInfo.SerialNumber"',
    }],
  },
  {
    why: "atomicity: one bad parameter among good ones faults the whole SPV",
    request: {
      kind: "SetParameterValues",
      parameterList: [
        { name: `${MS}URL`, value: "https://new.example/", type: "xsd:string" },
        { name: `${MS}PeriodicInformEnable`, value: "maybe", type: "xsd:boolean" },
        { name: "Device.DeviceInfo.ProvisioningCode", value: "P", type: "xsd:string" },
      ],
      parameterKey: "k",
    },
    faultcode: "Client",
    faultCode: 9003,
    faultString: "Cannot set 1 parameter",
    list: [{
      parameterName: `${MS}PeriodicInformEnable`,
      faultCode: 9007,
      faultString: `Invalid value for "${MS}PeriodicInformEnable": "maybe" is not a boolean`,
    }],
  },
];

for (const c of CASES) {
  Deno.test(`createDispatcher() answers ${c.why}`, async () => {
    const { model, store } = sliceFixture();
    const before = structuredClone(store.settings);
    const fault = await createDispatcher({ model }).dispatch(c.request);
    const expected: Fault = {
      kind: "Fault",
      faultcode: c.faultcode,
      faultstring: "CWMP fault",
      faultCode: c.faultCode,
      faultString: c.faultString,
    };
    if (c.list) expected.setParameterValuesFault = c.list;
    assert.deepEqual(fault, expected);
    // Nothing changed, ParameterKey included.
    assert.deepEqual(store.calls, []);
    assert.deepEqual(store.settings, before);
    const code = (await model.parameter("Device.DeviceInfo.ProvisioningCode"))!;
    assert.deepEqual(await model.read([code]), [""]);
  });
}

Deno.test("createDispatcher() answers 9002 without the error text and reports the error", async () => {
  const { model } = sliceFixture();
  const seen: unknown[] = [];
  const boom = new Error("secret detail at /etc/passwd");
  const dispatcher = createDispatcher({
    model,
    handlers: {
      Reboot: () => {
        throw boom;
      },
    },
    onError: (error, request) => seen.push(error, request.kind),
  });
  assert.deepEqual(await dispatcher.dispatch({ kind: "Reboot", commandKey: "c" }), {
    kind: "Fault",
    faultcode: "Server",
    faultstring: "CWMP fault",
    faultCode: 9002,
    faultString: "Internal error",
  });
  assert.deepEqual(seen, [boom, "Reboot"]);
});

Deno.test("createDispatcher() passes a handler's CwmpFault through", async () => {
  const { model } = sliceFixture();
  const dispatcher = createDispatcher({
    model,
    handlers: {
      FactoryReset: () => {
        throw new RequestDeniedError("Factory reset is locked");
      },
    },
  });
  const fault = await dispatcher.dispatch({ kind: "FactoryReset" });
  assert.equal(fault.kind, "Fault");
  assert.equal((fault as Fault).faultCode, 9001);
  assert.equal((fault as Fault).faultcode, "Server");
  assert.equal((fault as Fault).faultString, "Factory reset is locked");
});

Deno.test("createDispatcher() sets ParameterKey only when SPV succeeds", async () => {
  const { model, store } = sliceFixture();
  const dispatcher = createDispatcher({ model });
  const ok = await dispatcher.dispatch({
    kind: "SetParameterValues",
    parameterList: [{ name: `${MS}PeriodicInformInterval`, value: "120", type: "xsd:unsignedInt" }],
    parameterKey: "good",
  });
  assert.deepEqual(ok, { kind: "SetParameterValuesResponse", status: 0 });
  assert.deepEqual(store.calls, [{ periodicInformInterval: 120, parameterKey: "good" }]);
  await dispatcher.dispatch(spv(`${MS}PeriodicInformInterval`, "0", "xsd:unsignedInt"));
  assert.equal(store.settings.parameterKey, "good");
  const gpv = await dispatcher.dispatch({
    kind: "GetParameterValues",
    parameterNames: [`${MS}ParameterKey`],
  });
  assert.deepEqual(gpv, {
    kind: "GetParameterValuesResponse",
    parameterList: [{ name: `${MS}ParameterKey`, value: "good", type: "xsd:string" }],
  });
});

Deno.test("createDispatcher() methods() lists built-ins and registered handlers in Table 5 order", async () => {
  const { model } = sliceFixture();
  const plain = createDispatcher({ model });
  assert.deepEqual(plain.methods(), [
    "GetRPCMethods",
    "SetParameterValues",
    "GetParameterValues",
    "GetParameterNames",
  ]);
  const full = createDispatcher({
    model,
    handlers: {
      Reboot: () => ({ kind: "RebootResponse" }),
      ScheduleInform: () => ({ kind: "ScheduleInformResponse" }),
    },
  });
  assert.deepEqual(await full.dispatch({ kind: "GetRPCMethods" }), {
    kind: "GetRPCMethodsResponse",
    methodList: [
      "GetRPCMethods",
      "SetParameterValues",
      "GetParameterValues",
      "GetParameterNames",
      "Reboot",
      "ScheduleInform",
    ],
  });
});

Deno.test("toFault() truncates FaultString to 256 characters and falls back to the code's text", () => {
  assert.equal(toFault(new CwmpFault(9004, "x".repeat(300))).faultString.length, 256);
  assert.equal(toFault(new CwmpFault(9004, "")).faultString, "Resources exceeded");
  assert.equal(toFault(new CwmpFault(9004, "")).faultcode, "Server");
  assert.equal(toFault(new CwmpFault(9009, "")).faultcode, "Client");
});
