import assert from "node:assert/strict";
import {
  basicAuthorization,
  chooseChallenge,
  DigestAuthorizer,
  digestResponse,
  parseWwwAuthenticate,
  toDigestChallenge,
} from "../../src/transport/digest_auth.ts";
import { readCapture } from "./_fixtures.ts";

function params(header: string): Record<string, string> {
  return parseWwwAuthenticate(header)[0].params;
}

Deno.test("parseWwwAuthenticate() reads GenieACS's challenge with qop auth,auth-int (037)", () => {
  const header = readCapture("037-acs-cpe-401-digest-challenge.http").headers["www-authenticate"];
  const challenges = parseWwwAuthenticate(header);
  assert.equal(challenges.length, 1);
  assert.equal(challenges[0].scheme, "Digest");
  assert.deepEqual(challenges[0].params, {
    realm: "GenieACS",
    qop: "auth,auth-int",
    nonce: "ae0bc67e187b3823e0da4a92643767e3",
  });
});

Deno.test("parseWwwAuthenticate() splits several challenges with quoted and bare values", () => {
  const c = parseWwwAuthenticate(
    'Basic realm="a, b", Digest realm="x\\"y", nonce=abc/12=, algorithm=SHA-256, ' +
      'qop="auth", Newauth, Bearer',
  );
  assert.deepEqual(c.map((x) => x.scheme), ["Basic", "Digest", "Newauth", "Bearer"]);
  assert.deepEqual(c[0].params, { realm: "a, b" });
  assert.deepEqual(c[1].params, {
    realm: 'x"y',
    nonce: "abc/12=",
    algorithm: "SHA-256",
    qop: "auth",
  });
});

Deno.test("parseWwwAuthenticate() reads a token68 and lower-cases parameter names", () => {
  assert.deepEqual(parseWwwAuthenticate("Basic dXNlcjpwYXNz"), [
    { scheme: "Basic", params: {}, token68: "dXNlcjpwYXNz" },
  ]);
  assert.deepEqual(params('Digest REALM="r", Nonce="n"'), { realm: "r", nonce: "n" });
});

Deno.test("parseWwwAuthenticate() rejects an unterminated quoted string", () => {
  assert.throws(
    () => parseWwwAuthenticate('Digest realm="oops'),
    new SyntaxError("Cannot parse auth header: unterminated quoted string"),
  );
});

Deno.test("digestResponse() matches RFC 2617 §3.5's worked example", () => {
  assert.equal(
    digestResponse({
      algorithm: "MD5",
      username: "Mufasa",
      realm: "testrealm@host.com",
      password: "Circle Of Life",
      method: "GET",
      uri: "/dir/index.html",
      nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
      qop: "auth",
      nc: "00000001",
      cnonce: "0a4f113b",
    }),
    "6629fae49393a05397450978507c4ef1",
  );
});

Deno.test("digestResponse() matches RFC 7616 §3.9.1's SHA-256 and MD5 examples", () => {
  const input = {
    username: "Mufasa",
    realm: "http-auth@example.org",
    password: "Circle of Life",
    method: "GET",
    uri: "/dir/index.html",
    nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
    qop: "auth" as const,
    nc: "00000001",
    cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
  };
  assert.equal(
    digestResponse({ ...input, algorithm: "SHA-256" }),
    "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
  );
  assert.equal(digestResponse({ ...input, algorithm: "MD5" }), "8ca523f5e9506fed4657c9700eebdbec");
});

Deno.test("digestResponse() reproduces GenieACS's connection request answer (006 → 007)", () => {
  const challenge = params(
    readCapture("006-cpe-acs-cr-401-digest-challenge.http").headers["www-authenticate"],
  );
  const answer = params(readCapture("007-acs-cpe-cr-get-digest.http").headers["authorization"]);
  assert.equal(
    digestResponse({
      algorithm: "MD5",
      username: "cr-user",
      realm: challenge.realm,
      password: "cr-pass",
      method: "GET",
      uri: "/cr",
      nonce: challenge.nonce,
      qop: "auth",
      nc: "00000001",
      cnonce: answer.cnonce,
    }),
    answer.response,
  );
});

