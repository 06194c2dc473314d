import assert from "node:assert/strict";
import {
  basicAuthorization,
  chooseChallenge,
  type ConnectionRequestDeps,
  DigestAuthorizer,
  parseWwwAuthenticate,
  rateLimit,
} from "../../src/transport/mod.ts";
import { defaultConfig } from "../../src/config/mod.ts";
import { testNeeding } from "../_helpers/needs.ts";
import { crApp } from "../_helpers/cr_app.ts";
import { serveConnectionRequests } from "../../src/transport/cr_listener.ts";

/** Deno.test for the tests that drive curl: they skip, naming why, where it is unavailable. */
const test = testNeeding("curl");

const T0 = 1_800_000_000_000;

function setup(overrides: Partial<ConnectionRequestDeps> = {}) {
  let now = T0;
  let fired = 0;
  let seed = 0;
  const creds = { username: "cr-user", password: "cr-pass" };
  const app = crApp({
    path: "/cr/7f3a",
    credentials: () => creds,
    realm: "cwmp-agent",
    onConnectionRequest: () => fired++,
    now: () => now,
    randomBytes: (n) => new Uint8Array(n).fill(++seed),
    ...overrides,
  });
  return {
    app,
    creds,
    fired: () => fired,
    advance: (ms: number) => (now += ms),
  };
}

/** GET without credentials, then answer the challenge with `password`. */
function digestGet(
  app: ReturnType<typeof setup>["app"],
  path: string,
  password = "cr-pass",
): { status: number; headers: Headers } {
  const first = app.request(path);
  assert.equal(first.status, 401);
  const chosen = chooseChallenge(first.headers.get("www-authenticate")!);
  assert.equal(chosen?.scheme, "digest");
  if (chosen?.scheme !== "digest") throw new Error("no Digest challenge");
  const client = new DigestAuthorizer(chosen.challenge, { username: "cr-user", password }, {
    cnonce: "9f599bf8ff9078fb",
  });
  return app.request(path, { headers: { Authorization: client.authorize("GET", path) } });
}

Deno.test("createConnectionRequestHandler() challenges an unauthenticated GET with Digest", () => {
  const { app, fired } = setup();
  const res = app.request("/cr/7f3a");
  assert.equal(res.status, 401);
  const [challenge] = parseWwwAuthenticate(res.headers.get("www-authenticate")!);
  assert.equal(challenge.scheme, "Digest");
  assert.equal(challenge.params.realm, "cwmp-agent");
  assert.equal(challenge.params.qop, "auth");
  assert.equal(challenge.params.algorithm, "MD5");
  assert.ok(challenge.params.opaque);
  assert.equal(fired(), 0);
});

Deno.test("createConnectionRequestHandler() accepts valid Digest with 200, empty body, one callback", () => {
  const { app, fired } = setup();
  const res = digestGet(app, "/cr/7f3a?ts=123&id=x");
  assert.equal(res.status, 200);
  assert.equal(fired(), 1);
});

Deno.test("createConnectionRequestHandler() never fires the callback on wrong credentials", () => {
  const { app, fired } = setup();
  const res = digestGet(app, "/cr/7f3a", "wrong");
  assert.equal(res.status, 401);
  assert.ok(res.headers.get("www-authenticate")?.startsWith("Digest "));
  assert.equal(fired(), 0);
});

Deno.test("createConnectionRequestHandler() reads the credentials at request time", () => {
  const { app, creds, fired } = setup();
  creds.password = "rotated";
  assert.equal((digestGet(app, "/cr/7f3a")).status, 401);
  assert.equal((digestGet(app, "/cr/7f3a", "rotated")).status, 200);
  assert.equal(fired(), 1);
});

Deno.test("createConnectionRequestHandler() refuses Basic unless allowBasic", () => {
  const basic = basicAuthorization({ username: "cr-user", password: "cr-pass" });
  const strict = setup();
  const res = strict.app.request("/cr/7f3a", { headers: { Authorization: basic } });
  assert.equal(res.status, 401);
  assert.equal(strict.fired(), 0);
  const lax = setup({ allowBasic: true });
  assert.equal(
    lax.app.request("/cr/7f3a", { headers: { Authorization: basic } }).status,
    200,
  );
  const wrong = basicAuthorization({ username: "cr-user", password: "x" });
  assert.equal(
    lax.app.request("/cr/7f3a", { headers: { Authorization: wrong } }).status,
    401,
  );
  assert.equal(lax.fired(), 1);
});

Deno.test("createConnectionRequestHandler() answers 404 off the path and 405 for other methods", () => {
  const { app, fired } = setup();
  assert.equal(app.request("/").status, 404);
  assert.equal(app.request("/cr/7f3a/x").status, 404);
  const post = app.request("/cr/7f3a", { method: "POST", body: "x" });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get("allow"), "GET");
  assert.equal(fired(), 0);
});

