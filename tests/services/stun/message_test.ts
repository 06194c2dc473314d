import assert from "node:assert/strict";
import { hmac } from "@noble/hashes/hmac.js";
import { sha1 } from "@noble/hashes/legacy.js";
import {
  CONNECTION_REQUEST_BINDING_VALUE,
  decodeBindingResponse,
  encodeBindingRequest,
  isStun,
  newTransactionId,
  StunDecodeError,
} from "../../../src/services/stun/message.ts";

const hex = (text: string) =>
  Uint8Array.from(text.replace(/\s+/g, "").match(/../g)!, (b) => parseInt(b, 16));
const toHex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0"))
    .join("");

// RFC 5769 §2.2: sample IPv4 response (SOFTWARE, XOR-MAPPED-ADDRESS 192.0.2.1:32853,
// MESSAGE-INTEGRITY keyed with "VOkJxbRl1RmTxUk/WvJxBt", FINGERPRINT).
const RFC5769_IPV4 = hex(`
  0101 003c 2112a442 b7e7a701 bc34d686 fa87dfae
  8022 000b 74657374 20766563 746f7220
  0020 0008 0001 a147 e112a643
  0008 0014 2b91f599 fd9e90c3 8c7489f9 2af9ba53 f06be7d7
  8028 0004 c07d4c96`);

Deno.test("decodeBindingResponse() reads RFC 5769's IPv4 sample response", () => {
  const response = decodeBindingResponse(RFC5769_IPV4);
  assert.equal(response.kind, "success");
  assert.deepEqual(response.kind === "success" && response.mapped, {
    address: "192.0.2.1",
    port: 32853,
  });
  assert.equal(toHex(response.transactionId), "2112a442b7e7a701bc34d686fa87dfae");
});

Deno.test("MESSAGE-INTEGRITY as encodeBindingRequest computes it matches RFC 5769's sample", () => {
  // The rule used for our requests (RFC 5389 §15.4): HMAC-SHA1 over the message before the
  // attribute, its length counting MESSAGE-INTEGRITY but not what follows (FINGERPRINT).
  const prefix = RFC5769_IPV4.slice(0, 20 + 16 + 12);
  new DataView(prefix.buffer).setUint16(2, 16 + 12 + 24);
  const mac = hmac(sha1, new TextEncoder().encode("VOkJxbRl1RmTxUk/WvJxBt"), prefix);
  assert.equal(toHex(mac), "2b91f599fd9e90c38c7489f92af9ba53f06be7d7");
});

Deno.test("encodeBindingRequest() carries CONNECTION-REQUEST-BINDING, BINDING-CHANGE, USERNAME and integrity", () => {
  const id = newTransactionId(new Uint8Array(12).fill(7));
  const plain = encodeBindingRequest({ transactionId: id });
  assert.equal(
    toHex(plain),
    "0001" + "0018" + "2112a442" + "07".repeat(12) +
      "c001" + "0014" + toHex(new TextEncoder().encode(CONNECTION_REQUEST_BINDING_VALUE)),
  );
  assert.ok(isStun(plain));
  const change = encodeBindingRequest({ transactionId: id, bindingChange: true });
  assert.equal(toHex(change.subarray(2, 4)), "001c");
  assert.equal(toHex(change.subarray(44)), "c0020000");

  const signed = encodeBindingRequest({
    transactionId: id,
    credentials: { username: "cpe-7", password: "stun-secret" },
  });
  // header 20 + CRB 24 + USERNAME 4+8 (5 bytes padded) + MI 24
  assert.equal(signed.length, 20 + 24 + 12 + 24);
  assert.equal(new DataView(signed.buffer).getUint16(2), 24 + 12 + 24);
  assert.equal(toHex(signed.subarray(44, 48)), "00060005");
  assert.equal(new TextDecoder().decode(signed.subarray(48, 53)), "cpe-7");
  assert.equal(toHex(signed.subarray(56, 60)), "00080014");
  const mac = hmac(sha1, new TextEncoder().encode("stun-secret"), signed.subarray(0, 56));
  assert.deepEqual(signed.subarray(60), mac);
});

function response(type: number, attributes: Uint8Array, id = newTransactionId(new Uint8Array(12))) {
  const out = new Uint8Array(20 + attributes.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, type);
  view.setUint16(2, attributes.length);
  out.set(id, 4);
  out.set(attributes, 20);
  return out;
}

Deno.test("decodeBindingResponse() reads MAPPED-ADDRESS, IPv6 XOR-MAPPED-ADDRESS and errors", () => {
  const classic = decodeBindingResponse(response(0x0101, hex("0001 0008 0001 1f90 cb007107")));
  assert.deepEqual(classic.kind === "success" && classic.mapped, {
    address: "203.0.113.7",
    port: 8080,
  });
  // XOR-MAPPED-ADDRESS wins over MAPPED-ADDRESS; IPv6 is XORed with cookie + ID.
  const id = newTransactionId(new Uint8Array(12));
  const v6 = hex("20010db8 00000000 00000000 00000001");
  const key = id;
  const xored = v6.map((b, i) => b ^ key[i]);
  const port = 3478 ^ 0x2112;
  const attr = new Uint8Array([
    0x00,
    0x20,
    0x00,
    0x14,
    0x00,
    0x02,
    port >> 8,
    port & 255,
    ...xored,
  ]);
  const both = decodeBindingResponse(
    response(0x0101, new Uint8Array([...hex("0001 0008 0001 1f90 cb007107"), ...attr]), id),
  );
  assert.deepEqual(both.kind === "success" && both.mapped, { address: "2001:db8::1", port: 3478 });
  const error = decodeBindingResponse(
    response(0x0111, hex("0009 0010 00000401 556e6175 74686f72 697a6564")),
  );
  assert.deepEqual(
    error.kind === "error" && { code: error.code, reason: error.reason },
    { code: 401, reason: "Unauthorized" },
  );
});

Deno.test("decodeBindingResponse() refuses what is not a whole Binding Response", () => {
  const bad = [
    new Uint8Array(0),
    new TextEncoder().encode("GET http://x?ts=1 HTTP/1.1\r\n\r\n"),
    RFC5769_IPV4.subarray(0, RFC5769_IPV4.length - 1), // length field lies
    response(0x0001, new Uint8Array()), // a request
    response(0x0101, new Uint8Array()), // success without an address
    response(0x0101, hex("0001 0010 0001 1f90")), // attribute runs past the end
    response(0x0101, hex("0001 0004 0003 1f90")), // unknown family
    response(0x0101, hex("0001 0008 0002 1f90 cb007107")), // IPv6 with 4 bytes
    new Uint8Array(2000),
  ];
  for (const data of bad) {
    assert.throws(() => decodeBindingResponse(data), StunDecodeError, toHex(data.subarray(0, 24)));
  }
  // Random bytes never throw anything else.
  for (let i = 0; i < 2000; i++) {
    const data = crypto.getRandomValues(new Uint8Array(20 + (i % 64)));
    data[0] = 1;
    data[1] = 1;
    new DataView(data.buffer).setUint16(2, data.length - 20);
    try {
      decodeBindingResponse(data);
    } catch (error) {
      assert.ok(error instanceof StunDecodeError, String(error));
    }
  }
});
