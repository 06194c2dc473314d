/** Scheduler-level behaviour of step(): start-up, retries, timers, events (CWMP-FACTS §2–§4). */
import assert from "node:assert/strict";
import type { Inform } from "../../src/soap/messages.ts";
import { findTransition, TRANSITIONS } from "../../src/session/mod.ts";
import { FakeAcs, Harness, knownSnapshot } from "./_harness.ts";

function ev(eventCode: string, commandKey = "") {
  return { eventCode, commandKey };
}

const snapshot = knownSnapshot;

/** The Informs the fake ACS received. */
function informs(acs: FakeAcs): Inform[] {
  return acs.received.flatMap((e) => e.message.kind === "Inform" ? [e.message] : []);
}

Deno.test("step() starts a new device with 0 BOOTSTRAP and 1 BOOT", () => {
  const h = new Harness();
  h.feed({ kind: "start" });
  assert.deepEqual(h.state.session?.inFlightEvents, [ev("0 BOOTSTRAP"), ev("1 BOOT")]);
});

Deno.test("step() starts a known device with 1 BOOT and drops reboot-volatile events", () => {
  const h = new Harness({
    snapshot: snapshot({
      pendingEvents: [
        ev("1 BOOT"),
        ev("4 VALUE CHANGE"),
        ev("8 DIAGNOSTICS COMPLETE"),
        ev("7 TRANSFER COMPLETE"),
        ev("M Download", "d"),
      ],
    }),
  });
  h.feed({ kind: "start" });
  assert.deepEqual(h.state.session?.inFlightEvents, [
    ev("7 TRANSFER COMPLETE"),
    ev("M Download", "d"),
    ev("1 BOOT"),
  ]);
});

Deno.test("step() raises 0 BOOTSTRAP on a changed URL and discards the other events", () => {
  const h = new Harness({
    snapshot: snapshot({
      lastAcsUrl: "http://old-acs.example/",
      pendingEvents: [ev("2 PERIODIC"), ev("M Download", "d")],
      queuedRequests: [{
        kind: "TransferComplete",
        commandKey: "d",
        faultStruct: { faultCode: 0, faultString: "" },
        startTime: "",
        completeTime: "",
      }],
    }),
  });
  h.feed({ kind: "start" });
  assert.deepEqual(h.state.session?.inFlightEvents, [ev("0 BOOTSTRAP"), ev("1 BOOT")]);
  assert.deepEqual(h.lastSnapshot()?.queuedRequests, []);
});

Deno.test("step() raises 0 BOOTSTRAP when the URL changes at run time", () => {
  const h = new Harness({ snapshot: snapshot(), settings: { periodicInformEnable: false } });
  const acs = new FakeAcs();
  h.feed({ kind: "start" });
  acs.run(h);
  h.feed({ kind: "addEvent", events: [ev("4 VALUE CHANGE")] });
  // Changed during a session: the BOOTSTRAP session follows right after this one.
  h.feed({ kind: "settingsChanged", settings: { acsUrl: "http://new-acs.example/" } });
  acs.run(h);
  assert.deepEqual(informs(acs).map((i) => i.event), [
    [ev("1 BOOT")],
    [ev("4 VALUE CHANGE")],
    [ev("0 BOOTSTRAP")],
  ]);
  const sends = h.log.flatMap((a) => a.kind === "send" ? [a.acsUrl] : []);
  assert.equal(sends.at(-1), "http://new-acs.example/");
  assert.equal(h.lastSnapshot()?.lastAcsUrl, "http://new-acs.example/");
});

Deno.test("step() waits exactly the retry bounds and counts RetryCount", () => {
  for (const [random, bounds] of [[0, [5, 10, 20, 40]], [1, [10, 20, 40, 80]]] as const) {
    const h = new Harness({ snapshot: snapshot(), random: () => random });
    const acs = new FakeAcs();
    for (let i = 0; i < 4; i++) acs.overrides.set(i, "transportError");
    h.feed({ kind: "start" });
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      acs.run(h);
      assert.equal(h.state.phase, "retryWait");
      waits.push((h.wakeAt! - h.clock.now()) / 1000);
      h.fireTimer();
    }
    assert.deepEqual(waits, bounds);
    acs.run(h);
    assert.deepEqual(informs(acs).map((i) => i.retryCount), [0, 1, 2, 3, 4]);
    assert.equal(h.state.phase, "idle");
    assert.equal(h.lastSnapshot()?.retryCount, 0);
  }
});

