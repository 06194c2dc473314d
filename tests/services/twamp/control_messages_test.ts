// Golden bytes of every TWAMP-Control message (hand-computed from the layouts in
// src/services/twamp/control_messages.ts): encode, decode and round trip.
import assert from "node:assert/strict";
import {
  commandKind,
  CONTROL_MESSAGE_LENGTH,
  type ControlMessage,
  decodeControlMessage,
  encodeControlMessage,
  makeSid,
  msToNtpDuration,
  ntpDurationToMs,
} from "../../../src/services/twamp/control_messages.ts";

function hex(...parts: string[]): Uint8Array {
  const text = parts.join("").replace(/\s+/g, "");
  return Uint8Array.from(text.match(/../g)!.map((b) => parseInt(b, 16)));
}

const Z = (n: number) => "00".repeat(n);
const RANGE_00_0F = "000102030405060708090a0b0c0d0e0f";
const RANGE_A0_AF = "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf";
const RANGE_10_1F = "101112131415161718191a1b1c1d1e1f";
const START = 0xe8f1234580000000n; // an NTP time, .5 s fraction

interface Golden {
  readonly message: ControlMessage;
  readonly bytes: Uint8Array;
}

const GOLDEN: Golden[] = [
  {
    message: {
      kind: "ServerGreeting",
      modes: 1,
      challenge: hex(RANGE_00_0F),
      salt: hex(RANGE_A0_AF),
      count: 1024,
    },
    // Unused 12 | Modes | Challenge 16 | Salt 16 | Count | MBZ 12
    bytes: hex(Z(12), "00000001", RANGE_00_0F, RANGE_A0_AF, "00000400", Z(12)),
  },
  {
    message: {
      kind: "SetUpResponse",
      mode: 1,
      keyId: new Uint8Array(80),
      token: new Uint8Array(64),
      clientIv: hex(RANGE_10_1F),
    },
    // Mode | KeyID 80 | Token 64 | Client-IV 16
    bytes: hex("00000001", Z(80), Z(64), RANGE_10_1F),
  },
  {
    message: { kind: "ServerStart", accept: 5, serverIv: hex(RANGE_A0_AF), startTime: START },
    // MBZ 15 | Accept | Server-IV 16 | Start-Time 8 | MBZ 8
    bytes: hex(Z(15), "05", RANGE_A0_AF, "e8f1234580000000", Z(8)),
  },
  {
    message: {
      kind: "RequestTwSession",
      ipvn: 4,
      confSender: 0,
      confReceiver: 0,
      numberOfScheduleSlots: 0,
      numberOfPackets: 0,
      senderPort: 20000,
      receiverPort: 20001,
      senderAddress: "192.0.2.1",
      receiverAddress: "192.0.2.2",
      sid: new Uint8Array(16),
      paddingLength: 27,
      startTime: START,
      timeout: 0x0000000280000000n, // 2.5 s
      typePDescriptor: 46, // DSCP EF
      hmac: new Uint8Array(16),
    },
    bytes: hex(
      "05 04 00 00", // command 5 | MBZ·IPVN 4 | Conf-Sender | Conf-Receiver
      "00000000", // Number of Schedule Slots
      "00000000", // Number of Packets
      "4e20 4e21", // Sender Port 20000 | Receiver Port 20001
      "c0000201",
      Z(12), // Sender Address 192.0.2.1 + MBZ
      "c0000202",
      Z(12), // Receiver Address 192.0.2.2 + MBZ
      Z(16), // SID
      "0000001b", // Padding Length 27
      "e8f1234580000000", // Start Time
      "0000000280000000", // Timeout 2.5 s
      "0000002e", // Type-P Descriptor
      Z(8), // MBZ
      Z(16), // HMAC
    ),
  },
  {
    message: {
      kind: "RequestTwSession",
      ipvn: 6,
      confSender: 0,
      confReceiver: 0,
      numberOfScheduleSlots: 0,
      numberOfPackets: 0,
      senderPort: 862,
      receiverPort: 863,
      senderAddress: "2001:db8::1",
      receiverAddress: "2001:db8::2",
      sid: hex(RANGE_10_1F),
      paddingLength: 0,
      startTime: 0n,
      timeout: 0n,
      typePDescriptor: 0,
      hmac: hex(RANGE_00_0F),
    },
    bytes: hex(
      "05 06 00 00",
      Z(8),
      "035e 035f",
      "20010db8000000000000000000000001",
      "20010db8000000000000000000000002",
      RANGE_10_1F,
      Z(4 + 8 + 8 + 4 + 8),
      RANGE_00_0F,
    ),
  },
  {
    message: { kind: "AcceptSession", accept: 0, port: 20001, sid: hex(RANGE_10_1F), hmac: Z16() },
    // Accept | MBZ | Port | SID 16 | MBZ 12 | HMAC 16
    bytes: hex("00 00 4e21", RANGE_10_1F, Z(12), Z(16)),
  },
  {
    message: { kind: "StartSessions", hmac: hex(RANGE_A0_AF) },
    // 2 | MBZ 15 | HMAC 16
    bytes: hex("02", Z(15), RANGE_A0_AF),
  },
  {
    message: { kind: "StartAck", accept: 3, hmac: Z16() },
    // Accept | MBZ 15 | HMAC 16
    bytes: hex("03", Z(15), Z(16)),
  },
  {
    message: { kind: "StopSessions", accept: 0, numberOfSessions: 2, hmac: Z16() },
    // 3 | Accept | MBZ 2 | Number of Sessions | MBZ 8 | HMAC 16
    bytes: hex("03 00 0000 00000002", Z(8), Z(16)),
  },
];

