import assert from "node:assert/strict";
import { createDeviceModel } from "../../src/datamodel/device_model.ts";
import { MemoryInstanceNumbers } from "../../src/datamodel/mod.ts";
import { PersistedProvider } from "../../src/datamodel/providers/persisted.ts";
import { bindMqtt, mqttClientOf } from "../../src/datamodel/objects/mqtt.ts";
import { addObject, deleteObject, setParameterValues } from "../../src/rpc/mod.ts";
import { IDENTITY, RecordingStore } from "../rpc/_slice_fixture.ts";

function fixture() {
  const store = new PersistedProvider();
  let changes = 0;
  let profileChanges = 0;
  const reconnected: number[] = [];
  const model = createDeviceModel({
    deviceInfo: { identity: IDENTITY, uptimeSeconds: () => 7 },
    managementServer: { store: new RecordingStore() },
    bindings: [
      // The profiles themselves belong to the Bulk Data binding; one parameter is enough here.
      store.bind("Device.BulkData.Profile.{i}.", ["Enable", "Protocol"], 8),
      ...bindMqtt({
        store,
        runtime: {
          status: (n) => (n === 1 ? "Connected" : "Disabled"),
          responseInformation: (n) => (n === 1 ? "reports/" : ""),
          forceReconnect: (n) => reconnected.push(n),
        },
        onChange: () => changes++,
        onProfileChange: () => profileChanges++,
        maxClients: 2,
      }),
    ],
    instanceNumbers: new MemoryInstanceNumbers(),
  });
  return {
    model,
    store,
    reconnected,
    changes: () => changes,
    profileChanges: () => profileChanges,
  };
}

type Model = ReturnType<typeof fixture>["model"];

async function values(model: Model, path: string) {
  const items = await model.list(path, { objects: false, self: true });
  const read = await model.read(items.map((i) => i.ref!));
  return Object.fromEntries(items.map((i, k) => [i.path, read[k]]));
}

const spv = (...pairs: [string, string, string?][]) => ({
  kind: "SetParameterValues" as const,
  parameterList: pairs.map(([name, value, type]) => ({ name, value, type: type ?? "xsd:string" })),
  parameterKey: "",
});

const add = (model: Model, objectName: string) =>
  addObject(model, { kind: "AddObject", objectName, parameterKey: "" });

Deno.test("bindMqtt() keeps Client rows with TR-181 defaults and reads Status from the clients", async () => {
  const { model, store, changes } = fixture();
  assert.equal((await add(model, "Device.MQTT.Client.")).instanceNumber, 1);
  await setParameterValues(
    model,
    spv(
      ["Device.MQTT.Client.1.BrokerAddress", "broker.example.net"],
      ["Device.MQTT.Client.1.TransportProtocol", "TLS"],
      ["Device.MQTT.Client.1.Username", "cpe"],
      ["Device.MQTT.Client.1.Password", "s3cret"],
      ["Device.MQTT.Client.1.Enable", "true", "xsd:boolean"],
    ),
  );
  const all = await values(model, "Device.MQTT.");
  assert.equal(all["Device.MQTT.ClientNumberOfEntries"], "1");
  assert.equal(all["Device.MQTT.Capabilities.ProtocolVersionsSupported"], "3.1,3.1.1,5.0");
  assert.equal(all["Device.MQTT.Capabilities.TransportProtocolSupported"], "TCP/IP,TLS");
  assert.equal(all["Device.MQTT.Capabilities.MaxNumberOfBrokerBridges"], "0");
  assert.equal(all["Device.MQTT.Client.1.Status"], "Connected");
  assert.equal(all["Device.MQTT.Client.1.ResponseInformation"], "reports/");
  assert.equal(all["Device.MQTT.Client.1.ForceReconnect"], "false");
  assert.equal(all["Device.MQTT.Client.1.ProtocolVersion"], "3.1.1");
  assert.equal(all["Device.MQTT.Client.1.BrokerPort"], "1883");
  assert.equal(all["Device.MQTT.Client.1.KeepAliveTime"], "60");
  assert.equal(all["Device.MQTT.Client.1.CleanSession"], "true");
  assert.equal(all["Device.MQTT.Client.1.ConnectRetryTime"], "5");
  assert.equal(all["Device.MQTT.Client.1.ConnectRetryIntervalMultiplier"], "2000");
  assert.equal(all["Device.MQTT.Client.1.ConnectRetryMaxInterval"], "30720");
  assert.equal(all["Device.MQTT.Client.1.TransportProtocol"], "TLS");
  // Hidden from the ACS, kept for the client.
  assert.equal(all["Device.MQTT.Client.1.Password"], "");
  assert.match(store.serialize(), /"Device.MQTT.Client.1.Password":"s3cret"/);
  // Unsupported parameters are not in the tree.
  assert.equal(all["Device.MQTT.Client.1.WillTopic"], undefined);
  assert.equal(all["Device.MQTT.Client.1.MessageRetryTime"], undefined);
  assert.equal(changes(), 2);
});

