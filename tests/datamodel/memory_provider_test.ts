import assert from "node:assert/strict";
import type { ParameterRef, Provider } from "../../src/datamodel/provider.ts";
import { MemoryProvider } from "../../src/datamodel/providers/memory.ts";
import type { ParameterSchema } from "../../src/datamodel/schema.ts";

const SCHEMA: ParameterSchema = {
  kind: "parameter",
  path: "Device.T.{i}.V",
  type: "string",
  access: "readWrite",
};

function ref(path: string): ParameterRef {
  return { path, schema: SCHEMA, instances: [] };
}

/**
 * The Provider contract every implementation must meet. New providers (file, script,
 * UCI) run the same suite with their own factory.
 */
function providerContract(name: string, create: (values: Record<string, string>) => Provider) {
  Deno.test(`${name} get() answers a batch in request order`, async () => {
    const p = create({ "Device.T.1.V": "a", "Device.T.2.V": "b" });
    assert.deepEqual(await p.get([ref("Device.T.2.V"), ref("Device.T.1.V"), ref("Device.T.2.V")]), [
      "b",
      "a",
      "b",
    ]);
  });

  Deno.test(`${name} set() applies a batch and undo() restores it`, async () => {
    const p = create({ "Device.T.1.V": "a", "Device.T.2.V": "b" });
    const outcome = await p.set!([
      { ...ref("Device.T.1.V"), value: "x" },
      { ...ref("Device.T.2.V"), value: "y" },
    ]);
    assert.deepEqual(await p.get([ref("Device.T.1.V"), ref("Device.T.2.V")]), ["x", "y"]);
    await outcome.undo?.();
    assert.deepEqual(await p.get([ref("Device.T.1.V"), ref("Device.T.2.V")]), ["a", "b"]);
  });

  Deno.test(`${name} instances() lists rows in ascending order`, async () => {
    const p = create({ "Device.T.10.V": "", "Device.T.2.V": "", "Device.T.2.W": "" });
    assert.deepEqual(await p.instances!("Device.T.", []), [2, 10]);
    assert.deepEqual(await p.instances!("Device.U.", []), []);
  });
}

providerContract("MemoryProvider", (values) => new MemoryProvider(values));

Deno.test("MemoryProvider set() reports the configured Status", () => {
  const p = new MemoryProvider({}, { applyStatus: 1 });
  assert.equal(p.set([{ ...ref("Device.T.1.V"), value: "x" }]).status, 1);
});
