import assert from "node:assert/strict";
import { AttributeStore, NotificationRejectedError } from "../../src/datamodel/attributes.ts";
import {
  InvalidArgumentsError,
  InvalidValueError,
  ParameterNameError,
} from "../../src/datamodel/errors.ts";
import { createDispatcher } from "../../src/rpc/dispatch.ts";
import { setParameterAttributes } from "../../src/rpc/set_parameter_attributes.ts";
import type {
  SetParameterAttributes,
  SetParameterAttributesStruct,
} from "../../src/soap/messages.ts";
import { fixture } from "../notify/_fixture.ts";

function spa(...list: Partial<SetParameterAttributesStruct>[]): SetParameterAttributes {
  return {
    kind: "SetParameterAttributes",
    parameterList: list.map((s) => ({
      name: "",
      notificationChange: false,
      notification: 0,
      accessListChange: false,
      accessList: [],
      ...s,
    })),
  };
}

function setup() {
  const f = fixture();
  const changes: string[][] = [];
  const store = new AttributeStore({ onChange: (paths) => changes.push([...paths]) });
  const notification = async (path: string) => store.get(await f.ref(path)).notification;
  return { ...f, store, changes, notification };
}

Deno.test("setParameterAttributes() sets Notification and AccessList of a named parameter", async () => {
  const { model, store, ref, changes } = setup();
  const response = await setParameterAttributes(
    model,
    store,
    spa({
      name: "Device.Name",
      notificationChange: true,
      notification: 1,
      accessListChange: true,
      accessList: ["Subscriber", "Subscriber"],
    }),
  );
  assert.deepEqual(response, { kind: "SetParameterAttributesResponse" });
  assert.deepEqual(store.get(await ref("Device.Name")), {
    notification: 1,
    accessList: ["Subscriber"],
  });
  assert.deepEqual(changes, [["Device.Name"]]);
});

Deno.test("setParameterAttributes() leaves a field alone when its Change flag is false", async () => {
  const { model, store, ref } = setup();
  await setParameterAttributes(
    model,
    store,
    spa({ name: "Device.Name", notificationChange: true, notification: 2 }),
  );
  await setParameterAttributes(
    model,
    store,
    spa({ name: "Device.Name", notification: 9, accessListChange: true, accessList: [] }),
  );
  assert.deepEqual(store.get(await ref("Device.Name")), { notification: 2, accessList: [] });
});

Deno.test("setParameterAttributes() applies a partial path to every parameter below it, rows included", async () => {
  const { model, store, notification } = setup();
  await setParameterAttributes(
    model,
    store,
    spa({ name: "Device.Box.", notificationChange: true, notification: 1 }),
  );
  for (const port of [1, 2]) {
    assert.equal(await notification(`Device.Box.Port.${port}.Enable`), 1);
    assert.equal(await notification(`Device.Box.Port.${port}.Status`), 1);
  }
  assert.equal(await notification("Device.Name"), 0);
});

Deno.test("setParameterAttributes() lets a later entry for the same parameter win", async () => {
  const { model, store, notification } = setup();
  await setParameterAttributes(
    model,
    store,
    spa(
      { name: "Device.Box.Port.", notificationChange: true, notification: 2 },
      { name: "Device.Box.Port.2.Enable", notificationChange: true, notification: 0 },
    ),
  );
  assert.equal(await notification("Device.Box.Port.1.Enable"), 2);
  assert.equal(await notification("Device.Box.Port.2.Enable"), 0);
});

Deno.test("setParameterAttributes() changes nothing when any entry faults (9005 unknown name)", async () => {
  const { model, store, changes } = setup();
  await assert.rejects(
    setParameterAttributes(
      model,
      store,
      spa(
        { name: "Device.Name", notificationChange: true, notification: 1 },
        { name: "Device.Nope", notificationChange: true, notification: 1 },
      ),
    ),
    (error: unknown) => error instanceof ParameterNameError && error.faultCode === 9005,
  );
  await assert.rejects(
    setParameterAttributes(model, store, spa({ name: "Device.Box.Port.7." })),
    ParameterNameError,
  );
  assert.deepEqual(store.paths(), []);
  assert.deepEqual(changes, []);
});

Deno.test("setParameterAttributes() refuses lightweight (before CWMP 1.4) and out-of-range Notification values with 9003", async () => {
  const { model, store } = setup();
  for (
    const [value, message] of [
      [3, 'Lightweight notification needs CWMP 1.4: "3"'],
      [6, 'Lightweight notification needs CWMP 1.4: "6"'],
      [7, 'Notification must be 0 to 6: "7"'],
      [-1, 'Notification must be 0 to 6: "-1"'],
    ] as const
  ) {
    await assert.rejects(
      setParameterAttributes(
        model,
        store,
        spa({ name: "Device.Name", notificationChange: true, notification: value }),
      ),
      (error: unknown) =>
        error instanceof InvalidArgumentsError && error.faultCode === 9003 &&
        error.message === message,
    );
  }
  assert.deepEqual(store.paths(), []);
});

