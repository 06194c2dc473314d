/**
 * The lazy tree (`ParameterTree`'s `lazy`, what the agent runs): the same names, order,
 * values and parameter lists as the eager tree on the real schemas, while building only
 * the objects a path reaches; the bindings' errors still come out, when their object is
 * built.
 */

import assert from "node:assert/strict";
import { createDeviceModel, loadDeviceSchema } from "../../src/datamodel/device_model.ts";
import { tr181Entries } from "../../src/datamodel/generated/tr181.ts";
import { bindLinux } from "../../src/datamodel/providers/linux/mod.ts";
import { isNotable, Schema, type SchemaEntry } from "../../src/datamodel/schema.ts";
import { ParameterTree } from "../../src/datamodel/tree.ts";
import type { Binding } from "../../src/datamodel/provider.ts";
import { IDENTITY, RecordingStore } from "../rpc/_slice_fixture.ts";
import { fixture } from "./providers/linux/_fixture.ts";

function deviceModel(root: "tr181" | "tr098", lazy: boolean, bindings: Binding[] = []) {
  return createDeviceModel({
    root,
    deviceInfo: { identity: IDENTITY, uptimeSeconds: () => 7 },
    managementServer: { store: new RecordingStore() },
    bindings,
    lazy,
  });
}

/** Every name of the tree with its writability, and every parameter's value. */
async function dump(tree: ParameterTree): Promise<string[]> {
  const items = await tree.list("");
  const refs = items.flatMap((i) => i.ref === undefined ? [] : [i.ref]);
  const values = await tree.read(refs);
  const byPath = new Map(refs.map((ref, i) => [ref.path, values[i]]));
  return items.map((i) => `${i.path} ${i.writable} ${byPath.get(i.path) ?? ""}`);
}

for (const root of ["tr181", "tr098"] as const) {
  Deno.test(`${root}: the lazy device model lists, reads and counts exactly what the eager one does`, async () => {
    await loadDeviceSchema(root);
    const bindings = () => root === "tr181" ? bindLinux(fixture("router")) : [];
    const eager = deviceModel(root, false, bindings());
    const lazy = deviceModel(root, true, bindings());
    const expected = await dump(eager);
    assert.ok(expected.length > (root === "tr181" ? 300 : 40), `${expected.length} names`);
    assert.deepEqual(await dump(lazy), expected);
    const paths = (tree: ParameterTree) => [...tree.parameterSchemas()].map((p) => p.path);
    assert.deepEqual(paths(deviceModel(root, true, bindings())), paths(eager));
    // The notable ones: the held parameters the schema forces into the Inform or notifies.
    const notable = (tree: ParameterTree) => tree.notableParameterSchemas().map((p) => p.path);
    const held = [...eager.parameterSchemas()].filter(isNotable).map((p) => p.path);
    assert.ok(held.length >= 4, held.join(" "));
    assert.deepEqual(notable(deviceModel(root, true, bindings())), held);
    assert.deepEqual(notable(eager), held);
  });
}

Deno.test("the lazy tree starting with a path builds only its objects, then the rest in the eager order", async () => {
  const decoded: string[] = [];
  const entries = tr181Entries();
  const objects = entries.filter((e) => e.kind === "object").map((e) => e.path);
  const byObject = new Map<string, SchemaEntry[]>(objects.map((p) => [p, []]));
  for (const e of entries) {
    byObject.get(e.kind === "object" ? e.path : e.path.slice(0, e.path.lastIndexOf(".") + 1))!
      .push(e);
  }
  const schema = Schema.lazy(objects, (index) => {
    decoded.push(objects[index]);
    return byObject.get(objects[index])!;
  }, new Schema(entries).notableParameters());
  const bindings = bindLinux(fixture("router"));
  const tree = new ParameterTree({ schema, bindings, lazy: true });
  const built = () => new Set(decoded.map((p) => p.split(".")[1]));
  // At construction: the root object and the checks of the bound objects' names only.
  assert.deepEqual([...built()].filter((g) => g !== ""), []);
  const ref = await tree.parameter("Device.DeviceInfo.MemoryStatus.Total");
  assert.ok(ref);
  assert.deepEqual([...built()].filter((g) => g !== ""), ["DeviceInfo"]);
  // None of the notable parameters is bound here: finding that out builds nothing more.
  assert.deepEqual(tree.notableParameterSchemas(), []);
  assert.deepEqual([...built()].filter((g) => g !== ""), ["DeviceInfo"]);
  // A read deep in another object builds that object's group alone.
  await tree.list("Device.Ethernet.", { objects: false });
  assert.ok(built().has("Ethernet") && !built().has("IP"), [...built()].join(" "));
  // Listing everything builds the rest and names come in the eager tree's order.
  const eager = new ParameterTree({
    schema: new Schema(entries),
    bindings: bindLinux(fixture("router")),
  });
  const names = async (t: ParameterTree) => (await t.list("Device.")).map((i) => i.path);
  assert.deepEqual(await names(tree), await names(eager));
});

Deno.test("a lazy ParameterTree refuses an unknown object at once, an unknown parameter when its object is built", async () => {
  const schema = new Schema(tr181Entries());
  const provider = { get: () => [] };
  assert.throws(
    () =>
      new ParameterTree({
        schema,
        bindings: [{ object: "Device.Nope.", parameters: ["X"], provider }],
        lazy: true,
      }),
    { name: "TypeError", message: 'Binding names no schema object: "Device.Nope."' },
  );
  const tree = new ParameterTree({
    schema,
    bindings: [
      { object: "Device.DeviceInfo.", parameters: ["Manufacturer"], provider },
      { object: "Device.Time.", parameters: ["Nope"], provider },
    ],
    lazy: true,
  });
  assert.ok(await tree.parameter("Device.DeviceInfo.Manufacturer"));
  const refused = {
    name: "TypeError",
    message: 'Binding names no schema parameter: "Device.Time.Nope"',
  };
  await assert.rejects(tree.parameter("Device.Time.Enable"), refused);
  // Every later reach says so again: no half-built object, no listing without it.
  await assert.rejects(tree.parameter("Device.Time.Enable"), refused);
  await assert.rejects(tree.list("Device."), refused);
  await assert.rejects(tree.list("Device."), refused);
  assert.ok(await tree.parameter("Device.DeviceInfo.Manufacturer"));
});
