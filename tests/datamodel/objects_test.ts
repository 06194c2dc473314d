import assert from "node:assert/strict";
import { SLICE_SCHEMA } from "../../src/datamodel/schema_slice.ts";
import { DEVICE_INFO_PARAMETERS } from "../../src/datamodel/objects/device_info.ts";
import { MANAGEMENT_SERVER_PARAMETERS } from "../../src/datamodel/objects/management_server.ts";
import { DEVICE_ROOT_PARAMETERS } from "../../src/datamodel/objects/device_root.ts";
import { sliceFixture } from "../rpc/_slice_fixture.ts";

async function get(path: string, fixture = sliceFixture()): Promise<string> {
  const ref = await fixture.model.parameter(path);
  assert.ok(ref, path);
  return (await fixture.model.read([ref]))[0];
}

Deno.test("SLICE_SCHEMA binds every parameter it lists", () => {
  const bound = new Set([
    ...DEVICE_ROOT_PARAMETERS.map((n) => `Device.${n}`),
    ...DEVICE_INFO_PARAMETERS.map((n) => `Device.DeviceInfo.${n}`),
    ...MANAGEMENT_SERVER_PARAMETERS
      // TR-098 only: TR-181 has no UDPConnectionRequestAddressNotificationLimit.
      .filter((n) => n !== "UDPConnectionRequestAddressNotificationLimit")
      .map((n) => `Device.ManagementServer.${n}`),
  ]);
  const listed = SLICE_SCHEMA.filter((e) => e.kind === "parameter").map((e) => e.path);
  assert.deepEqual([...bound].sort(), listed.sort());
});

Deno.test("bindDeviceInfo() reads identity, uptime and Unknown Time", async () => {
  const fixture = sliceFixture();
  assert.equal(await get("Device.DeviceInfo.ManufacturerOUI", fixture), "00D09E");
  assert.equal(await get("Device.DeviceInfo.SoftwareVersion", fixture), "1.2.3");
  assert.equal(await get("Device.DeviceInfo.UpTime", fixture), "42");
  fixture.uptime.seconds = 99.9;
  assert.equal(await get("Device.DeviceInfo.UpTime", fixture), "99");
  assert.equal(await get("Device.DeviceInfo.FirstUseDate", fixture), "0001-01-01T00:00:00Z");
  assert.equal(await get("Device.DeviceInfo.ProvisioningCode", fixture), "");
  assert.equal(await get("Device.RootDataModelVersion", fixture), "2.17");
});

Deno.test("bindManagementServer() reads settings and hides passwords", async () => {
  const fixture = sliceFixture();
  assert.equal(await get("Device.ManagementServer.URL", fixture), "http://acs.example:7547/");
  assert.equal(await get("Device.ManagementServer.PeriodicInformEnable", fixture), "true");
  assert.equal(await get("Device.ManagementServer.PeriodicInformInterval", fixture), "3600");
  assert.equal(await get("Device.ManagementServer.Password", fixture), "");
  assert.equal(await get("Device.ManagementServer.ConnectionRequestPassword", fixture), "");
  assert.equal(await get("Device.ManagementServer.SupportedConnReqMethods", fixture), "HTTP,STUN");
  assert.equal(await get("Device.ManagementServer.AliasBasedAddressing", fixture), "false");
});

Deno.test("bindManagementServer() sets one batch with typed fields in one store call", async () => {
  const { model, store } = sliceFixture();
  const { changes, faults } = await model.prepare([
    {
      name: "Device.ManagementServer.PeriodicInformInterval",
      value: "60",
      type: "xsd:unsignedInt",
    },
    { name: "Device.ManagementServer.PeriodicInformEnable", value: "0", type: "xsd:boolean" },
    { name: "Device.ManagementServer.Password", value: "new", type: "xsd:string" },
  ]);
  assert.deepEqual(faults, []);
  await model.commit(changes);
  assert.deepEqual(store.calls, [
    { periodicInformInterval: 60, periodicInformEnable: false, password: "new" },
  ]);
  assert.equal(store.settings.password, "new");
});

Deno.test("bindManagementServer() objects to a URL that is not HTTP or HTTPS", async () => {
  const { model, store } = sliceFixture();
  const { faults } = await model.prepare([
    { name: "Device.ManagementServer.URL", value: "ftp://acs.example/", type: "xsd:string" },
  ]);
  assert.deepEqual(faults.map((f) => [f.parameterName, f.error.faultCode, f.error.message]), [
    ["Device.ManagementServer.URL", 9007, 'URL must be HTTP or HTTPS: "ftp://acs.example/"'],
  ]);
  assert.deepEqual(store.calls, []);
});
