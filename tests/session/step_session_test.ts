/** Session-level behaviour of step(): one session's message exchange (CWMP-FACTS §1). */
import assert from "node:assert/strict";
import type { Inform, TransferComplete } from "../../src/soap/messages.ts";
import { ACS_URL, acsFault, FakeAcs, Harness } from "./_harness.ts";

const TC: TransferComplete = {
  kind: "TransferComplete",
  commandKey: "dl-1",
  faultStruct: { faultCode: 0, faultString: "" },
  startTime: "2026-01-01T00:00:10Z",
  completeTime: "2026-01-01T00:01:00Z",
};

function ev(eventCode: string, commandKey = "") {
  return { eventCode, commandKey };
}

/** A harness whose snapshot already knows the ACS (no BOOTSTRAP); `withTc` queues TC. */
function known(options: ConstructorParameters<typeof Harness>[0] = {}, withTc = false): Harness {
  return new Harness({
    snapshot: {
      version: 1,
      pendingEvents: withTc ? [ev("7 TRANSFER COMPLETE"), ev("M Download", "dl-1")] : [],
      retryCount: 0,
      lastAcsUrl: ACS_URL,
      queuedRequests: withTc ? [TC] : [],
      scheduledInforms: [],
      transfers: [],
    },
    ...options,
  });
}

Deno.test("step() runs boot, Inform, empty POST, GetParameterValues and 204 to a successful end", () => {
  const h = new Harness({ start: "2026-03-04T05:06:07Z" });
  assert.deepEqual(h.feed({ kind: "start" }).map((a) => a.kind), ["persist", "collectInform"]);
  assert.deepEqual(h.last[1], {
    kind: "collectInform",
    session: 1,
    events: [ev("0 BOOTSTRAP"), ev("1 BOOT")],
  });
  h.informData();
  const inform = h.lastSent();
  assert.equal(inform.namespace, "urn:dslforum-org:cwmp-1-2");
  assert.deepEqual(inform.header, { id: "cpe-1", supportedCWMPVersions: "1.0,1.1,1.2,1.3,1.4" });
  const msg = inform.message as Inform;
  assert.equal(msg.kind, "Inform");
  assert.deepEqual(msg.event, [ev("0 BOOTSTRAP"), ev("1 BOOT")]);
  assert.equal(msg.maxEnvelopes, 1);
  assert.equal(msg.currentTime, "2026-03-04T05:06:07Z");
  assert.equal(msg.retryCount, 0);
  assert.equal(msg.deviceId.serialNumber, "SN0001");
  assert.equal(msg.parameterList[0].name, "Device.DeviceInfo.SoftwareVersion");

  h.acs({ message: { kind: "InformResponse", maxEnvelopes: 1 }, header: { id: "cpe-1" } });
  assert.deepEqual(h.lastSent().message, { kind: "Empty" });
  assert.equal(h.state.phase, "awaitingAcs");

  h.acs({
    message: { kind: "GetParameterValues", parameterNames: ["Device.DeviceInfo."] },
    header: { id: "gpv-7" },
  });
  assert.deepEqual(h.last, [{
    kind: "dispatch",
    session: 1,
    id: "gpv-7",
    request: { kind: "GetParameterValues", parameterNames: ["Device.DeviceInfo."] },
  }]);
  h.feed({
    kind: "rpcResult",
    session: 1,
    response: { kind: "GetParameterValuesResponse", parameterList: [] },
  });
  assert.deepEqual(h.lastSent(), {
    namespace: "urn:dslforum-org:cwmp-1-2",
    header: { id: "gpv-7" },
    message: { kind: "GetParameterValuesResponse", parameterList: [] },
  });

  h.acs({ kind: "Empty" });
  assert.deepEqual(h.kinds(), ["persist", "close"]);
  assert.deepEqual(h.last[1], {
    kind: "close",
    session: 1,
    outcome: "success",
    deliveredEvents: [ev("0 BOOTSTRAP"), ev("1 BOOT")],
  });
  assert.equal(h.state.phase, "idle");
  assert.deepEqual(h.lastSnapshot(), {
    version: 1,
    pendingEvents: [],
    retryCount: 0,
    lastAcsUrl: ACS_URL,
    queuedRequests: [],
    scheduledInforms: [],
    transfers: [],
  });
  // Unknown PeriodicInformTime: phase taken from the start time, 86400 s default interval.
  assert.equal(h.wakeAt, Date.parse("2026-03-05T05:06:07Z"));
});

