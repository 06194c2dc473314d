import assert from "node:assert/strict";
import type { ParameterRef } from "../../src/datamodel/provider.ts";
import { MemoryProvider } from "../../src/datamodel/providers/memory.ts";
import { Schema, type SchemaEntry } from "../../src/datamodel/schema.ts";
import { ParameterTree } from "../../src/datamodel/tree.ts";
import { getParameterValues } from "../../src/rpc/get_parameter_values.ts";

const NAMES = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"];
const ROWS = 1000;

function bigTree() {
  const entries: SchemaEntry[] = [
    { kind: "object", path: "Device.", access: "readOnly", minEntries: 1, maxEntries: 1 },
    {
      kind: "object",
      path: "Device.Host.{i}.",
      access: "readOnly",
      minEntries: 0,
      maxEntries: "unbounded",
    },
    ...NAMES.map((n): SchemaEntry => ({
      kind: "parameter",
      path: `Device.Host.{i}.${n}`,
      type: "unsignedInt",
      access: "readOnly",
    })),
  ];
  const values: Record<string, string> = {};
  for (let row = 1; row <= ROWS; row++) {
    for (const n of NAMES) values[`Device.Host.${row}.${n}`] = String(row);
  }
  const memory = new MemoryProvider(values);
  const calls = { get: 0, instances: 0 };
  const provider = {
    get(refs: readonly ParameterRef[]) {
      calls.get++;
      return memory.get(refs);
    },
    instances(table: string) {
      calls.instances++;
      return memory.instances(table);
    },
  };
  const tree = new ParameterTree({
    schema: new Schema(entries),
    bindings: [{ object: "Device.Host.{i}.", parameters: NAMES, provider }],
  });
  return { tree, calls };
}

Deno.test("getParameterValues() reads 10,000 parameters with one provider call", async () => {
  const { tree, calls } = bigTree();
  const response = await getParameterValues(tree, {
    kind: "GetParameterValues",
    parameterNames: ["Device."],
  });
  assert.equal(response.parameterList.length, ROWS * NAMES.length);
  assert.deepEqual(response.parameterList.at(-1), {
    name: `Device.Host.${ROWS}.J`,
    value: String(ROWS),
    type: "xsd:unsignedInt",
  });
  assert.deepEqual(calls, { get: 1, instances: 1 });
});
