import assert from "node:assert/strict";
import { constantTimeEqual, hmacSha256Hex, md5Hex, sha256Hex } from "../../src/transport/hash.ts";

Deno.test("md5Hex, sha256Hex and hmacSha256Hex match the RFC test vectors", () => {
  assert.equal(md5Hex("abc"), "900150983cd24fb0d6963f7d28e17f72"); // RFC 1321
  assert.equal(md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  assert.equal(
    sha256Hex("abc"), // FIPS 180-2
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert.equal(
    hmacSha256Hex(new TextEncoder().encode("Jefe"), "what do ya want for nothing?"), // RFC 4231
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
  );
  // Text goes in as UTF-8.
  assert.equal(md5Hex("é"), md5Hex(new Uint8Array([0xc3, 0xa9])));
});

Deno.test("constantTimeEqual compares bytes and lengths", () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  assert.equal(constantTimeEqual(enc("secret"), enc("secret")), true);
  assert.equal(constantTimeEqual(enc("secret"), enc("secreT")), false);
  assert.equal(constantTimeEqual(enc("secret"), enc("secrets")), false);
  assert.equal(constantTimeEqual(new Uint8Array(), new Uint8Array()), true);
});
