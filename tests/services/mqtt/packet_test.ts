import assert from "node:assert/strict";
import {
  decodePacket,
  encodePacket,
  type MqttPacket,
  PacketReader,
  type ProtocolLevel,
} from "../../../src/services/mqtt/packet.ts";

const te = new TextEncoder();
const hex = (s: string) =>
  new Uint8Array(s.replace(/\s+/g, "").match(/../g)!.map((b) => parseInt(b, 16)));

// Golden pairs: packets as MQTT.js/mosquitto put them on the wire (checked by hand against
// MQTT 3.1.1 §3 and 5.0 §3).
const GOLDEN: [string, ProtocolLevel, MqttPacket, string][] = [
  ["CONNECT 3.1.1 with user and password", 4, {
    kind: "CONNECT",
    protocolLevel: 4,
    clientId: "cpe1",
    cleanSession: true,
    keepAlive: 60,
    username: "u",
    password: te.encode("p"),
  }, "10 16 0004 4d515454 04 c2 003c 0004 63706531 0001 75 0001 70"],
  ["CONNECT 3.1 (MQIsdp)", 3, {
    kind: "CONNECT",
    protocolLevel: 3,
    clientId: "c",
    cleanSession: false,
    keepAlive: 0,
  }, "10 0f 0006 4d5149736470 03 00 0000 0001 63"],
  ["CONNECT 5.0 with SessionExpiryInterval", 5, {
    kind: "CONNECT",
    protocolLevel: 5,
    clientId: "",
    cleanSession: true,
    keepAlive: 30,
    properties: { sessionExpiryInterval: 3600 },
  }, "10 12 0004 4d515454 05 02 001e 05 11 00000e10 0000"],
  ["CONNACK accepted", 4, { kind: "CONNACK", sessionPresent: false, reasonCode: 0 }, "20 02 00 00"],
  ["CONNACK 5.0 refused with a reason string", 5, {
    kind: "CONNACK",
    sessionPresent: false,
    reasonCode: 0x86,
    properties: { reasonString: "no" },
  }, "20 08 00 86 05 1f 0002 6e6f"],
  ["PUBLISH QoS 0", 4, {
    kind: "PUBLISH",
    topic: "a/b",
    payload: te.encode("hi"),
    qos: 0,
    retain: false,
    dup: false,
  }, "30 07 0003 612f62 6869"],
  ["PUBLISH QoS 2 retained", 4, {
    kind: "PUBLISH",
    topic: "t",
    payload: te.encode("x"),
    qos: 2,
    retain: true,
    dup: false,
    packetId: 10,
  }, "35 06 0001 74 000a 78"],
  ["PUBLISH 5.0 QoS 1 with ContentType", 5, {
    kind: "PUBLISH",
    topic: "t",
    payload: te.encode("{}"),
    qos: 1,
    retain: false,
    dup: false,
    packetId: 1,
    properties: { contentType: "application/json" },
  }, "32 1b 0001 74 0001 13 03 0010 6170706c69636174696f6e2f6a736f6e 7b7d"],
  ["PUBACK", 4, { kind: "PUBACK", packetId: 258 }, "40 02 0102"],
  ["PUBREC", 4, { kind: "PUBREC", packetId: 1 }, "50 02 0001"],
  ["PUBREL", 4, { kind: "PUBREL", packetId: 1 }, "62 02 0001"],
  ["PUBCOMP", 4, { kind: "PUBCOMP", packetId: 1 }, "70 02 0001"],
  [
    "PUBACK 5.0 no matching subscribers",
    5,
    { kind: "PUBACK", packetId: 7, reasonCode: 0x10 },
    "40 03 0007 10",
  ],
  ["PINGREQ", 4, { kind: "PINGREQ" }, "c0 00"],
  ["PINGRESP", 4, { kind: "PINGRESP" }, "d0 00"],
  ["DISCONNECT", 4, { kind: "DISCONNECT" }, "e0 00"],
  ["DISCONNECT 5.0 with a reason", 5, { kind: "DISCONNECT", reasonCode: 0x8e }, "e0 01 8e"],
]; // deno-fmt-ignore

