/**
 * The agent authenticating to an ACS that demands Digest the GenieACS way (nonce
 * bound to the TCP connection; bad credentials → bare 401 + close), and retrying
 * after a failed session with the configured backoff; and to a legacy plain-HTTP
 * ACS that demands Basic (refused unless `acs.allow_basic_over_http`).
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
      /\[ERROR\] End session with failure: Transport error: ACS rejected the credentials \(HTTP 401\); retry 1 in \d+ s \(at \d\d:\d\d:\d\d\)$/,
    );
    // Logged once: no second line for the same failure.
    assert.equal(agent.lines.filter((l) => /HTTP 401/.test(l)).length, 1);
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

const BASIC = { scheme: "basic" as const, username: "acs-user", password: "acs-pass" };
const BASIC_HEADER = `Basic ${btoa("acs-user:acs-pass")}`;
const OPT_IN_WARNING = /\[WARNING\] acs\.allow_basic_over_http is on: /;

Deno.test("agent refuses a Basic-only ACS over plain HTTP by default", async () => {
  await withRig(async ({ acs, start }) => {
    const agent = await start({ acsUsername: "acs-user", acsPassword: "acs-pass" });
    const line = await agent.waitForLine(/End session with failure/, 15_000);
    assert.match(
      line,
      /\[ERROR\] End session with failure: Transport error: ACS offers only Basic authentication over plain HTTP: not sending the password in clear \(acs\.allow_basic_over_http = false\); retry 1 in \d+ s \(at [\d:]+\)$/,
    );
    assert.ok(acs.requests.length >= 1);
    assert.ok(acs.requests.every((r) => r.headers["authorization"] === undefined));
    assert.equal(acs.sessions.length, 0);
    assert.ok(!agent.lines.some((l) => OPT_IN_WARNING.test(l)));
    assert.ok(!agent.lines.some((l) => l.includes("acs-pass")));
  }, { auth: BASIC });
});

Deno.test("agent answers a Basic-only plain-HTTP ACS after its 401 with allow_basic_over_http, warning once", async () => {
  await withRig(async ({ acs, start, validateAll }) => {
    const agent = await start({
      acsUsername: "acs-user",
      acsPassword: "acs-pass",
      periodicInterval: 1,
      acs: "allow_basic_over_http = true",
    });
    await acs.waitForSessions(2, 15_000);
    // Each session's first request goes without credentials (never pre-emptive over
    // http); the 401 makes the agent send the same request again with Basic, kept after.
    const requests = acs.requests.slice();
    const bare = requests.flatMap((r, i) => r.headers["authorization"] === undefined ? [i] : []);
    assert.ok(bare.length >= 2, `${bare.length} unauthenticated requests`);
    for (const i of bare) {
      assert.match(requests[i].body, /Inform>/, `request ${i} opens a session`);
      if (i + 1 === requests.length) continue; // the latest session, still being answered
      assert.equal(requests[i + 1].headers["authorization"], BASIC_HEADER);
      assert.equal(requests[i + 1].body, requests[i].body);
    }
    assert.ok(
      requests.every((r) => [undefined, BASIC_HEADER].includes(r.headers["authorization"])),
    );
    const warnings = agent.lines.filter((l) => OPT_IN_WARNING.test(l));
    assert.equal(warnings.length, 1, warnings.join("\n"));
    assert.ok(!warnings[0].includes("acs-pass"));
    await validateAll();
  }, { auth: BASIC });
});
