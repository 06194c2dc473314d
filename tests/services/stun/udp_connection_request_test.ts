import assert from "node:assert/strict";
import {
  parseUdpConnectionRequest,
  UdpCrJudge,
  udpCrSignature,
} from "../../../src/services/stun/udp_connection_request.ts";

const CREDS = { username: "cpe-user", password: "cr-secret" };
const NOW = 1_765_000_000;

/** A UDP connection request as an ACS builds it (TR-111 Part 2). */
export function udpCr(
  fields: { ts?: number; id?: string; un?: string; cn?: string; password?: string },
) {
  const f = { ts: NOW, id: "1", un: CREDS.username, cn: "XTGRWIPC6D3", ...fields };
  const sig = udpCrSignature(f, fields.password ?? CREDS.password);
  const q = new URLSearchParams({ ts: String(f.ts), id: f.id, un: f.un, cn: f.cn, sig });
  return new TextEncoder().encode(
    `GET http://198.51.100.7:7547?${q} HTTP/1.1\r\nHost: 198.51.100.7:7547\r\n\r\n`,
  );
}

Deno.test("udpCrSignature() is HMAC-SHA1 over ts‖id‖un‖cn keyed with the password", () => {
  // openssl dgst -sha1 -hmac cr-secret <<< "17650000001cpe-userXTGRWIPC6D3" (no newline)
  assert.equal(
    udpCrSignature({ ts: NOW, id: "1", un: "cpe-user", cn: "XTGRWIPC6D3" }, "cr-secret"),
    "7550569853e107b52b56948f0e86d4bf3beed7bc",
  );
});

Deno.test("parseUdpConnectionRequest() takes a well-formed request, either sig case", () => {
  const request = parseUdpConnectionRequest(udpCr({ id: "77" }));
  assert.equal(request?.id, "77");
  assert.equal(request?.un, CREDS.username);
  assert.equal(request?.ts, NOW);
  const upper = new TextDecoder().decode(udpCr({})).replace(
    /sig=([0-9a-f]+)/,
    (_, s) => `sig=${s.toUpperCase()}`,
  );
  assert.ok(parseUdpConnectionRequest(new TextEncoder().encode(upper)));
});

Deno.test("parseUdpConnectionRequest() drops garbage, oversize and incomplete requests", () => {
  const text = new TextDecoder().decode(udpCr({}));
  const bad = [
    "",
    "hello",
    text.replace("GET", "POST"),
    text.replace("HTTP/1.1", "HTTP/2"),
    text.replace(/&sig=[0-9a-f]+/, ""),
    text.replace(/ts=\d+/, "ts=soon"),
    text.replace(/sig=[0-9a-f]+/, "sig=abc"),
    text.replace("?", "/path?"),
    text.replace("ts=", "ts=1&ts="),
    text.replace("http://", "ftp://"),
    text + "x".repeat(1500),
    text.replace("Host", "H\u00f6st"),
  ];
  for (const t of bad) {
    assert.equal(parseUdpConnectionRequest(new TextEncoder().encode(t)), undefined, t);
  }
  for (let i = 0; i < 2000; i++) {
    const data = crypto.getRandomValues(new Uint8Array(1 + (i % 300)));
    assert.equal(parseUdpConnectionRequest(data), undefined);
  }
});

Deno.test("UdpCrJudge accepts a signed request once and drops replays, stale ts, wrong un or sig", () => {
  const judge = new UdpCrJudge();
  const parse = (f: Parameters<typeof udpCr>[0]) => parseUdpConnectionRequest(udpCr(f))!;
  assert.equal(judge.judge(parse({ id: "1" }), CREDS, NOW), undefined);
  assert.equal(judge.judge(parse({ id: "1" }), CREDS, NOW), "replayed", "same id");
  assert.equal(judge.judge(parse({ id: "2", ts: NOW - 1 }), CREDS, NOW), "replayed", "older ts");
  assert.equal(judge.judge(parse({ id: "3", ts: NOW + 5 }), CREDS, NOW), undefined);
  assert.equal(judge.judge(parse({ id: "4", ts: NOW + 3600 }), CREDS, NOW), "stale");
  assert.equal(judge.judge(parse({ id: "5", un: "other" }), CREDS, NOW), "username");
  assert.equal(judge.judge(parse({ id: "6", password: "guess" }), CREDS, NOW), "signature");
  assert.equal(judge.judge(parse({ id: "7" }), { username: "", password: "" }, NOW), "username");
  // A device whose clock is not set yet (1970) cannot judge ts, only replays.
  const early = new UdpCrJudge();
  assert.equal(early.judge(parse({ id: "8", ts: NOW }), CREDS, 100), undefined);
  // Only the last 64 ids are remembered; their ts still rules out older messages.
  const many = new UdpCrJudge();
  for (let i = 0; i < 100; i++) {
    assert.equal(
      many.judge(parse({ id: `m${i}`, ts: NOW + Math.floor(i / 10) }), CREDS, NOW),
      undefined,
    );
  }
});
