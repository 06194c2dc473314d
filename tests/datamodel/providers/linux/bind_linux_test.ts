import assert from "node:assert/strict";
import { tr181Entries } from "../../../../src/datamodel/generated/tr181.ts";
import { bindLinux } from "../../../../src/datamodel/providers/linux/mod.ts";
import { Schema } from "../../../../src/datamodel/schema.ts";
import { ParameterTree } from "../../../../src/datamodel/tree.ts";
import { validateValue } from "../../../../src/datamodel/validate.ts";
import { createDenoSystemSource } from "../../../../src/platform/system_source.ts";
import { readBindings } from "../../../_helpers/provider_contract.ts";
import { fixture } from "./_fixture.ts";

Deno.test("bindLinux() builds a ParameterTree over the TR-181 schema", async () => {
  const tree = new ParameterTree({
    schema: new Schema(tr181Entries()),
    bindings: bindLinux(fixture("router")),
  });
  const names = (await tree.list("Device.Ethernet.", { objects: false })).map((i) => i.path);
  assert.ok(names.includes("Device.Ethernet.Interface.2.Stats.BytesReceived"));
  const ref = await tree.parameter("Device.IP.Interface.5.IPv4Address.1.IPAddress");
  assert.deepEqual(await tree.read([ref!]), ["192.168.1.1"]);
});

Deno.test("bindLinux() on the live system answers schema-valid values", async () => {
  const schema = new Schema(tr181Entries());
  const values = await readBindings(bindLinux(createDenoSystemSource()), schema);
  assert.ok(Number(values["Device.DeviceInfo.MemoryStatus.Total"]) > 0);
  assert.ok(Object.keys(values).some((k) => k.endsWith(".Name") && values[k] === "lo"));
  for (const [path, value] of Object.entries(values)) {
    const pattern = path.replace(/\.\d+\./g, ".{i}.");
    assert.equal(validateValue(schema.parameter(pattern)!, value), value, path);
  }
});
