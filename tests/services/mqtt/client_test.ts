import assert from "node:assert/strict";
import { testNeeding } from "../../_helpers/needs.ts";
import {
  disposeMosquitto,
  makeTestCa,
  type Mosquitto,
  startMosquitto,
  subscribe,
} from "../../_helpers/mosquitto.ts";
import { until } from "../../_helpers/until.ts";
import {
  MqttClient,
  type MqttClientSettings,
  type MqttClientStatus,
} from "../../../src/services/mqtt/mod.ts";

const mqttTest = testNeeding(
  "/usr/sbin/mosquitto",
  "/usr/bin/mosquitto_sub",
  "/usr/bin/mosquitto_passwd",
  "openssl",
);
const USERS = { cpe: "cpe-secret-1", collector: "collector-pw" };
const te = new TextEncoder();
const td = new TextDecoder();

function settings(broker: Mosquitto, overrides: Partial<MqttClientSettings> = {}) {
  return {
    brokerAddress: "127.0.0.1",
    brokerPort: broker.port,
    transportProtocol: "TCP/IP",
    protocolVersion: "3.1.1",
    clientId: `cpe-${crypto.randomUUID().slice(0, 8)}`,
    username: "cpe",
    password: USERS.cpe,
    keepAliveTime: 60,
    cleanSession: true,
    retry: { retryTime: 1, intervalMultiplier: 1000, maxInterval: 1 },
    ...overrides,
  } as MqttClientSettings;
}

function client(
  broker: Mosquitto,
  overrides: Partial<MqttClientSettings> = {},
  caCerts?: string[],
) {
  const lines: string[] = [];
  const log = {
    info: (m: string) => lines.push(m),
    warning: (m: string) => lines.push(m),
    debug: (m: string) => lines.push(m),
  };
  const c = new MqttClient({
    settings: settings(broker, overrides),
    caCerts,
    log,
    random: () => 0,
    connectTimeoutMs: 5000,
  });
  return { c, lines };
}

async function reach(c: MqttClient, status: MqttClientStatus): Promise<void> {
  try {
    await until(() => c.status === status, `status ${status}`, 15_000);
  } catch {
    throw new Error(`Status ${c.status} (${c.lastError}), expected ${status}`);
  }
}

async function withBroker(fn: (broker: Mosquitto) => Promise<void>): Promise<void> {
  const broker = await startMosquitto({ users: USERS });
  try {
    await fn(broker);
  } finally {
    await disposeMosquitto(broker);
  }
}