Deno.test("step() keeps events after a failure but drops 6 CONNECTION REQUEST", () => {
  const h = new Harness({ snapshot: snapshot() });
  const acs = new FakeAcs();
  acs.overrides.set(0, "transportError");
  h.feed({ kind: "start" });
  h.feed({ kind: "connectionRequest" });
  acs.run(h);
  assert.deepEqual(h.lastSnapshot()?.pendingEvents, [ev("1 BOOT")]);
  assert.equal(h.lastSnapshot()?.retryCount, 1);
  h.fireTimer();
  acs.run(h);
  assert.deepEqual(informs(acs).map((i) => i.event), [[ev("1 BOOT")], [ev("1 BOOT")]]);
});

Deno.test("step() starts the retry at once when a new event arrives and keeps RetryCount", () => {
  const h = new Harness({ snapshot: snapshot() });
  const acs = new FakeAcs();
  acs.overrides.set(0, "transportError");
  h.feed({ kind: "start" });
  acs.run(h);
  assert.equal(h.state.phase, "retryWait");
  h.clock.advance(1000);
  h.feed({ kind: "connectionRequest" });
  assert.equal(h.state.phase, "collecting");
  acs.run(h);
  const second = informs(acs)[1];
  assert.equal(second.retryCount, 1);
  assert.deepEqual(second.event, [ev("1 BOOT"), ev("6 CONNECTION REQUEST")]);
});

Deno.test("step() opens one more session after a Connection Request during a session", () => {
  const h = new Harness({ snapshot: snapshot() });
  const acs = new FakeAcs();
  h.feed({ kind: "start" });
  h.informData();
  h.feed({ kind: "connectionRequest" });
  assert.equal(h.state.session?.number, 1);
  acs.run(h);
  assert.deepEqual(informs(acs).map((i) => i.event), [
    [ev("1 BOOT")],
    [ev("6 CONNECTION REQUEST")],
  ]);
  assert.equal(h.log.filter((a) => a.kind === "close").length, 2);
  assert.equal(h.state.phase, "idle");
});

Deno.test("step() aligns periodic Informs to PeriodicInformTime", () => {
  const h = new Harness({
    start: "2026-01-05T13:27:00Z",
    snapshot: snapshot(),
    settings: {
      periodicInformInterval: 86400,
      periodicInformTime: Date.parse("2030-01-01T00:00:00Z"),
    },
  });
  const acs = new FakeAcs();
  h.feed({ kind: "start" });
  acs.run(h);
  assert.equal(h.wakeAt, Date.parse("2026-01-06T00:00:00Z"));
  h.fireTimer();
  acs.run(h);
  assert.deepEqual(informs(acs)[1].event, [ev("2 PERIODIC")]);
  assert.equal(informs(acs)[1].currentTime, "2026-01-06T00:00:00Z");
  assert.equal(h.wakeAt, Date.parse("2026-01-07T00:00:00Z"));
});

Deno.test("step() re-phases the periodic timer on settingsChanged", () => {
  const h = new Harness({ start: "2026-01-05T13:27:00Z", snapshot: snapshot() });
  const acs = new FakeAcs();
  h.feed({ kind: "start" });
  acs.run(h);
  assert.equal(h.wakeAt, Date.parse("2026-01-06T13:27:00Z"));
  h.feed({
    kind: "settingsChanged",
    settings: {
      periodicInformInterval: 3600,
      periodicInformTime: Date.parse("2026-01-01T00:00:00Z"),
    },
  });
  assert.equal(h.wakeAt, Date.parse("2026-01-05T14:00:00Z"));
  h.feed({ kind: "settingsChanged", settings: { periodicInformEnable: false } });
  assert.equal(h.wakeAt, undefined);
});

Deno.test("step() fires ScheduleInform after DelaySeconds with its CommandKey", () => {
  const h = new Harness({ snapshot: snapshot(), settings: { periodicInformEnable: false } });
  const acs = new FakeAcs([{ kind: "ScheduleInform", delaySeconds: 60, commandKey: "sk-1" }]);
  h.feed({ kind: "start" });
  const t0 = h.clock.now();
  acs.run(h);
  assert.deepEqual(h.lastSnapshot()?.scheduledInforms, [{ at: t0 + 60_000, commandKey: "sk-1" }]);
  assert.equal(h.wakeAt, t0 + 60_000);
  h.fireTimer();
  acs.run(h);
  assert.deepEqual(informs(acs)[1].event, [ev("3 SCHEDULED"), ev("M ScheduleInform", "sk-1")]);
  assert.deepEqual(h.lastSnapshot()?.scheduledInforms, []);
});