Deno.test("step() persists in-flight events so a crash mid-session loses nothing", () => {
  const h = new Harness();
  h.feed({ kind: "start" });
  assert.deepEqual(h.lastSnapshot()?.pendingEvents, [ev("0 BOOTSTRAP"), ev("1 BOOT")]);
});

Deno.test("step() sends a CWMP 1.0 Inform in cwmp-1-0 without SupportedCWMPVersions", () => {
  const h = known({ settings: { cwmpVersion: "1.0" } });
  h.feed({ kind: "start" });
  h.informData();
  assert.equal(h.lastSent().namespace, "urn:dslforum-org:cwmp-1-0");
  assert.deepEqual(h.lastSent().header, { id: "cpe-1" });
});

Deno.test("step() answers in the namespace of the InformResponse", () => {
  const h = known();
  h.feed({ kind: "start" });
  h.informData();
  h.acs({
    message: { kind: "InformResponse", maxEnvelopes: 1 },
    namespace: "urn:dslforum-org:cwmp-1-0",
  });
  assert.equal(h.lastSent().namespace, "urn:dslforum-org:cwmp-1-0");
  assert.equal(h.state.session?.negotiatedVersion, undefined);
});

Deno.test("step() never answers above its configured version's namespace", () => {
  const h = known({ settings: { cwmpVersion: "1.0" } });
  h.feed({ kind: "start" });
  h.informData();
  assert.equal(h.lastSent().namespace, "urn:dslforum-org:cwmp-1-0");
  h.acs({
    message: { kind: "InformResponse", maxEnvelopes: 1 },
    namespace: "urn:dslforum-org:cwmp-1-2",
  });
  assert.equal(h.lastSent().namespace, "urn:dslforum-org:cwmp-1-0");
});

Deno.test("step() follows UseCWMPVersion when the ACS sends it", () => {
  const h = known();
  h.feed({ kind: "start" });
  h.informData();
  h.acs({
    message: { kind: "InformResponse", maxEnvelopes: 1 },
    header: { useCWMPVersion: "1.1" },
  });
  assert.equal(h.lastSent().namespace, "urn:dslforum-org:cwmp-1-1");
  assert.equal(h.state.session?.negotiatedVersion, "1.1");
});

Deno.test("step() holds TransferComplete back while HoldRequests is true", () => {
  const h = known({}, true);
  h.feed({ kind: "start" });
  h.informData();
  assert.deepEqual((h.lastSent().message as Inform).event.map((e) => e.eventCode), [
    "7 TRANSFER COMPLETE",
    "M Download",
    "1 BOOT",
  ]);
  h.acs({ message: { kind: "InformResponse", maxEnvelopes: 1 }, header: { holdRequests: true } });
  assert.deepEqual(h.lastSent().message, { kind: "Empty" });
  h.acs({
    message: { kind: "GetParameterValues", parameterNames: ["Device."] },
    header: { id: "a1", holdRequests: true },
  });
  h.feed({
    kind: "rpcResult",
    session: h.session,
    response: { kind: "GetParameterValuesResponse", parameterList: [] },
  });
  assert.equal(h.lastSent().message.kind, "GetParameterValuesResponse");
  // 204: HoldRequests gone, but the CPE still has a request, so no end yet.
  h.acs({ kind: "Empty" });
  assert.deepEqual(h.lastSent().message, TC);
  assert.equal(h.state.phase, "requesting");
  h.acs({ message: { kind: "TransferCompleteResponse" }, header: { id: h.lastSent().header.id } });
  assert.deepEqual(h.lastSent().message, { kind: "Empty" });
  assert.deepEqual(h.lastSnapshot()?.queuedRequests, []);
  h.acs({ kind: "Empty" });
  assert.equal(h.state.phase, "idle");
  assert.equal(h.log.filter((a) => a.kind === "close")[0].kind, "close");
});

