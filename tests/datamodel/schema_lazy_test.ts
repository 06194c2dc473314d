import assert from "node:assert/strict";
import {
  TR181_DATA,
  TR181_MODEL,
  tr181Entries,
  tr181Schema,
} from "../../src/datamodel/generated/tr181.ts";
import {
  TR098_DATA,
  TR098_MODEL,
  tr098Entries,
  tr098Schema,
} from "../../src/datamodel/generated/tr098.ts";
import { lazySchema, readSchemaFile } from "../../src/datamodel/schema_gen/decode.ts";
import { bindLinux } from "../../src/datamodel/providers/linux/mod.ts";
import { persistableParameters } from "../../src/datamodel/providers/persisted.ts";
import { Schema, type SchemaEntry } from "../../src/datamodel/schema.ts";
import { ParameterTree } from "../../src/datamodel/tree.ts";
import { fixture } from "./providers/linux/_fixture.ts";

const MODELS = [
  {
    name: "TR-181",
    entries: tr181Entries,
    lazy: tr181Schema,
    data: TR181_DATA,
    model: TR181_MODEL,
  },
  {
    name: "TR-098",
    entries: tr098Entries,
    lazy: tr098Schema,
    data: TR098_DATA,
    model: TR098_MODEL,
  },
];

for (const { name, entries, lazy, data, model } of MODELS) {
  Deno.test(`${name}: the lazily decoded schema answers exactly what the eager one does`, () => {
    const eager = new Schema(entries());
    const schema = lazy();
    let objects = 0;
    for (const entry of entries()) {
      if (entry.kind === "object") {
        assert.deepEqual(schema.object(entry.path), entry);
        assert.equal(schema.objectIndex(entry.path), objects++);
        assert.deepEqual([...schema.parametersOf(entry.path)], [...eager.parametersOf(entry.path)]);
      } else {
        assert.deepEqual(schema.parameter(entry.path), entry);
        assert.equal(schema.object(entry.path), undefined);
      }
    }
    assert.deepEqual(schema.entries, entries());
    assert.equal(schema.parameter("Device.NoSuch.Name"), undefined);
    assert.equal(schema.objectIndex("Device.NoSuch."), -1);
    assert.deepEqual([...schema.parametersOf("Device.NoSuch.")], []);
  });

  Deno.test(`${name}: isCounter() is true for exactly the tables' NumberOfEntries parameters`, () => {
    const schema = lazy();
    const counters = new Set(
      entries().flatMap((e) =>
        e.kind === "object" && e.numEntriesParameter ? [e.numEntriesParameter] : []
      ),
    );
    const found = entries().filter((e) => e.kind === "parameter" && schema.isCounter(e.path));
    assert.deepEqual(
      found.map((e) => e.path),
      entries().filter((e) => e.kind === "parameter" && counters.has(e.path)).map((e) => e.path),
    );
    assert.ok(found.length > 50, `${found.length} counters`);
  });

  Deno.test(`${name}: the data file's shapes text answers isCounter() as the decoded tables do`, () => {
    const file = readSchemaFile(data, model);
    assert.equal(file.shapesText, file.shapes.join("\n"));
    const eager = new Schema(entries());
    // From the shapes text, and from the shapes alone (joined on first use): both exact.
    const fromText = lazySchema(file.shapes, file.rows, [], file.shapesText);
    const fromLines = lazySchema(file.shapes, file.rows, []);
    for (const entry of entries()) {
      if (entry.kind !== "parameter") continue;
      const expected = eager.isCounter(entry.path);
      assert.equal(fromText.isCounter(entry.path), expected, entry.path);
      assert.equal(fromLines.isCounter(entry.path), expected, entry.path);
    }
  });

  Deno.test(`${name}: childObjects() lists the objects one level down, in schema order`, () => {
    const schema = lazy();
    const objects = entries().filter((e) => e.kind === "object").map((e) => e.path);
    for (const parent of objects) {
      const expected = objects.filter((path) => {
        if (path === parent || !path.startsWith(parent)) return false;
        const rest = path.slice(parent.length).replace(/\.\{i\}\.$/, ".");
        return rest.indexOf(".") === rest.length - 1;
      });
      assert.deepEqual(schema.childObjects(parent), expected, parent);
    }
  });
}

