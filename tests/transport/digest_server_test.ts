import assert from "node:assert/strict";
import {
  DigestAuthorizer,
  parseWwwAuthenticate,
  toDigestChallenge,
} from "../../src/transport/digest_auth.ts";
import { type DigestVerdict, DigestVerifier } from "../../src/transport/digest_server.ts";

const SECRET = new Uint8Array(32).fill(7);
const CREDS = { username: "cr-user", password: "cr-pass" };
const T0 = 1_800_000_000_000;

function setup(options: { nonceTtlMs?: number } = {}) {
  const verifier = new DigestVerifier({ realm: "cpe", secret: SECRET, ...options });
  const header = verifier.challenge(T0, new Uint8Array(8).fill(1));
  const challenge = toDigestChallenge(parseWwwAuthenticate(header)[0])!;
  const client = new DigestAuthorizer(challenge, CREDS, { cnonce: "0a4f113b" });
  return { verifier, header, challenge, client };
}

function reason(v: DigestVerdict): string {
  return v.ok ? "ok" : v.reason;
}

function request(requestUri: string, now = T0 + 1000, credentials = CREDS) {
  return { method: "GET", requestUri, credentials, now };
}

Deno.test("DigestVerifier.challenge() offers realm, nonce, opaque, qop auth and MD5", () => {
  const { header } = setup();
  const p = parseWwwAuthenticate(header)[0].params;
  assert.equal(p.realm, "cpe");
  assert.equal(p.qop, "auth");
  assert.equal(p.algorithm, "MD5");
  assert.match(p.nonce, /^[0-9a-f]+\.0101010101010101\.[0-9a-f]{64}$/);
  assert.match(p.opaque, /^[0-9a-f]{32}$/);
  assert.equal(p.stale, undefined);
});

Deno.test("DigestVerifier.verify() accepts a correct answer for the real request-URI", () => {
  const { verifier, client } = setup();
  const auth = client.authorize("GET", "/cr/a1b2?x=1");
  assert.deepEqual(verifier.verify(auth, request("/cr/a1b2?x=1")), { ok: true });
});

Deno.test("DigestVerifier.verify() rejects a wrong password, user or realm", () => {
  const { verifier, challenge } = setup();
  const wrong = new DigestAuthorizer(challenge, { username: "cr-user", password: "x" }, {
    cnonce: "c",
  });
  assert.equal(verifier.verify(wrong.authorize("GET", "/"), request("/")).ok, false);
  const other = new DigestAuthorizer(challenge, { username: "intruder", password: "cr-pass" }, {
    cnonce: "c",
  });
  assert.deepEqual(verifier.verify(other.authorize("GET", "/"), request("/")), {
    ok: false,
    stale: false,
    reason: "wrong credentials",
  });
  const realm = new DigestAuthorizer({ ...challenge, realm: "other" }, CREDS, { cnonce: "c" });
  assert.equal(verifier.verify(realm.authorize("GET", "/"), request("/")).ok, false);
});

Deno.test("DigestVerifier.verify() checks the uri against the request, tolerating a dropped query", () => {
  const { verifier, client } = setup();
  assert.equal(verifier.verify(client.authorize("GET", "/other"), request("/cr")).ok, false);
  assert.equal(verifier.verify(client.authorize("GET", "/cr"), request("/cr?x=1")).ok, true);
  assert.equal(verifier.verify(client.authorize("GET", "/cr?y=2"), request("/cr?x=1")).ok, false);
  assert.equal(verifier.verify(client.authorize("GET", "/c%72"), request("/c%72")).ok, true);
});

Deno.test("DigestVerifier.verify() says stale for an expired nonce with good credentials", () => {
  const { verifier, client, challenge } = setup({ nonceTtlMs: 60_000 });
  assert.deepEqual(verifier.verify(client.authorize("GET", "/"), request("/", T0 + 61_000)), {
    ok: false,
    stale: true,
    reason: "nonce expired",
  });
  const wrong = new DigestAuthorizer(challenge, { ...CREDS, password: "x" }, { cnonce: "c" });
  assert.equal(
    reason(verifier.verify(wrong.authorize("GET", "/"), request("/", T0 + 61_000))),
    "wrong credentials",
  );
  assert.ok(verifier.challenge(T0, new Uint8Array(8), { stale: true }).endsWith(", stale=true"));
});

