import assert from "node:assert/strict";
import {
  decodeErrorEstimate,
  decodeReflectedPacket,
  decodeTestPacket,
  encodeErrorEstimate,
  encodeReflectedPacket,
  encodeTestPacket,
  errorEstimateFor,
  errorSeconds,
  ntpFraction,
  ntpToUnixNs,
  unixNsToNtp,
  writeNtp,
} from "../../../src/services/twamp/packet.ts";

function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, "");
  return new Uint8Array(clean.match(/../g)!.map((b) => parseInt(b, 16)));
}

const S = 1_000_000_000n;

Deno.test("unixNsToNtp() maps the Unix epoch to 2,208,988,800 NTP seconds", () => {
  assert.equal(unixNsToNtp(0n), 0x83aa7e80_00000000n);
});

Deno.test("unixNsToNtp() writes the fraction in units of 2^-32 s, truncated", () => {
  assert.equal(unixNsToNtp(500_000_000n), 0x83aa7e80_80000000n);
  assert.equal(unixNsToNtp(250_000_000n), 0x83aa7e80_40000000n);
  assert.equal(unixNsToNtp(1n), 0x83aa7e80_00000004n); // 4.29… truncated
  assert.equal(unixNsToNtp(999_999_999n), 0x83aa7e80_fffffffbn);
  assert.equal(unixNsToNtp(1_700_000_000n * S + 123_456_789n), 0xe8fe6f80_1f9add37n);
});

Deno.test("unixNsToNtp() handles times before 1970 and refuses times before 1900", () => {
  assert.equal(unixNsToNtp(-1n), 0x83aa7e7f_fffffffbn);
  assert.equal(unixNsToNtp(-2_208_988_800n * S), 0n);
  assert.throws(() => unixNsToNtp(-2_208_988_800n * S - 1n), RangeError);
});

Deno.test("unixNsToNtp() wraps seconds into NTP era 1 in February 2036", () => {
  const rollover = 2_085_978_496n * S; // 2036-02-07T06:28:16Z
  assert.equal(unixNsToNtp(rollover - 1n), 0xffffffff_fffffffbn);
  assert.equal(unixNsToNtp(rollover), 0n);
  assert.equal(ntpToUnixNs(0n), -2_208_988_800n * S);
  assert.equal(ntpToUnixNs(0n, { pivotNs: rollover }), rollover);
  assert.equal(ntpToUnixNs(0xffffffff_fffffffbn, { pivotNs: rollover }), rollover - 1n);
  assert.equal(ntpToUnixNs(0x83aa7e80_00000000n, { pivotNs: 1_700_000_000n * S }), 0n);
});

Deno.test("ntpToUnixNs() inverts unixNsToNtp() to the nanosecond", () => {
  const base = 1_700_000_000n * S;
  for (const ns of [0n, 1n, 2n, 3n, 499_999_999n, 500_000_000n, 999_999_998n, 999_999_999n]) {
    assert.equal(ntpToUnixNs(unixNsToNtp(base + ns)), base + ns);
  }
  for (let i = 0n; i < 2000n; i++) {
    const ns = base + i * 497_731n;
    assert.equal(ntpToUnixNs(unixNsToNtp(ns)), ns);
  }
});

Deno.test("errorEstimateFor() picks the smallest scale that states at least the error", () => {
  const ms = errorEstimateFor(0.001);
  assert.deepEqual(ms, { synchronized: false, z: 0, scale: 15, multiplier: 132 });
  assert.equal(encodeErrorEstimate(ms), 0x0f84);
  assert.ok(errorSeconds(ms) >= 0.001 && errorSeconds(ms) < 0.00101);
  assert.equal(encodeErrorEstimate(errorEstimateFor(0.001, true)), 0x8f84);
  assert.equal(encodeErrorEstimate(errorEstimateFor(2 ** -32)), 0x0001);
  assert.equal(encodeErrorEstimate(errorEstimateFor(1e-6)), 0x0587); // 135 × 2^-27 s
  assert.throws(() => errorEstimateFor(0), RangeError);
});

Deno.test("encodeErrorEstimate() refuses Multiplier 0 and out-of-range Scale", () => {
  const base = { synchronized: false, z: 0 as const };
  assert.throws(() => encodeErrorEstimate({ ...base, scale: 0, multiplier: 0 }), {
    name: "RangeError",
    message: 'Error Estimate Multiplier must be 1–255: "0"',
  });
  assert.throws(() => encodeErrorEstimate({ ...base, scale: 64, multiplier: 1 }), RangeError);
});

Deno.test("decodeErrorEstimate() splits S, Z, Scale and Multiplier", () => {
  assert.deepEqual(decodeErrorEstimate(0x8001), {
    synchronized: true,
    z: 0,
    scale: 0,
    multiplier: 1,
  });
  assert.deepEqual(decodeErrorEstimate(0x7f00), {
    synchronized: false,
    z: 1,
    scale: 63,
    multiplier: 0,
  });
});

