import assert from "node:assert/strict";
import type { ParameterValueStruct, SetParameterValues } from "../../src/soap/messages.ts";
import { MemoryProvider } from "../../src/datamodel/providers/memory.ts";
import { Schema } from "../../src/datamodel/schema.ts";
import { SLICE_SCHEMA } from "../../src/datamodel/schema_slice.ts";
import { ParameterTree } from "../../src/datamodel/tree.ts";
import {
  InternalError,
  InvalidArgumentsError,
  SetParameterValuesError,
} from "../../src/rpc/errors.ts";
import { setParameterValues } from "../../src/rpc/set_parameter_values.ts";
import { engineFixture } from "../datamodel/_engine_fixture.ts";
import { sliceFixture } from "./_slice_fixture.ts";

function spv(parameterKey: string, ...list: [string, string, string][]): SetParameterValues {
  const parameterList: ParameterValueStruct[] = list.map(([name, value, type]) => ({
    name,
    value,
    type,
  }));
  return { kind: "SetParameterValues", parameterList, parameterKey };
}

Deno.test("setParameterValues() sends every change and the ParameterKey to ManagementSettings in one call", async () => {
  const { model, store } = sliceFixture();
  const response = await setParameterValues(
    model,
    spv(
      "key-1",
      ["Device.ManagementServer.URL", "https://acs2.example/cwmp", "xsd:string"],
      ["Device.ManagementServer.PeriodicInformInterval", "300", "xsd:unsignedInt"],
      ["Device.ManagementServer.PeriodicInformTime", "2024-01-01T00:00:00Z", "xsd:dateTime"],
      ["Device.ManagementServer.UpgradesManaged", "1", "xsd:boolean"],
    ),
  );
  assert.deepEqual(response, { kind: "SetParameterValuesResponse", status: 0 });
  assert.deepEqual(store.calls, [{
    url: "https://acs2.example/cwmp",
    periodicInformInterval: 300,
    periodicInformTime: "2024-01-01T00:00:00Z",
    upgradesManaged: true,
    parameterKey: "key-1",
  }]);
});

Deno.test("setParameterValues() sets parameters of several objects and the ParameterKey", async () => {
  const { model, store } = sliceFixture();
  await setParameterValues(
    model,
    spv("k", ["Device.DeviceInfo.ProvisioningCode", "ABC", "xsd:string"]),
  );
  const code = (await model.parameter("Device.DeviceInfo.ProvisioningCode"))!;
  assert.deepEqual(await model.read([code]), ["ABC"]);
  assert.deepEqual(store.calls, [{ parameterKey: "k" }]);
});

Deno.test("setParameterValues() changes nothing when one of several parameters is bad", async () => {
  const { model, store } = sliceFixture();
  const before = structuredClone(store.settings);
  await assert.rejects(
    setParameterValues(
      model,
      spv(
        "key-2",
        ["Device.DeviceInfo.ProvisioningCode", "NEW", "xsd:string"],
        ["Device.ManagementServer.PeriodicInformInterval", "300", "xsd:unsignedInt"],
        ["Device.ManagementServer.CWMPRetryIntervalMultiplier", "10", "xsd:unsignedInt"],
      ),
    ),
    (e) => {
      assert.ok(e instanceof SetParameterValuesError);
      assert.equal(e.faultCode, 9003);
      assert.deepEqual(e.faults.map((f) => [f.parameterName, f.error.faultCode]), [
        ["Device.ManagementServer.CWMPRetryIntervalMultiplier", 9007],
      ]);
      return true;
    },
  );
  assert.deepEqual(store.calls, []);
  assert.deepEqual(store.settings, before);
  assert.equal(store.settings.parameterKey, "");
  const code = (await model.parameter("Device.DeviceInfo.ProvisioningCode"))!;
  assert.deepEqual(await model.read([code]), [""]);
});

Deno.test("setParameterValues() collects one fault per bad parameter in request order", async () => {
  const { model } = sliceFixture();
  await assert.rejects(
    setParameterValues(
      model,
      spv(
        "k",
        ["Device.ManagementServer.Nope", "1", "xsd:string"],
        ["Device.DeviceInfo.UpTime", "1", "xsd:unsignedInt"],
        ["Device.ManagementServer.PeriodicInformEnable", "1", "xsd:dateTime"],
        ["Device.ManagementServer.PeriodicInformEnable2", "1", "xsd:boolean"],
        ["Device.ManagementServer.URL", "https://ok.example/", "xsd:string"],
        ["Device.ManagementServer.PeriodicInformInterval", "0", "xsd:unsignedInt"],
      ),
    ),
    (e) => {
      assert.ok(e instanceof SetParameterValuesError);
      assert.deepEqual(e.faults.map((f) => [f.parameterName, f.error.faultCode]), [
        ["Device.ManagementServer.Nope", 9005],
        ["Device.DeviceInfo.UpTime", 9008],
        ["Device.ManagementServer.PeriodicInformEnable", 9006],
        ["Device.ManagementServer.PeriodicInformEnable2", 9005],
        ["Device.ManagementServer.PeriodicInformInterval", 9007],
      ]);
      return true;
    },
  );
});

