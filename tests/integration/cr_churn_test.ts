/**
 * The real agent's connection-request port under connection churn: attacker tasks reconnect
 * as fast as the listener closes them (silent connections, slowloris ones dripping a partial
 * head, unauthenticated GETs that keep their connection) while a Digest connection request (curl --digest, two connections) comes
 * every 2 s. Every request must get its 200 and start its session.
 */

import assert from "node:assert/strict";
import { crPortOf, eventsOf, withRig } from "./_rig.ts";
import { testNeeding } from "../_helpers/needs.ts";

/** Deno.test for the tests that drive curl: they skip, naming why, where it is unavailable. */
const test = testNeeding("curl");

const ROUNDS = 10;
const EVERY_MS = 2_000;
const WITHIN_MS = 15_000;
/** Attacker tasks: silent connections, slowloris ones, unauthenticated GETs kept open. */
const ATTACKERS = { silent: 64, slow: 16, full: 16 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Reconnects as soon as the agent closes the connection, until `stop.done`: `silent` sends
 * nothing, `slow` a partial head and then a byte every 200 ms, `full` a complete GET
 * without credentials asking for keep-alive, and then nothing.
 */
async function attacker(
  port: number,
  stop: { done: boolean; conns: Set<Deno.Conn> },
  kind: keyof typeof ATTACKERS,
): Promise<number> {
  const enc = new TextEncoder();
  const buf = new Uint8Array(512);
  let connections = 0;
  while (!stop.done) {
    let conn: Deno.Conn;
    try {
      conn = await Deno.connect({ hostname: "127.0.0.1", port });
    } catch {
      await sleep(10);
      continue;
    }
    connections++;
    stop.conns.add(conn);
    try {
      if (kind === "full") {
        const get = "GET /cr HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n";
        await conn.write(enc.encode(get));
      }
      if (kind === "slow") {
        await conn.write(enc.encode("GET /cr HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "));
        // Drip one byte every 200 ms until the agent closes it (a write or the read fails).
        const closed = conn.read(buf).then(() => true, () => true);
        while (!stop.done) {
          const done = await Promise.race([closed, sleep(200).then(() => false)]);
          if (done) break;
          await conn.write(enc.encode("a"));
        }
      } else {
        while ((await conn.read(buf)) !== null) { /* a response; wait for the close */ }
      }
    } catch { /* reset by the agent */ }
    stop.conns.delete(conn);
    try {
      conn.close();
    } catch { /* closed */ }
  }
  return connections;
}

async function curlDigest(port: number): Promise<number> {
  const out = await new Deno.Command("curl", {
    args: [
      "-s",
      "--max-time",
      String(WITHIN_MS / 1000),
      "--digest",
      "-u",
      "cr-user:cr-pass",
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      `http://127.0.0.1:${port}/cr`,
    ],
    stdout: "piped",
    stderr: "null",
  }).output();
  return Number(new TextDecoder().decode(out.stdout).trim() || "0");
}

test("agent serves every Digest CR sent every 2 s while attackers churn its CR port", async () => {
  await withRig(async ({ acs, start }) => {
    const agent = await start();
    const port = await crPortOf(agent);
    await acs.waitForSessions(1, 15_000);
    await agent.waitForLine(/Waiting the next session/);

    const stop = { done: false, conns: new Set<Deno.Conn>() };
    const attackers = Object.entries(ATTACKERS).flatMap(([kind, n]) =>
      Array.from({ length: n }, () => attacker(port, stop, kind as keyof typeof ATTACKERS))
    );
    // One CR every 2 s, each on its own schedule: a slow one does not delay the next, and
    // the test ends by itself after at most (ROUNDS - 1) * 2 s + 15 s.
    let results: { code: number; ms: number; line: boolean }[] = [];
    try {
      await sleep(500); // let the churn reach its pace
      const t0 = Date.now();
      const rounds = [];
      for (let i = 0; i < ROUNDS; i++) {
        await sleep(t0 + i * EVERY_MS - Date.now());
        const sent = Date.now();
        const from = agent.lines.length;
        rounds.push(
          curlDigest(port).then(async (code) => {
            // The app answers 200 only after calling onConnectionRequest (the agent logs it).
            const line = code === 200 && await agent.waitForLine(
              /Connection request accepted/,
              Math.max(1, sent + WITHIN_MS - Date.now()),
              from,
            ).then(() => true, () => false);
            return { code, ms: Date.now() - sent, line };
          }),
        );
      }
      results = await Promise.all(rounds);
    } finally {
      stop.done = true;
      for (const conn of stop.conns) {
        try {
          conn.close();
        } catch { /* closed */ }
      }
    }
    const opened = (await Promise.all(attackers)).reduce((a, b) => a + b, 0);
    const worst = Math.max(...results.map((r) => r.ms));
    console.log(
      `churn: ${results.filter((r) => r.code === 200 && r.line).length} of ${ROUNDS} CRs ` +
        `served, worst ${worst} ms, latencies ${results.map((r) => r.ms).join(" ")} ms, ` +
        `${opened} attacker connections`,
    );
    assert.deepEqual(results.map((r) => r.code), new Array(ROUNDS).fill(200));
    assert.ok(results.every((r) => r.line), "A 200 without the agent's log line");
    assert.ok(worst < WITHIN_MS, `worst ${worst} ms`);
    // Each CR started its own session (they are 2 s apart; a session takes milliseconds).
    await acs.waitForSessions(1 + ROUNDS, WITHIN_MS);
    const crs = agent.lines.filter((l) => /Connection request accepted/.test(l)).length;
    assert.equal(crs, ROUNDS);
    assert.ok(opened > 1_000, `only ${opened} attacker connections: no churn`);
    for (const s of acs.sessions.slice(1)) assert.deepEqual(eventsOf(s), ["6 CONNECTION REQUEST|"]);
  });
});