Deno.test("step() sends an empty POST instead of a queued request when a response holds requests", () => {
  const tc2: TransferComplete = { ...TC, commandKey: "dl-2" };
  const h = new Harness({
    snapshot: {
      version: 1,
      pendingEvents: [
        ev("7 TRANSFER COMPLETE"),
        ev("M Download", "dl-1"),
        ev("M Download", "dl-2"),
      ],
      retryCount: 0,
      lastAcsUrl: ACS_URL,
      queuedRequests: [TC, tc2],
      scheduledInforms: [],
      transfers: [],
    },
  });
  h.feed({ kind: "start" });
  h.informData();
  h.acs({ kind: "InformResponse", maxEnvelopes: 1 });
  assert.deepEqual(h.lastSent().message, TC);
  h.acs({ message: { kind: "TransferCompleteResponse" }, header: { holdRequests: true } });
  assert.deepEqual(h.lastSent().message, { kind: "Empty" });
  h.acs({ kind: "Empty" });
  assert.deepEqual(h.lastSent().message, tc2);
  h.acs({ kind: "TransferCompleteResponse" });
  assert.deepEqual(h.lastSent().message, { kind: "Empty" });
  h.acs({ kind: "Empty" });
  assert.equal(h.state.phase, "idle");
  assert.deepEqual(h.lastSnapshot()?.queuedRequests, []);
});

Deno.test("step() resends the same request after ACS fault 8005", () => {
  const h = known({}, true);
  h.feed({ kind: "start" });
  h.informData();
  h.acs({ kind: "InformResponse", maxEnvelopes: 1 });
  const first = h.lastSent();
  assert.deepEqual(first.message, TC);
  h.acs({ message: acsFault(8005, "Retry request"), header: { id: first.header.id } });
  assert.deepEqual(h.lastSent(), first);
  assert.equal(h.state.phase, "requesting");
  h.acs({ kind: "TransferCompleteResponse" });
  assert.deepEqual(h.lastSent().message, { kind: "Empty" });
});

Deno.test("step() counts TRANSFER COMPLETE events delivered once the TransferComplete is acknowledged", () => {
  const h = known({}, true);
  h.feed({ kind: "start" });
  h.informData();
  h.acs({ kind: "InformResponse", maxEnvelopes: 1 });
  h.acs({ kind: "TransferCompleteResponse" });
  h.feed({ kind: "transportError", session: 1, message: "reset" });
  // 1 BOOT is retried; 7 TRANSFER COMPLETE and its M Download had their required response.
  assert.deepEqual(h.lastSnapshot()?.pendingEvents, [ev("1 BOOT")]);
  assert.deepEqual(h.lastSnapshot()?.queuedRequests, []);
});

Deno.test("step() drops a CPE request the ACS answers with 8000 and fails the session", () => {
  const h = known({}, true);
  h.feed({ kind: "start" });
  h.informData();
  h.acs({ kind: "InformResponse", maxEnvelopes: 1 });
  h.acs(acsFault(8000, "Method not supported"));
  assert.equal(h.state.phase, "retryWait");
  assert.deepEqual(h.lastSnapshot()?.queuedRequests, []);
});

Deno.test("step() fails the session on another ACS fault and keeps the request queued", () => {
  const h = known({}, true);
  h.feed({ kind: "start" });
  h.informData();
  h.acs({ kind: "InformResponse", maxEnvelopes: 1 });
  h.acs(acsFault(8002, "Internal error"));
  const close = h.last.find((a) => a.kind === "close");
  assert.deepEqual(close, {
    kind: "close",
    session: 1,
    outcome: "failure",
    reason: 'ACS fault "8002" ("Internal error") to "TransferComplete"',
    deliveredEvents: [],
  });
  assert.equal(h.state.phase, "retryWait");
  assert.deepEqual(h.lastSnapshot()?.queuedRequests, [TC]);
});

