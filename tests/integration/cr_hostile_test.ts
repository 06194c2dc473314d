/**
 * The real agent's connection-request port under hostile clients: slowloris sockets, a
 * replayed Digest Authorization and a flood of valid CRs (rate limit, one queued session).
 */

import assert from "node:assert/strict";
import { chooseChallenge, digestResponse } from "../../src/transport/mod.ts";
import { crPortOf, curlConnectionRequest, eventsOf, withRig } from "./_rig.ts";
import { testNeeding } from "../_helpers/needs.ts";

/** Deno.test for the tests that drive curl: they skip, naming why, where it is unavailable. */
const test = testNeeding("curl");

/** True when the peer closed `conn` (EOF or reset) within `ms`. */
async function closedWithin(conn: Deno.Conn, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((r) => (timer = setTimeout(() => r("late"), ms)));
  const read = conn.read(new Uint8Array(1024)).then((n) => n === null, () => true);
  const result = await Promise.race([read, late]);
  clearTimeout(timer);
  return result === true;
}

async function settles(acs: { sessions: { ended: boolean }[] }, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && acs.sessions.some((s) => !s.ended)) {
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 1_000)); // anything queued would have started
}

test("agent serves a curl --digest CR while 200 slowloris sockets hold its CR port", async () => {
  await withRig(async ({ acs, start }) => {
    const agent = await start();
    const port = await crPortOf(agent);
    await acs.waitForSessions(1, 15_000);
    await agent.waitForLine(/Waiting the next session/);
    const enc = new TextEncoder();
    const slow: Deno.Conn[] = [];
    try {
      for (let i = 0; i < 200; i++) {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port });
        slow.push(conn);
        await conn.write(enc.encode("GET /cr HTTP/1.1\r\nHost: 127.0.0.1\r\nX: ")).catch(() => 0);
      }
      for (const conn of slow) await conn.write(enc.encode("a")).catch(() => 0);
      const t0 = Date.now();
      assert.equal(await curlConnectionRequest(port, "cr-user", "cr-pass"), 200);
      assert.ok(Date.now() - t0 < 3_000, `CR took ${Date.now() - t0} ms`);
      const sessions = await acs.waitForSessions(2, 10_000);
      assert.deepEqual(eventsOf(sessions[1]), ["6 CONNECTION REQUEST|"]);
      // The agent holds a bounded number of them (it closed the oldest ones at once).
      const closed = await Promise.all(slow.map((conn) => closedWithin(conn, 200)));
      assert.ok(closed.filter(Boolean).length >= 150, `${closed.filter(Boolean).length} closed`);
    } finally {
      for (const conn of slow) {
        try {
          conn.close();
        } catch { /* closed by the agent */ }
      }
    }
  });
});

test("agent starts one session for a replayed CR and one queued session for a CR flood", async () => {
  await withRig(async ({ acs, start }) => {
    const agent = await start({ extra: "" });
    const port = await crPortOf(agent);
    await acs.waitForSessions(1, 15_000);
    await agent.waitForLine(/Waiting the next session/);
    const url = `http://127.0.0.1:${port}/cr`;

    // Replay: the same Authorization (nonce, nc) twice.
    const first = await fetch(url);
    await first.body?.cancel();
    const chosen = chooseChallenge(first.headers.get("www-authenticate")!);
    if (chosen?.scheme !== "digest") throw new Error("no Digest challenge");
    const { nonce, opaque } = chosen.challenge;
    const response = digestResponse({
      algorithm: "MD5",
      username: "cr-user",
      realm: chosen.challenge.realm,
      password: "cr-pass",
      method: "GET",
      uri: "/cr",
      nonce,
      qop: "auth",
      nc: "00000001",
      cnonce: "abcdef01",
    });
    const authorization = `Digest username="cr-user", realm="${chosen.challenge.realm}", ` +
      `nonce="${nonce}", uri="/cr", qop=auth, nc=00000001, cnonce="abcdef01", ` +
      `response="${response}", opaque="${opaque}"`;
    const codes = [];
    for (let i = 0; i < 2; i++) {
      const res = await fetch(url, { headers: { Authorization: authorization } });
      await res.body?.cancel();
      codes.push(res.status);
    }
    assert.deepEqual(codes, [200, 401]);
    await acs.waitForSessions(2, 10_000);
    await settles(acs, 10_000);
    assert.equal(acs.sessions.length, 2);

    // Flood: 90 valid CRs at once. Default limit: a bucket of 60, refilled at one a second
    // (one used above, and refilled since; more trickle in while the flood lasts).
    const t0 = Date.now();
    const flood = await Promise.all(
      Array.from({ length: 90 }, () => curlConnectionRequest(port, "cr-user", "cr-pass")),
    );
    const seconds = Math.ceil((Date.now() - t0) / 1000);
    const ok = flood.filter((c) => c === 200).length;
    assert.ok(ok >= 59 && ok <= 60 + seconds, `${ok} accepted in ${seconds} s, codes ${flood}`);
    assert.equal(flood.filter((c) => c === 503).length, 90 - ok);
    await acs.waitForSessions(3, 10_000);
    await settles(acs, 15_000);
    // The accepted CRs collapse into the session they started plus at most one queued.
    assert.ok(acs.sessions.length <= 4, `${acs.sessions.length} sessions`);
    for (const s of acs.sessions.slice(2)) assert.deepEqual(eventsOf(s), ["6 CONNECTION REQUEST|"]);
  });
});