Deno.test("DigestAuthorizer.authorize() gives the answer GenieACS accepted (037 → 038)", () => {
  const chosen = chooseChallenge(
    readCapture("037-acs-cpe-401-digest-challenge.http").headers["www-authenticate"],
  );
  assert.equal(chosen?.scheme, "digest");
  if (chosen?.scheme !== "digest") return;
  const authorizer = new DigestAuthorizer(chosen.challenge, {
    username: "scripted-cpe",
    password: "cpe-secret",
  }, { cnonce: "200d14d405cbc63c" });
  assert.equal(
    authorizer.authorize("POST", "/"),
    readCapture("038-cpe-acs-inform-cwmp12-digest.http").headers["authorization"],
  );
});

Deno.test("DigestAuthorizer.authorize() counts nc per nonce and echoes opaque/algorithm", () => {
  const challenge = toDigestChallenge(
    parseWwwAuthenticate(
      'Digest realm="r", nonce="n1", qop="auth-int,auth", opaque="op", algorithm=MD5-sess',
    )[0],
  )!;
  const a = new DigestAuthorizer(challenge, { username: "u", password: "p" }, { cnonce: "c1" });
  const first = params(a.authorize("POST", "/acs?x=1"));
  const second = params(a.authorize("POST", "/acs?x=1"));
  assert.equal(first.nc, "00000001");
  assert.equal(second.nc, "00000002");
  assert.equal(first.qop, "auth");
  assert.equal(first.opaque, "op");
  assert.equal(first.algorithm, "MD5-sess");
  assert.equal(first.uri, "/acs?x=1");
  assert.equal(
    first.response,
    digestResponse({
      algorithm: "MD5-sess",
      username: "u",
      realm: "r",
      password: "p",
      method: "POST",
      uri: "/acs?x=1",
      nonce: "n1",
      qop: "auth",
      nc: "00000001",
      cnonce: "c1",
    }),
  );
  assert.notEqual(first.response, second.response);
});

Deno.test("DigestAuthorizer.authorize() uses the RFC 2069 form when no qop is offered", () => {
  const challenge = toDigestChallenge(parseWwwAuthenticate('Digest realm="r", nonce="n"')[0])!;
  const a = new DigestAuthorizer(challenge, { username: "u", password: "p" }, { cnonce: "c" });
  const value = a.authorize("POST", "/");
  assert.equal(
    value,
    `Digest username="u", realm="r", nonce="n", uri="/", response="${
      digestResponse({
        algorithm: "MD5",
        username: "u",
        realm: "r",
        password: "p",
        method: "POST",
        uri: "/",
        nonce: "n",
      })
    }"`,
  );
});

Deno.test("toDigestChallenge() refuses unknown algorithms and auth-int alone", () => {
  const read = (h: string) => toDigestChallenge(parseWwwAuthenticate(h)[0]);
  assert.equal(read('Digest realm="r", nonce="n", algorithm=SHA-512-256'), undefined);
  assert.equal(read('Digest realm="r", nonce="n", qop="auth-int"'), undefined);
  assert.equal(read('Digest realm="r"'), undefined);
  assert.equal(read('Digest realm="r", nonce="n", stale=TRUE')?.stale, true);
});

Deno.test("chooseChallenge() prefers a supported Digest over Basic", () => {
  assert.equal(chooseChallenge('Basic realm="b", Digest realm="d", nonce="n"')?.scheme, "digest");
  assert.deepEqual(
    chooseChallenge('Digest realm="d", nonce="n", algorithm=foo, Basic realm="b"'),
    { scheme: "basic", realm: "b" },
  );
  assert.equal(chooseChallenge("Bearer"), undefined);
});

Deno.test("basicAuthorization() encodes user-pass as UTF-8 base64", () => {
  assert.equal(
    basicAuthorization({ username: "8KA8WA1151100043", password: "" }),
    "Basic OEtBOFdBMTE1MTEwMDA0Mzo=",
  );
  assert.equal(basicAuthorization({ username: "ü", password: "p" }), "Basic w7w6cA==");
});
