import assert from "node:assert/strict";
import { ParameterNameError } from "../../src/rpc/errors.ts";
import { getParameterValues } from "../../src/rpc/get_parameter_values.ts";
import { sliceFixture } from "./_slice_fixture.ts";

const gpv = (...parameterNames: string[]) =>
  getParameterValues(sliceFixture().model, { kind: "GetParameterValues", parameterNames });

Deno.test("getParameterValues() answers full names with their xsi:type", async () => {
  assert.deepEqual(
    await gpv(
      "Device.DeviceInfo.UpTime",
      "Device.ManagementServer.PeriodicInformEnable",
      "Device.DeviceInfo.FirstUseDate",
      "Device.ManagementServer.URL",
    ),
    {
      kind: "GetParameterValuesResponse",
      parameterList: [
        { name: "Device.DeviceInfo.UpTime", value: "42", type: "xsd:unsignedInt" },
        {
          name: "Device.ManagementServer.PeriodicInformEnable",
          value: "true",
          type: "xsd:boolean",
        },
        {
          name: "Device.DeviceInfo.FirstUseDate",
          value: "0001-01-01T00:00:00Z",
          type: "xsd:dateTime",
        },
        {
          name: "Device.ManagementServer.URL",
          value: "http://acs.example:7547/",
          type: "xsd:string",
        },
      ],
    },
  );
});

Deno.test("getParameterValues() expands a partial path to every parameter below it", async () => {
  const { parameterList } = await gpv("Device.DeviceInfo.");
  assert.deepEqual(parameterList.map((p) => p.name), [
    "Device.DeviceInfo.Manufacturer",
    "Device.DeviceInfo.ManufacturerOUI",
    "Device.DeviceInfo.ModelName",
    "Device.DeviceInfo.Description",
    "Device.DeviceInfo.ProductClass",
    "Device.DeviceInfo.SerialNumber",
    "Device.DeviceInfo.HardwareVersion",
    "Device.DeviceInfo.SoftwareVersion",
    "Device.DeviceInfo.ProvisioningCode",
    "Device.DeviceInfo.UpTime",
    "Device.DeviceInfo.FirstUseDate",
  ]);
});

Deno.test("getParameterValues() reads the whole tree for the empty name", async () => {
  const all = await gpv("");
  const device = await gpv("Device.");
  assert.equal(all.parameterList.length, 50);
  assert.deepEqual(all, device);
  assert.equal(all.parameterList[0].name, "Device.RootDataModelVersion");
  const password = all.parameterList.find((p) => p.name === "Device.ManagementServer.Password");
  assert.equal(password?.value, "");
});

Deno.test("getParameterValues() answers several names and partial paths in order", async () => {
  const { parameterList } = await gpv(
    "Device.RootDataModelVersion",
    "Device.ManagementServer.",
    "Device.DeviceInfo.UpTime",
  );
  assert.equal(parameterList[0].name, "Device.RootDataModelVersion");
  assert.equal(parameterList[1].name, "Device.ManagementServer.EnableCWMP");
  assert.equal(parameterList.at(-1)!.name, "Device.DeviceInfo.UpTime");
  assert.equal(parameterList.length, 1 + 38 + 1);
});

Deno.test("getParameterValues() faults 9005 on an unknown or malformed name", async () => {
  for (
    const name of [
      "Device.DeviceInfo.Nope",
      "Device.DeviceInfo",
      "Device.DeviceInfo.UpTime.",
      "Device.DeviceInfo.ModelNumber",
      "InternetGatewayDevice.",
      "Device..",
    ]
  ) {
    await assert.rejects(gpv("Device.DeviceInfo.UpTime", name), (e) => {
      assert.ok(e instanceof ParameterNameError, name);
      assert.equal(e.faultCode, 9005);
      return true;
    });
  }
});
