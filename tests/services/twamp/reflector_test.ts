import assert from "node:assert/strict";
import type { DatagramMeta } from "../../../src/services/udp/handler.ts";
import {
  decodeReflectedPacket,
  encodeReflectedPacket,
  encodeTestPacket,
  unixNsToNtp,
} from "../../../src/services/twamp/packet.ts";
import {
  createHandler,
  TwampReflector,
  type TwampReflectorConfig,
} from "../../../src/services/twamp/reflector.ts";

const S = 1_000_000_000n;
const RECEIVED = 1_700_000_000n * S + 123_456_789n;
const SENT = 1_700_000_000n * S + 250_000_000n;

function meta(overrides: Partial<DatagramMeta> = {}): DatagramMeta {
  return {
    address: "192.0.2.10",
    port: 40000,
    family: "IPv4",
    ttl: 1,
    receivedNs: RECEIVED,
    ...overrides,
  };
}

function testPacket(sequenceNumber: number, size = 64): Uint8Array {
  const padding = new Uint8Array(size - 14).map((_, i) => i + 1);
  return encodeTestPacket({
    sequenceNumber,
    timestamp: 0xe8fe6f7f_80000000n,
    errorEstimate: 0x8001,
    padding,
  });
}

function reflect(
  reflector: TwampReflector,
  data: Uint8Array,
  m: DatagramMeta = meta(),
): Uint8Array | undefined {
  const reply = new Uint8Array(2048);
  const n = reflector.handle(data, m, reply, () => SENT);
  return n < 0 ? undefined : reply.slice(0, n);
}

Deno.test("TwampReflector.handle() reflects into a reply of the request's size", () => {
  const reflector = new TwampReflector({ maximumTtl: 1 });
  const request = testPacket(0x01020304, 64);
  const reply = reflect(reflector, request)!;
  assert.equal(reply.length, 64);
  const expected = new Uint8Array(64);
  expected.set([
    ...[0, 0, 0, 0], // own sequence number
    ...[0xe8, 0xfe, 0x6f, 0x80, 0x40, 0, 0, 0], // timestamp = SENT
    ...[0x0f, 0x84], // error estimate (S 0, 1 ms)
    ...[0, 0],
    ...[0xe8, 0xfe, 0x6f, 0x80, 0x1f, 0x9a, 0xdd, 0x37], // receive timestamp = RECEIVED
    ...[1, 2, 3, 4], // sender sequence number
    ...[0xe8, 0xfe, 0x6f, 0x7f, 0x80, 0, 0, 0], // sender timestamp
    ...[0x80, 0x01], // sender error estimate
    ...[0, 0],
    1, // sender TTL
  ]);
  expected.set(request.subarray(14, 14 + 23), 41); // the sender's padding, 27 bytes shorter
  assert.deepEqual(reply, expected);
  assert.equal(reflect(reflector, testPacket(0, 41))!.length, 41);
});

Deno.test("TwampReflector.handle() reads the send time after the receive time", () => {
  const reflector = new TwampReflector();
  const reply = new Uint8Array(100);
  let reads = 0;
  reflector.handle(testPacket(1), meta(), reply, () => {
    reads++;
    return SENT;
  });
  assert.equal(reads, 1);
  const packet = decodeReflectedPacket(reply)!;
  assert.equal(packet.timestamp, unixNsToNtp(SENT));
  assert.equal(packet.receiveTimestamp, unixNsToNtp(RECEIVED));
});

Deno.test("TwampReflector.handle() numbers its replies per sender from 0", () => {
  const reflector = new TwampReflector({ maximumTtl: 255 });
  const seq = (m: DatagramMeta) => decodeReflectedPacket(reflect(reflector, testPacket(99), m)!)!;
  const a = meta({ port: 1000 });
  const b = meta({ port: 1001 });
  const c = meta({ address: "2001:db8::1", family: "IPv6", port: 1000 });
  assert.deepEqual([seq(a), seq(a), seq(b), seq(a), seq(c), seq(b)].map((p) => p.sequenceNumber), [
    0,
    1,
    0,
    2,
    0,
    1,
  ]);
  assert.equal(seq(a).senderSequenceNumber, 99);
  assert.equal(reflector.stats().senders, 3);
});