Deno.test("step() keeps a ScheduleInform across a restart", () => {
  const h = new Harness({ snapshot: snapshot(), settings: { periodicInformEnable: false } });
  const acs = new FakeAcs([{ kind: "ScheduleInform", delaySeconds: 3600, commandKey: "sk-2" }]);
  h.feed({ kind: "start" });
  acs.run(h);
  const saved = h.lastSnapshot()!;
  const h2 = new Harness({
    snapshot: structuredClone(saved),
    start: h.clock.now() + 600_000,
    settings: { periodicInformEnable: false },
  });
  const acs2 = new FakeAcs();
  h2.feed({ kind: "start" });
  acs2.run(h2);
  assert.equal(h2.wakeAt, saved.scheduledInforms[0].at);
  h2.fireTimer();
  acs2.run(h2);
  assert.deepEqual(informs(acs2).map((i) => i.event), [
    [ev("1 BOOT")],
    [ev("3 SCHEDULED"), ev("M ScheduleInform", "sk-2")],
  ]);
});

Deno.test("step() reboots after the session and raises M Reboot after the restart", () => {
  const h = new Harness({ snapshot: snapshot() });
  const acs = new FakeAcs([{ kind: "Reboot", commandKey: "rb-9" }]);
  h.feed({ kind: "start" });
  acs.run(h);
  assert.deepEqual(h.kinds(), ["persist", "close", "reboot"]);
  assert.deepEqual(h.last[2], { kind: "reboot", commandKey: "rb-9" });
  assert.equal(h.lastSnapshot()?.rebootCommandKey, "rb-9");
  assert.equal(h.state.phase, "halted");
  assert.equal(h.wakeAt, undefined);
  assert.deepEqual(h.feed({ kind: "connectionRequest" }), []);

  const h2 = new Harness({ snapshot: structuredClone(h.lastSnapshot()) });
  const acs2 = new FakeAcs();
  h2.feed({ kind: "start" });
  acs2.run(h2);
  assert.deepEqual(informs(acs2)[0].event, [ev("1 BOOT"), ev("M Reboot", "rb-9")]);
  assert.equal(h2.lastSnapshot()?.rebootCommandKey, undefined);
});

Deno.test("step() wipes the snapshot on FactoryReset so the next start bootstraps", () => {
  const h = new Harness({ snapshot: snapshot({ retryCount: 0 }) });
  const acs = new FakeAcs([{ kind: "FactoryReset" }]);
  h.feed({ kind: "start" });
  acs.run(h);
  assert.deepEqual(h.kinds(), ["persist", "close", "factoryReset"]);
  // Wiped, but marked until the agent has wiped the rest and deleted the snapshot.
  assert.deepEqual(h.lastSnapshot(), {
    version: 1,
    pendingEvents: [],
    retryCount: 0,
    queuedRequests: [],
    scheduledInforms: [],
    transfers: [],
    factoryResetPending: true,
  });
  // The agent deletes the snapshot once the reset is done: a new device.
  const h2 = new Harness({ snapshot: undefined });
  h2.feed({ kind: "start" });
  assert.deepEqual(h2.state.session?.inFlightEvents, [ev("0 BOOTSTRAP"), ev("1 BOOT")]);
});

Deno.test("step() stores an acknowledged Reboot before the RebootResponse goes out", () => {
  const h = new Harness({ snapshot: snapshot() });
  h.feed({ kind: "start" });
  h.informData();
  h.acs({ kind: "InformResponse", maxEnvelopes: 1 });
  h.acs({ message: { kind: "Reboot", commandKey: "rb-1" }, header: { id: "7" } });
  const actions = h.feed({
    kind: "rpcResult",
    session: h.session,
    response: { kind: "RebootResponse" },
  });
  assert.deepEqual(actions.map((a) => a.kind), ["persist", "send"]);
  const persist = actions[0] as Extract<typeof actions[0], { kind: "persist" }>;
  assert.equal(persist.snapshot.rebootPending, "rb-1");
  assert.equal(persist.snapshot.rebootCommandKey, undefined);
});

