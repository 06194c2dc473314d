import assert from "node:assert/strict";
import { ParameterNameError } from "../../src/datamodel/errors.ts";
import type {
  Binding,
  ParameterChange,
  ParameterRef,
  Provider,
} from "../../src/datamodel/provider.ts";
import { MemoryProvider } from "../../src/datamodel/providers/memory.ts";
import { Schema, type SchemaEntry } from "../../src/datamodel/schema.ts";
import { ParameterTree } from "../../src/datamodel/tree.ts";

const ENTRIES: SchemaEntry[] = [
  { kind: "object", path: "Device.", access: "readOnly", minEntries: 1, maxEntries: 1 },
  { kind: "parameter", path: "Device.Name", type: "string", access: "readWrite" },
  { kind: "parameter", path: "Device.Secret", type: "string", access: "readWrite", hidden: true },
  { kind: "parameter", path: "Device.Unsupported", type: "string", access: "readWrite" },
  { kind: "object", path: "Device.Box.", access: "readOnly", minEntries: 1, maxEntries: 1 },
  {
    kind: "object",
    path: "Device.Box.Port.{i}.",
    access: "readWrite",
    minEntries: 0,
    maxEntries: "unbounded",
  },
  { kind: "parameter", path: "Device.Box.Port.{i}.Enable", type: "boolean", access: "readWrite" },
  { kind: "parameter", path: "Device.Box.Port.{i}.Speed", type: "unsignedInt", access: "readOnly" },
  { kind: "object", path: "Device.Empty.", access: "readOnly", minEntries: 1, maxEntries: 1 },
  { kind: "parameter", path: "Device.Empty.Nothing", type: "string", access: "readOnly" },
];

/** Wraps a provider and counts its calls. */
function counting(inner: Provider): Provider & { gets: number; sets: number } {
  const counted = {
    gets: 0,
    sets: 0,
    get(refs: readonly ParameterRef[]) {
      counted.gets++;
      return inner.get(refs);
    },
    set(changes: readonly ParameterChange[]) {
      counted.sets++;
      return inner.set!(changes);
    },
    instances: inner.instances?.bind(inner),
  };
  return counted;
}

function fixture() {
  const root = new MemoryProvider({ "Device.Name": "box", "Device.Secret": "s3cret" });
  const ports = new MemoryProvider({
    "Device.Box.Port.1.Enable": "true",
    "Device.Box.Port.1.Speed": "1000",
    "Device.Box.Port.3.Enable": "false",
    "Device.Box.Port.3.Speed": "100",
  });
  const rootCounted = counting(root);
  const portsCounted = counting(ports);
  const bindings: Binding[] = [
    { object: "Device.", parameters: ["Name", "Secret"], provider: rootCounted },
    { object: "Device.Box.Port.{i}.", parameters: ["Enable", "Speed"], provider: portsCounted },
  ];
  const tree = new ParameterTree({ schema: new Schema(ENTRIES), bindings });
  return { tree, root, ports, rootCounted, portsCounted };
}

const paths = (items: { path: string }[]) => items.map((i) => i.path);

Deno.test("ParameterTree.list() walks only bound parameters, rows included", async () => {
  const { tree } = fixture();
  assert.deepEqual(paths(await tree.list("")), [
    "Device.",
    "Device.Name",
    "Device.Secret",
    "Device.Box.",
    "Device.Box.Port.",
    "Device.Box.Port.1.",
    "Device.Box.Port.1.Enable",
    "Device.Box.Port.1.Speed",
    "Device.Box.Port.3.",
    "Device.Box.Port.3.Enable",
    "Device.Box.Port.3.Speed",
  ]);
});

Deno.test("ParameterTree.list() limits depth and can skip objects", async () => {
  const { tree } = fixture();
  assert.deepEqual(paths(await tree.list("", { depth: 1 })), ["Device."]);
  assert.deepEqual(paths(await tree.list("Device.Box.Port.", { depth: 1 })), [
    "Device.Box.Port.1.",
    "Device.Box.Port.3.",
  ]);
  assert.deepEqual(paths(await tree.list("Device.Box.", { objects: false, self: true })), [
    "Device.Box.Port.1.Enable",
    "Device.Box.Port.1.Speed",
    "Device.Box.Port.3.Enable",
    "Device.Box.Port.3.Speed",
  ]);
});

Deno.test("ParameterTree.list() with a limit stops one item past it", async () => {
  const { tree } = fixture();
  const all = paths(await tree.list(""));
  for (const limit of [0, 1, 4, 7, 10]) {
    assert.deepEqual(paths(await tree.list("", { limit })), all.slice(0, limit + 1), `${limit}`);
  }
  assert.deepEqual(paths(await tree.list("", { limit: all.length })), all);
  assert.deepEqual(paths(await tree.list("Device.Name", { self: true, limit: 0 })), [
    "Device.Name",
  ]);
});

Deno.test("ParameterTree.list() reports writability of parameters and objects", async () => {
  const { tree } = fixture();
  const items = await tree.list("Device.Box.", { self: true });
  const writable = Object.fromEntries(items.map((i) => [i.path, i.writable]));
  assert.equal(writable["Device.Box."], false);
  // The memory provider cannot add or delete rows, so neither table nor rows are writable.
  assert.equal(writable["Device.Box.Port."], false);
  assert.equal(writable["Device.Box.Port.1."], false);
  assert.equal(writable["Device.Box.Port.1.Enable"], true);
  assert.equal(writable["Device.Box.Port.1.Speed"], false);
});