Deno.test("TwampReflector.handle() keeps at most maxSenders counters, least recent out", () => {
  const reflector = new TwampReflector({ maxSenders: 2 });
  const seq = (port: number) =>
    decodeReflectedPacket(reflect(reflector, testPacket(0), meta({ port }))!)!.sequenceNumber;
  assert.equal(seq(1), 0);
  assert.equal(seq(2), 0);
  assert.equal(seq(1), 1); // 1 is now the most recent
  assert.equal(seq(3), 0); // evicts 2
  assert.equal(seq(1), 2);
  assert.equal(seq(2), 0); // forgotten: starts again, evicts 3
  assert.equal(reflector.stats().senders, 2);
  assert.equal(reflector.stats().sendersEvicted, 2);
  for (let port = 10; port < 1010; port++) seq(port);
  assert.equal(reflector.stats().senders, 2);
});

Deno.test("TwampReflector.handle() drops by rule and counts each reason", () => {
  const config: TwampReflectorConfig = {
    maximumTtl: 2,
    ipAllowedList: "192.0.2.0/24",
    portAllowedList: "40000-40010",
  };
  const reflector = createHandler(config);
  const cases: [Uint8Array, DatagramMeta, string][] = [
    [testPacket(0), meta({ address: "198.51.100.1" }), "droppedIpNotAllowed"],
    [testPacket(0), meta({ port: 39999 }), "droppedPortNotAllowed"],
    [testPacket(0), meta({ ttl: 3 }), "droppedTtlExceeded"],
    [testPacket(0), meta({ ttl: undefined }), "droppedTtlUnknown"],
    [new Uint8Array(13), meta(), "droppedMalformed"],
    [new Uint8Array(64), meta(), "droppedCorruptErrorEstimate"],
    [testPacket(0, 40), meta(), "droppedTooShort"],
    [testPacket(0, 14), meta(), "droppedTooShort"],
  ];
  for (const [data, m, reason] of cases) {
    const before = reflector.stats()[reason];
    assert.equal(reflect(reflector, data, m), undefined, reason);
    assert.equal(reflector.stats()[reason], (before as number) + 1, reason);
  }
  assert.equal(reflector.handle(testPacket(0, 64), meta(), new Uint8Array(63), () => SENT), -1);
  assert.ok(reflect(reflector, testPacket(0), meta({ ttl: 2 })));
  const stats = reflector.stats();
  assert.equal(stats.received, 10);
  assert.equal(stats.reflected, 1);
  assert.equal(stats.dropped, 9);
  assert.equal(stats.droppedTooLarge, 1);
  assert.equal(stats.senders, 1); // dropped packets create no sender state
});

Deno.test("TwampReflector.handle() reflects unknown TTLs as 255 only when allowed", () => {
  const strict = new TwampReflector({ maximumTtl: 64 });
  assert.equal(reflect(strict, testPacket(0), meta({ ttl: undefined })), undefined);
  for (const config of [{ maximumTtl: 255 }, { maximumTtl: 1, unknownTtl: "reflect" as const }]) {
    const reply = reflect(new TwampReflector(config), testPacket(0), meta({ ttl: undefined }))!;
    assert.equal(decodeReflectedPacket(reply)!.senderTtl, 255);
  }
  const known = reflect(new TwampReflector({ maximumTtl: 255 }), testPacket(0), meta({ ttl: 64 }));
  assert.equal(decodeReflectedPacket(known!)!.senderTtl, 64);
});

Deno.test("TwampReflector.handle() answers 14–40-byte requests with 41 bytes when asked", () => {
  const reflector = new TwampReflector({ shortPackets: "pad" });
  const reply = reflect(reflector, testPacket(5, 14))!;
  assert.equal(reply.length, 41);
  assert.equal(decodeReflectedPacket(reply)!.senderSequenceNumber, 5);
  assert.equal(reflect(reflector, testPacket(6, 30))!.length, 41);
});

