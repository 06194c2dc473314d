/**
 * The agent authenticating to an ACS that demands Digest the GenieACS way (nonce
 * bound to the TCP connection; bad credentials → bare 401 + close), and retrying
 * after a failed session with the configured backoff.
 */

import assert from "node:assert/strict";
import { eventsOf, informOf, withRig } from "./_rig.ts";

const AUTH = { scheme: "digest" as const, username: "acs-user", password: "acs-pass" };

Deno.test("agent answers the ACS's Digest challenge on the same connection", async () => {
  await withRig(async ({ acs, start, validateAll }) => {
    acs.enqueue({ kind: "GetParameterValues", parameterNames: ["Device.DeviceInfo."] });
    await start({ acsUsername: "acs-user", acsPassword: "acs-pass" });
    const [session] = await acs.waitForSessions(1, 15_000);
    assert.deepEqual(eventsOf(session), ["0 BOOTSTRAP|", "1 BOOT|"]);
    assert.deepEqual(session.messages.map((m) => m.kind), ["GetParameterValuesResponse"]);
    const [challenged, answered] = acs.requests;
    assert.equal(challenged.headers["authorization"], undefined);
    assert.match(answered.headers["authorization"] ?? "", /^Digest username="acs-user",/);
    assert.equal(answered.peer, challenged.peer);
    assert.equal(answered.body, challenged.body);
    for (const later of acs.requests.slice(2)) {
      assert.match(later.headers["authorization"] ?? "", /^Digest /);
      assert.equal(later.peer, challenged.peer); // one TCP connection for the whole session
    }
    await validateAll();
  }, { auth: AUTH });
});

Deno.test("agent retries after the ACS rejected its credentials, with RetryCount 1", async () => {
  await withRig(async ({ acs, start, validateAll }) => {
    const agent = await start({ acsUsername: "acs-user", acsPassword: "wrong-pass" });
    const line = await agent.waitForLine(/End session with failure/, 15_000);
    assert.match(
      line,
      /\[ERROR\] End session with failure: Transport error: ACS rejected the credentials \(HTTP 401\)$/,
    );
    const rejected = acs.requests.length;
    const rejectedAt = acs.requests[rejected - 1].at;
    assert.equal(rejected, 2); // the Inform, challenged; then the same with Digest, refused
    assert.equal(acs.sessions.length, 0);
    // The ACS operator fixes the password on the ACS side; the retry gets through.
    acs.setAuth({ ...AUTH, password: "wrong-pass" });
    const [session] = await acs.waitForSessions(1, 10_000);
    const inform = informOf(session);
    assert.equal(inform.retryCount, 1);
    assert.deepEqual(eventsOf(session), ["0 BOOTSTRAP|", "1 BOOT|"]);
    const retriedAfter = acs.requests[rejected].at - rejectedAt;
    assert.ok(retriedAfter >= 900 && retriedAfter < 5_000, `retried after ${retriedAfter} ms`);
    await validateAll();
  }, { auth: AUTH });
});
