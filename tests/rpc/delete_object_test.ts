import assert from "node:assert/strict";
import { ParameterNameError } from "../../src/datamodel/errors.ts";
import { addObject } from "../../src/rpc/add_object.ts";
import { deleteObject } from "../../src/rpc/delete_object.ts";
import { engineFixture } from "../datamodel/_engine_fixture.ts";

const ACL = "Device.Hosts.AccessControl.";

Deno.test("deleteObject() removes the row, its values and its sub-tables", async () => {
  const { model, store, persisted } = engineFixture();
  await addObject(model, { kind: "AddObject", objectName: ACL, parameterKey: "" });
  await addObject(model, { kind: "AddObject", objectName: `${ACL}1.Schedule.`, parameterKey: "" });
  const response = await deleteObject(model, {
    kind: "DeleteObject",
    objectName: `${ACL}1.`,
    parameterKey: "gone",
  });
  assert.deepEqual(response, { kind: "DeleteObjectResponse", status: 0 });
  assert.equal(store.settings.parameterKey, "gone");
  assert.deepEqual(persisted.instances(ACL), []);
  assert.deepEqual(persisted.instances(`${ACL}1.Schedule.`), []);
  const counter = await model.parameter("Device.Hosts.AccessControlNumberOfEntries");
  assert.deepEqual(await model.read([counter!]), ["0"]);
});

Deno.test("deleteObject() faults 9005 for a table, a missing row or a read-only row", async () => {
  const { model, store } = engineFixture();
  for (const objectName of [ACL, `${ACL}7.`, "Device.Hosts.Host.1.", "Device.DeviceInfo."]) {
    await assert.rejects(
      deleteObject(model, { kind: "DeleteObject", objectName, parameterKey: "x" }),
      ParameterNameError,
      objectName,
    );
  }
  assert.equal(store.settings.parameterKey, "");
});

Deno.test("deleteObject() keeps the row when the ParameterKey cannot be stored", async () => {
  const { model, store, persisted } = engineFixture();
  await addObject(model, { kind: "AddObject", objectName: ACL, parameterKey: "" });
  store.set = () => {
    throw new Error("disk full");
  };
  await assert.rejects(
    deleteObject(model, { kind: "DeleteObject", objectName: `${ACL}1.`, parameterKey: "k" }),
    /disk full/,
  );
  assert.deepEqual(persisted.instances(ACL), [1]);
});