for (const [name, level, packet, bytes] of GOLDEN) {
  Deno.test(`encodePacket() and decodePacket(): ${name}`, () => {
    assert.deepEqual(encodePacket(packet, level), hex(bytes));
    assert.deepEqual(decodePacket(hex(bytes), level), packet);
  });
}

Deno.test("encodePacket() writes a 4-byte Remaining Length for a 2.2 MB payload", () => {
  const payload = new Uint8Array(2_200_000);
  const bytes = encodePacket(
    { kind: "PUBLISH", topic: "t", payload, qos: 0, retain: false, dup: false },
    4,
  );
  assert.deepEqual([...bytes.subarray(0, 5)], [0x30, 0xc3, 0xa3, 0x86, 0x01]);
  const back = decodePacket(bytes, 4);
  assert.deepEqual(back.kind === "PUBLISH" && back.payload.length, 2_200_000);
});

Deno.test("encodePacket() refuses what MQTT cannot carry", () => {
  const publish = (topic: string, qos = 0, packetId?: number) =>
    encodePacket(
      {
        kind: "PUBLISH",
        topic,
        payload: new Uint8Array(),
        qos: qos as 0,
        retain: false,
        dup: false,
        packetId,
      },
      4,
    ); // deno-fmt-ignore
  assert.throws(() => publish("a/+"), { name: "RangeError", message: 'MQTT topic has a wildcard or U+0000: "a/+"' });
  assert.throws(() => publish(""), { name: "RangeError", message: "MQTT topic is empty" });
  assert.throws(() => publish("t", 3), { name: "RangeError", message: "MQTT QoS out of range: 3" });
  assert.throws(() => publish("t", 1, 0), {
    name: "RangeError",
    message: "MQTT packet identifier out of range: 0",
  });
  assert.throws(() => publish("x".repeat(70_000)), {
    name: "RangeError",
    message: "MQTT topic is longer than 65,535 bytes",
  });
}); // deno-fmt-ignore

Deno.test("PacketReader splits a stream fed one byte at a time", () => {
  const stream = [
    "20 02 00 00",
    "35 06 0001 74 000a 78",
    "d0 00",
    "40 02 0102",
  ].map(hex);
  const reader = new PacketReader({ level: 4 });
  const got: string[] = [];
  for (const chunk of stream) {
    for (const b of chunk) {
      reader.push(new Uint8Array([b]));
      for (let p = reader.next(); p !== undefined; p = reader.next()) got.push(p.kind);
    }
  }
  assert.deepEqual(got, ["CONNACK", "PUBLISH", "PINGRESP", "PUBACK"]);
  assert.deepEqual(reader.buffered, 0);
});

Deno.test("PacketReader refuses a huge Remaining Length from the fixed header alone", () => {
  const reader = new PacketReader({ level: 4, maxPacketSize: 1024 });
  reader.push(hex("30 ff ff ff 7f"));
  assert.throws(
    () => reader.next(),
    {
      name: "RangeError",
      message: "MQTT PUBLISH of 268435460 bytes is over the limit of 1024 bytes",
    },
  );
});

Deno.test("PacketReader refuses a Remaining Length of more than 4 bytes", () => {
  const reader = new PacketReader({ level: 4 });
  reader.push(hex("30 80 80 80 80 01"));
  assert.throws(
    () => reader.next(),
    {
      name: "SyntaxError",
      message: "Cannot decode MQTT packet: remaining length is longer than 4 bytes",
    },
  );
});

Deno.test("decodePacket() refuses every truncation of a valid packet", () => {
  for (const [, level, , bytes] of GOLDEN) {
    const whole = hex(bytes);
    for (let n = 0; n < whole.length; n++) {
      const cut = whole.slice(0, n);
      assert.throws(() => decodePacket(cut, level), SyntaxError);
      // The same cut with a Remaining Length that agrees: the fields themselves are short.
      if (n >= 2 && whole[1] < 0x80) {
        const fixed = whole.slice(0, n);
        fixed[1] = n - 2;
        try {
          decodePacket(fixed, level);
        } catch (error) {
          if (!(error instanceof SyntaxError)) throw error;
        }
      }
    }
  }
});

