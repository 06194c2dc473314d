/**
 * Connection requests from a real HTTP client (curl, Digest) to the agent's
 * connection-request server: accepted ones open a `6 CONNECTION REQUEST` session,
 * bad credentials open none, one during a session opens exactly one more after it.
 */

import assert from "node:assert/strict";
import type { AcsSessionRecord } from "../_helpers/fake_acs.ts";
import { crPortOf, curlConnectionRequest, eventsOf, informValues, withRig } from "./_rig.ts";
import { testNeeding } from "../_helpers/needs.ts";

/** Deno.test for the tests that drive curl: they skip, naming why, where it is unavailable. */
const test = testNeeding("curl");

/** True if `predicate` became true within `ms`. */
async function becomes(
  acs: { waitUntil(p: () => boolean, what: string, ms?: number): Promise<void> },
  predicate: () => boolean,
  ms: number,
): Promise<boolean> {
  try {
    await acs.waitUntil(predicate, "condition", ms);
    return true;
  } catch {
    return false;
  }
}

test("agent opens a 6 CONNECTION REQUEST session on a Digest-authenticated CR", async () => {
  await withRig(async ({ acs, start, validateAll }) => {
    const agent = await start();
    const port = await crPortOf(agent);
    const [boot] = await acs.waitForSessions(1, 15_000);
    assert.equal(
      informValues(boot)["Device.ManagementServer.ConnectionRequestURL"],
      `http://127.0.0.1:${port}/cr`,
    );
    await agent.waitForLine(/Waiting the next session/);

    assert.equal(await curlConnectionRequest(port, "cr-user", "cr-pass"), 200);
    const sessions = await acs.waitForSessions(2, 10_000);
    assert.equal(sessions.length, 2);
    assert.deepEqual(eventsOf(sessions[1]), ["6 CONNECTION REQUEST|"]);

    // Wrong password: 401, and no session follows.
    const before = acs.requests.length;
    assert.equal(await curlConnectionRequest(port, "cr-user", "wrong"), 401);
    assert.equal(await curlConnectionRequest(port, "someone", "cr-pass"), 401);
    assert.equal(await becomes(acs, () => acs.requests.length > before, 2_000), false);
    assert.equal(acs.sessions.length, 2);
    await validateAll();
  });
});

test("agent runs exactly one more session for a CR received during a session", async () => {
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  let firstSession: AcsSessionRecord | undefined;
  await withRig(async ({ acs, start, validateAll }) => {
    try {
      const agent = await start();
      const port = await crPortOf(agent);
      await acs.waitUntil(
        () => acs.requests.some((r) => r.body === ""),
        "the first empty POST",
        15_000,
      );
      assert.equal(acs.sessions[0].ended, false);
      assert.equal(await curlConnectionRequest(port, "cr-user", "cr-pass"), 200);
      await agent.waitForLine(/Connection request accepted/);
    } finally {
      release();
    }
    const sessions = await acs.waitForSessions(2, 10_000);
    assert.deepEqual(eventsOf(sessions[0]), ["0 BOOTSTRAP|", "1 BOOT|"]);
    assert.deepEqual(eventsOf(sessions[1]), ["6 CONNECTION REQUEST|"]);
    assert.equal(await becomes(acs, () => acs.sessions.length > 2, 2_000), false);
    await validateAll();
  }, {
    hook: async (message, session) => {
      firstSession ??= session;
      if (message.kind === "Empty" && session === firstSession) await held;
      return undefined;
    },
  });
});