Deno.test("step() fails the session when the Inform gets fault 8005", () => {
  const h = known();
  h.feed({ kind: "start" });
  h.informData();
  h.acs(acsFault(8005));
  assert.equal(h.state.phase, "retryWait");
});

Deno.test("step() fails the session when the Inform gets anything but InformResponse", () => {
  const h = known();
  h.feed({ kind: "start" });
  h.informData();
  h.acs({ kind: "GetRPCMethods" });
  const close = h.last.find((a) => a.kind === "close");
  assert.equal(
    close?.kind === "close" && close.reason,
    'Expected "InformResponse" to Inform, got "GetRPCMethods"',
  );
});

Deno.test("step() fails the session when the ACS sends a response in its turn", () => {
  const h = known();
  h.feed({ kind: "start" });
  h.informData();
  h.acs({ kind: "InformResponse", maxEnvelopes: 1 });
  h.acs({ kind: "InformResponse", maxEnvelopes: 1 });
  assert.equal(h.state.phase, "retryWait");
});

Deno.test("step() answers an undecodable ACS request with its fault and carries on", () => {
  const h = known();
  h.feed({ kind: "start" });
  h.informData();
  h.acs({ kind: "InformResponse", maxEnvelopes: 1 });
  const fault = {
    kind: "Fault" as const,
    faultcode: "Server" as const,
    faultstring: "CWMP fault",
    faultCode: 9000,
    faultString: "Method not supported",
  };
  h.feed({ kind: "acsRequestRejected", session: h.session, id: "x-9", fault });
  assert.deepEqual(h.lastSent(), {
    namespace: "urn:dslforum-org:cwmp-1-2",
    header: { id: "x-9" },
    message: fault,
  });
  assert.equal(h.state.phase, "awaitingAcs");
  h.acs({ kind: "Empty" });
  assert.equal(h.state.phase, "idle");
});

Deno.test("step() ignores an answer that carries a stale session number", () => {
  const h = known();
  h.feed({ kind: "start" });
  const before = h.state;
  h.feed({ kind: "informData", session: 99, deviceId: {} as never, parameterList: [] });
  assert.equal(h.state, before);
  assert.deepEqual(h.last, []);
});

Deno.test("step() fails a session that outlives its deadline", () => {
  const h = known({ settings: { sessionTimeoutSeconds: 30, periodicInformEnable: false } });
  h.feed({ kind: "start" });
  h.informData();
  assert.equal(h.wakeAt, h.clock.now() + 30_000);
  h.fireTimer();
  const close = h.last.find((a) => a.kind === "close");
  assert.equal(close?.kind === "close" && close.reason, 'Session exceeded its deadline of "30" s');
  assert.equal(h.state.phase, "retryWait");
  // The late HTTP answer of the dead session is ignored.
  h.feed({
    kind: "acsMessage",
    session: 1,
    envelope: { namespace: "urn:dslforum-org:cwmp-1-2", header: {}, message: { kind: "Empty" } },
  });
  assert.deepEqual(h.last, []);
});

Deno.test("step() ends a plain session through FakeAcs with GetParameterValues", () => {
  const h = new Harness();
  const acs = new FakeAcs([{ kind: "GetParameterValues", parameterNames: ["Device.A"] }]);
  h.feed({ kind: "start" });
  acs.run(h);
  assert.deepEqual(acs.received.map((e) => e.message.kind), [
    "Inform",
    "Empty",
    "GetParameterValuesResponse",
  ]);
  assert.equal(acs.received[2].header.id, "acs-2");
  assert.equal(h.state.phase, "idle");
});

