import assert from "node:assert/strict";
import { AttributeStore } from "../../src/datamodel/attributes.ts";
import { ParameterNameError } from "../../src/datamodel/errors.ts";
import { getParameterAttributes } from "../../src/rpc/get_parameter_attributes.ts";
import type { GetParameterAttributes } from "../../src/soap/messages.ts";
import { fixture } from "../notify/_fixture.ts";

const gpa = (...parameterNames: string[]): GetParameterAttributes => ({
  kind: "GetParameterAttributes",
  parameterNames,
});

Deno.test("getParameterAttributes() answers defaults from the schema and stored attributes", async () => {
  const { model, ref } = fixture();
  const store = new AttributeStore();
  store.update([{ ref: await ref("Device.Name"), notification: 1, accessList: ["Subscriber"] }]);
  const response = await getParameterAttributes(
    model,
    store,
    gpa("Device.Name", "Device.Version", "Device.UpTime"),
  );
  assert.deepEqual(response, {
    kind: "GetParameterAttributesResponse",
    parameterList: [
      { name: "Device.Name", notification: 1, accessList: ["Subscriber"] },
      { name: "Device.Version", notification: 2, accessList: [] },
      { name: "Device.UpTime", notification: 0, accessList: [] },
    ],
  });
});

Deno.test("getParameterAttributes() expands a partial path to every parameter below it", async () => {
  const { model } = fixture();
  const response = await getParameterAttributes(model, new AttributeStore(), gpa("Device.Box."));
  assert.deepEqual(response.parameterList.map((p) => [p.name, p.notification]), [
    ["Device.Box.Port.1.Enable", 0],
    ["Device.Box.Port.1.Status", 2],
    ["Device.Box.Port.2.Enable", 0],
    ["Device.Box.Port.2.Status", 2],
  ]);
});

Deno.test("getParameterAttributes() with an empty name lists the whole tree", async () => {
  const { model } = fixture();
  const response = await getParameterAttributes(model, new AttributeStore(), gpa(""));
  assert.equal(response.parameterList.length, 8);
  assert.equal(response.parameterList[0].name, "Device.Name");
});

Deno.test("getParameterAttributes() faults an unknown name with 9005", async () => {
  const { model } = fixture();
  await assert.rejects(
    getParameterAttributes(model, new AttributeStore(), gpa("Device.Name", "Device.Nope")),
    (error: unknown) => error instanceof ParameterNameError && error.faultCode === 9005,
  );
});
