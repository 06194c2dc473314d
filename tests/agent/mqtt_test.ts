import assert from "node:assert/strict";
import { testNeeding } from "../_helpers/needs.ts";
import { disposeMosquitto, startMosquitto } from "../_helpers/mosquitto.ts";
import { until } from "../_helpers/until.ts";
import { MqttClients, readMqttCaFile } from "../../src/agent/mqtt.ts";
import { deviceSchema } from "../../src/datamodel/mod.ts";
import { PersistedProvider } from "../../src/datamodel/providers/persisted.ts";
import { createLogger } from "../../src/log/mod.ts";

const mqttTest = testNeeding(
  "/usr/sbin/mosquitto",
  "/usr/bin/mosquitto_sub",
  "/usr/bin/mosquitto_passwd",
  "openssl",
);

mqttTest("MqttClients runs one client per enabled Client row and follows the rows", async () => {
  const broker = await startMosquitto({ users: { cpe: "pw-9f3a" } });
  const store = new PersistedProvider();
  const row = (n: number, values: Record<string, string>) =>
    store.load(
      "Device.MQTT.Client.",
      [n],
      Object.fromEntries(
        Object.entries(values).map(([k, v]) => [`Device.MQTT.Client.${n}.${k}`, v]),
      ),
    );
  row(1, {
    Enable: "true",
    BrokerAddress: "127.0.0.1",
    BrokerPort: String(broker.port),
    Username: "cpe",
    Password: "pw-9f3a",
  });
  row(2, { Enable: "false", BrokerAddress: "127.0.0.1", BrokerPort: String(broker.port) });
  const lines: string[] = [];
  const clients = new MqttClients({
    store: () => store,
    schema: deviceSchema("tr181"),
    logger: createLogger({ console: true, writeConsole: (l) => lines.push(l.trimEnd()) }),
    defaultClientId: "00D09E-SN0001",
  });
  try {
    await clients.apply();
    assert.equal(clients.status(2), "Disabled");
    assert.equal(clients.client(2), undefined);
    await until(() => clients.status(1) === "Connected", "client 1 connected", 10_000);
    // An empty ClientID before MQTT 5.0 becomes <OUI>-<SerialNumber>.
    assert.match(await broker.log(), /New client connected from 127\.0\.0\.1:\d+ as 00D09E-SN0001/);
    const first = clients.client(1);
    // An unchanged row keeps its client; a changed one gets a new one.
    await clients.apply();
    assert.equal(clients.client(1), first);
    row(1, { ClientID: "cpe-renamed" });
    await clients.apply();
    assert.notEqual(clients.client(1), first);
    assert.equal(first!.status, "Disabled");
    await until(() => clients.status(1) === "Connected", "client 1 reconnected", 10_000);
    // A disabled row stops its client.
    row(1, { Enable: "false" });
    await clients.apply();
    assert.equal(clients.status(1), "Disabled");
    assert.equal(clients.client(1), undefined);
    assert.ok(
      lines.some((l) => l.includes("MQTT client 1: connected to 127.0.0.1")),
      lines.join("\n"),
    );
    assert.ok(!lines.join("\n").includes("pw-9f3a"));
  } finally {
    await clients.close();
    await disposeMosquitto(broker);
  }
}); // deno-fmt-ignore

Deno.test("readMqttCaFile() reads the PEM file, is undefined for \"\" and names the key on an error", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cwmp-mqtt-ca-" });
  try {
    await Deno.writeTextFile(`${dir}/ca.pem`, "-----BEGIN CERTIFICATE-----\n");
    assert.deepEqual(await readMqttCaFile(`${dir}/ca.pem`), ["-----BEGIN CERTIFICATE-----\n"]);
    assert.equal(await readMqttCaFile(""), undefined);
    await assert.rejects(readMqttCaFile(`${dir}/none.pem`), {
      message: new RegExp(`^Cannot read mqtt\\.ca_file "${dir}/none\\.pem": `),
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