function Z16(): Uint8Array {
  return new Uint8Array(16);
}

for (const { message, bytes } of GOLDEN) {
  const label = message.kind === "RequestTwSession"
    ? `${message.kind} IPv${message.ipvn}`
    : message.kind;
  Deno.test(`encodeControlMessage() writes the golden bytes of ${label}`, () => {
    assert.equal(bytes.length, CONTROL_MESSAGE_LENGTH[message.kind]);
    assert.deepEqual(encodeControlMessage(message), bytes);
  });
  Deno.test(`decodeControlMessage() reads the golden bytes of ${label}`, () => {
    assert.deepEqual(decodeControlMessage(message.kind, bytes), message);
  });
}

Deno.test("CONTROL_MESSAGE_LENGTH holds the RFC 4656/5357 sizes", () => {
  assert.deepEqual(CONTROL_MESSAGE_LENGTH, {
    ServerGreeting: 64,
    SetUpResponse: 164,
    ServerStart: 48,
    RequestTwSession: 112,
    AcceptSession: 48,
    StartSessions: 32,
    StartAck: 32,
    StopSessions: 32,
  });
});

Deno.test("encodeControlMessage() fills omitted IVs, HMACs and SIDs with zeros", () => {
  assert.deepEqual(
    encodeControlMessage({ kind: "SetUpResponse", mode: 1 }),
    hex("00000001", Z(160)),
  );
  assert.deepEqual(encodeControlMessage({ kind: "StartSessions" }), hex("02", Z(31)));
  assert.deepEqual(
    encodeControlMessage({ kind: "ServerStart", accept: 0, startTime: 1n }),
    hex(Z(32), "0000000000000001", Z(8)),
  );
});

Deno.test("decodeControlMessage() ignores MBZ bits and reads the zero address", () => {
  const start = hex("02", "ff".repeat(15), Z(16));
  assert.deepEqual(decodeControlMessage("StartSessions", start), {
    kind: "StartSessions",
    hmac: Z16(),
  });
  const request = hex("05 f4", Z(110)); // MBZ nibble set, IPVN 4, addresses zero
  const decoded = decodeControlMessage("RequestTwSession", request);
  assert.equal(decoded.ipvn, 4);
  assert.equal(decoded.senderAddress, "0.0.0.0");
  assert.equal(decoded.receiverAddress, "0.0.0.0");
});

Deno.test("decodeControlMessage() rejects wrong lengths, commands and IPVN", () => {
  assert.throws(
    () => decodeControlMessage("StartSessions", new Uint8Array(31)),
    new SyntaxError("Cannot decode StartSessions: 31 bytes, expected 32"),
  );
  assert.throws(
    () => decodeControlMessage("SetUpResponse", new Uint8Array(165)),
    new SyntaxError("Cannot decode SetUpResponse: 165 bytes, expected 164"),
  );
  assert.throws(
    () => decodeControlMessage("StopSessions", hex("02", Z(31))),
    new SyntaxError('Cannot decode StopSessions: command "2", expected 3'),
  );
  assert.throws(
    () => decodeControlMessage("RequestTwSession", hex("05 05", Z(110))),
    new SyntaxError('Cannot decode RequestTwSession: IPVN "5" is neither 4 nor 6'),
  );
});

Deno.test("encodeControlMessage() rejects fields that do not fit", () => {
  assert.throws(
    () => encodeControlMessage({ kind: "AcceptSession", accept: 0, port: 70000, sid: Z16() }),
    new RangeError('Port must be an integer 0–65535: "70000"'),
  );
  assert.throws(
    () =>
      encodeControlMessage({ kind: "AcceptSession", accept: 0, port: 1, sid: new Uint8Array(4) }),
    new RangeError("SID must be 16 bytes: 4"),
  );
  const request = decodeControlMessage("RequestTwSession", GOLDEN[3].bytes);
  assert.throws(
    () => encodeControlMessage({ ...request, senderAddress: "2001:db8::1" }),
    new TypeError('Not an IPv4 address: "2001:db8::1"'),
  );
});

Deno.test("commandKind() names commands 2, 3 and 5 only", () => {
  assert.equal(commandKind(2), "StartSessions");
  assert.equal(commandKind(3), "StopSessions");
  assert.equal(commandKind(5), "RequestTwSession");
  for (const n of [0, 1, 4, 6, 7, 255]) assert.equal(commandKind(n), undefined);
});

Deno.test("makeSid() joins the receiver address, the time and 4 random bytes", () => {
  assert.deepEqual(
    makeSid("192.0.2.2", START, hex("01020304")),
    hex("c0000202", "e8f1234580000000", "01020304"),
  );
  assert.deepEqual(
    makeSid("2001:db8::a:b", 0n, hex("ffffffff")),
    hex("000a000b", Z(8), "ffffffff"),
  );
});

Deno.test("ntpDurationToMs() and msToNtpDuration() convert Timeout", () => {
  assert.equal(ntpDurationToMs(0x0000000280000000n), 2500);
  assert.equal(ntpDurationToMs(0n), 0);
  assert.equal(ntpDurationToMs(1n), 1); // rounded up
  assert.equal(msToNtpDuration(2500), 0x0000000280000000n);
  assert.equal(msToNtpDuration(0), 0n);
  assert.equal(ntpDurationToMs(msToNtpDuration(1234)), 1234);
});