/** Polls the broker's log until `re` matches (it is written a moment after the event). */
async function logMatches(broker: Mosquitto, re: RegExp, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const log = await broker.log();
    if (re.test(log)) return;
    if (Date.now() > deadline) assert.match(log, re);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const VERSIONS = ["3.1", "3.1.1", "5.0"] as const;

for (const version of VERSIONS) {
  mqttTest(`MqttClient publishes at QoS 0, 1 and 2 to mosquitto (MQTT ${version})`, async () => {
    await withBroker(async (broker) => {
      const topic = `bulk/qos/${version}`;
      const sub = subscribe(broker, {
        topic,
        count: 3,
        user: "collector",
        password: USERS.collector,
      });
      await sub.ready;
      const clientId = version === "3.1" ? "cpe-v31" : `cpe-${version}`;
      const { c, lines } = client(broker, { protocolVersion: version, clientId });
      c.start();
      try {
        await reach(c, "Connected");
        for (const qos of [0, 1, 2] as const) {
          await c.publish(topic, te.encode(`{"qos":${qos}}`), { qos, retain: false });
        }
        const got = await sub.messages;
        assert.deepEqual(
          got.map((m) => [m.qos, m.retain, m.topic, td.decode(m.payload)]),
          [0, 1, 2].map((q) => [q, false, topic, `{"qos":${q}}`]),
        );
      } finally {
        await c.stop();
      }
      assert.equal(c.status, "Disabled");
      assert.ok(lines.some((l) => l.includes("connected to 127.0.0.1")), lines.join("\n"));
      assert.ok(!lines.join("\n").includes(USERS.cpe));
      // The broker saw our DISCONNECT, not a dropped socket.
      await logMatches(broker, new RegExp(`Client ${clientId} disconnected\\.`));
    });
  }); // deno-fmt-ignore
}

mqttTest("MqttClient publishes a retained report a later subscriber receives", async () => {
  await withBroker(async (broker) => {
    const { c } = client(broker);
    c.start();
    try {
      await reach(c, "Connected");
      const body = te.encode("Name,Value\nDevice.DeviceInfo.UpTime,42\n");
      await c.publish("bulk/retained", body, { qos: 1, retain: true });
      const sub = subscribe(broker, {
        topic: "bulk/retained",
        count: 1,
        user: "collector",
        password: USERS.collector,
      });
      const [m] = await sub.messages;
      assert.equal(m.retain, true);
      assert.equal(m.qos, 1);
      assert.deepEqual(m.payload, body);
    } finally {
      await c.stop();
    }
  });
});

mqttTest("MqttClient sends a 1 MB report at QoS 2", async () => {
  await withBroker(async (broker) => {
    const topic = "bulk/large";
    const sub = subscribe(broker, {
      topic,
      count: 1,
      user: "collector",
      password: USERS.collector,
    });
    await sub.ready;
    const { c } = client(broker, { protocolVersion: "5.0" });
    c.start();
    try {
      await reach(c, "Connected");
      const body = new Uint8Array(1_000_000).map((_, i) => 0x41 + (i % 26));
      await c.publish(topic, body, { qos: 2, retain: false });
      const [m] = await sub.messages;
      assert.deepEqual(m.payload, body);
    } finally {
      await c.stop();
    }
  }); // deno-fmt-ignore
});

mqttTest(
  "MqttClient reports a wrong password as Error_Misconfigured and never logs it",
  async () => {
    await withBroker(async (broker) => {
      for (const version of ["3.1.1", "5.0"] as const) {
        const { c, lines } = client(broker, {
          password: "wrong-secret-7",
          protocolVersion: version,
        });
        c.start();
        try {
          await reach(c, "Error_Misconfigured");
          assert.match(
            c.lastError,
            /refused the connection: (not authorized|bad user name or password)/,
          );
          await assert.rejects(
            c.publish("t", te.encode("x"), { qos: 1, retain: false }),
            /MQTT client not connected \((Error_Misconfigured|Connecting)/,
          );
        } finally {
          await c.stop();
        }
        assert.ok(lines.some((l) => l.includes("cannot connect")), lines.join("\n"));
        assert.ok(!lines.join("\n").includes("wrong-secret-7"));
      }
    });
  },
); // deno-fmt-ignore

mqttTest("MqttClient reconnects after a broker restart and publishes again", async () => {
  await withBroker(async (broker) => {
    const { c, lines } = client(broker);
    c.start();
    try {
      await reach(c, "Connected");
      await broker.stop();
      await until(() => c.status !== "Connected", "the connection lost", 10_000);
      await assert.rejects(c.publish("bulk/after", te.encode("x"), { qos: 1, retain: false }));
      await until(() => c.status === "Error_BrokerUnreachable", "unreachable", 10_000);
      await broker.restart();
      await reach(c, "Connected");
      const sub = subscribe(broker, {
        topic: "bulk/after",
        count: 1,
        user: "collector",
        password: USERS.collector,
      });
      await sub.ready;
      await c.publish("bulk/after", te.encode("again"), { qos: 1, retain: false });
      const [m] = await sub.messages;
      assert.equal(td.decode(m.payload), "again");
    } finally {
      await c.stop();
    }
    assert.ok(lines.some((l) => l.includes("connection to 127.0.0.1")), lines.join("\n"));
  });
});

mqttTest("MqttClient connects over TLS with the test CA and refuses another CA", async () => {
  await withBroker(async (broker) => {
    const topic = "bulk/tls";
    const sub = subscribe(broker, {
      topic,
      count: 1,
      user: "collector",
      password: USERS.collector,
    });
    await sub.ready;
    const tls = {
      brokerAddress: "localhost",
      brokerPort: broker.tlsPort,
      transportProtocol: "TLS" as const,
    };
    const good = client(broker, tls, [broker.caPem]);
    good.c.start();
    try {
      await reach(good.c, "Connected");
      await good.c.publish(topic, te.encode("over tls"), { qos: 2, retain: false });
      assert.equal(td.decode((await sub.messages)[0].payload), "over tls");
    } finally {
      await good.c.stop();
    }
    const otherDir = await Deno.makeTempDir({ prefix: "cwmp-other-ca-" });
    try {
      const otherCa = await makeTestCa(otherDir, "other-", false);
      for (const caCerts of [[otherCa], undefined]) {
        const bad = client(broker, tls, caCerts);
        bad.c.start();
        try {
          await reach(bad.c, "Error");
          assert.match(bad.c.lastError, /TLS with localhost:\d+ failed: .*(certificate|issuer)/i);
        } finally {
          await bad.c.stop();
        }
      }
    } finally {
      await Deno.remove(otherDir, { recursive: true });
    }
  });
}); // deno-fmt-ignore

mqttTest("MqttClient: no broker is Error_BrokerUnreachable; no address is Error_Misconfigured", async () => {
  await withBroker(async (broker) => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const closedPort = (listener.addr as Deno.NetAddr).port;
    listener.close();
    const { c } = client(broker, { brokerPort: closedPort });
    c.start();
    try {
      await reach(c, "Error_BrokerUnreachable");
      assert.match(c.lastError, /Cannot connect to 127\.0\.0\.1:\d+/);
    } finally {
      await c.stop();
    }
    const none = client(broker, { brokerAddress: "" });
    none.c.start();
    try {
      await reach(none.c, "Error_Misconfigured");
      assert.equal(none.c.lastError, "no BrokerAddress");
    } finally {
      await none.c.stop();
    }
    const noId = client(broker, { clientId: "" });
    noId.c.start();
    try {
      await reach(noId.c, "Error_Misconfigured");
      assert.equal(noId.c.lastError, "an empty ClientID needs MQTT 5.0, not 3.1.1");
    } finally {
      await noId.c.stop();
    }
  });
}); // deno-fmt-ignore

mqttTest("MqttClient.forceReconnect() drops and reopens a connected client", async () => {
  await withBroker(async (broker) => {
    const { c, lines } = client(broker, { clientId: "cpe-force" });
    c.start();
    try {
      await reach(c, "Connected");
      c.forceReconnect();
      await until(() => lines.some((l) => l.includes("ForceReconnect")), "reconnect", 5000);
      await reach(c, "Connected");
      await c.publish("bulk/force", te.encode("x"), { qos: 1, retain: false });
      const log = await broker.log();
      assert.equal(log.match(/New client connected from .* as cpe-force/g)?.length, 2, log);
    } finally {
      await c.stop();
    }
  });
});
