import assert from "node:assert/strict";
import { AttributeStore } from "../../src/datamodel/attributes.ts";
import { notifiedParameters } from "../../src/notify/mod.ts";
import { ENTRIES, fixture } from "./_fixture.ts";

Deno.test("notifiedParameters() lists schema-active parameters in every row plus stored ones", async () => {
  const { model, ref } = fixture();
  const store = new AttributeStore();
  store.update([
    { ref: await ref("Device.Name"), notification: 1 },
    { ref: await ref("Device.Code"), notification: 0 },
    { ref: await ref("Device.Box.Port.2.Status"), notification: 1 },
  ]);
  const watched = await notifiedParameters(model, store, ENTRIES);
  assert.deepEqual(watched.map((w) => [w.ref.path, w.notification]), [
    ["Device.Version", 2],
    ["Device.Box.Port.1.Status", 2],
    ["Device.Box.Port.2.Status", 1],
    ["Device.Name", 1],
  ]);
});

Deno.test("notifiedParameters() skips stored paths the tree no longer has", async () => {
  const { model } = fixture();
  const store = new AttributeStore();
  store.restore(JSON.stringify({
    format: 1,
    parameters: { "Device.Box.Port.9.Enable": { notification: 1, accessList: [] } },
  }));
  const watched = await notifiedParameters(model, store, ENTRIES);
  assert.equal(watched.some((w) => w.ref.path === "Device.Box.Port.9.Enable"), false);
});
