import assert from "node:assert/strict";
import {
  createHandler,
  dateTimeMicros,
  micros32,
  micros32Of,
} from "../../../src/services/udp_echo/handler.ts";
import type { DatagramMeta } from "../../../src/services/udp/handler.ts";

const RECV_NS = 1_700_000_000_123_456_789n; // 2023-11-14T22:13:20.123456789Z
const SEND_NS = RECV_NS + 42_000n;
const now = () => SEND_NS;
const meta = (address = "192.0.2.7"): DatagramMeta => ({
  address,
  port: 5000,
  family: address.includes(":") ? "IPv6" : "IPv4",
  receivedNs: RECV_NS,
});
const hex = (u8: Uint8Array) => Array.from(u8, (b) => b.toString(16).padStart(2, "0")).join("");

Deno.test("createHandler() echoes the datagram unchanged (RFC 862)", () => {
  const h = createHandler({});
  const data = new Uint8Array([
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
    12,
    13,
    14,
    15,
    16,
    17,
    18,
    19,
    20,
    21,
  ]);
  const reply = new Uint8Array(100);
  assert.equal(h.handle(data, meta(), reply, now), 21);
  assert.deepEqual(reply.subarray(0, 21), data);
});

Deno.test("createHandler() fills the Echo Plus fields in network byte order", () => {
  const h = createHandler({ echoPlusEnabled: true });
  const data = new Uint8Array(24);
  new DataView(data.buffer).setUint32(0, 0xdeadbeef);
  data.fill(0xaa, 4, 20); // client junk in the server fields is overwritten
  data.fill(0x55, 20);
  const reply = new Uint8Array(64);
  const recvUs = micros32(RECV_NS);
  const sendUs = micros32(SEND_NS);
  assert.equal(recvUs, Number((RECV_NS / 1000n) % 2n ** 32n));
  const be = (n: number) => n.toString(16).padStart(8, "0");
  assert.equal(h.handle(data, meta(), reply, now), 24);
  assert.equal(
    hex(reply.subarray(0, 24)),
    "deadbeef" + "00000000" + be(recvUs) + be(sendUs) + "00000000" + "55555555",
  );
  assert.equal(h.handle(data, meta(), reply, now), 24);
  assert.equal(hex(reply.subarray(4, 8)), "00000001"); // TestRespSN counts responses
  h.sendFailed!(24);
  assert.equal(h.handle(data, meta(), reply, now), 24);
  assert.equal(hex(reply.subarray(4, 8)), "00000002");
  assert.equal(hex(reply.subarray(16, 20)), "00000001"); // TestRespReplyFailureCount
});

Deno.test("createHandler() echoes payloads under 20 bytes plainly even with Echo Plus", () => {
  const h = createHandler({ echoPlusEnabled: true });
  const data = new Uint8Array(19).fill(7);
  const reply = new Uint8Array(64);
  assert.equal(h.handle(data, meta(), reply, now), 19);
  assert.deepEqual(reply.subarray(0, 19), data);
});

Deno.test("createHandler() leaves Echo Plus fields alone when it is disabled", () => {
  const h = createHandler({ echoPlusEnabled: false });
  const data = new Uint8Array(20).fill(0xaa);
  const reply = new Uint8Array(64);
  h.handle(data, meta(), reply, now);
  assert.deepEqual(reply.subarray(0, 20), data);
});

Deno.test("createHandler() counts packets and bytes with the 8-byte UDP header", () => {
  const h = createHandler({});
  const reply = new Uint8Array(100);
  h.handle(new Uint8Array(10), meta(), reply, now);
  h.handle(new Uint8Array(30), { ...meta(), receivedNs: RECV_NS + 1_000_000n }, reply, now);
  const s = h.stats();
  assert.equal(s.PacketsReceived, 2);
  assert.equal(s.PacketsResponded, 2);
  assert.equal(s.BytesReceived, 10 + 8 + 30 + 8);
  assert.equal(s.BytesResponded, 56);
  assert.equal(s.TimeFirstPacketReceived, "2023-11-14T22:13:20.123456Z");
  assert.equal(s.TimeLastPacketReceived, "2023-11-14T22:13:20.124456Z");
  h.sendFailed!(30);
  assert.equal(h.stats().PacketsResponded, 1);
  assert.equal(h.stats().BytesResponded, 18);
  assert.equal(h.stats().TestRespReplyFailureCount, 1);
});

