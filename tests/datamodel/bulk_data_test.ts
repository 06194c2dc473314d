import assert from "node:assert/strict";
import { createDeviceModel } from "../../src/datamodel/device_model.ts";
import { MemoryInstanceNumbers } from "../../src/datamodel/mod.ts";
import { PersistedProvider } from "../../src/datamodel/providers/persisted.ts";
import {
  bindBulkData,
  decodeCharacterReferences,
  isKnownReference,
} from "../../src/datamodel/objects/bulk_data.ts";
import { deviceSchema } from "../../src/datamodel/mod.ts";
import { addObject, getParameterValues, setParameterValues } from "../../src/rpc/mod.ts";
import { resolveReference, selectReportParameters } from "../../src/services/bulkdata/collect.ts";
import { IDENTITY, RecordingStore } from "../rpc/_slice_fixture.ts";
import type { ParameterTree } from "../../src/datamodel/tree.ts";

const P = "Device.BulkData.Profile.";

function fixture(maxReferences = 50) {
  const store = new PersistedProvider();
  let changes = 0;
  const model: ParameterTree = createDeviceModel({
    deviceInfo: { identity: IDENTITY, uptimeSeconds: () => 7 },
    managementServer: { store: new RecordingStore() },
    bindings: bindBulkData({
      store,
      schema: deviceSchema("tr181"),
      runtime: {
        status: () => "Enabled",
        protocols: () => ["HTTP"],
        countReferences: async (overrides) => {
          let n = 0;
          for (const reference of overrides.values()) {
            n += (await resolveReference(model, reference)).length;
          }
          return n;
        },
      },
      onChange: () => changes++,
      enable: true,
      minReportingInterval: 30,
      maxProfiles: 2,
      maxParameterReferences: maxReferences,
    }),
    instanceNumbers: new MemoryInstanceNumbers(),
  });
  return { model, store, changes: () => changes };
}

const set = (model: ParameterTree, values: Record<string, [string, string]>) =>
  setParameterValues(model, {
    kind: "SetParameterValues",
    parameterKey: "",
    parameterList: Object.entries(values).map(([name, [value, type]]) => ({ name, value, type })),
  });

Deno.test("bindBulkData(): capabilities, factory values, AddObject bounded by MaxNumberOfProfiles", async () => {
  const { model, changes } = fixture();
  const add = () => addObject(model, { kind: "AddObject", objectName: P, parameterKey: "" });
  assert.equal((await add()).instanceNumber, 1);
  assert.ok(changes() > 0);
  const got = await getParameterValues(model, {
    kind: "GetParameterValues",
    parameterNames: ["Device.BulkData."],
  });
  const values = Object.fromEntries(got.parameterList.map((p) => [p.name, p.value]));
  assert.equal(values["Device.BulkData.Enable"], "true");
  assert.equal(values["Device.BulkData.Protocols"], "HTTP");
  assert.equal(values["Device.BulkData.EncodingTypes"], "CSV,JSON");
  assert.equal(values["Device.BulkData.MaxNumberOfProfiles"], "2");
  assert.equal(values[`${P}1.CSVEncoding.RowSeparator`], "&#10;");
  assert.equal(values[`${P}1.HTTP.Method`], "POST");
  assert.equal(values[`${P}1.HTTP.MethodsSupported`], "POST,PUT");
  assert.equal(values[`${P}1.StreamingHost`], undefined, "IPDR unsupported");
  await add();
  await assert.rejects(add, (e: Error & { faultCode?: number }) => e.faultCode === 9004);
});

