import assert from "node:assert/strict";
import {
  AttributeStore,
  defaultAttributes,
  NotificationRejectedError,
} from "../../src/datamodel/attributes.ts";
import type { ParameterSchema } from "../../src/datamodel/schema.ts";
import { fixture } from "../notify/_fixture.ts";

const param = (activeNotify?: ParameterSchema["activeNotify"]): ParameterSchema => ({
  kind: "parameter",
  path: "Device.X",
  type: "string",
  access: "readWrite",
  activeNotify,
});

Deno.test("defaultAttributes() is active for forceEnabled and forceDefaultEnabled, off otherwise", () => {
  assert.deepEqual(defaultAttributes(param("forceEnabled")), { notification: 2, accessList: [] });
  assert.equal(defaultAttributes(param("forceDefaultEnabled")).notification, 2);
  assert.equal(defaultAttributes(param("canDeny")).notification, 0);
  assert.equal(defaultAttributes(param("normal")).notification, 0);
  assert.equal(defaultAttributes(param()).notification, 0);
});

Deno.test("AttributeStore.get() answers schema defaults for parameters never set", async () => {
  const { ref } = fixture();
  const store = new AttributeStore();
  assert.deepEqual(store.get(await ref("Device.Name")), { notification: 0, accessList: [] });
  assert.deepEqual(store.get(await ref("Device.Version")), { notification: 2, accessList: [] });
  assert.deepEqual(store.get(await ref("Device.Box.Port.2.Status")), {
    notification: 2,
    accessList: [],
  });
  assert.deepEqual(store.paths(), []);
});

Deno.test("AttributeStore.update() applies in order and calls onChange once with the touched paths", async () => {
  const { ref } = fixture();
  const calls: string[][] = [];
  const store = new AttributeStore({ onChange: (paths) => calls.push([...paths]) });
  const name = await ref("Device.Name");
  const enable = await ref("Device.Box.Port.1.Enable");
  store.update([
    { ref: name, notification: 2 },
    { ref: enable, accessList: ["Subscriber"] },
    { ref: name, notification: 1 },
  ]);
  assert.deepEqual(store.get(name), { notification: 1, accessList: [] });
  assert.deepEqual(store.get(enable), { notification: 0, accessList: ["Subscriber"] });
  assert.deepEqual(calls, [["Device.Name", "Device.Box.Port.1.Enable"]]);
  store.update([]);
  assert.equal(calls.length, 1);
});

Deno.test("AttributeStore.update() keeps no entry for attributes back at their default", async () => {
  const { ref } = fixture();
  const store = new AttributeStore();
  const code = await ref("Device.Code");
  store.update([{ ref: code, notification: 0 }]);
  assert.deepEqual(store.paths(), ["Device.Code"]);
  assert.equal(store.get(code).notification, 0);
  store.update([{ ref: code, notification: 2 }]);
  assert.deepEqual(store.paths(), []);
});

Deno.test("AttributeStore.get() keeps a forceEnabled parameter at 2 whatever was stored", async () => {
  const { ref } = fixture();
  const store = new AttributeStore();
  const version = await ref("Device.Version");
  store.update([{ ref: version, notification: 0, accessList: ["Subscriber"] }]);
  assert.deepEqual(store.get(version), { notification: 2, accessList: ["Subscriber"] });
});

Deno.test("AttributeStore.forget() drops a deleted row's attributes so a new row starts at defaults", async () => {
  const { ref } = fixture();
  const calls: string[][] = [];
  const store = new AttributeStore({ onChange: (paths) => calls.push([...paths]) });
  const enable1 = await ref("Device.Box.Port.1.Enable");
  const status1 = await ref("Device.Box.Port.1.Status");
  const enable2 = await ref("Device.Box.Port.2.Enable");
  store.update([
    { ref: enable1, notification: 1 },
    { ref: status1, notification: 0 },
    { ref: enable2, notification: 1 },
  ]);
  calls.length = 0;
  assert.deepEqual(store.forget("Device.Box.Port.1."), [
    "Device.Box.Port.1.Enable",
    "Device.Box.Port.1.Status",
  ]);
  assert.deepEqual(calls, [["Device.Box.Port.1.Enable", "Device.Box.Port.1.Status"]]);
  assert.equal(store.get(enable1).notification, 0);
  assert.equal(store.get(status1).notification, 2);
  assert.equal(store.get(enable2).notification, 1);
  assert.deepEqual(store.forget("Device.Box.Port.1."), []);
  assert.equal(calls.length, 1);
});

Deno.test("AttributeStore.forget() of a parameter name drops only that parameter", async () => {
  const { ref } = fixture();
  const store = new AttributeStore();
  store.update([
    { ref: await ref("Device.Name"), notification: 1 },
    { ref: await ref("Device.Code"), notification: 1 },
  ]);
  assert.deepEqual(store.forget("Device.Nam"), []);
  assert.deepEqual(store.forget("Device.Name"), ["Device.Name"]);
  assert.deepEqual(store.paths(), ["Device.Code"]);
});

Deno.test("AttributeStore.serialize() and restore() round-trip without calling onChange", async () => {
  const { ref } = fixture();
  const store = new AttributeStore();
  store.update([
    { ref: await ref("Device.Name"), notification: 1, accessList: ["Subscriber"] },
    { ref: await ref("Device.Code"), notification: 0 },
  ]);
  const text = store.serialize();
  assert.deepEqual(JSON.parse(text), {
    format: 1,
    parameters: {
      "Device.Code": { notification: 0, accessList: [] },
      "Device.Name": { notification: 1, accessList: ["Subscriber"] },
    },
  });
  let changed = 0;
  const copy = new AttributeStore({ onChange: () => changed++ });
  copy.restore(text);
  assert.equal(copy.serialize(), text);
  assert.deepEqual(copy.get(await ref("Device.Name")), {
    notification: 1,
    accessList: ["Subscriber"],
  });
  assert.equal(changed, 0);
});

Deno.test("AttributeStore.restore() rejects bad text and leaves the store unchanged", async () => {
  const { ref } = fixture();
  const store = new AttributeStore();
  store.update([{ ref: await ref("Device.Name"), notification: 1 }]);
  const before = store.serialize();
  assert.throws(() => store.restore("{"), SyntaxError);
  assert.throws(
    () => store.restore('{"format":2,"parameters":{}}'),
    { name: "TypeError", message: "Cannot restore attributes: expected format 1" },
  );
  assert.throws(
    () =>
      store.restore(
        '{"format":1,"parameters":{"Device.Code":{"notification":1,"accessList":[]},' +
          '"Device.X":{"notification":9,"accessList":[]}}}',
      ),
    { name: "TypeError", message: 'Cannot restore attributes: bad entry for "Device.X"' },
  );
  assert.equal(store.serialize(), before);
});

Deno.test("NotificationRejectedError() carries fault code 9009 and the path", () => {
  const error = new NotificationRejectedError("Device.UpTime", "No");
  assert.equal(error.faultCode, 9009);
  assert.equal(error.path, "Device.UpTime");
  assert.equal(error.message, "No");
});