const HOSTILE: [string, ProtocolLevel, string, string][] = [
  ["bytes after the packet", 4, "d0 00 00", "Cannot decode MQTT PINGRESP: 1 bytes left over"],
  ["bytes inside it left over", 4, "40 03 0001 00", "Cannot decode MQTT PUBACK: 1 bytes left over"],
  ["a truncated topic", 4, "30 03 0005 61", "Cannot decode MQTT PUBLISH: truncated topic"],
  ["QoS 3", 4, "36 05 0001 74 0001", "Cannot decode MQTT PUBLISH: PUBLISH QoS 3"],
  [
    "packet identifier 0",
    4,
    "32 05 0001 74 0000",
    "Cannot decode MQTT PUBLISH: packet identifier 0",
  ],
  ["DUP on QoS 0", 4, "38 03 0001 74", "Cannot decode MQTT PUBLISH: DUP set on QoS 0"],
  [
    "a wildcard in a PUBLISH topic",
    4,
    "30 03 0001 23",
    'Cannot decode MQTT PUBLISH: wildcard in topic "#"',
  ],
  ["an empty topic", 4, "30 02 0000", "Cannot decode MQTT PUBLISH: empty topic"],
  ["invalid UTF-8", 4, "30 04 0002 c328", "Cannot decode MQTT PUBLISH: topic is not UTF-8"],
  ["U+0000 in a string", 4, "30 04 0002 6100", "Cannot decode MQTT PUBLISH: topic has U+0000"],
  ["reserved flags on PUBACK", 4, "41 02 0001", "Cannot decode MQTT PUBACK: reserved flags 0001"],
  ["PUBREL without its flags", 4, "60 02 0001", "Cannot decode MQTT PUBREL: reserved flags 0000"],
  [
    "reserved CONNACK flags",
    4,
    "20 02 02 00",
    "Cannot decode MQTT CONNACK: reserved acknowledge flags set",
  ],
  [
    "an unknown property",
    5,
    "20 05 00 00 02 7f 00",
    "Cannot decode MQTT CONNACK: unknown property 0x7f",
  ],
  [
    "a repeated property",
    5,
    "20 09 00 00 06 21 0001 21 0002",
    "Cannot decode MQTT CONNACK: property receiveMaximum repeated",
  ],
  [
    "a property length past the packet",
    5,
    "20 04 00 00 09 21",
    "Cannot decode MQTT CONNACK: truncated properties",
  ],
  ["SUBACK", 4, "90 03 0001 00", "Cannot decode MQTT SUBACK: not supported by a publishing client"],
  ["AUTH", 5, "f0 00", "Cannot decode MQTT AUTH: not supported by a publishing client"],
  ["type 0", 4, "00 00", "Cannot decode MQTT packet: reserved type 0"],
  [
    "a CONNECT of another protocol",
    4,
    "10 0a 0004 41424344 04 00 0000",
    'Cannot decode MQTT CONNECT: unsupported protocol "ABCD" level 4',
  ],
  [
    "a 5-byte Remaining Length",
    4,
    "30 80 80 80 80 01",
    "Cannot decode MQTT PUBLISH: remaining length is longer than 4 bytes",
  ],
]; // deno-fmt-ignore

for (const [name, level, bytes, message] of HOSTILE) {
  Deno.test(`decodePacket() refuses ${name}`, () => {
    assert.throws(() => decodePacket(hex(bytes), level), { name: "SyntaxError", message });
  });
}

Deno.test("decodePacket() survives random bytes with only SyntaxError or RangeError", () => {
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 5000; i++) {
    const bytes = new Uint8Array(1 + Math.floor(random() * 40)).map(() => random() * 256);
    for (const level of [4, 5] as const) {
      const reader = new PacketReader({ level, maxPacketSize: 64 });
      reader.push(bytes);
      try {
        while (reader.next() !== undefined) { /* keep going */ }
      } catch (error) {
        if (!(error instanceof SyntaxError) && !(error instanceof RangeError)) throw error;
      }
    }
  }
});