Deno.test("step() keeps a request queued mid-session for the next session with its events", () => {
  const h = known();
  const acs = new FakeAcs();
  h.feed({ kind: "start" });
  h.informData();
  h.feed({
    kind: "addEvent",
    events: [ev("7 TRANSFER COMPLETE"), ev("M Download", "dl-1")],
    request: TC,
  });
  acs.run(h);
  assert.deepEqual(acs.received.map((e) => e.message.kind), [
    "Inform",
    "Empty",
    "Inform",
    "TransferComplete",
    "Empty",
  ]);
  assert.deepEqual((acs.received[2].message as Inform).event, [
    ev("7 TRANSFER COMPLETE"),
    ev("M Download", "dl-1"),
  ]);
  assert.deepEqual(h.lastSnapshot()?.queuedRequests, []);
});

Deno.test("step() sends SessionTimeout in the Inform from CWMP 1.3 on, never before", () => {
  for (
    const [cwmpVersion, header] of [
      ["1.4", { id: "cpe-1", supportedCWMPVersions: "1.0,1.1,1.2,1.3,1.4", sessionTimeout: 60 }],
      ["1.3", { id: "cpe-1", sessionTimeout: 60 }],
      ["1.2", { id: "cpe-1" }],
      ["1.0", { id: "cpe-1" }],
    ] as const
  ) {
    const h = new Harness({ settings: { cwmpVersion, informSessionTimeout: 60 } });
    h.feed({ kind: "start" });
    h.informData();
    assert.deepEqual(h.lastSent().header, header, `CWMP ${cwmpVersion}`);
  }
});

Deno.test("step() adds the events informData implies and retains them after a failure", () => {
  const h = known();
  h.feed({ kind: "start" });
  h.feed({
    kind: "informData",
    session: 1,
    deviceId: { manufacturer: "M", oui: "A1B2C3", productClass: "P", serialNumber: "SN0001" },
    parameterList: [{ name: "Device.DeviceInfo.ProvisioningCode", value: "x", type: "xsd:string" }],
    events: [ev("4 VALUE CHANGE"), ev("1 BOOT")],
  });
  const inform = h.lastSent().message as Inform;
  assert.deepEqual(inform.event, [ev("1 BOOT"), ev("4 VALUE CHANGE")]);
  h.feed({ kind: "transportError", session: 1, message: "reset" });
  assert.deepEqual(h.state.persisted.pendingEvents, [ev("1 BOOT"), ev("4 VALUE CHANGE")]);
});

Deno.test("step() ends a session whose ACS keeps sending requests at the session deadline", () => {
  // An ACS that never answers 204: every CPE POST gets one more GetParameterValues.
  const h = known({ settings: { sessionTimeoutSeconds: 600, periodicInformEnable: false } });
  h.feed({ kind: "start" });
  h.informData();
  h.acs({ message: { kind: "InformResponse", maxEnvelopes: 1 }, header: { id: "cpe-1" } });
  const started = h.clock.now();
  let answered = 0;
  for (let i = 0; i < 10_000 && h.state.phase !== "retryWait"; i++) {
    h.clock.advanceTo(h.clock.now() + 1_000);
    if (h.wakeAt !== undefined && h.wakeAt <= h.clock.now()) {
      h.feed({ kind: "timerFired" });
      continue;
    }
    const action = h.outstanding();
    if (action?.kind === "send") {
      h.acs({
        message: { kind: "GetParameterValues", parameterNames: ["Device.A"] },
        header: { id: `acs-${i}` },
      });
    } else if (action?.kind === "dispatch") {
      answered++;
      h.feed({
        kind: "rpcResult",
        session: action.session,
        response: { kind: "GetParameterValuesResponse", parameterList: [] },
      });
    }
  }
  assert.equal(h.state.phase, "retryWait");
  const close = h.log.find((a) => a.kind === "close");
  assert.equal(close?.kind === "close" && close.reason, 'Session exceeded its deadline of "600" s');
  assert.equal(h.clock.now() - started, 600_000);
  assert.ok(answered > 100, `${answered} requests answered`);
  // The retry opens a new session that works.
  h.fireTimer();
  assert.deepEqual(h.kinds(), ["collectInform"]);
  h.informData();
  assert.equal((h.lastSent().message as Inform).retryCount, 1);
  new FakeAcs().run(h);
  assert.equal(h.state.phase, "idle");
});
