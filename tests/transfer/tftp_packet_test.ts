import assert from "node:assert/strict";
import {
  decodeTftpPacket,
  encodeTftpPacket,
  MAX_BLOCK_SIZE,
  type TftpPacket,
} from "../../src/transfer/tftp_packet.ts";

function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, "");
  return new Uint8Array(clean.match(/../g)!.map((b) => parseInt(b, 16)));
}

/** Golden pairs: the bytes (hex, commented by field) and the packet they are. */
const GOLDEN: [string, string, TftpPacket][] = [
  [
    "RRQ with blksize and tsize (RFC 2347 §2 example shape)",
    "0001 666f6f2f6669726d776172652e62696e00 6f6374657400" +
    " 626c6b73697a6500 3134323800 7473697a6500 3000",
    {
      kind: "RRQ",
      filename: "foo/firmware.bin",
      mode: "octet",
      options: { blksize: "1428", tsize: "0" },
    },
  ],
  [
    "WRQ without options",
    "0002 6c6f672e74787400 6f6374657400",
    { kind: "WRQ", filename: "log.txt", mode: "octet", options: {} },
  ],
  [
    "WRQ with the real tsize",
    "0002 7500 6f6374657400 7473697a6500 3130323400",
    { kind: "WRQ", filename: "u", mode: "octet", options: { tsize: "1024" } },
  ],
  [
    "DATA block 1, 3 bytes",
    "0003 0001 616263",
    { kind: "DATA", block: 1, data: new Uint8Array([0x61, 0x62, 0x63]) },
  ],
  [
    "DATA block 65535, empty (the final block of a file of 512×N bytes)",
    "0003 ffff",
    { kind: "DATA", block: 65535, data: new Uint8Array(0) },
  ],
  ["ACK block 0 (answer to a WRQ without options, or to an OACK)", "0004 0000", {
    kind: "ACK",
    block: 0,
  }],
  ["ACK block 0x1234", "0004 1234", { kind: "ACK", block: 0x1234 }],
  [
    "ERROR 1 File not found",
    "0005 0001 46696c65206e6f7420666f756e6400",
    { kind: "ERROR", code: 1, message: "File not found" },
  ],
  [
    "ERROR 5 Unknown transfer ID",
    "0005 0005 556e6b6e6f776e207472616e73666572204944 00",
    { kind: "ERROR", code: 5, message: "Unknown transfer ID" },
  ],
  [
    "ERROR 8 with an empty message",
    "0005 0008 00",
    { kind: "ERROR", code: 8, message: "" },
  ],
  [
    "OACK blksize 1428 tsize 20000000",
    "0006 626c6b73697a6500 3134323800 7473697a6500 323030303030303000",
    { kind: "OACK", options: { blksize: "1428", tsize: "20000000" } },
  ],
];

for (const [what, bytes, packet] of GOLDEN) {
  Deno.test(`encodeTftpPacket() / decodeTftpPacket(): ${what}`, () => {
    assert.deepEqual(encodeTftpPacket(packet), hex(bytes), "encode");
    assert.deepEqual(decodeTftpPacket(hex(bytes)), packet, "decode");
    assert.deepEqual(decodeTftpPacket(encodeTftpPacket(packet)), packet, "round trip");
  });
}

Deno.test("decodeTftpPacket() lower-cases option names and the mode, keeps values as sent", () => {
  assert.deepEqual(
    decodeTftpPacket(hex("0001 4100 4f4354455400 424c4b53495a4500 35313200 5473697a6500 3000")),
    { kind: "RRQ", filename: "A", mode: "octet", options: { blksize: "512", tsize: "0" } },
  );
});

Deno.test("decodeTftpPacket() returns DATA as a view into the datagram", () => {
  const datagram = hex("0003 0007 0102");
  const packet = decodeTftpPacket(datagram);
  assert.equal(packet.kind, "DATA");
  if (packet.kind === "DATA") assert.equal(packet.data.buffer, datagram.buffer);
});

Deno.test("decodeTftpPacket() tolerates what servers are known to send", () => {
  // ERROR without its NUL, ACK with trailing bytes, OACK whose last value lacks its NUL.
  assert.deepEqual(decodeTftpPacket(hex("0005 0002 6e6f")), {
    kind: "ERROR",
    code: 2,
    message: "no",
  });
  assert.deepEqual(decodeTftpPacket(hex("0004 0009 0000")), { kind: "ACK", block: 9 });
  assert.deepEqual(decodeTftpPacket(hex("0006 7473697a6500 3132")), {
    kind: "OACK",
    options: { tsize: "12" },
  });
});

Deno.test("decodeTftpPacket() keeps an option named __proto__ a plain key", () => {
  const packet = decodeTftpPacket(hex("0006 5f5f70726f746f5f5f00 7800"));
  assert.equal(packet.kind, "OACK");
  if (packet.kind === "OACK") {
    assert.deepEqual(Object.keys(packet.options), ["__proto__"]);
    assert.equal(Object.getPrototypeOf(packet.options), Object.prototype);
  }
});

Deno.test("decodeTftpPacket() refuses malformed packets with the reason", () => {
  for (
    const [bytes, reason] of [
      ["00", "shorter than 2 bytes"],
      ["0009 0000", "unknown opcode 9"],
      ["0000", "unknown opcode 0"],
      ["0001 6600", "request without filename and mode"],
      ["0001 6600 6f63746574", "string without its NUL"],
      ["0002 6600 6f6300 7473697a6500", 'option "tsize" without a value'],
      ["0003 00", "DATA shorter than 4 bytes"],
      ["0004 00", "ACK shorter than 4 bytes"],
      ["0005 00", "ERROR shorter than 4 bytes"],
      ["0006 00 3100", "empty option name"],
      ["0006 6100 3100 4100 3200", 'option "a" twice'],
    ]
  ) {
    assert.throws(() => decodeTftpPacket(hex(bytes)), {
      name: "SyntaxError",
      message: `Cannot decode TFTP packet: ${reason}`,
    }, bytes);
  }
  const long = new Uint8Array(4 + MAX_BLOCK_SIZE + 1);
  long[1] = 3;
  assert.throws(() => decodeTftpPacket(long), {
    name: "SyntaxError",
    message: "Cannot decode TFTP packet: DATA longer than 65464 bytes",
  });
});

Deno.test("encodeTftpPacket() refuses NUL in strings and out-of-range numbers", () => {
  assert.throws(
    () => encodeTftpPacket({ kind: "RRQ", filename: "a\0b", mode: "octet", options: {} }),
    { name: "TypeError", message: 'TFTP string holds NUL: "a\0b"' },
  );
  assert.throws(() => encodeTftpPacket({ kind: "ACK", block: 65536 }), {
    name: "RangeError",
    message: "TFTP block out of range: 65536",
  });
  assert.throws(() => encodeTftpPacket({ kind: "ERROR", code: -1, message: "" }), {
    name: "RangeError",
    message: "TFTP error code out of range: -1",
  });
  assert.throws(
    () => encodeTftpPacket({ kind: "DATA", block: 1, data: new Uint8Array(MAX_BLOCK_SIZE + 1) }),
    { name: "RangeError", message: "TFTP DATA longer than 65464 bytes" },
  );
});
