import assert from "node:assert/strict";
import { maskAuthorization, maskSecret } from "../../src/log/mod.ts";

Deno.test("maskSecret() hides non-empty values only", () => {
  assert.equal(maskSecret("s3cret"), "********");
  assert.equal(maskSecret(""), "");
  assert.equal(maskSecret(undefined), "");
});

Deno.test("maskAuthorization() keeps the scheme of Basic credentials", () => {
  assert.equal(maskAuthorization("Basic dXNlcjpwYXNz"), "Basic ********");
  assert.equal(maskAuthorization("Bearer abc.def"), "Bearer ********");
});

Deno.test("maskAuthorization() masks Digest response, nonce and cnonce", () => {
  const header = 'Digest username="cpe", realm="acs", nonce="abc123", uri="/", ' +
    'response="6629fae49393a05397450978507c4ef1", qop=auth, nc=00000001, cnonce="0a4f113b"';
  assert.equal(
    maskAuthorization(header),
    'Digest username="cpe", realm="acs", nonce="********", uri="/", ' +
      'response="********", qop=auth, nc=00000001, cnonce="********"',
  );
});