Deno.test("step() carries out at start a Reboot acknowledged before the agent died", () => {
  // The agent was killed after the RebootResponse went out, before the session ended.
  const h = new Harness({ snapshot: snapshot({ rebootPending: "rb-2" }) });
  const actions = h.feed({ kind: "start", bootId: "boot-A" });
  assert.deepEqual(actions.map((a) => a.kind), ["persist", "reboot"]);
  assert.deepEqual(actions[1], { kind: "reboot", commandKey: "rb-2" });
  assert.equal(h.state.phase, "halted");
  assert.equal(h.lastSnapshot()?.rebootPending, "rb-2");
  assert.equal(h.lastSnapshot()?.rebootBootId, "boot-A");
  // The command ran: no longer pending, and the next start informs M Reboot.
  assert.deepEqual(h.feed({ kind: "rebootCommandDone", ok: true }).map((a) => a.kind), [
    "persist",
  ]);
  assert.equal(h.lastSnapshot()?.rebootPending, undefined);
  assert.equal(h.lastSnapshot()?.rebootCommandKey, "rb-2");

  const h2 = new Harness({ snapshot: structuredClone(h.lastSnapshot()) });
  h2.feed({ kind: "start", bootId: "boot-A" });
  assert.deepEqual(h2.state.session?.inFlightEvents, [ev("1 BOOT"), ev("M Reboot", "rb-2")]);
});

Deno.test("step() repeats a Reboot whose command never ran, in the same boot only", () => {
  // Killed after the session ended and the snapshot was written, before the command ran.
  const ordered = snapshot({ rebootPending: "rb-3", rebootCommandKey: "rb-3" });
  const same = new Harness({
    snapshot: { ...structuredClone(ordered), rebootBootId: "boot-A" },
  });
  assert.deepEqual(same.feed({ kind: "start", bootId: "boot-A" }).map((a) => a.kind), [
    "persist",
    "reboot",
  ]);
  assert.equal(same.state.phase, "halted");
  // A new boot id: the system did reboot (the command killed the agent): M Reboot.
  const rebooted = new Harness({
    snapshot: { ...structuredClone(ordered), rebootBootId: "boot-A" },
  });
  rebooted.feed({ kind: "start", bootId: "boot-B" });
  assert.deepEqual(rebooted.state.session?.inFlightEvents, [
    ev("1 BOOT"),
    ev("M Reboot", "rb-3"),
  ]);
  assert.equal(rebooted.lastSnapshot()?.rebootPending, undefined);
  // No boot id known: at most once (never a reboot loop), reported as done.
  const unknown = new Harness({ snapshot: structuredClone(ordered) });
  unknown.feed({ kind: "start" });
  assert.deepEqual(unknown.state.session?.inFlightEvents, [ev("1 BOOT"), ev("M Reboot", "rb-3")]);
});

Deno.test("step() reports no M Reboot when the reboot command failed", () => {
  const h = new Harness({ snapshot: snapshot() });
  const acs = new FakeAcs([{ kind: "Reboot", commandKey: "rb-4" }]);
  h.feed({ kind: "start", bootId: "boot-A" });
  acs.run(h);
  assert.deepEqual(h.kinds(), ["persist", "close", "reboot"]);
  h.feed({ kind: "rebootCommandDone", ok: false });
  const after = h.lastSnapshot()!;
  assert.equal(after.rebootPending, undefined);
  assert.equal(after.rebootCommandKey, undefined);
  const h2 = new Harness({ snapshot: structuredClone(after) });
  h2.feed({ kind: "start", bootId: "boot-A" });
  assert.deepEqual(h2.state.session?.inFlightEvents, [ev("1 BOOT")]);
});

Deno.test("step() carries on after a failed reboot: idle, periodic armed, no M Reboot", () => {
  const h = new Harness({ snapshot: snapshot() });
  const acs = new FakeAcs([{ kind: "Reboot", commandKey: "rb-5" }]);
  h.feed({ kind: "start", bootId: "boot-A" });
  acs.run(h);
  assert.equal(h.state.phase, "halted");
  h.feed({ kind: "rebootCommandDone", ok: false });
  assert.equal(h.state.phase, "idle");
  assert.notEqual(h.state.nextPeriodicAt, undefined);
  // A connection request now opens a session that claims no reboot.
  h.feed({ kind: "connectionRequest" });
  assert.deepEqual(h.state.session?.inFlightEvents, [ev("6 CONNECTION REQUEST")]);
});

