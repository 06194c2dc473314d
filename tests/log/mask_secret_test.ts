import assert from "node:assert/strict";
import { maskAuthorization, maskSecret, maskUrl } from "../../src/log/mod.ts";

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

Deno.test("maskUrl() masks a URL's password only, and strips credentials from non-URLs", () => {
  assert.equal(
    maskUrl("https://cpe:pw@acs.example:7547/x"),
    "https://cpe:********@acs.example:7547/x",
  );
  assert.equal(maskUrl("http://acs.example/"), "http://acs.example/");
  assert.equal(maskUrl("bad url //u:p@host"), "bad url //host");
});
