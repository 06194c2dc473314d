import assert from "node:assert/strict";
import type { CpeRequest, CpeResponse, Download, Fault } from "../../src/soap/messages.ts";
import type { SessionAction, TransferRecord } from "../../src/session/mod.ts";
import { defaultDispatcher, FakeAcs, Harness, knownSnapshot } from "./_harness.ts";

const DOWNLOAD: Download = {
  kind: "Download",
  commandKey: "fw-1",
  fileType: "1 Firmware Upgrade Image",
  url: "http://files.example/fw.bin",
  username: "",
  password: "",
  fileSize: 0,
  targetFileName: "",
  delaySeconds: 0,
  successURL: "",
  failureURL: "",
};

function dispatch(request: CpeRequest): CpeResponse | Fault {
  if (request.kind === "Download") {
    return {
      kind: "DownloadResponse",
      status: 1,
      startTime: "0001-01-01T00:00:00Z",
      completeTime: "0001-01-01T00:00:00Z",
    };
  }
  return defaultDispatcher(request);
}

const known = knownSnapshot;

/** A queued transfer record (a firmware Download unless `extra` says otherwise). */
function record(extra: Partial<TransferRecord> = {}): TransferRecord {
  return {
    id: 1,
    method: "Download",
    commandKey: "fw",
    fileType: "1 Firmware Upgrade Image",
    url: "http://files.example/fw.bin",
    username: "",
    password: "",
    fileSize: 0,
    targetFileName: "",
    notBefore: 0,
    state: 1,
    ...extra,
  };
}

function started(actions: SessionAction[]): TransferRecord | undefined {
  const a = actions.find((x) => x.kind === "startTransfer");
  return a?.kind === "startTransfer" ? a.transfer : undefined;
}

Deno.test("step() stores a Download before its response and starts it when the session ends", () => {
  const h = new Harness({ snapshot: known() });
  const acs = new FakeAcs([DOWNLOAD]);
  h.feed({ kind: "start" });
  h.informData();
  h.acs({ kind: "InformResponse", maxEnvelopes: 1 });
  h.acs({ message: DOWNLOAD, header: { id: "d1" } });
  const answer = h.feed({ kind: "rpcResult", session: h.session, response: dispatch(DOWNLOAD) });
  assert.deepEqual(answer.map((a) => a.kind), ["persist", "send"]);
  const persisted = (answer[0] as Extract<SessionAction, { kind: "persist" }>).snapshot;
  assert.equal(persisted.transfers.length, 1);
  assert.equal(persisted.transfers[0].state, 1);
  assert.equal(persisted.transfers[0].commandKey, "fw-1");
  // Not during the session: the transfer starts once it has ended.
  acs.requests = [];
  acs.run(h, dispatch);
  const t = started(h.last);
  assert.ok(t, `no startTransfer in ${h.kinds()}`);
  assert.equal(t.state, 2);
  assert.equal(h.lastSnapshot()?.transfers[0].state, 2);
});

Deno.test("step() reports a finished transfer exactly once: TransferComplete + 7 + M Download", () => {
  const h = new Harness({ snapshot: known() });
  const acs = new FakeAcs([DOWNLOAD]);
  h.feed({ kind: "start" });
  acs.run(h, dispatch);
  const t = started(h.last)!;
  h.clock.advance(5_000);
  const done = h.feed({
    kind: "transferDone",
    id: t.id,
    faultCode: 0,
    faultString: "",
    startTime: Date.UTC(2026, 0, 1, 0, 0, 0),
    completeTime: Date.UTC(2026, 0, 1, 0, 0, 7),
  });
  assert.deepEqual(done.map((a) => a.kind), ["persist", "collectInform"]);
  const snap = (done[0] as Extract<SessionAction, { kind: "persist" }>).snapshot;
  // Listed as State 3 (completed) until the ACS acknowledges the report; no password kept.
  assert.deepEqual(snap.transfers.map((t) => [t.commandKey, t.state, t.password]), [
    ["fw-1", 3, ""],
  ]);
  assert.deepEqual(snap.queuedRequests, [{
    kind: "TransferComplete",
    commandKey: "fw-1",
    faultStruct: { faultCode: 0, faultString: "" },
    startTime: "2026-01-01T00:00:00Z",
    completeTime: "2026-01-01T00:00:07Z",
  }]);
  assert.deepEqual(h.state.session?.inFlightEvents, [
    { eventCode: "7 TRANSFER COMPLETE", commandKey: "" },
    { eventCode: "M Download", commandKey: "fw-1" },
  ]);
  acs.run(h, dispatch);
  assert.deepEqual(acs.received.map((e) => e.message.kind).slice(-3), [
    "Inform",
    "TransferComplete",
    "Empty",
  ]);
  assert.deepEqual(h.lastSnapshot()?.queuedRequests, []);
  assert.deepEqual(h.lastSnapshot()?.pendingEvents, []);
  assert.deepEqual(h.lastSnapshot()?.transfers, [], "acknowledged: gone from the queue");
  // A second transferDone for the same id changes nothing.
  assert.deepEqual(h.feed({ kind: "transferDone", id: t.id, faultCode: 0, faultString: "" }), []);
});