Deno.test("bindBulkData(): SPV refuses unknown references and unsupported values with 9007", async () => {
  const { model } = fixture();
  await addObject(model, { kind: "AddObject", objectName: P, parameterKey: "" });
  await addObject(model, { kind: "AddObject", objectName: `${P}1.Parameter.`, parameterKey: "" });
  await assert.rejects(
    set(model, {
      [`${P}1.ReportingInterval`]: ["29", "xsd:unsignedInt"],
      [`${P}1.Protocol`]: ["MQTT", "xsd:string"],
      [`${P}1.EncodingType`]: ["IPDR", "xsd:string"],
      [`${P}1.Parameter.1.Reference`]: ["Device.DeviceInfo.Nope", "xsd:string"],
      [`${P}1.CSVEncoding.FieldSeparator`]: [",,", "xsd:string"],
    }),
    (e: Error & { faults?: { parameterName: string; error: { faultCode: number } }[] }) => {
      assert.deepEqual(e.faults!.map((f) => [f.parameterName, f.error.faultCode]), [
        [`${P}1.ReportingInterval`, 9007],
        [`${P}1.Protocol`, 9007],
        [`${P}1.EncodingType`, 9007],
        [`${P}1.Parameter.1.Reference`, 9007],
        [`${P}1.CSVEncoding.FieldSeparator`, 9007],
      ]);
      return true;
    },
  );
  await set(model, {
    [`${P}1.ReportingInterval`]: ["30", "xsd:unsignedInt"],
    [`${P}1.CSVEncoding.RowSeparator`]: ["&#13;&#10;", "xsd:string"],
    [`${P}1.CSVEncoding.FieldSeparator`]: ["&#9;", "xsd:string"],
    [`${P}1.Parameter.1.Reference`]: ["Device.DeviceInfo.", "xsd:string"],
  });
});

Deno.test("bindBulkData(): more selected parameters than MaxNumberOfParameterReferences is a 9004", async () => {
  const { model } = fixture(3);
  await addObject(model, { kind: "AddObject", objectName: P, parameterKey: "" });
  await addObject(model, { kind: "AddObject", objectName: `${P}1.Parameter.`, parameterKey: "" });
  await assert.rejects(
    set(model, { [`${P}1.Parameter.1.Reference`]: ["Device.DeviceInfo.", "xsd:string"] }),
    (e: Error & { faultCode?: number }) => e.faultCode === 9004,
  );
});

Deno.test("resolveReference() names wildcard and partial-path selections per Annex N.3.1", async () => {
  const { model } = fixture();
  for (let i = 0; i < 2; i++) {
    await addObject(model, { kind: "AddObject", objectName: P, parameterKey: "" });
  }
  await addObject(model, { kind: "AddObject", objectName: `${P}2.Parameter.`, parameterKey: "" });
  await addObject(model, { kind: "AddObject", objectName: `${P}2.Parameter.`, parameterKey: "" });
  const names = async (reference: string, name = "") =>
    (await resolveReference(model, reference, name)).map((s) => s.name);
  assert.deepEqual(await names(`${P}*.Parameter.*.Exclude`, "X"), ["X.2.1", "X.2.2"]);
  assert.deepEqual(await names(`${P}*.Parameter.*.Exclude`), [
    `${P}2.Parameter.1.Exclude`,
    `${P}2.Parameter.2.Exclude`,
  ]);
  assert.deepEqual(await names(`${P}2.Parameter.1.`, "Row"), [
    "Row.Name",
    "Row.Reference",
    "Row.Exclude",
  ]);
  assert.deepEqual(
    (await names(`${P}*.Parameter.*.`, "R")).slice(0, 2),
    ["R.2.1.Name", "R.2.1.Reference"],
  );
  assert.deepEqual(await names(`${P}9.Name`), [], "an absent row selects nothing");
  assert.deepEqual(await names("Device.DeviceInfo.UpTime", "up"), ["up"]);
  const selected = await selectReportParameters(model, [
    { name: "", reference: `${P}*.Name` },
    { name: "", reference: `${P}1.Name`, exclude: true },
  ]);
  assert.deepEqual(selected.map((s) => s.name), [`${P}2.Name`]);
});

Deno.test("isKnownReference() and decodeCharacterReferences()", () => {
  const schema = deviceSchema("tr181");
  assert.ok(isKnownReference(schema, "Device.IP.Interface.*.Stats."));
  assert.ok(isKnownReference(schema, "Device.IP.Interface.3.Stats.BytesSent"));
  assert.ok(!isKnownReference(schema, "Device.IP.*.Stats."));
  assert.ok(!isKnownReference(schema, "Device.IP.Interface.*.Stats"));
  assert.ok(!isKnownReference(schema, "Device.IP.Interface.*.Stats.BytesSent", true));
  assert.ok(!isKnownReference(schema, "InternetGatewayDevice."));
  assert.equal(decodeCharacterReferences("&#13;&#10;"), "\r\n");
  assert.equal(decodeCharacterReferences("&quot;"), '"');
  assert.equal(decodeCharacterReferences("|"), "|");
});
