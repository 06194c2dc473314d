import assert from "node:assert/strict";
import {
  chooseMechanism,
  fromBase64,
  plainResponse,
  ScramSha1,
  toBase64,
} from "../../../src/services/xmpp/sasl.ts";

const text = (b64: string) => new TextDecoder().decode(fromBase64(b64));
const b64 = (s: string) => toBase64(new TextEncoder().encode(s));

Deno.test("ScramSha1 computes the RFC 5802 §5 example", async () => {
  const scram = new ScramSha1("user", "pencil", "fyko+d2lbbFgONRv9qkxdawL");
  assert.equal(text(scram.first()), "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL");
  const final = await scram.final(
    b64("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096"),
  );
  assert.equal(
    text(final),
    "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
  );
  assert.ok(scram.verify(b64("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")));
  assert.ok(!scram.verify(b64("v=AAAApqV8S7suAoZWja4dJRkFsKQ=")));
  assert.ok(!scram.verify("not base64!"));
});

Deno.test("ScramSha1.final() refuses a foreign nonce and absurd iteration counts", async () => {
  const scram = new ScramSha1("u,=", "p", "abc");
  assert.equal(text(scram.first()), "n,,n=u=2C=3D,r=abc");
  await assert.rejects(() => scram.final(b64("r=xyz,s=QSXC,i=4096")), SyntaxError);
  await assert.rejects(() => scram.final(b64("r=abc,s=QSXC,i=4096")), SyntaxError);
  await assert.rejects(() => scram.final(b64("r=abcd,s=QSXC,i=100000000")), RangeError);
  await assert.rejects(() => scram.final("%%%"), SyntaxError);
});

Deno.test("chooseMechanism() prefers SCRAM-SHA-1 and allows PLAIN only over TLS", () => {
  assert.equal(chooseMechanism(["PLAIN", "SCRAM-SHA-1"], false), "SCRAM-SHA-1");
  assert.equal(chooseMechanism(["PLAIN"], true), "PLAIN");
  assert.equal(chooseMechanism(["PLAIN"], false), undefined);
  assert.equal(chooseMechanism(["DIGEST-MD5"], true), undefined);
  assert.equal(text(plainResponse("cpe", "secret")), "\0cpe\0secret");
});