Deno.test("bindMqtt() refuses versions and transports it does not speak, and rows beyond the bound", async () => {
  const { model } = fixture();
  await add(model, "Device.MQTT.Client.");
  const { faults } = await model.prepare([
    { name: "Device.MQTT.Client.1.ProtocolVersion", value: "3.2", type: "xsd:string" },
    { name: "Device.MQTT.Client.1.TransportProtocol", value: "WebSocket", type: "xsd:string" },
  ]);
  assert.deepEqual(faults.map((f) => [f.parameterName, f.error.faultCode, f.error.message]), [
    [
      "Device.MQTT.Client.1.ProtocolVersion",
      9007,
      'ProtocolVersion must be one of 3.1,3.1.1,5.0: "3.2"',
    ],
    [
      "Device.MQTT.Client.1.TransportProtocol",
      9007,
      'TransportProtocol must be one of TCP/IP,TLS: "WebSocket"',
    ],
  ]);
  await setParameterValues(model, spv(["Device.MQTT.Client.1.ProtocolVersion", "5.0"]));
  await add(model, "Device.MQTT.Client.");
  await assert.rejects(add(model, "Device.MQTT.Client."), { faultCode: 9004 });
  await assert.rejects(
    setParameterValues(model, spv(["Device.MQTT.Client.1.Status", "Connected"])),
    { faultCode: 9003 },
  );
});

Deno.test("bindMqtt(): a profile's MQTT.Reference must name a Client row; its topic has no wildcard", async () => {
  const { model, profileChanges } = fixture();
  await add(model, "Device.BulkData.Profile.");
  await add(model, "Device.MQTT.Client.");
  const defaults = await values(model, "Device.BulkData.Profile.1.MQTT.");
  assert.deepEqual(defaults, {
    "Device.BulkData.Profile.1.MQTT.Reference": "",
    "Device.BulkData.Profile.1.MQTT.PublishTopic": "",
    "Device.BulkData.Profile.1.MQTT.PublishQoS": "0",
    "Device.BulkData.Profile.1.MQTT.PublishRetain": "false",
  });
  for (
    const [name, value] of [
      ["Reference", "Device.MQTT.Client.2"],
      ["Reference", "Device.IP.Interface.1"],
      ["PublishTopic", "bulk/+/cpe"],
      ["PublishTopic", "bulk/#"],
    ]
  ) {
    await assert.rejects(
      setParameterValues(model, spv([`Device.BulkData.Profile.1.MQTT.${name}`, value])),
      { faultCode: 9003 },
    );
  }
  await assert.rejects(
    setParameterValues(
      model,
      spv(["Device.BulkData.Profile.1.MQTT.PublishQoS", "3", "xsd:unsignedInt"]),
    ),
    { faultCode: 9003 },
  );
  const { faults } = await model.prepare([
    {
      name: "Device.BulkData.Profile.1.MQTT.Reference",
      value: "Device.MQTT.Client.2",
      type: "xsd:string",
    },
    { name: "Device.BulkData.Profile.1.MQTT.PublishTopic", value: "bulk/#", type: "xsd:string" },
  ]);
  assert.deepEqual(faults.map((f) => [f.error.faultCode, f.error.message]), [
    [9007, 'MQTT.Reference must name a Device.MQTT.Client row: "Device.MQTT.Client.2"'],
    [9007, 'PublishTopic must not hold the wildcards + or #: "bulk/#"'],
  ]);
  await setParameterValues(
    model,
    spv(
      ["Device.BulkData.Profile.1.MQTT.Reference", "Device.MQTT.Client.1."],
      ["Device.BulkData.Profile.1.MQTT.PublishTopic", "bulk/cpe-1"],
      ["Device.BulkData.Profile.1.MQTT.PublishQoS", "2", "xsd:unsignedInt"],
      ["Device.BulkData.Profile.1.MQTT.PublishRetain", "true", "xsd:boolean"],
    ),
  );
  assert.equal(profileChanges(), 1);
  const set = await values(model, "Device.BulkData.Profile.1.MQTT.");
  assert.equal(set["Device.BulkData.Profile.1.MQTT.PublishQoS"], "2");
  assert.equal(set["Device.BulkData.Profile.1.MQTT.PublishRetain"], "true");
  // Deleting the profile deletes its MQTT settings with it.
  await deleteObject(model, {
    kind: "DeleteObject",
    objectName: "Device.BulkData.Profile.1.",
    parameterKey: "",
  });
  await add(model, "Device.BulkData.Profile.");
  const fresh = await values(model, "Device.BulkData.Profile.2.MQTT.");
  assert.equal(fresh["Device.BulkData.Profile.2.MQTT.PublishTopic"], "");
}); // deno-fmt-ignore

Deno.test("bindMqtt(): ForceReconnect reconnects after the set is committed, never when undone", async () => {
  const { model, reconnected } = fixture();
  await add(model, "Device.MQTT.Client.");
  await setParameterValues(
    model,
    spv(["Device.MQTT.Client.1.ForceReconnect", "true", "xsd:boolean"]),
  );
  assert.deepEqual(reconnected, []);
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(reconnected, [1]);
  // A batch that fails as a whole does not reconnect.
  await assert.rejects(
    setParameterValues(
      model,
      spv(
        ["Device.MQTT.Client.1.ForceReconnect", "true", "xsd:boolean"],
        ["Device.MQTT.Client.1.ProtocolVersion", "9"],
      ),
    ),
    { faultCode: 9003 },
  );
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(reconnected, [1]);
});

Deno.test("mqttClientOf() reads a Client row reference", () => {
  assert.equal(mqttClientOf("Device.MQTT.Client.3"), 3);
  assert.equal(mqttClientOf("Device.MQTT.Client.3."), 3);
  assert.equal(mqttClientOf(""), undefined);
  assert.equal(mqttClientOf("Device.MQTT.Client.0"), undefined);
  assert.equal(mqttClientOf("Device.MQTT.Client.1.Status"), undefined);
});