Deno.test("step() honours DelaySeconds and runs transfers one at a time, oldest first", () => {
  const h = new Harness({ snapshot: known() });
  const acs = new FakeAcs([
    { ...DOWNLOAD, commandKey: "late", delaySeconds: 60 },
    { ...DOWNLOAD, commandKey: "soon", delaySeconds: 0 },
    { ...DOWNLOAD, commandKey: "next", delaySeconds: 0 },
  ]);
  h.feed({ kind: "start" });
  acs.run(h, dispatch);
  assert.equal(started(h.last)?.commandKey, "soon");
  assert.equal(h.feed({ kind: "timerFired" }).some((a) => a.kind === "startTransfer"), false);
  const first = h.lastSnapshot()!.transfers.find((t) => t.commandKey === "soon")!;
  h.feed({ kind: "transferDone", id: first.id, faultCode: 9016, faultString: "x" });
  // Its report goes out first; the next transfer starts when that session ends.
  acs.run(h, dispatch);
  assert.equal(started(h.last)?.commandKey, "next");
  const second = h.lastSnapshot()!.transfers.find((t) => t.commandKey === "next")!;
  h.feed({ kind: "transferDone", id: second.id, faultCode: 0, faultString: "" });
  acs.run(h, dispatch);
  // The delayed one waits for its time: the engine wakes for it.
  const late = h.lastSnapshot()!.transfers.find((t) => t.commandKey === "late")!;
  assert.equal(h.wakeAt, late.notBefore);
  assert.equal(started(h.fireTimer())?.commandKey, "late");
});

Deno.test("step() restarts at the next start a transfer a crash cut, marked for resume", () => {
  const cut = record({ id: 3, method: "Download", commandKey: "fw-2", notBefore: 0, state: 2 });
  const h = new Harness({ snapshot: known({ transfers: [cut], lastTransferId: 3 }) });
  h.feed({ kind: "start" });
  // The BOOT session first; the transfer runs again once it ends.
  new FakeAcs().run(h, dispatch);
  const again = started(h.last);
  assert.equal(again?.id, 3);
  assert.equal(again?.resume, true);
  // Ids are never reused.
  const acs = new FakeAcs([DOWNLOAD]);
  h.feed({ kind: "connectionRequest" });
  acs.run(h, dispatch);
  assert.deepEqual(h.lastSnapshot()?.transfers.map((t) => t.id), [3, 4]);
});

Deno.test("step() drops a cancelled transfer that has not started", () => {
  const h = new Harness({ snapshot: known() });
  const acs = new FakeAcs([
    { ...DOWNLOAD, commandKey: "keep", delaySeconds: 600 },
    { ...DOWNLOAD, commandKey: "drop", delaySeconds: 600 },
    { kind: "CancelTransfer", commandKey: "drop" },
  ]);
  h.feed({ kind: "start" });
  acs.run(h, (r) => r.kind === "CancelTransfer" ? { kind: "CancelTransferResponse" } : dispatch(r));
  assert.deepEqual(h.lastSnapshot()?.transfers.map((t) => t.commandKey), ["keep"]);
});

Deno.test("step() reboots after a firmware transfer and reports it after the boot", () => {
  const h = new Harness({ snapshot: known() });
  new FakeAcs([DOWNLOAD]).run((h.feed({ kind: "start" }), h), dispatch);
  const t = started(h.last)!;
  const actions = h.feed({
    kind: "transferDone",
    id: t.id,
    faultCode: 0,
    faultString: "",
    startTime: 0,
    completeTime: 1000,
    reboot: true,
  });
  assert.deepEqual(actions.map((a) => a.kind), ["persist", "reboot"]);
  assert.equal(h.state.phase, "halted");
  h.feed({ kind: "rebootCommandDone", ok: true });
  const after = structuredClone(h.lastSnapshot()!);
  assert.equal(after.rebootCommandKey, undefined, "no M Reboot: no Reboot RPC");
  const h2 = new Harness({ snapshot: after });
  h2.feed({ kind: "start" });
  assert.deepEqual(
    h2.state.session?.inFlightEvents.map((e) => `${e.eventCode}|${e.commandKey}`).sort(),
    [
      "1 BOOT|",
      "7 TRANSFER COMPLETE|",
      "M Download|fw-1",
    ],
  );
  const acs = new FakeAcs();
  acs.run(h2, dispatch);
  assert.equal(acs.received[1].message.kind, "TransferComplete");
});

Deno.test("step() arms no timer for a transfer that is due but must wait for the session", () => {
  const h = new Harness({ snapshot: known() });
  h.feed({ kind: "start" });
  h.informData();
  h.acs({ kind: "InformResponse", maxEnvelopes: 1 });
  h.acs({ message: DOWNLOAD, header: { id: "d1" } });
  h.feed({ kind: "rpcResult", session: h.session, response: dispatch(DOWNLOAD) });
  // Due now, but the session is open: the wake-up is the session deadline, not "now".
  assert.ok(h.wakeAt === undefined || h.wakeAt > h.clock.now(), `wakeAt ${h.wakeAt}`);
});

