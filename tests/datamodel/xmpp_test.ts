import assert from "node:assert/strict";
import { createDeviceModel } from "../../src/datamodel/device_model.ts";
import { MemoryInstanceNumbers } from "../../src/datamodel/mod.ts";
import { PersistedProvider } from "../../src/datamodel/providers/persisted.ts";
import { bindXmpp, xmppConnectionOf } from "../../src/datamodel/objects/xmpp.ts";
import { addObject, setParameterValues } from "../../src/rpc/mod.ts";
import { IDENTITY, RecordingStore } from "../rpc/_slice_fixture.ts";

function fixture() {
  const store = new PersistedProvider();
  let changes = 0;
  const model = createDeviceModel({
    deviceInfo: { identity: IDENTITY, uptimeSeconds: () => 7 },
    managementServer: { store: new RecordingStore() },
    bindings: bindXmpp({
      store,
      runtime: {
        connection: (n) => ({
          status: n === 1 ? "Enabled" : "Disabled",
          jabberId: n === 1 ? "cpe@example.net/cwmp" : "",
          tlsEstablished: n === 1,
          lastChangeDate: "2026-12-06T00:00:00Z",
        }),
        connReqJabberId: () => "cpe@example.net/cwmp",
      },
      onChange: () => changes++,
      maxConnections: 2,
    }),
    instanceNumbers: new MemoryInstanceNumbers(),
  });
  return { model, store, changes: () => changes };
}

async function values(model: ReturnType<typeof fixture>["model"], path: string) {
  const items = await model.list(path, { objects: false, self: true });
  const read = await model.read(items.map((i) => i.ref!));
  return Object.fromEntries(items.map((i, k) => [i.path, read[k]]));
}

const spv = (name: string, value: string, type = "xsd:string") => ({
  kind: "SetParameterValues" as const,
  parameterList: [{ name, value, type }],
  parameterKey: "",
});

Deno.test("bindXmpp() keeps Connection and Server rows and reads run-time state from the clients", async () => {
  const { model, store, changes } = fixture();
  const add = (objectName: string) =>
    addObject(model, { kind: "AddObject", objectName, parameterKey: "" });
  assert.equal((await add("Device.XMPP.Connection.")).instanceNumber, 1);
  assert.equal((await add("Device.XMPP.Connection.1.Server.")).instanceNumber, 1);
  await setParameterValues(model, spv("Device.XMPP.Connection.1.Password", "secret"));
  await setParameterValues(model, spv("Device.XMPP.Connection.1.Server.1.ServerAddress", "x.net"));
  const all = await values(model, "Device.XMPP.");
  assert.equal(all["Device.XMPP.ConnectionNumberOfEntries"], "1");
  assert.equal(all["Device.XMPP.SupportedServerConnectAlgorithms"], "DNS-SRV,DNS,ServerTable");
  assert.equal(all["Device.XMPP.Connection.1.Status"], "Enabled");
  assert.equal(all["Device.XMPP.Connection.1.JabberID"], "cpe@example.net/cwmp");
  assert.equal(all["Device.XMPP.Connection.1.TLSEstablished"], "true");
  assert.equal(all["Device.XMPP.Connection.1.Password"], "");
  assert.equal(all["Device.XMPP.Connection.1.ServerConnectAlgorithm"], "DNS-SRV");
  assert.equal(all["Device.XMPP.Connection.1.ServerRetryIntervalMultiplier"], "2000");
  assert.equal(all["Device.XMPP.Connection.1.ServerNumberOfEntries"], "1");
  assert.equal(all["Device.XMPP.Connection.1.Server.1.Port"], "5222");
  assert.equal(all["Device.XMPP.Connection.1.Server.1.ServerAddress"], "x.net");
  // The hidden password is kept for the client.
  assert.match(store.serialize(), /"Device.XMPP.Connection.1.Password":"secret"/);
  assert.equal(changes(), 4);
  const ms = await values(model, "Device.ManagementServer.ConnReqJabberID");
  assert.deepEqual(ms, { "Device.ManagementServer.ConnReqJabberID": "cpe@example.net/cwmp" });
});

Deno.test("bindXmpp() refuses an unsupported algorithm, a reference to no row, and rows beyond the bound", async () => {
  const { model } = fixture();
  await addObject(model, {
    kind: "AddObject",
    objectName: "Device.XMPP.Connection.",
    parameterKey: "",
  });
  await assert.rejects(
    setParameterValues(model, spv("Device.XMPP.Connection.1.ServerConnectAlgorithm", "WebSocket")),
    { faultCode: 9003 },
  );
  await assert.rejects(
    setParameterValues(
      model,
      spv("Device.ManagementServer.ConnReqXMPPConnection", "Device.XMPP.Connection.2"),
    ),
    { faultCode: 9003 },
  );
  await setParameterValues(
    model,
    spv("Device.ManagementServer.ConnReqXMPPConnection", "Device.XMPP.Connection.1."),
  );
  await setParameterValues(
    model,
    spv("Device.ManagementServer.ConnReqAllowedJabberIDs", "a@b,c@d/e"),
  );
  // At most 32 entries (TR-181 list maxItems).
  const many = Array.from({ length: 33 }, (_, i) => `acs${i}@example.net`).join(",");
  await assert.rejects(
    setParameterValues(model, spv("Device.ManagementServer.ConnReqAllowedJabberIDs", many)),
    { faultCode: 9003 },
  );
  await assert.rejects(
    setParameterValues(model, spv("Device.ManagementServer.ConnReqJabberID", "x@y")),
    { faultCode: 9003 },
  );
  await addObject(model, {
    kind: "AddObject",
    objectName: "Device.XMPP.Connection.",
    parameterKey: "",
  });
  await assert.rejects(
    addObject(model, {
      kind: "AddObject",
      objectName: "Device.XMPP.Connection.",
      parameterKey: "",
    }),
    { faultCode: 9004 },
  );
  assert.equal(xmppConnectionOf("Device.XMPP.Connection.12"), 12);
  assert.equal(xmppConnectionOf("Device.XMPP.Connection.0"), undefined);
  assert.equal(xmppConnectionOf(""), undefined);
});