Deno.test("DigestVerifier.verify() rejects a forged or foreign nonce", () => {
  const { verifier, challenge } = setup();
  const forged = challenge.nonce.replace(/^[0-9a-f]+/, (ts) => (parseInt(ts, 16) + 1).toString(16));
  const client = new DigestAuthorizer({ ...challenge, nonce: forged }, CREDS, { cnonce: "c" });
  assert.equal(
    reason(verifier.verify(client.authorize("GET", "/"), request("/"))),
    "unknown nonce",
  );
  const other = new DigestVerifier({ realm: "cpe", secret: new Uint8Array(32).fill(9) });
  const { client: c2 } = setup();
  assert.equal(other.verify(c2.authorize("GET", "/"), request("/")).ok, false);
});

Deno.test("DigestVerifier.verify() rejects a replayed nc but accepts the next one", () => {
  const { verifier, client } = setup();
  const first = client.authorize("GET", "/");
  assert.equal(verifier.verify(first, request("/")).ok, true);
  assert.deepEqual(verifier.verify(first, request("/")), {
    ok: false,
    stale: false,
    reason: "nc replayed",
  });
  assert.equal(verifier.verify(client.authorize("GET", "/"), request("/")).ok, true);
});

Deno.test("DigestVerifier keeps the nc of at most maxTrackedNonces nonces, and none once expired", () => {
  const verifier = new DigestVerifier({
    realm: "cpe",
    secret: SECRET,
    nonceTtlMs: 60_000,
    maxTrackedNonces: 3,
  });
  /** A client of a nonce issued at `at` (each with its own random part). */
  const clientAt = (at: number) => {
    const header = verifier.challenge(at, new Uint8Array(8).fill(at % 251));
    const challenge = toDigestChallenge(parseWwwAuthenticate(header)[0])!;
    return new DigestAuthorizer(challenge, CREDS, { cnonce: "0a4f113b" });
  };
  const clients = [0, 1, 2, 3, 4].map((i) => clientAt(T0 + i * 1000));
  const replays = clients.map((c, i) => {
    const auth = c.authorize("GET", "/");
    assert.equal(verifier.verify(auth, request("/", T0 + i * 1000 + 500)).ok, true);
    return auth;
  });
  assert.equal(verifier.trackedNonces, 3);
  // The three most recent are still guarded against replay.
  for (const auth of replays.slice(2)) {
    assert.equal(reason(verifier.verify(auth, request("/", T0 + 5000))), "nc replayed");
  }
  // The two pushed out while still valid cannot be replayed either: stale, so an honest
  // client retries with a fresh nonce.
  for (const auth of replays.slice(0, 2)) {
    assert.deepEqual(verifier.verify(auth, request("/", T0 + 5000)), {
      ok: false,
      stale: true,
      reason: "nonce no longer tracked",
    });
  }
  assert.equal(verifier.trackedNonces, 3);
  // A nonce issued after them is unaffected.
  const after = clientAt(T0 + 4100);
  assert.equal(verifier.verify(after.authorize("GET", "/"), request("/", T0 + 5000)).ok, true);
  // 61 s after the first three were issued they are expired: the next use drops them.
  const late = clientAt(T0 + 62_500);
  assert.equal(verifier.verify(late.authorize("GET", "/"), request("/", T0 + 63_000)).ok, true);
  assert.equal(verifier.trackedNonces, 3);
  assert.equal(verifier.verify(late.authorize("GET", "/"), request("/", T0 + 64_500)).ok, true);
  assert.equal(verifier.trackedNonces, 1);
  // An expired nonce replayed is refused as stale, whether remembered or not.
  assert.deepEqual(verifier.verify(replays[4], request("/", T0 + 64_500)), {
    ok: false,
    stale: true,
    reason: "nonce expired",
  });
});

Deno.test("DigestVerifier.verify() requires qop auth and rejects other schemes", () => {
  const { verifier, challenge } = setup();
  const noQop = new DigestAuthorizer({ ...challenge, qop: [] }, CREDS, { cnonce: "c" });
  assert.equal(verifier.verify(noQop.authorize("GET", "/"), request("/")).ok, false);
  assert.equal(reason(verifier.verify("Basic Y3ItdXNlcjpjci1wYXNz", request("/"))), "not Digest");
  assert.equal(verifier.verify('Digest username="x', request("/")).ok, false);
});

Deno.test("DigestVerifier() refuses a short secret", () => {
  assert.throws(
    () => new DigestVerifier({ realm: "r", secret: new Uint8Array(8) }),
    new RangeError("Digest secret must be at least 16 bytes"),
  );
});