Deno.test("createConnectionRequestHandler() answers 503 beyond the rate limit, without Retry-After", () => {
  const { app, fired, advance } = setup({ rateLimiter: rateLimit({ limit: 2, periodMs: 60_000 }) });
  assert.equal((digestGet(app, "/cr/7f3a")).status, 200);
  assert.equal((digestGet(app, "/cr/7f3a")).status, 200);
  const limited = digestGet(app, "/cr/7f3a");
  assert.equal(limited.status, 503);
  assert.equal(limited.headers.get("retry-after"), null);
  assert.equal(fired(), 2);
  // Failed attempts do not use up tokens.
  advance(30_000);
  assert.equal((digestGet(app, "/cr/7f3a", "wrong")).status, 401);
  assert.equal((digestGet(app, "/cr/7f3a")).status, 200);
  assert.equal(fired(), 3);
});

Deno.test("createConnectionRequestHandler() with the default rate limit accepts 30 CRs a minute and refuses a runaway ACS with 503", async () => {
  const { rateLimitRequests, rateLimitPeriod } = defaultConfig().connectionRequest;
  const { app, fired, advance } = setup({
    rateLimiter: rateLimit({ limit: rateLimitRequests, periodMs: rateLimitPeriod * 1000 }),
  });
  const codes = (n: number, everyMs: number) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      out.push((digestGet(app, "/cr/7f3a")).status);
      advance(everyMs);
    }
    return out;
  };
  // A support engineer clicking 30 times at once, and a test campaign: one every 2 s.
  assert.deepEqual(await codes(30, 0), new Array(30).fill(200));
  advance(60_000);
  assert.deepEqual(await codes(30, 2_000), new Array(30).fill(200));
  assert.equal(fired(), 60);
  // A runaway ACS, 10 a second for a minute: the bucket's 60, then one a second.
  const runaway = await codes(600, 100);
  const accepted = runaway.filter((c) => c === 200).length;
  assert.equal(runaway.filter((c) => c === 503).length, 600 - accepted);
  assert.ok(accepted >= 110 && accepted <= 120, `${accepted} accepted`);
  const lastHalf = runaway.slice(300).filter((c) => c === 200).length;
  assert.ok(lastHalf >= 29 && lastHalf <= 31, `${lastHalf} accepted in the last 30 s`);
  assert.equal(fired(), 60 + accepted);
});

Deno.test("createConnectionRequestHandler() asks for a fresh nonce with stale=true after expiry", () => {
  const { app, advance, fired } = setup({ nonceTtlMs: 10_000 });
  const first = app.request("/cr/7f3a");
  const chosen = chooseChallenge(first.headers.get("www-authenticate")!);
  if (chosen?.scheme !== "digest") throw new Error("no Digest challenge");
  const client = new DigestAuthorizer(chosen.challenge, {
    username: "cr-user",
    password: "cr-pass",
  }, {
    cnonce: "c",
  });
  advance(10_001);
  const res = app.request("/cr/7f3a", {
    headers: { Authorization: client.authorize("GET", "/cr/7f3a") },
  });
  assert.equal(res.status, 401);
  assert.match(res.headers.get("www-authenticate")!, /, stale=true$/);
  assert.equal(fired(), 0);
});

Deno.test("createConnectionRequestHandler() guards header and body sizes", () => {
  const { app, fired } = setup({ maxHeaderBytes: 1024, maxBodyBytes: 16 });
  const big = app.request("/cr/7f3a", { headers: { "X-Junk": "a".repeat(2000) } });
  assert.equal(big.status, 431);
  const body = app.request("/cr/7f3a", { headers: { "Content-Length": "17" } });
  assert.equal(body.status, 413);
  assert.equal(fired(), 0);
});

Deno.test("createConnectionRequestHandler() serves the default path /", () => {
  const { app } = setup({ path: undefined });
  assert.equal(app.request("/").status, 401);
  assert.equal(app.request("/cr/7f3a").status, 404);
});

async function curl(args: string[]): Promise<{ code: number; status: string }> {
  const out = await new Deno.Command("curl", {
    args: ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10", ...args],
    stdout: "piped",
    stderr: "null",
  }).output();
  return { code: out.code, status: new TextDecoder().decode(out.stdout) };
}

// Real sockets, driven by curl exactly as an ACS would (GenieACS sends the same Digest shape, 007).
test("createConnectionRequestHandler() accepts curl --digest over a real socket", async () => {
  const { app, fired } = setup();
  const server = serveConnectionRequests({ hostname: "127.0.0.1", port: 0 }, app.handler);
  const base = `http://127.0.0.1:${server.addr.port}`;
  try {
    const ok = await curl(["--digest", "-u", "cr-user:cr-pass", `${base}/cr/7f3a?x=1`]);
    assert.deepEqual(ok, { code: 0, status: "200" });
    assert.equal(fired(), 1);
    const bad = await curl(["--digest", "-u", "cr-user:wrong", `${base}/cr/7f3a?x=1`]);
    assert.deepEqual(bad, { code: 0, status: "401" });
    assert.equal(fired(), 1);
  } finally {
    await server.shutdown();
  }
});

Deno.test("createConnectionRequestHandler() answers 503 and starts nothing while unavailable", () => {
  let available = false;
  const { app, fired } = setup({ available: () => available });
  assert.equal((digestGet(app, "/cr/7f3a")).status, 503);
  assert.equal(fired(), 0);
  assert.equal((digestGet(app, "/cr/7f3a", "wrong")).status, 401);
  available = true;
  assert.equal((digestGet(app, "/cr/7f3a")).status, 200);
  assert.equal(fired(), 1);
});
