import assert from "node:assert/strict";
import { ParameterNameError } from "../../src/datamodel/errors.ts";
import { addObject } from "../../src/rpc/add_object.ts";
import { engineFixture } from "./_engine_fixture.ts";

const ACL = "Device.Hosts.AccessControl.";
const add = (objectName: string) => ({ kind: "AddObject" as const, objectName, parameterKey: "" });

Deno.test("ParameterTree.addObject() gives new rows the alias cpe-<n> when aliases are on", async () => {
  const { model } = engineFixture({ alias: true });
  await addObject(model, add(ACL));
  const ref = await model.parameter(`${ACL}1.Alias`);
  assert.deepEqual(await model.read([ref!]), ["cpe-1"]);
});

Deno.test("ParameterTree.addObject() creates the row named by [alias]", async () => {
  const { model } = engineFixture({ alias: true });
  const response = await addObject(model, add(`${ACL}[kids].`));
  assert.equal(response.instanceNumber, 1);
  const ref = await model.parameter(`${ACL}[kids].Alias`);
  assert.equal(ref?.path, `${ACL}1.Alias`);
  assert.deepEqual(await model.read([ref!]), ["kids"]);
  await assert.rejects(addObject(model, add(`${ACL}[kids].`)), { faultCode: 9003 });
});

Deno.test("ParameterTree.list() names rows [alias] in InstanceAlias mode", async () => {
  const { model, store } = engineFixture({ alias: true });
  await addObject(model, add(`${ACL}[kids].`));
  store.settings.instanceMode = "InstanceAlias";
  const items = await model.list(ACL, { depth: 1 });
  assert.deepEqual(items.map((i) => [i.path, i.name]), [[`${ACL}1.`, `${ACL}[kids].`]]);
  const [enable] = await model.list(`${ACL}1.Enable`, { self: true });
  assert.equal(enable.ref?.name, `${ACL}[kids].Enable`);
});

Deno.test("ParameterTree.list() refuses [alias] segments when aliases are off", async () => {
  const { model } = engineFixture();
  await assert.rejects(model.list(`${ACL}[kids].`), ParameterNameError);
});

Deno.test("ParameterTree.beginSession() lists each table once until endSession()", async () => {
  const { model, persisted } = engineFixture();
  model.beginSession();
  assert.equal((await model.list("Device.Hosts.Host.", { depth: 1 })).length, 2);
  persisted.load("Device.Hosts.Host.", [3]);
  assert.equal((await model.list("Device.Hosts.Host.", { depth: 1 })).length, 2);
  const counter = await model.parameter("Device.Hosts.HostNumberOfEntries");
  assert.deepEqual(await model.read([counter!]), ["2"]);
  model.endSession();
  assert.equal((await model.list("Device.Hosts.Host.", { depth: 1 })).length, 3);
});

Deno.test("ParameterTree.beginSession() snapshot follows AddObject of the session", async () => {
  const { model } = engineFixture();
  model.beginSession();
  assert.equal((await model.list(ACL, { depth: 1 })).length, 0);
  await addObject(model, add(ACL));
  assert.equal((await model.list(ACL, { depth: 1 })).length, 1);
});