Deno.test("step() runs a ScheduleDownload only inside its windows and reports 9020 when they pass", () => {
  const windowed = record({
    id: 1,
    method: "ScheduleDownload",
    commandKey: "sd",
    notBefore: 0,
    state: 1,
  });
  const t0 = Date.UTC(2026, 0, 1);
  const inWindow = new Harness({
    start: t0,
    snapshot: known({
      transfers: [{ ...windowed, windows: [{ start: t0 + 60_000, end: t0 + 120_000 }] }],
    }),
  });
  inWindow.feed({ kind: "start" });
  new FakeAcs().run(inWindow, dispatch);
  assert.equal(started(inWindow.last), undefined, "not before its window");
  assert.equal(inWindow.wakeAt, t0 + 60_000);
  assert.equal(started(inWindow.fireTimer())?.commandKey, "sd");

  const missed = new Harness({
    start: t0,
    snapshot: known({
      transfers: [{ ...windowed, windows: [{ start: t0 - 120_000, end: t0 - 60_000 }] }],
    }),
  });
  missed.feed({ kind: "start" });
  const acs = new FakeAcs();
  acs.run(missed, dispatch);
  const tc = acs.received.find((e) => e.message.kind === "TransferComplete")?.message;
  assert.equal(tc?.kind, "TransferComplete");
  assert.equal(tc.faultStruct.faultCode, 9020);
  assert.ok(
    acs.received.some((e) =>
      e.message.kind === "Inform" &&
      e.message.event.some((ev) => ev.eventCode === "M ScheduleDownload" && ev.commandKey === "sd")
    ),
  );
});

Deno.test("step() judges a firmware upgrade by the SoftwareVersion after the boot", () => {
  for (const [after, code] of [["2.0", 0], ["1.0", 9010]] as const) {
    const h = new Harness({ snapshot: known() });
    new FakeAcs([DOWNLOAD]).run((h.feed({ kind: "start", softwareVersion: "1.0" }), h), dispatch);
    const t = started(h.last)!;
    const actions = h.feed({
      kind: "transferDone",
      id: t.id,
      faultCode: 0,
      faultString: "",
      startTime: 0,
      completeTime: 1000,
      reboot: true,
      versionBefore: "1.0",
    });
    assert.deepEqual(actions.map((a) => a.kind), ["persist", "reboot"]);
    const waiting = structuredClone(h.lastSnapshot()!);
    assert.deepEqual(waiting.queuedRequests, [], "no report before the boot");
    assert.equal(waiting.transfers[0].afterBoot?.versionBefore, "1.0");

    const h2 = new Harness({ snapshot: waiting });
    h2.feed({ kind: "start", softwareVersion: after });
    assert.deepEqual(h2.state.session?.inFlightEvents.map((e) => e.eventCode).sort(), [
      "1 BOOT",
      "7 TRANSFER COMPLETE",
      "M Download",
    ]);
    const acs = new FakeAcs();
    acs.run(h2, dispatch);
    const tc = acs.received.find((e) => e.message.kind === "TransferComplete")!.message;
    assert.equal(tc.kind === "TransferComplete" && tc.faultStruct.faultCode, code, after);
    assert.deepEqual(h2.lastSnapshot()?.transfers, []);
  }
});

Deno.test("step() retries a failed ScheduleDownload inside its window up to MaxRetries, then reports its fault", () => {
  const t0 = Date.UTC(2026, 0, 1);
  const scheduled = record({
    id: 1,
    method: "ScheduleDownload",
    commandKey: "sd-r",
    notBefore: t0,
    state: 1,
    windows: [{ start: t0, end: t0 + 600_000, maxRetries: 1 }],
  });
  const h = new Harness({ start: t0, snapshot: known({ transfers: [scheduled] }) });
  h.feed({ kind: "start" });
  new FakeAcs().run(h, dispatch);
  assert.equal(started(h.last)?.id, 1);
  // First failure: one retry allowed, 30 s later, nothing reported yet.
  assert.deepEqual(
    h.feed({ kind: "transferDone", id: 1, faultCode: 9016, faultString: "404" }).map((a) => a.kind),
    ["persist"],
  );
  assert.equal(h.lastSnapshot()?.transfers[0].state, 1);
  assert.equal(h.wakeAt, t0 + 30_000);
  assert.equal(started(h.fireTimer())?.id, 1);
  // Second failure: retries used up, no later window: the last fault is reported.
  h.feed({ kind: "transferDone", id: 1, faultCode: 9015, faultString: "refused" });
  const acs = new FakeAcs();
  acs.run(h, dispatch);
  const tc = acs.received.find((e) => e.message.kind === "TransferComplete")!.message;
  assert.equal(tc.kind === "TransferComplete" && tc.faultStruct.faultCode, 9015);
});