Deno.test("step() stays halted after a reboot command that exited 0", () => {
  const h = new Harness({ snapshot: snapshot() });
  const acs = new FakeAcs([{ kind: "Reboot", commandKey: "rb-6" }]);
  h.feed({ kind: "start", bootId: "boot-A" });
  acs.run(h);
  h.feed({ kind: "rebootCommandDone", ok: true });
  assert.equal(h.state.phase, "halted");
  assert.equal(h.lastSnapshot()?.rebootCommandKey, "rb-6");
  assert.deepEqual(h.feed({ kind: "connectionRequest" }), []);
});

Deno.test("step() repeats at start a FactoryReset acknowledged before the agent died", () => {
  const h = new Harness({ snapshot: snapshot({ factoryResetPending: true, retryCount: 2 }) });
  const actions = h.feed({ kind: "start" });
  assert.deepEqual(actions.map((a) => a.kind), ["persist", "factoryReset"]);
  assert.equal(h.state.phase, "halted");
  assert.equal(h.lastSnapshot()?.factoryResetPending, true);
  assert.equal(h.lastSnapshot()?.retryCount, 0);
});

Deno.test("step() carries out Reboot even when the session fails after the response", () => {
  const h = new Harness({ snapshot: snapshot() });
  const acs = new FakeAcs([{ kind: "Reboot", commandKey: "rb" }]);
  acs.overrides.set(2, "transportError");
  h.feed({ kind: "start" });
  acs.run(h);
  assert.deepEqual(h.kinds(), ["persist", "close", "reboot"]);
  assert.equal(h.lastSnapshot()?.retryCount, 1);
});

Deno.test("step() ignores events with no row in the table", () => {
  const h = new Harness();
  assert.deepEqual(h.feed({ kind: "connectionRequest" }), []);
  assert.equal(h.state.phase, "stopped");
  assert.equal(findTransition("stopped", "timerFired"), undefined);
});

Deno.test("TRANSITIONS has at most one row per phase and event kind", () => {
  const seen = new Set<string>();
  for (const t of TRANSITIONS) {
    for (const from of t.from) {
      const key = `${from}/${t.on}`;
      assert.ok(!seen.has(key), `duplicate row "${key}"`);
      seen.add(key);
    }
  }
});

Deno.test("step() opens no session while EnableCWMP is false and catches up when it is true", () => {
  const h = new Harness({ snapshot: snapshot(), settings: { enableCwmp: false } });
  assert.deepEqual(h.feed({ kind: "start" }).map((a) => a.kind), ["persist"]);
  assert.equal(h.state.phase, "idle");
  h.feed({ kind: "connectionRequest" });
  assert.equal(h.state.phase, "idle");
  const actions = h.feed({ kind: "settingsChanged", settings: { enableCwmp: true } });
  assert.ok(actions.some((a) => a.kind === "collectInform"));
  assert.deepEqual(h.state.session?.inFlightEvents, [ev("1 BOOT"), ev("6 CONNECTION REQUEST")]);
});

Deno.test("step() arms no retry timer while EnableCWMP is false", () => {
  const h = new Harness({ snapshot: snapshot() });
  h.feed({ kind: "start" });
  h.informData();
  h.feed({ kind: "transportError", session: 1, message: "connect refused" });
  assert.equal(h.state.phase, "retryWait");
  const retryAt = h.state.retryAt!;
  h.feed({ kind: "settingsChanged", settings: { enableCwmp: false } });
  assert.ok(h.wakeAt === undefined || h.wakeAt > retryAt);
});

Deno.test("step() does not retry a failed session that had only 6 CONNECTION REQUEST", () => {
  const h = new Harness({ snapshot: snapshot() });
  h.feed({ kind: "start" });
  h.informData();
  h.acs({ kind: "InformResponse", maxEnvelopes: 1 });
  h.acs({ kind: "Empty" }); // BOOT session ends
  h.feed({ kind: "connectionRequest" });
  assert.equal(h.state.phase, "collecting");
  h.informData();
  h.feed({ kind: "transportError", session: 2, message: "reset" });
  assert.equal(h.state.phase, "idle");
  assert.equal(h.state.retryAt, undefined);
  assert.equal(h.state.persisted.retryCount, 1);
  // The next event opens a session that reports the failure in RetryCount.
  h.feed({ kind: "connectionRequest" });
  h.informData();
  assert.equal((h.lastSent().message as Inform).retryCount, 1);
});
