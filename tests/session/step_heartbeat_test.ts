/** Heartbeat sessions in step() (TR-069 Annex O; `src/session/heartbeat.ts`). */
import assert from "node:assert/strict";
import type { Inform } from "../../src/soap/messages.ts";
import { FakeAcs, Harness, knownSnapshot } from "./_harness.ts";

const ev = (eventCode: string, commandKey = "") => ({ eventCode, commandKey });

const snapshot = knownSnapshot;

function informs(acs: FakeAcs): Inform[] {
  return acs.received.flatMap((e) => e.message.kind === "Inform" ? [e.message] : []);
}

const START = "2026-12-06T10:00:00Z";
const HEARTBEAT = {
  periodicInformEnable: false,
  heartbeatEnable: true,
  heartbeatInterval: 60,
  heartbeatInitiationTime: Date.parse("2026-01-01T00:00:30Z"),
};

Deno.test("step() sends 14 HEARTBEAT alone, on the InitiationTime grid, every ReportingInterval", () => {
  const h = new Harness({ snapshot: snapshot(), settings: HEARTBEAT, start: START });
  const acs = new FakeAcs();
  h.feed({ kind: "start" });
  acs.run(h); // 1 BOOT
  assert.equal(h.wakeAt, Date.parse("2026-12-06T10:00:30Z"));
  for (const at of ["10:00:30", "10:01:30", "10:02:30"]) {
    h.fireTimer();
    assert.equal(h.clock.now(), Date.parse(`2026-12-06T${at}Z`));
    assert.deepEqual(h.state.session?.inFlightEvents, [ev("14 HEARTBEAT")]);
    acs.run(h);
    assert.equal(h.state.phase, "idle");
  }
  assert.deepEqual(informs(acs).map((i) => i.event), [
    [ev("1 BOOT")],
    [ev("14 HEARTBEAT")],
    [ev("14 HEARTBEAT")],
    [ev("14 HEARTBEAT")],
  ]);
  // Switched off: no more timer.
  h.feed({ kind: "settingsChanged", settings: { heartbeatEnable: false } });
  assert.equal(h.wakeAt, undefined);
});

Deno.test("step() picks a random heartbeat phase under Unknown Time", () => {
  const h = new Harness({
    snapshot: snapshot(),
    settings: { ...HEARTBEAT, heartbeatInitiationTime: undefined },
    start: START,
    random: () => 0.25,
  });
  h.feed({ kind: "start" });
  new FakeAcs().run(h);
  // Reference = start + 0.25 × 60 s; the first heartbeat is the next grid point after now.
  assert.equal(h.wakeAt, Date.parse("2026-12-06T10:00:15Z"));
});

Deno.test("step() keeps other events and queued requests out of a heartbeat session", () => {
  const h = new Harness({ snapshot: snapshot(), settings: HEARTBEAT, start: START });
  const acs = new FakeAcs();
  h.feed({ kind: "start" });
  h.informData(); // the BOOT session is open
  h.clock.advanceTo(Date.parse("2026-12-06T10:00:31Z"));
  h.feed({ kind: "timerFired" }); // heartbeat due during the session: waits
  h.feed({ kind: "connectionRequest" }); // raised during the session: waits too
  assert.equal(h.state.session?.number, 1);
  acs.run(h);
  // Right after the BOOT session: the heartbeat alone, then the CONNECTION REQUEST.
  assert.deepEqual(informs(acs).map((i) => i.event), [
    [ev("1 BOOT")],
    [ev("14 HEARTBEAT")],
    [ev("6 CONNECTION REQUEST")],
  ]);
  // The heartbeat session's CPE side was its Inform then an empty POST.
  const kinds = acs.received.map((e) => e.message.kind);
  const second = kinds.indexOf("Inform", 1);
  assert.deepEqual(kinds.slice(second, second + 2), ["Inform", "Empty"]);
});

Deno.test("step() does not retry a failed heartbeat nor count it, and keeps a retry wait", () => {
  const h = new Harness({
    snapshot: snapshot(),
    settings: { ...HEARTBEAT, retryMinimumWaitInterval: 40 },
    start: START,
  });
  const acs = new FakeAcs();
  acs.overrides.set(0, "transportError"); // the BOOT session fails
  h.feed({ kind: "start" });
  acs.run(h);
  assert.equal(h.state.phase, "retryWait");
  assert.equal(h.state.retryAt, Date.parse("2026-12-06T10:00:40Z"));
  // The heartbeat inside the wait goes alone, and fails.
  acs.overrides.set(1, "transportError");
  h.fireTimer(); // 10:00:30: heartbeat
  assert.deepEqual(h.state.session?.inFlightEvents, [ev("14 HEARTBEAT")]);
  acs.run(h);
  assert.equal(h.state.phase, "retryWait", "back to the retry wait");
  assert.equal(h.lastSnapshot()?.retryCount ?? 1, 1, "a heartbeat does not count");
  assert.deepEqual(h.state.persisted.pendingEvents, [ev("1 BOOT")]);
  h.fireTimer(); // 10:00:40: the BOOT retry, with RetryCount 1
  acs.run(h);
  const last = informs(acs).at(-1)!;
  assert.deepEqual(last.event, [ev("1 BOOT")]);
  assert.equal(last.retryCount, 1);
  assert.equal(h.state.phase, "idle");
  assert.equal(h.wakeAt, Date.parse("2026-12-06T10:01:30Z"), "the next heartbeat, no retry");
});

Deno.test("step() sends no heartbeat while EnableCWMP is false", () => {
  const h = new Harness({ snapshot: snapshot(), settings: HEARTBEAT, start: START });
  const acs = new FakeAcs();
  h.feed({ kind: "start" });
  acs.run(h);
  h.feed({ kind: "settingsChanged", settings: { enableCwmp: false } });
  h.fireTimer();
  assert.equal(h.state.session, undefined);
  assert.equal(h.state.phase, "idle");
});