Deno.test("Schema.lazy() with a counter oracle answers isCounter() without decoding", () => {
  const decoded: number[] = [];
  const schema = Schema.lazy(
    ["Device.", "Device.T.{i}."],
    (index) => {
      decoded.push(index);
      return [];
    },
    [],
    (pattern) => pattern === "Device.TNumberOfEntries",
  );
  assert.equal(schema.isCounter("Device.TNumberOfEntries"), true);
  assert.equal(schema.isCounter("Device.Name"), false);
  assert.deepEqual(decoded, []);
});

Deno.test("Schema.lazy() decodes an object only when it or a parameter of it is asked for", () => {
  const decoded: number[] = [];
  const rows: SchemaEntry[][] = [
    [{ kind: "object", path: "Device.", access: "readOnly", minEntries: 1, maxEntries: 1 }],
    [
      { kind: "object", path: "Device.A.", access: "readOnly", minEntries: 1, maxEntries: 1 },
      { kind: "parameter", path: "Device.A.X", type: "string", access: "readOnly" },
    ],
    [
      { kind: "object", path: "Device.B.", access: "readOnly", minEntries: 1, maxEntries: 1 },
      { kind: "parameter", path: "Device.B.Y", type: "boolean", access: "readWrite" },
    ],
  ];
  const schema = Schema.lazy(["Device.", "Device.A.", "Device.B."], (index) => {
    decoded.push(index);
    return rows[index];
  });
  assert.equal(schema.objectIndex("Device.B."), 2);
  assert.deepEqual(decoded, []);
  assert.equal(schema.parameter("Device.A.X")?.type, "string");
  assert.equal(schema.parameter("Device.A.Z"), undefined);
  assert.equal(schema.object("Device.A.")?.path, "Device.A.");
  assert.deepEqual(decoded, [1]);
  assert.deepEqual(schema.childObjects("Device."), ["Device.A.", "Device.B."]);
  assert.deepEqual(decoded, [1]);
  assert.deepEqual(schema.entries.map((e) => e.path), [
    "Device.",
    "Device.A.",
    "Device.A.X",
    "Device.B.",
    "Device.B.Y",
  ]);
  assert.deepEqual(decoded, [1, 0, 2]);
});

Deno.test("new Schema() still refuses duplicates and orphan parameters", () => {
  const root: SchemaEntry = {
    kind: "object",
    path: "Device.",
    access: "readOnly",
    minEntries: 1,
    maxEntries: 1,
  };
  const x: SchemaEntry = {
    kind: "parameter",
    path: "Device.X",
    type: "string",
    access: "readOnly",
  };
  assert.throws(() => new Schema([root, root]), /Duplicate schema entry: "Device."/);
  assert.throws(() => new Schema([root, x, x]), /Duplicate schema entry: "Device.X"/);
  assert.throws(
    () => new Schema([{ ...x, path: "Device.A.X" }]),
    /"Device.A.X" has no object "Device.A."/,
  );
});

Deno.test("a tree over the lazy TR-181 schema is the tree over the eager one, in schema order", async () => {
  const eager = new Schema(tr181Entries());
  const trees = [eager, tr181Schema()].map((schema) =>
    new ParameterTree({ schema, bindings: bindLinux(fixture("router")) })
  );
  const [eagerNames, lazyNames] = await Promise.all(
    trees.map(async (tree) => (await tree.list("")).map((i) => `${i.path} ${i.writable}`)),
  );
  assert.ok(eagerNames.length > 300, `${eagerNames.length} names`);
  assert.deepEqual(lazyNames, eagerNames);
  const position = new Map(eager.entries.map((e, i) => [e.path, i]));
  const held = [...trees[1].parameterSchemas()].map((p) => position.get(p.path)!);
  assert.deepEqual(held, [...held].sort((a, b) => a - b));
  assert.ok(held.length > 50, `${held.length} parameters held`);
});

Deno.test("persistableParameters() leaves out only the object's own row counters", () => {
  const schema = tr181Schema();
  const names = persistableParameters(schema, "Device.ManagementServer.");
  assert.ok(names.includes("URL") && names.includes("PeriodicInformInterval"));
  assert.ok(!names.includes("InformParameterNumberOfEntries"));
  assert.ok(!names.includes("ManageableDeviceNumberOfEntries"));
  assert.ok(names.every((n) => !n.includes(".")));
});