Deno.test("createHandler() starts with Unknown Time and zero counters", () => {
  const s = createHandler({}).stats();
  assert.equal(s.TimeFirstPacketReceived, "0001-01-01T00:00:00Z");
  assert.equal(s.TimeLastPacketReceived, "0001-01-01T00:00:00Z");
  assert.equal(s.PacketsReceived, 0);
});

Deno.test("createHandler() answers only SourceIPAddress when set", () => {
  const h = createHandler({ sourceIPAddress: "2001:DB8:0::1" });
  const reply = new Uint8Array(64);
  assert.equal(h.handle(new Uint8Array(4), meta("192.0.2.7"), reply, now), -1);
  assert.equal(h.handle(new Uint8Array(4), meta("2001:db8::2"), reply, now), -1);
  assert.equal(h.handle(new Uint8Array(4), meta("2001:db8::1"), reply, now), 4);
  const s = h.stats();
  assert.equal(s.PacketsReceived, 1);
  assert.equal(s.Filtered, 2);
  h.reconfigure!({ sourceIPAddress: "" });
  assert.equal(h.handle(new Uint8Array(4), meta("192.0.2.7"), reply, now), 4);
  assert.throws(() => h.reconfigure!({ sourceIPAddress: "nope" }), {
    name: "TypeError",
    message: 'Cannot filter on SourceIPAddress "nope": not an IP address',
  });
});

Deno.test("createHandler() never replies larger than the request and drops what cannot fit", () => {
  const h = createHandler({ echoPlusEnabled: true });
  const reply = new Uint8Array(32);
  assert.equal(h.handle(new Uint8Array(33), meta(), reply, now), -1);
  const s = h.stats();
  assert.equal(s.Oversize, 1);
  assert.equal(s.PacketsReceived, 1);
  assert.equal(s.PacketsResponded, 0);
  assert.equal(s.TestRespReplyFailureCount, 1);
  assert.equal(h.handle(new Uint8Array(32), meta(), reply, now), 32);
});

Deno.test("createHandler() resumes the counters of a previous handler", () => {
  const a = createHandler({ echoPlusEnabled: true });
  a.handle(new Uint8Array(20), meta(), new Uint8Array(64), now);
  const b = createHandler({ echoPlusEnabled: true, resume: a.stats() });
  assert.deepEqual(b.stats(), a.stats());
});

Deno.test("dateTimeMicros() writes six fraction digits in UTC", () => {
  assert.equal(dateTimeMicros(0n), "1970-01-01T00:00:00.000000Z");
  assert.equal(dateTimeMicros(1_000_001_999n), "1970-01-01T00:00:01.000001Z");
});

Deno.test("micros32Of() agrees with micros32() without a bigint", () => {
  for (const sec of [0, 4294, 4295, 1_700_000_000, 2_147_483_647, 4_102_444_800]) {
    for (const nsec of [0, 999, 1000, 123_456_789, 999_999_999]) {
      assert.equal(micros32Of(sec, nsec), micros32(BigInt(sec) * 1_000_000_000n + BigInt(nsec)));
    }
  }
});

Deno.test("createHandler() handleInPlace() answers from the request's own bytes", () => {
  const h = createHandler({ echoPlusEnabled: true });
  const buf = new Uint8Array(100).fill(0x33);
  const view = new DataView(buf.buffer);
  const m = { ...meta(), receivedSec: 1_700_000_000, receivedNsec: 123_456_789 };
  assert.equal(h.handleInPlace!(buf, view, 10, 24, 90, m), 24);
  h.stampReply!(view, 10, 24, 1_700_000_000, 123_498_789);
  assert.equal(
    hex(buf.subarray(10, 34)),
    "33333333" + "00000000" + hex(u32(micros32(RECV_NS))) +
      hex(u32(micros32(SEND_NS))) + "00000000" + "33333333",
  );
  assert.equal(buf[9], 0x33);
  assert.equal(buf[34], 0x33);
  assert.equal(h.handleInPlace!(buf, view, 0, 91, 90, m), -1); // larger than its room
  assert.equal(h.stats().Oversize, 1);
});

function u32(v: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, v);
  return out;
}
