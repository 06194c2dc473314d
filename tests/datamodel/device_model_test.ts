import assert from "node:assert/strict";
import {
  createDeviceModel,
  deviceSchema,
  loadDeviceSchema,
  parameterKeyPathOf,
  TR098_MODEL_NAME,
} from "../../src/datamodel/device_model.ts";
import { TR098_MODEL } from "../../src/datamodel/generated/tr098.ts";
import { IDENTITY, RecordingStore } from "../rpc/_slice_fixture.ts";
import { engineFixture } from "./_engine_fixture.ts";

function model(root: "tr181" | "tr098") {
  return createDeviceModel({
    root,
    deviceInfo: { identity: IDENTITY, uptimeSeconds: () => 7 },
    managementServer: { store: new RecordingStore() },
  });
}

Deno.test("createDeviceModel() serves TR-181 with RootDataModelVersion 2.17", async () => {
  const tree = model("tr181");
  const ref = await tree.parameter("Device.RootDataModelVersion");
  assert.deepEqual(await tree.read([ref!]), ["2.17"]);
});

Deno.test("the TR-098 schema is loaded on demand, under the model name the generated module has", async () => {
  assert.equal(TR098_MODEL_NAME, TR098_MODEL);
  const schema = await loadDeviceSchema("tr098");
  assert.equal(deviceSchema("tr098"), schema);
  assert.equal(schema.object("InternetGatewayDevice.")?.path, "InternetGatewayDevice.");
});

Deno.test("createDeviceModel() serves DeviceInfo and ManagementServer under InternetGatewayDevice", async () => {
  await loadDeviceSchema("tr098");
  const tree = model("tr098");
  const refs = await Promise.all([
    tree.parameter("InternetGatewayDevice.DeviceInfo.SerialNumber"),
    tree.parameter("InternetGatewayDevice.DeviceInfo.UpTime"),
    tree.parameter(parameterKeyPathOf("tr098")),
  ]);
  assert.deepEqual(await tree.read(refs.map((r) => r!)), ["SN0001", "7", ""]);
  assert.equal(await tree.parameter("InternetGatewayDevice.RootDataModelVersion"), undefined);
  await assert.rejects(tree.list("Device."), { faultCode: 9005 });
});

Deno.test("createDeviceModel() lists only bound objects of the full schema", async () => {
  const names = (await model("tr181").list("", { depth: 2 })).map((i) => i.path);
  assert.deepEqual(names.filter((n) => n.endsWith(".")), [
    "Device.",
    "Device.DeviceInfo.",
    "Device.ManagementServer.",
  ]);
});

Deno.test("ParameterTree.list() derives NumberOfEntries as read-only counters", async () => {
  const { model } = engineFixture();
  const items = await model.list("Device.Hosts.", { depth: 1 });
  const counters = items.filter((i) => i.path.endsWith("NumberOfEntries"));
  assert.deepEqual(counters.map((i) => [i.path, i.writable, i.ref?.schema.type]), [
    ["Device.Hosts.HostNumberOfEntries", false, "unsignedInt"],
    ["Device.Hosts.AccessControlNumberOfEntries", false, "unsignedInt"],
  ]);
  assert.deepEqual(await model.read(counters.map((i) => i.ref!)), ["2", "0"]);
});
