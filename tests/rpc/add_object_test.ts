import assert from "node:assert/strict";
import { ParameterNameError, ResourcesExceededError } from "../../src/datamodel/errors.ts";
import { addObject } from "../../src/rpc/add_object.ts";
import { engineFixture } from "../datamodel/_engine_fixture.ts";

const ACL = "Device.Hosts.AccessControl.";

Deno.test("addObject() creates a row with defaults and sets ParameterKey", async () => {
  const { model, store, persisted } = engineFixture();
  const response = await addObject(model, {
    kind: "AddObject",
    objectName: ACL,
    parameterKey: "k1",
  });
  assert.deepEqual(response, { kind: "AddObjectResponse", instanceNumber: 1, status: 0 });
  assert.equal(store.settings.parameterKey, "k1");
  assert.deepEqual(persisted.instances(ACL), [1]);
  const ref = await model.parameter(`${ACL}1.AccessPolicy`);
  assert.deepEqual(await model.read([ref!]), ["Allow"]);
});

Deno.test("addObject() never reuses an instance number, even after a restart", async () => {
  const first = engineFixture();
  for (const key of ["a", "b"]) {
    await addObject(first.model, { kind: "AddObject", objectName: ACL, parameterKey: key });
  }
  await first.model.deleteObject(`${ACL}2.`);
  const second = engineFixture({
    state: first.persisted.serialize(),
    counters: first.numbers.serialize(),
  });
  const response = await addObject(second.model, {
    kind: "AddObject",
    objectName: ACL,
    parameterKey: "c",
  });
  assert.equal(response.instanceNumber, 3);
});

Deno.test("addObject() keeps NumberOfEntries in step with the table", async () => {
  const { model } = engineFixture();
  const counter = await model.parameter("Device.Hosts.AccessControlNumberOfEntries");
  assert.deepEqual(await model.read([counter!]), ["0"]);
  await addObject(model, { kind: "AddObject", objectName: ACL, parameterKey: "" });
  await addObject(model, { kind: "AddObject", objectName: ACL, parameterKey: "" });
  assert.deepEqual(await model.read([counter!]), ["2"]);
});

Deno.test("addObject() adds rows of a nested table", async () => {
  const { model } = engineFixture();
  await addObject(model, { kind: "AddObject", objectName: ACL, parameterKey: "" });
  const response = await addObject(model, {
    kind: "AddObject",
    objectName: `${ACL}1.Schedule.`,
    parameterKey: "",
  });
  assert.equal(response.instanceNumber, 1);
  const counter = await model.parameter(`${ACL}1.ScheduleNumberOfEntries`);
  assert.deepEqual(await model.read([counter!]), ["1"]);
});

Deno.test("addObject() leaves ParameterKey alone when it faults", async () => {
  const { model, store } = engineFixture();
  await assert.rejects(
    addObject(model, { kind: "AddObject", objectName: "Device.Hosts.Host.", parameterKey: "x" }),
    ParameterNameError,
  );
  assert.equal(store.settings.parameterKey, "");
});

Deno.test("addObject() faults 9004 when the table holds maxEntries rows", async () => {
  const { model, persisted } = engineFixture();
  const band = "Device.Ghn.Interface.1.SMMaskedBand.";
  persisted.load(band, Array.from({ length: 32 }, (_, i) => i + 1));
  await assert.rejects(
    addObject(model, { kind: "AddObject", objectName: band, parameterKey: "" }),
    ResourcesExceededError,
  );
});

Deno.test("addObject() takes the row back when the ParameterKey cannot be stored", async () => {
  const { model, store, persisted } = engineFixture();
  store.set = () => {
    throw new Error("disk full");
  };
  await assert.rejects(
    addObject(model, { kind: "AddObject", objectName: ACL, parameterKey: "k" }),
    /disk full/,
  );
  assert.deepEqual(persisted.instances(ACL), []);
});
