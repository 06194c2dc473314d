import assert from "node:assert/strict";
import { testNeeding } from "../../_helpers/needs.ts";
import { disposeMosquitto, startMosquitto, subscribe } from "../../_helpers/mosquitto.ts";
import { until } from "../../_helpers/until.ts";
import { MqttClient } from "../../../src/services/mqtt/mod.ts";
import { mqttTransportFactory } from "../../../src/services/mqtt/report_transport.ts";
import type { EncodedReport, ProfileContext } from "../../../src/services/bulkdata/transport.ts";

const mqttTest = testNeeding(
  "/usr/sbin/mosquitto",
  "/usr/bin/mosquitto_sub",
  "/usr/bin/mosquitto_passwd",
  "openssl",
);
const USERS = { cpe: "cpe-pw", collector: "collector-pw" };

function profile(values: Record<string, string>): ProfileContext {
  return {
    path: "Device.BulkData.Profile.1.",
    read: (names) => Promise.resolve(names.map((n) => values[n] ?? "")),
    readPaths: (paths) => Promise.resolve(paths.map(() => "")),
  };
}

function report(text: string): EncodedReport {
  return {
    body: new TextEncoder().encode(text),
    contentType: "application/json; charset=UTF-8",
    encoding: "JSON",
    format: "ObjectHierarchy",
    reports: 1,
    collectedAt: Date.now(),
  };
}

mqttTest(
  "mqttTransportFactory() publishes each report with the profile's topic, QoS and retain",
  async () => {
    const broker = await startMosquitto({ users: USERS });
    const client = new MqttClient({
      settings: {
        brokerAddress: "127.0.0.1",
        brokerPort: broker.port,
        transportProtocol: "TCP/IP",
        protocolVersion: "5.0",
        clientId: "cpe-transport",
        username: "cpe",
        password: USERS.cpe,
        keepAliveTime: 60,
        cleanSession: true,
        retry: { retryTime: 1, intervalMultiplier: 1000, maxInterval: 1 },
      },
      log: { info() {}, warning() {}, debug() {} },
    });
    client.start();
    try {
      await until(() => client.status === "Connected", "connected", 10_000);
      const values: Record<string, string> = {
        "MQTT.Reference": "Device.MQTT.Client.1",
        "MQTT.PublishTopic": "bulk/cpe-transport",
        "MQTT.PublishQoS": "1",
        "MQTT.PublishRetain": "false",
      };
      const factory = mqttTransportFactory((n) => (n === 1 ? client : undefined));
      const transport = await factory(profile(values));
      const sub = subscribe(broker, {
        topic: "bulk/cpe-transport",
        count: 2,
        user: "collector",
        password: USERS.collector,
      });
      await sub.ready;
      const signal = new AbortController().signal;
      await transport.send(report('{"Report":[1]}'), signal);
      // The profile's settings are read at each send.
      values["MQTT.PublishQoS"] = "2";
      values["MQTT.PublishRetain"] = "true";
      await transport.send(report('{"Report":[2]}'), signal);
      const got = await sub.messages;
      assert.deepEqual(
        got.map((m) => [m.qos, m.retain, new TextDecoder().decode(m.payload)]),
        [[1, false, '{"Report":[1]}'], [2, false, '{"Report":[2]}']],
      );
      // The retained one is kept by the broker for later subscribers.
      const later = subscribe(broker, {
        topic: "bulk/cpe-transport",
        count: 1,
        user: "collector",
        password: USERS.collector,
      });
      const [kept] = await later.messages;
      assert.equal(kept.retain, true);
      assert.equal(new TextDecoder().decode(kept.payload), '{"Report":[2]}');

      for (
        const [change, message] of [
          [{ "MQTT.Reference": "" }, 'MQTT.Reference names no Device.MQTT.Client row: ""'],
          [{ "MQTT.Reference": "Device.MQTT.Client.2" }, "Device.MQTT.Client.2 is not enabled"],
          [{ "MQTT.PublishTopic": "" }, "MQTT.PublishTopic is empty"],
        ] as const
      ) {
        const t = await factory(profile({ ...values, ...change }));
        await assert.rejects(t.send(report("{}"), signal), { message });
      }
      await client.stop();
      const stopped = await factory(profile(values));
      await assert.rejects(
        stopped.send(report("{}"), signal),
        { message: "MQTT client not connected (Disabled)" },
      );
    } finally {
      await client.stop();
      await disposeMosquitto(broker);
    }
  },
); // deno-fmt-ignore