Deno.test("setParameterValues() refuses ParameterKey itself with 9008", async () => {
  const { model, store } = sliceFixture();
  await assert.rejects(
    setParameterValues(
      model,
      spv("k", ["Device.ManagementServer.ParameterKey", "x", "xsd:string"]),
    ),
    (e) => e instanceof SetParameterValuesError && e.faults[0].error.faultCode === 9008,
  );
  assert.equal(store.settings.parameterKey, "");
});

Deno.test("setParameterValues() faults 9003 when a name appears twice", async () => {
  const { model, store } = sliceFixture();
  await assert.rejects(
    setParameterValues(
      model,
      spv(
        "k",
        ["Device.ManagementServer.PeriodicInformInterval", "300", "xsd:unsignedInt"],
        ["Device.ManagementServer.PeriodicInformInterval", "600", "xsd:unsignedInt"],
      ),
    ),
    (e) => {
      assert.ok(e instanceof InvalidArgumentsError && !(e instanceof SetParameterValuesError));
      assert.equal(
        e.message,
        'Parameter appears more than once: "Device.ManagementServer.PeriodicInformInterval"',
      );
      return true;
    },
  );
  assert.deepEqual(store.calls, []);
});

Deno.test("setParameterValues() faults 9003 for a ParameterKey over 32 characters", async () => {
  const { model } = sliceFixture();
  await assert.rejects(setParameterValues(model, spv("k".repeat(33))), InvalidArgumentsError);
});

Deno.test("setParameterValues() with an empty list only stores the ParameterKey", async () => {
  const { model, store } = sliceFixture();
  assert.equal((await setParameterValues(model, spv("only-key"))).status, 0);
  assert.deepEqual(store.calls, [{ parameterKey: "only-key" }]);
});

Deno.test("setParameterValues() answers Status 1 when a provider defers applying", async () => {
  const deferred = new MemoryProvider({ "Device.ManagementServer.ParameterKey": "" }, {
    applyStatus: 1,
  });
  const model = new ParameterTree({
    schema: new Schema(SLICE_SCHEMA),
    bindings: [{
      object: "Device.ManagementServer.",
      parameters: ["URL", "ParameterKey"],
      provider: deferred,
    }],
  });
  const response = await setParameterValues(
    model,
    spv("k", ["Device.ManagementServer.URL", "http://acs/", "xsd:string"]),
  );
  assert.equal(response.status, 1);
  assert.equal(deferred.value("Device.ManagementServer.ParameterKey"), "k");
});

Deno.test("setParameterValues() faults 9002 when the model cannot store the ParameterKey", async () => {
  const model = new ParameterTree({
    schema: new Schema(SLICE_SCHEMA),
    bindings: [{
      object: "Device.DeviceInfo.",
      parameters: ["ProvisioningCode"],
      provider: new MemoryProvider(),
    }],
  });
  await assert.rejects(setParameterValues(model, spv("k")), InternalError);
  assert.equal(
    (await setParameterValues(model, spv("k"), { parameterKeyPath: null })).status,
    0,
  );
});

Deno.test("setParameterValues() creates a missing [alias] row only when AutoCreateInstances is true", async () => {
  const { model, store } = engineFixture({ alias: true });
  const name = "Device.Hosts.AccessControl.[kids].Enable";
  const request: SetParameterValues = {
    kind: "SetParameterValues",
    parameterList: [{ name, value: "true", type: "xsd:boolean" }],
    parameterKey: "k1",
  };
  await assert.rejects(setParameterValues(model, request), (error: SetParameterValuesError) => {
    assert.deepEqual(error.faults.map((f) => [f.parameterName, f.error.faultCode]), [[name, 9005]]);
    return true;
  });
  assert.equal(store.settings.parameterKey, "");
  store.settings.autoCreateInstances = true;
  assert.equal((await setParameterValues(model, request)).status, 0);
  const ref = await model.parameter("Device.Hosts.AccessControl.1.Alias");
  assert.deepEqual(await model.read([ref!]), ["kids"]);
  assert.equal(store.settings.parameterKey, "k1");
});
