import assert from "node:assert/strict";
import { InvalidArgumentsError, ParameterNameError } from "../../src/rpc/errors.ts";
import { getParameterNames } from "../../src/rpc/get_parameter_names.ts";
import { sliceFixture } from "./_slice_fixture.ts";

const gpn = (parameterPath: string, nextLevel: boolean) =>
  getParameterNames(sliceFixture().model, { kind: "GetParameterNames", parameterPath, nextLevel });

Deno.test("getParameterNames() with an empty path and NextLevel true lists only Device.", async () => {
  assert.deepEqual(await gpn("", true), {
    kind: "GetParameterNamesResponse",
    parameterList: [{ name: "Device.", writable: false }],
  });
});

Deno.test("getParameterNames() with an empty path and NextLevel false lists the whole tree", async () => {
  const { parameterList } = await gpn("", false);
  assert.equal(parameterList.length, 3 + 51);
  assert.deepEqual(parameterList.slice(0, 3), [
    { name: "Device.", writable: false },
    { name: "Device.RootDataModelVersion", writable: false },
    { name: "Device.DeviceInfo.", writable: false },
  ]);
});

Deno.test("getParameterNames() with NextLevel true lists one level below a partial path", async () => {
  assert.deepEqual((await gpn("Device.", true)).parameterList, [
    { name: "Device.RootDataModelVersion", writable: false },
    { name: "Device.DeviceInfo.", writable: false },
    { name: "Device.ManagementServer.", writable: false },
  ]);
  const info = (await gpn("Device.DeviceInfo.", true)).parameterList;
  assert.equal(info.length, 11);
  assert.deepEqual(info.filter((p) => p.writable).map((p) => p.name), [
    "Device.DeviceInfo.ProvisioningCode",
  ]);
});

Deno.test("getParameterNames() with NextLevel false includes the object itself", async () => {
  const { parameterList } = await gpn("Device.ManagementServer.", false);
  assert.equal(parameterList[0].name, "Device.ManagementServer.");
  assert.equal(parameterList.length, 1 + 39);
  const writable = Object.fromEntries(parameterList.map((p) => [p.name, p.writable]));
  assert.equal(writable["Device.ManagementServer.URL"], true);
  assert.equal(writable["Device.ManagementServer.ParameterKey"], false);
  assert.equal(writable["Device.ManagementServer.ConnectionRequestURL"], false);
  assert.equal(writable["Device.ManagementServer.Password"], true);
});

Deno.test("getParameterNames() with a parameter name and NextLevel false returns that parameter", async () => {
  assert.deepEqual((await gpn("Device.DeviceInfo.UpTime", false)).parameterList, [
    { name: "Device.DeviceInfo.UpTime", writable: false },
  ]);
});

Deno.test("getParameterNames() faults 9003 for a parameter name with NextLevel true", async () => {
  await assert.rejects(gpn("Device.DeviceInfo.UpTime", true), (e) => {
    assert.ok(e instanceof InvalidArgumentsError);
    assert.equal(e.faultCode, 9003);
    assert.equal(
      e.message,
      'NextLevel true needs a partial path, not a parameter: "Device.DeviceInfo.UpTime"',
    );
    return true;
  });
});

Deno.test("getParameterNames() faults 9005 for an unknown path whatever NextLevel is", async () => {
  for (const nextLevel of [true, false]) {
    for (const path of ["Device.Nope.", "Device.DeviceInfo.Nope", "Device.DeviceInfo"]) {
      await assert.rejects(gpn(path, nextLevel), ParameterNameError);
    }
  }
});