Deno.test("ParameterTree.list() rejects unknown, unsupported and mistyped paths with 9005", async () => {
  const { tree } = fixture();
  for (
    const path of [
      "Device.Nope",
      "Device.Unsupported",
      "Device.Empty.",
      "Device.Box.Port.2.",
      "Device.Box.Port.1.Enable.",
      "Device.Box",
      "Device.Box.Port.x.",
      "Device.Name.Sub",
      "Other.",
    ]
  ) {
    await assert.rejects(tree.list(path), ParameterNameError, path);
  }
});

Deno.test("ParameterTree.read() batches one call per provider and hides hidden values", async () => {
  const { tree, rootCounted, portsCounted } = fixture();
  const refs = (await tree.list("", { objects: false })).map((i) => i.ref!);
  const values = await tree.read(refs);
  assert.deepEqual(values, ["box", "", "true", "1000", "false", "100"]);
  assert.equal(rootCounted.gets, 1);
  assert.equal(portsCounted.gets, 1);
});

Deno.test("ParameterTree.prepare() collects every fault without changing anything", async () => {
  const { tree, root, ports } = fixture();
  const { changes, faults } = await tree.prepare([
    { name: "Device.Name", value: "new", type: "xsd:string" },
    { name: "Device.Box.Port.1.Enable", value: "maybe", type: "xsd:boolean" },
    { name: "Device.Box.Port.1.Speed", value: "10", type: "xsd:unsignedInt" },
    { name: "Device.Box.Port.9.Enable", value: "1", type: "xsd:boolean" },
    { name: "Device.Box.Port.3.Enable", value: "1", type: "xsd:int" },
  ]);
  assert.deepEqual(changes, []);
  assert.deepEqual(
    faults.map((f) => [f.parameterName, f.error.faultCode]),
    [
      ["Device.Box.Port.1.Enable", 9007],
      ["Device.Box.Port.1.Speed", 9008],
      ["Device.Box.Port.9.Enable", 9005],
      ["Device.Box.Port.3.Enable", 9006],
    ],
  );
  assert.equal(root.value("Device.Name"), "box");
  assert.equal(ports.value("Device.Box.Port.1.Enable"), "true");
});

Deno.test("ParameterTree.commit() applies canonical values through each provider once", async () => {
  const { tree, root, ports, rootCounted, portsCounted } = fixture();
  const { changes, faults } = await tree.prepare([
    { name: "Device.Box.Port.3.Enable", value: "1", type: "xsd:boolean" },
    { name: "Device.Name", value: "renamed", type: "xsd:string" },
    { name: "Device.Box.Port.1.Enable", value: "0", type: "" },
  ]);
  assert.deepEqual(faults, []);
  assert.equal(await tree.commit(changes), 0);
  assert.equal(root.value("Device.Name"), "renamed");
  assert.equal(ports.value("Device.Box.Port.3.Enable"), "true");
  assert.equal(ports.value("Device.Box.Port.1.Enable"), "false");
  assert.equal(rootCounted.sets, 1);
  assert.equal(portsCounted.sets, 1);
});

Deno.test("ParameterTree.commit() undoes earlier providers when a later one fails", async () => {
  const root = new MemoryProvider({ "Device.Name": "box" });
  const failing: Provider = {
    get: (refs) => refs.map(() => ""),
    set: () => {
      throw new Error("Disk full");
    },
  };
  const tree = new ParameterTree({
    schema: new Schema(ENTRIES),
    bindings: [
      { object: "Device.", parameters: ["Name"], provider: root },
      { object: "Device.Empty.", parameters: ["Nothing"], provider: failing },
    ],
  });
  const name = (await tree.parameter("Device.Name"))!;
  const nothing = (await tree.parameter("Device.Empty.Nothing"))!;
  await assert.rejects(
    tree.commit([{ ...name, value: "x" }, { ...nothing, value: "y" }]),
    { message: "Disk full" },
  );
  assert.equal(root.value("Device.Name"), "box");
});

Deno.test("ParameterTree.parameter() returns undefined for objects and unknown names", async () => {
  const { tree } = fixture();
  assert.equal((await tree.parameter("Device.Box.Port.3.Speed"))?.path, "Device.Box.Port.3.Speed");
  assert.deepEqual((await tree.parameter("Device.Box.Port.3.Speed"))?.instances, [3]);
  assert.equal(await tree.parameter("Device.Box."), undefined);
  assert.equal(await tree.parameter("Device.Nope"), undefined);
  await assert.rejects(tree.parameter("Device..Nope"), ParameterNameError);
});

Deno.test("ParameterTree() rejects bindings the schema does not know", () => {
  const schema = new Schema(ENTRIES);
  const provider = new MemoryProvider();
  assert.throws(
    () =>
      new ParameterTree({
        schema,
        bindings: [{ object: "Device.Nope.", parameters: [], provider }],
      }),
    { name: "TypeError", message: 'Binding names no schema object: "Device.Nope."' },
  );
  assert.throws(
    () =>
      new ParameterTree({
        schema,
        bindings: [{ object: "Device.", parameters: ["Nope"], provider }],
      }),
    { name: "TypeError", message: 'Binding names no schema parameter: "Device.Nope"' },
  );
  assert.throws(
    () =>
      new ParameterTree({
        schema,
        bindings: [
          { object: "Device.", parameters: ["Name"], provider },
          { object: "Device.", parameters: ["Name"], provider },
        ],
      }),
    { name: "TypeError", message: 'Parameter bound twice: "Device.Name"' },
  );
  assert.throws(
    () =>
      new ParameterTree({
        schema,
        bindings: [{
          object: "Device.Box.Port.{i}.",
          parameters: ["Enable"],
          provider: { get: () => [] },
        }],
      }),
    { name: "TypeError", message: 'No provider lists the instances of "Device.Box.Port.{i}."' },
  );
});