Deno.test("decodeTestPacket() reads sequence, timestamp, error estimate and padding", () => {
  const data = hex("01020304 e8fe6f80 80000000 8001 aabbcc");
  const packet = decodeTestPacket(data);
  assert.ok(typeof packet === "object");
  assert.equal(packet.sequenceNumber, 0x01020304);
  assert.equal(packet.timestamp, 0xe8fe6f80_80000000n);
  assert.equal(packet.errorEstimate, 0x8001);
  assert.deepEqual([...packet.padding], [0xaa, 0xbb, 0xcc]);
  assert.deepEqual(encodeTestPacket(packet), data);
});

Deno.test("decodeTestPacket() names short packets and Multiplier 0", () => {
  assert.equal(decodeTestPacket(new Uint8Array(13)), "malformed");
  assert.equal(decodeTestPacket(hex("00000000 00000000 00000000 0100")), "corruptErrorEstimate");
  assert.equal(typeof decodeTestPacket(hex("00000000 00000000 00000000 0001")), "object");
});

const GOLDEN_REFLECTED = hex(
  "00000007" + // own sequence number
    "e8fe6f80 40000000" + // timestamp: 1700000000.25 s
    "0f84" + // error estimate: unsynchronised, 1 ms
    "0000" + // MBZ
    "e8fe6f80 1f9add37" + // receive timestamp: 1700000000.123456789 s
    "01020304" + // sender sequence number
    "e8fe6f7f 80000000" + // sender timestamp
    "8001" + // sender error estimate
    "0000" + // MBZ
    "40" + // sender TTL 64
    "aabbcc", // padding
);

Deno.test("encodeReflectedPacket() writes the 41-byte header and padding", () => {
  const out = new Uint8Array(64).fill(0xee);
  const length = encodeReflectedPacket({
    sequenceNumber: 7,
    timestamp: unixNsToNtp(1_700_000_000n * S + 250_000_000n),
    errorEstimate: 0x0f84,
    receiveTimestamp: unixNsToNtp(1_700_000_000n * S + 123_456_789n),
    senderSequenceNumber: 0x01020304,
    senderTimestamp: 0xe8fe6f7f_80000000n,
    senderErrorEstimate: 0x8001,
    senderTtl: 64,
    padding: hex("aabbcc"),
  }, out);
  assert.equal(length, 44);
  assert.deepEqual(out.subarray(0, length), GOLDEN_REFLECTED);
  assert.throws(
    () => encodeReflectedPacket({ ...decodeReflectedPacket(GOLDEN_REFLECTED)! }, out.subarray(43)),
    { name: "RangeError", message: "Reply buffer too small: 21 < 44 bytes" },
  );
});

Deno.test("decodeReflectedPacket() reads back every field", () => {
  const packet = decodeReflectedPacket(GOLDEN_REFLECTED)!;
  assert.equal(packet.sequenceNumber, 7);
  assert.equal(packet.timestamp, 0xe8fe6f80_40000000n);
  assert.equal(packet.errorEstimate, 0x0f84);
  assert.equal(packet.receiveTimestamp, 0xe8fe6f80_1f9add37n);
  assert.equal(packet.senderSequenceNumber, 0x01020304);
  assert.equal(packet.senderTimestamp, 0xe8fe6f7f_80000000n);
  assert.equal(packet.senderErrorEstimate, 0x8001);
  assert.equal(packet.senderTtl, 64);
  assert.deepEqual([...packet.padding], [0xaa, 0xbb, 0xcc]);
  assert.equal(decodeReflectedPacket(new Uint8Array(40)), undefined);
});

Deno.test("writeNtp() writes what unixNsToNtp() computes, without a bigint", () => {
  const view = new DataView(new ArrayBuffer(12));
  const nsecs = [0, 1, 232, 233, 999_999_999, 500_000_000, 123_456_789, 1_953_125, 3_906_249];
  for (let i = 0; i < 2000; i++) nsecs.push(Math.floor(Math.random() * 1_000_000_000));
  for (const sec of [0, 1_700_000_000, 2_085_978_495, 2_085_978_496, 2_147_483_647]) {
    for (const nsec of nsecs) {
      writeNtp(view, 2, sec, nsec);
      const expected = unixNsToNtp(BigInt(sec) * 1_000_000_000n + BigInt(nsec));
      assert.equal(view.getBigUint64(2), expected, `${sec} s ${nsec} ns`);
    }
  }
  // the fraction is truncated: 1 ns is 4.29 units of 2^-32 s
  assert.equal(ntpFraction(1), 4);
  assert.equal(ntpFraction(999_999_999), 0xffff_fffb);
});