Deno.test("TwampReflector.handle() uses the configured error estimate", () => {
  const reflector = new TwampReflector({ synchronized: true, clockErrorSeconds: 2 ** -32 });
  assert.equal(decodeReflectedPacket(reflect(reflector, testPacket(0))!)!.errorEstimate, 0x8001);
});

Deno.test("TwampReflector.reconfigure() keeps sequence numbers and counters", () => {
  const reflector = new TwampReflector({ maximumTtl: 255 });
  reflect(reflector, testPacket(0));
  reflector.reconfigure({ maximumTtl: 255, portAllowedList: "1-10" });
  assert.equal(reflect(reflector, testPacket(0)), undefined);
  reflector.reconfigure({ maximumTtl: 255 });
  assert.equal(decodeReflectedPacket(reflect(reflector, testPacket(0))!)!.sequenceNumber, 1);
  assert.throws(() => reflector.reconfigure({ maximumTtl: 0 }), {
    name: "RangeError",
    message: 'MaximumTTL must be 1–255: "0"',
  });
  assert.equal(reflector.stats().received, 3); // the old settings still apply
  assert.equal(reflector.stats().droppedPortNotAllowed, 1);
});

Deno.test("createHandler() refuses invalid configurations", () => {
  assert.throws(() => createHandler(null), TypeError);
  assert.throws(() => createHandler({ maximumTtl: 256 }), RangeError);
  assert.throws(() => createHandler({ ipAllowedList: "10.0.0.0/40" }), {
    name: "RangeError",
    message: 'Invalid IPAllowedList entry: "10.0.0.0/40"',
  });
  assert.throws(() => createHandler({ maxSenders: 0 }), RangeError);
});

Deno.test("TwampReflector.handleInPlace() builds over the request what the codec encodes", () => {
  const config: TwampReflectorConfig = { maximumTtl: 255, shortPackets: "pad" };
  const inPlace = new TwampReflector(config);
  const sizes = [14, 20, 40, 41, 42, 64, 67, 68, 105, 106, 200, 1472];
  for (const [i, size] of sizes.entries()) {
    const request = testPacket(1000 + i, Math.max(size, 14)).slice(0, size);
    // in a buffer whose other bytes are garbage, at an odd offset
    const buf = new Uint8Array(4096).fill(0xee);
    const at = 333;
    buf.set(request, at);
    const view = new DataView(buf.buffer);
    const m = { ...meta({ ttl: 17 }), receivedSec: 1_700_000_000, receivedNsec: 123_456_789 };
    const n = inPlace.handleInPlace(buf, view, at, size, 4096 - at, m);
    assert.equal(n, Math.max(size, 41));
    inPlace.stampReply(view, at, n, 1_700_000_000, 250_000_000);
    const padding = request.subarray(14, 14 + Math.max(0, size - 41));
    const expected = new Uint8Array(n);
    encodeReflectedPacket({
      sequenceNumber: i,
      timestamp: unixNsToNtp(SENT),
      errorEstimate: 0x0f84,
      receiveTimestamp: unixNsToNtp(RECEIVED),
      senderSequenceNumber: 1000 + i,
      senderTimestamp: 0xe8fe6f7f_80000000n,
      senderErrorEstimate: 0x8001,
      senderTtl: 17,
      padding,
    }, expected);
    assert.deepEqual(buf.subarray(at, at + n), expected, `size ${size}`);
    assert.equal(buf[at - 1], 0xee);
    assert.equal(buf[at + Math.max(n, size)], 0xee);
  }
});

Deno.test("TwampReflector.handleInPlace() drops what does not fit its room, untouched", () => {
  const reflector = new TwampReflector({ maximumTtl: 255, shortPackets: "pad" });
  const m = { ...meta(), receivedSec: 1_700_000_000, receivedNsec: 0 };
  for (const [size, room] of [[20, 40], [100, 99]]) {
    const buf = testPacket(5, Math.max(size, 14)).slice(0, size);
    const copy = buf.slice();
    assert.equal(reflector.handleInPlace(buf, new DataView(buf.buffer), 0, size, room, m), -1);
    assert.deepEqual(buf, copy);
  }
  assert.equal(reflector.stats().droppedTooLarge, 2);
});
