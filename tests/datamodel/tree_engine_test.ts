import assert from "node:assert/strict";
import { ParameterNameError } from "../../src/datamodel/errors.ts";
import { addObject } from "../../src/rpc/add_object.ts";
import { type EngineFixture, engineFixture } from "./_engine_fixture.ts";

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

Deno.test("ParameterTree.refs() gives list()'s parameter references, names by alias included", async () => {
  const { model, store } = engineFixture({ alias: true });
  await addObject(model, add(`${ACL}[kids].`));
  const refsOf = async (path: string, options: { self?: boolean; limit?: number } = {}) =>
    (await model.list(path, { ...options, objects: false })).map((i) => i.ref!);
  for (const mode of ["InstanceNumber", "InstanceAlias"] as const) {
    store.settings.instanceMode = mode;
    for (const path of ["Device.", ACL, `${ACL}1.`, `${ACL}[kids].`]) {
      assert.deepEqual(await model.refs(path), await refsOf(path), `${mode} ${path}`);
    }
    const one = `${ACL}1.Enable`;
    assert.deepEqual(await model.refs(one, { self: true }), await refsOf(one, { self: true }));
    assert.deepEqual(
      await model.refs("Device.", { limit: 3 }),
      await refsOf("Device.", { limit: 3 }),
    );
    assert.equal((await model.refs("Device.", { limit: 3 })).length, 4);
  }
  // Shown by alias: the name differs from the path; by number it is left out.
  const [enable] = await model.refs(`${ACL}[kids].Enable`, { self: true });
  assert.deepEqual([enable.path, enable.name], [`${ACL}1.Enable`, `${ACL}[kids].Enable`]);
  store.settings.instanceMode = "InstanceNumber";
  const [byNumber] = await model.refs(`${ACL}1.Enable`, { self: true });
  assert.equal("name" in byNumber, false);
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

const set = (name: string, value: string) => ({ name, value, type: "" });

/** prepare() + commit() as SetParameterValues does them; returns the faults. */
async function setValues(
  model: EngineFixture["model"],
  requests: readonly { name: string; value: string; type: string }[],
) {
  const { changes, faults, rows } = await model.prepare(requests, { autoCreate: true });
  if (faults.length === 0) await model.commit(changes, rows);
  return faults.map((f) => [f.parameterName, f.error.faultCode]);
}

Deno.test("ParameterTree.prepare() with autoCreate plans a missing [alias] row for commit()", async () => {
  const { model } = engineFixture({ alias: true });
  assert.deepEqual(await setValues(model, [set(`${ACL}[kids].Enable`, "true")]), []);
  assert.deepEqual((await model.list(ACL, { depth: 1 })).map((i) => i.path), [`${ACL}1.`]);
  const refs = await Promise.all(
    [`${ACL}[kids].Alias`, `${ACL}[kids].Enable`].map((p) => model.parameter(p)),
  );
  assert.deepEqual(await model.read(refs.map((r) => r!)), ["kids", "true"]);
});

Deno.test("ParameterTree.prepare() without autoCreate answers 9005 for a missing [alias] row", async () => {
  const { model } = engineFixture({ alias: true });
  const { faults, rows } = await model.prepare([set(`${ACL}[kids].Enable`, "true")]);
  assert.deepEqual(faults.map((f) => [f.parameterName, f.error.faultCode]), [
    [`${ACL}[kids].Enable`, 9005],
  ]);
  assert.deepEqual(rows, []);
  assert.deepEqual(await model.list(ACL, { depth: 1 }), []);
});

Deno.test("ParameterTree.commit() deletes auto-created rows when a sibling parameter fails", async () => {
  const { model, store } = engineFixture({ alias: true });
  const interval = "Device.ManagementServer.PeriodicInformInterval";
  // Refused while validating: nothing is created at all.
  assert.deepEqual(
    await setValues(model, [set(`${ACL}[kids].Enable`, "true"), set(interval, "0")]),
    [[interval, 9007]],
  );
  assert.deepEqual(await model.list(ACL, { depth: 1 }), []);
  // Refused by the provider while committing: the created row is taken back.
  store.set = () => {
    throw new Error("Disk full");
  };
  await assert.rejects(
    setValues(model, [set(`${ACL}[kids].Enable`, "true"), set(interval, "60")]),
    /Disk full/,
  );
  assert.deepEqual(await model.list(ACL, { depth: 1 }), []);
  const count = await model.parameter("Device.Hosts.AccessControlNumberOfEntries");
  assert.deepEqual(await model.read([count!]), ["0"]);
});

Deno.test("ParameterTree.commit() sets an auto-created row again by its alias", async () => {
  const { model } = engineFixture({ alias: true });
  await setValues(model, [set(`${ACL}[kids].Enable`, "true")]);
  await setValues(model, [set(`${ACL}[kids].Enable`, "false"), set(`${ACL}[kids].HostName`, "x")]);
  const rows = await model.list(ACL, { depth: 1, objects: true });
  assert.deepEqual(rows.filter((i) => i.ref === undefined).map((i) => i.path), [`${ACL}1.`]);
  const ref = await model.parameter(`${ACL}1.Enable`);
  assert.deepEqual(await model.read([ref!]), ["false"]);
});

Deno.test("ParameterTree.commit() auto-creates nested [alias] rows, parents first", async () => {
  const { model } = engineFixture({ alias: true });
  assert.deepEqual(
    await setValues(model, [
      set(`${ACL}[kids].Schedule.[night].Duration`, "3600"),
      set(`${ACL}[kids].Schedule.[day].Duration`, "60"),
      set(`${ACL}[kids].Enable`, "true"),
    ]),
    [],
  );
  const refs = await Promise.all([
    `${ACL}1.Schedule.1.Alias`,
    `${ACL}1.Schedule.1.Duration`,
    `${ACL}1.Schedule.2.Alias`,
    `${ACL}[kids].Schedule.[day].Duration`,
    `${ACL}1.ScheduleNumberOfEntries`,
  ].map((p) => model.parameter(p)));
  assert.deepEqual(await model.read(refs.map((r) => r!)), ["night", "3600", "day", "60", "2"]);
});

Deno.test("ParameterTree.prepare() with autoCreate refuses tables without a settable Alias", async () => {
  const { model } = engineFixture({ alias: true });
  assert.deepEqual(
    await setValues(model, [set("Device.Hosts.Host.[tv].HostName", "tv")]),
    [["Device.Hosts.Host.[tv].HostName", 9005]],
  );
  assert.deepEqual(
    await setValues(model, [set(`${ACL}[kids].Schedule.3.Duration`, "1")]),
    [[`${ACL}[kids].Schedule.3.Duration`, 9005]],
  );
  assert.deepEqual(await model.list(ACL, { depth: 1 }), []);
});
