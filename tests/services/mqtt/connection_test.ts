import assert from "node:assert/strict";
import {
  connectMqtt,
  decodePacket,
  encodePacket,
  type MqttConnectError,
  type MqttConnectOptions,
  PacketReader,
} from "../../../src/services/mqtt/mod.ts";

/** A scripted broker on 127.0.0.1: `script` gets each accepted connection. */
function fakeBroker(script: (conn: Deno.Conn) => Promise<void>) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const done = (async () => {
    for await (const conn of listener) {
      await script(conn).catch(() => {});
      try {
        conn.close();
      } catch { /* closed */ }
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    async close() {
      listener.close();
      await done;
    },
  };
}

async function readPacket(conn: Deno.Conn, level: 4 | 5 = 4) {
  const reader = new PacketReader({ level });
  const buf = new Uint8Array(4096);
  for (;;) {
    const p = reader.next();
    if (p !== undefined) return p;
    const n = await conn.read(buf);
    if (n === null) throw new Error("closed");
    reader.push(buf.subarray(0, n));
  }
}

function options(port: number, overrides: Partial<MqttConnectOptions> = {}): MqttConnectOptions {
  return {
    hostname: "127.0.0.1",
    port,
    level: 4,
    clientId: "cpe",
    username: "u",
    password: "p",
    keepAlive: 0,
    cleanSession: true,
    connectTimeoutMs: 2000,
    ...overrides,
  };
}

const write = (conn: Deno.Conn, bytes: Uint8Array) => conn.write(bytes);

Deno.test("connectMqtt() sends CONNECT with the credentials and refuses a non-zero CONNACK", async () => {
  const seen: unknown[] = [];
  const broker = fakeBroker(async (conn) => {
    seen.push(await readPacket(conn));
    await write(conn, encodePacket({ kind: "CONNACK", sessionPresent: false, reasonCode: 4 }, 4));
    await conn.read(new Uint8Array(1));
  });
  try {
    await assert.rejects(
      connectMqtt(options(broker.port)),
      (error: MqttConnectError) => {
        assert.equal(error.failure, "refused");
        assert.equal(error.reasonCode, 4);
        assert.equal(
          error.message,
          `127.0.0.1:${broker.port} refused the connection: bad user name or password (4)`,
        );
        return true;
      },
    );
    assert.deepEqual(seen, [{
      kind: "CONNECT",
      protocolLevel: 4,
      clientId: "cpe",
      cleanSession: true,
      keepAlive: 0,
      username: "u",
      password: new TextEncoder().encode("p"),
    }]);
  } finally {
    await broker.close();
  }
});

Deno.test("connectMqtt() gives up on a broker that never sends CONNACK", async () => {
  const broker = fakeBroker(async (conn) => {
    await readPacket(conn);
    await new Promise((r) => setTimeout(r, 1500));
  });
  try {
    await assert.rejects(connectMqtt(options(broker.port, { connectTimeoutMs: 300 })), {
      name: "MqttConnectError",
      message: "No CONNACK from 127.0.0.1:" + broker.port + " in 300 ms",
    });
  } finally {
    await broker.close();
  }
});

Deno.test("MqttConnection ends on an oversize packet from the broker, failing the publish waiting", async () => {
  const broker = fakeBroker(async (conn) => {
    await readPacket(conn);
    await write(conn, encodePacket({ kind: "CONNACK", sessionPresent: false, reasonCode: 0 }, 4));
    const publish = await readPacket(conn);
    assert.equal(publish.kind, "PUBLISH");
    // A PUBLISH announcing 256 MB: refused from its fixed header.
    await write(conn, new Uint8Array([0x30, 0xff, 0xff, 0xff, 0x7f, 0, 1]));
    await conn.read(new Uint8Array(1));
  });
  try {
    const connection = await connectMqtt(options(broker.port, { maxPacketSize: 4096 }));
    await assert.rejects(
      connection.publish("t", new Uint8Array([1]), { qos: 1, retain: false }),
      { message: "MQTT PUBLISH of 268435460 bytes is over the limit of 4096 bytes" },
    );
    const reason = await connection.closed;
    assert.equal(reason?.name, "RangeError");
  } finally {
    await broker.close();
  }
});

Deno.test("MqttConnection ends on a malformed packet and on a PUBACK for a QoS 2 message", async () => {
  for (const reply of [new Uint8Array([0x41, 2, 0, 1]), new Uint8Array([0x40, 2, 0, 1])]) {
    const broker = fakeBroker(async (conn) => {
      await readPacket(conn);
      await write(conn, encodePacket({ kind: "CONNACK", sessionPresent: false, reasonCode: 0 }, 4));
      await readPacket(conn);
      await write(conn, reply);
      await conn.read(new Uint8Array(1));
    });
    try {
      const connection = await connectMqtt(options(broker.port));
      await assert.rejects(connection.publish("t", new Uint8Array(), { qos: 2, retain: false }));
      assert.equal((await connection.closed)?.name, "SyntaxError");
    } finally {
      await broker.close();
    }
  }
});

Deno.test("MqttConnection pings on Keep Alive and drops a broker that stops answering", async () => {
  const kinds: string[] = [];
  const broker = fakeBroker(async (conn) => {
    await readPacket(conn);
    await write(conn, encodePacket({ kind: "CONNACK", sessionPresent: false, reasonCode: 0 }, 4));
    let answered = 0;
    for (;;) {
      const p = await readPacket(conn);
      kinds.push(p.kind);
      // The first PINGREQ is answered, then nothing.
      if (p.kind === "PINGREQ" && answered++ === 0) {
        await write(conn, encodePacket({ kind: "PINGRESP" }, 4));
      }
    }
  });
  try {
    const started = Date.now();
    const connection = await connectMqtt(options(broker.port, { keepAlive: 1 }));
    const reason = await connection.closed;
    const took = Date.now() - started;
    assert.equal(reason?.message, "No packet from the broker in 2 s");
    assert.ok(took > 1500 && took < 5000, `${took} ms`);
    assert.ok(kinds.filter((k) => k === "PINGREQ").length >= 2, kinds.join());
  } finally {
    await broker.close();
  }
});

Deno.test("MqttConnection: QoS 2 goes PUBLISH, PUBREC, PUBREL, PUBCOMP; a 5.0 refusal rejects", async () => {
  const sent: string[] = [];
  const broker = fakeBroker(async (conn) => {
    const connect = await readPacket(conn, 5);
    assert.equal(connect.kind, "CONNECT");
    await write(
      conn,
      encodePacket({
        kind: "CONNACK",
        sessionPresent: false,
        reasonCode: 0,
        properties: { receiveMaximum: 1, responseInformation: "reports/" },
      }, 5),
    );
    const first = await readPacket(conn, 5);
    sent.push(first.kind);
    assert.ok(first.kind === "PUBLISH" && first.qos === 2);
    assert.equal(first.properties?.contentType, "application/json");
    await write(conn, encodePacket({ kind: "PUBREC", packetId: first.packetId! }, 5));
    const rel = await readPacket(conn, 5);
    sent.push(rel.kind);
    await write(conn, encodePacket({ kind: "PUBCOMP", packetId: first.packetId! }, 5));
    const second = await readPacket(conn, 5);
    sent.push(second.kind);
    assert.ok(second.kind === "PUBLISH");
    // 0x97 quota exceeded.
    await write(
      conn,
      encodePacket({ kind: "PUBACK", packetId: second.packetId!, reasonCode: 0x97 }, 5),
    );
    sent.push((await readPacket(conn, 5)).kind);
  });
  try {
    const connection = await connectMqtt(options(broker.port, { level: 5 }));
    assert.equal(connection.connackProperties?.responseInformation, "reports/");
    await connection.publish("t", new TextEncoder().encode("{}"), {
      qos: 2,
      retain: false,
      properties: { contentType: "application/json" },
    });
    await assert.rejects(
      connection.publish("t", new Uint8Array(), { qos: 1, retain: false }),
      { message: "The broker refused the PUBLISH: quota exceeded (0x97)" },
    );
    await connection.close();
    assert.equal(await connection.closed, undefined);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(sent, ["PUBLISH", "PUBREL", "PUBLISH", "DISCONNECT"]);
    assert.equal(decodePacket(new Uint8Array([0xe0, 0]), 5).kind, "DISCONNECT");
  } finally {
    await broker.close();
  }
});
