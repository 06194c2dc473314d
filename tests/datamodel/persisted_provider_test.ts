import assert from "node:assert/strict";
import { PersistedProvider } from "../../src/datamodel/providers/persisted.ts";
import type { ParameterSchema } from "../../src/datamodel/schema.ts";

const schema = (path: string, extra: Partial<ParameterSchema> = {}): ParameterSchema => ({
  kind: "parameter",
  path,
  type: "string",
  access: "readWrite",
  ...extra,
});

Deno.test("PersistedProvider.get() reads object default, factory default, then zero value", () => {
  const p = new PersistedProvider();
  const ref = (s: ParameterSchema) => ({
    path: s.path.replace("{i}", "1"),
    schema: s,
    instances: [1],
  });
  assert.deepEqual(
    p.get([
      ref(schema("T.{i}.A", { objectDefault: "Allow", defaultValue: "Deny" })),
      ref(schema("T.{i}.B", { defaultValue: "x" })),
      ref(schema("T.{i}.C", { type: "boolean" })),
      ref(schema("T.{i}.D", { type: "unsignedInt" })),
      ref(schema("T.{i}.E", { type: "dateTime" })),
    ]),
    ["Allow", "x", "false", "0", "0001-01-01T00:00:00Z"],
  );
});

Deno.test("PersistedProvider.set() undo restores old values and reports each change", () => {
  let changes = 0;
  const p = new PersistedProvider({ onChange: () => changes++ });
  const s = schema("X.Name");
  p.set([{ path: "X.Name", schema: s, instances: [], value: "a" }]);
  const outcome = p.set([{ path: "X.Name", schema: s, instances: [], value: "b" }]);
  outcome.undo!();
  assert.deepEqual(p.get([{ path: "X.Name", schema: s, instances: [] }]), ["a"]);
  assert.equal(changes, 3);
});

Deno.test("PersistedProvider.deleteInstance() drops the row's values and nested tables", () => {
  const p = new PersistedProvider();
  p.addInstance("T.", [], 4);
  p.addInstance("T.4.S.", [4], 1);
  p.set([{ path: "T.4.Name", schema: schema("T.{i}.Name"), instances: [4], value: "v" }]);
  p.deleteInstance("T.4.");
  assert.deepEqual(p.instances("T."), []);
  assert.deepEqual(p.instances("T.4.S."), []);
  assert.equal(p.serialize(), '{"values":{},"rows":{"T.":[]}}');
});

Deno.test("PersistedProvider.restore() reads what serialize() wrote and rejects bad shapes", () => {
  const p = new PersistedProvider();
  p.addInstance("T.", [], 2);
  p.set([{ path: "T.2.Name", schema: schema("T.{i}.Name"), instances: [2], value: "v" }]);
  const q = new PersistedProvider();
  q.restore(p.serialize());
  assert.equal(q.serialize(), p.serialize());
  assert.throws(() => q.restore('{"values":{"a":1},"rows":{}}'), TypeError);
  assert.equal(q.serialize(), p.serialize());
});