Deno.test("setParameterAttributes() refuses active notification on a canDeny parameter with 9009", async () => {
  const { model, store, notification } = setup();
  await assert.rejects(
    setParameterAttributes(
      model,
      store,
      spa(
        { name: "Device.Name", notificationChange: true, notification: 1 },
        { name: "Device.UpTime", notificationChange: true, notification: 2 },
      ),
    ),
    (error: unknown) =>
      error instanceof NotificationRejectedError && error.faultCode === 9009 &&
      error.message === 'Active notification is not supported for "Device.UpTime"',
  );
  assert.deepEqual(store.paths(), []);
  await setParameterAttributes(
    model,
    store,
    spa({ name: "Device.UpTime", notificationChange: true, notification: 1 }),
  );
  assert.equal(await notification("Device.UpTime"), 1);
});

Deno.test("setParameterAttributes() refuses turning off a forceEnabled parameter with 9009", async () => {
  const { model, store, notification } = setup();
  await assert.rejects(
    setParameterAttributes(
      model,
      store,
      spa({ name: "Device.Version", notificationChange: true, notification: 0 }),
    ),
    {
      name: "NotificationRejectedError",
      message: 'Active notification cannot be turned off for "Device.Version"',
    },
  );
  await setParameterAttributes(
    model,
    store,
    spa({ name: "Device.Code", notificationChange: true, notification: 0 }),
  );
  assert.equal(await notification("Device.Code"), 0);
});

Deno.test("setParameterAttributes() on a partial path skips the parameters that refuse the setting", async () => {
  const { model, store, notification, ref } = setup();
  await setParameterAttributes(
    model,
    store,
    spa({ name: "Device.", notificationChange: true, notification: 2 }),
  );
  assert.equal(await notification("Device.UpTime"), 0);
  assert.equal(await notification("Device.Name"), 2);
  await setParameterAttributes(
    model,
    store,
    spa({
      name: "",
      notificationChange: true,
      notification: 0,
      accessListChange: true,
      accessList: ["Subscriber"],
    }),
  );
  assert.equal(await notification("Device.Version"), 2);
  assert.equal(await notification("Device.Name"), 0);
  assert.deepEqual(store.get(await ref("Device.Version")).accessList, ["Subscriber"]);
});

Deno.test("setParameterAttributes() refuses AccessList entries other than Subscriber with 9007", async () => {
  const { model, store } = setup();
  await assert.rejects(
    setParameterAttributes(
      model,
      store,
      spa({ name: "Device.Name", accessListChange: true, accessList: ["Subscriber", "Admin"] }),
    ),
    (error: unknown) =>
      error instanceof InvalidValueError && error.faultCode === 9007 &&
      error.message === 'AccessList entry is not supported: "Admin"',
  );
  assert.deepEqual(store.paths(), []);
});

Deno.test("setParameterAttributes() faults reach the ACS through the dispatcher as 9009", async () => {
  const { model, store } = setup();
  const dispatcher = createDispatcher({
    model,
    handlers: {
      SetParameterAttributes: (request, context) =>
        setParameterAttributes(context.model, store, request),
    },
  });
  const fault = await dispatcher.dispatch(
    spa({ name: "Device.UpTime", notificationChange: true, notification: 2 }),
  );
  assert.equal(fault.kind, "Fault");
  assert.equal(fault.kind === "Fault" && fault.faultCode, 9009);
  assert.ok(dispatcher.methods().includes("SetParameterAttributes"));
});

Deno.test("setParameterAttributes() takes the lightweight values 3-6 on CWMP 1.4", async () => {
  const { model, store, notification } = setup();
  for (const value of [3, 4, 5, 6]) {
    await setParameterAttributes(
      model,
      store,
      spa({ name: "Device.Name", notificationChange: true, notification: value }),
      { lightweight: true },
    );
    assert.equal(await notification("Device.Name"), value);
  }
  await assert.rejects(
    setParameterAttributes(
      model,
      store,
      spa({ name: "Device.Name", notificationChange: true, notification: 7 }),
      { lightweight: true },
    ),
    { name: "InvalidArgumentsError", message: 'Notification must be 0 to 6: "7"' },
  );
});

Deno.test("setParameterAttributes() refuses active lightweight on canDeny and any change of forceEnabled with 9009", async () => {
  const { model, store, notification } = setup();
  for (const value of [5, 6]) {
    await assert.rejects(
      setParameterAttributes(
        model,
        store,
        spa({ name: "Device.UpTime", notificationChange: true, notification: value }),
        { lightweight: true },
      ),
      {
        name: "NotificationRejectedError",
        message: 'Active lightweight notification is not supported for "Device.UpTime"',
      },
    );
  }
  for (const value of [3, 4]) {
    await setParameterAttributes(
      model,
      store,
      spa({ name: "Device.UpTime", notificationChange: true, notification: value }),
      { lightweight: true },
    );
    assert.equal(await notification("Device.UpTime"), value);
  }
  for (const value of [3, 4, 5, 6]) {
    await assert.rejects(
      setParameterAttributes(
        model,
        store,
        spa({ name: "Device.Version", notificationChange: true, notification: value }),
        { lightweight: true },
      ),
      {
        name: "NotificationRejectedError",
        message: 'Active notification cannot be turned off for "Device.Version"',
      },
    );
  }
  // forceDefaultEnabled may take them.
  await setParameterAttributes(
    model,
    store,
    spa({ name: "Device.Code", notificationChange: true, notification: 5 }),
    { lightweight: true },
  );
  assert.equal(await notification("Device.Code"), 5);
});
