import assert from "node:assert/strict";
import {
  decodeDnsMessage,
  DnsType,
  encodeDnsMessage,
  formatIPv6,
} from "../../../src/services/diagnostics/dns_message.ts";

const hex = (text: string) =>
  new Uint8Array(text.replace(/\s+/g, "").match(/../g)!.map((h) => parseInt(h, 16)));

// id 0x1234, RD, one question: example.com A IN.
const QUERY = hex("1234 0100 0001 0000 0000 0000 07 6578616d706c65 03 636f6d 00 0001 0001");

// The answer as a recursive resolver sends it: QR RD RA, the owner name compressed to
// the question (c00c), TTL 3600, 93.184.216.34; then an AAAA record.
const RESPONSE = hex(
  "1234 8180 0001 0002 0000 0000 07 6578616d706c65 03 636f6d 00 0001 0001" +
    "c00c 0001 0001 00000e10 0004 5db8d822" +
    "c00c 001c 0001 00000e10 0010 26062800022000010248189325c81946",
);

Deno.test("encodeDnsMessage() writes the golden A query", () => {
  const bytes = encodeDnsMessage({
    id: 0x1234,
    qr: false,
    rd: true,
    questions: [{ name: "example.com", type: DnsType.A }],
  });
  assert.deepEqual(bytes, QUERY);
});

Deno.test("decodeDnsMessage() reads a response with compressed names", () => {
  const message = decodeDnsMessage(RESPONSE);
  assert.equal(message.id, 0x1234);
  assert.equal(message.qr, true);
  assert.equal(message.aa, false);
  assert.equal(message.rcode, 0);
  assert.deepEqual(message.questions, [{ name: "example.com", type: 1, class: 1 }]);
  assert.deepEqual(message.answers, [
    { name: "example.com", type: 1, class: 1, ttl: 3600, data: "93.184.216.34" },
    {
      name: "example.com",
      type: 28,
      class: 1,
      ttl: 3600,
      data: "2606:2800:220:1:248:1893:25c8:1946",
    },
  ]);
});

Deno.test("encodeDnsMessage() and decodeDnsMessage() round-trip a response", () => {
  const message = {
    id: 7,
    qr: true,
    opcode: 0,
    aa: true,
    tc: false,
    rd: true,
    ra: false,
    rcode: 0,
    questions: [{ name: "www.example.org", type: DnsType.AAAA, class: 1 }],
    answers: [
      { name: "www.example.org", type: DnsType.CNAME, class: 1, ttl: 60, data: "example.org" },
      { name: "example.org", type: DnsType.AAAA, class: 1, ttl: 60, data: "2001:db8::1" },
    ],
  };
  assert.deepEqual(decodeDnsMessage(encodeDnsMessage(message)), message);
});

Deno.test("decodeDnsMessage() rejects truncated messages and pointer loops", () => {
  assert.throws(() => decodeDnsMessage(RESPONSE.subarray(0, 40)), SyntaxError);
  const loop = hex("0001 8000 0001 0000 0000 0000 c00c 0001 0001");
  assert.throws(() => decodeDnsMessage(loop), {
    name: "SyntaxError",
    message: "Cannot decode DNS message: bad name",
  });
});

Deno.test("formatIPv6() compresses the longest zero run (RFC 5952)", () => {
  const bytes = new Uint8Array(16);
  bytes[15] = 1;
  assert.equal(formatIPv6(bytes), "::1");
  bytes.set([0x20, 0x01, 0x0d, 0xb8], 0);
  assert.equal(formatIPv6(bytes), "2001:db8::1");
});
