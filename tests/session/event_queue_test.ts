import assert from "node:assert/strict";
import {
  addEvent,
  addEvents,
  afterAcknowledged,
  EventCode,
  eventStruct as ev,
  isMultipleEvent,
  retainAfterFailure,
  retainAtReboot,
} from "../../src/session/event_queue.ts";

Deno.test("addEvent() keeps a single event once", () => {
  const q = addEvents([], [ev("2 PERIODIC"), ev("4 VALUE CHANGE"), ev("2 PERIODIC")]);
  assert.deepEqual(q, [ev("2 PERIODIC"), ev("4 VALUE CHANGE")]);
});

Deno.test("addEvent() adds every occurrence of a multiple event", () => {
  const q = addEvents([], [ev("M Download", "a"), ev("M Download", "b"), ev("M Download", "a")]);
  assert.equal(q.length, 3);
  assert.ok(isMultipleEvent("M X_ACME_Foo"));
  assert.ok(!isMultipleEvent("X 001122 Foo"));
});

Deno.test("addEvent() with 0 BOOTSTRAP discards every other pending event", () => {
  const q = addEvent([ev("1 BOOT"), ev("M Reboot", "k")], ev(EventCode.Bootstrap));
  assert.deepEqual(q, [ev("0 BOOTSTRAP")]);
});

Deno.test("addEvent() does not mutate its input", () => {
  const q = [ev("1 BOOT")];
  addEvent(q, ev("2 PERIODIC"));
  assert.deepEqual(q, [ev("1 BOOT")]);
});

Deno.test("retainAfterFailure() keeps events but drops 6 CONNECTION REQUEST", () => {
  const q = retainAfterFailure(
    [ev("6 CONNECTION REQUEST"), ev("1 BOOT"), ev("M Download", "x")],
    [ev("2 PERIODIC"), ev("1 BOOT")],
  );
  assert.deepEqual(q, [ev("1 BOOT"), ev("M Download", "x"), ev("2 PERIODIC")]);
});

Deno.test("retainAtReboot() drops BOOT, VALUE CHANGE, DIAGNOSTICS COMPLETE and CONNECTION REQUEST", () => {
  const q = retainAtReboot([
    ev("0 BOOTSTRAP"),
    ev("1 BOOT"),
    ev("2 PERIODIC"),
    ev("4 VALUE CHANGE"),
    ev("6 CONNECTION REQUEST"),
    ev("7 TRANSFER COMPLETE"),
    ev("8 DIAGNOSTICS COMPLETE"),
    ev("M Download", "d"),
  ]);
  assert.deepEqual(q.map((e) => e.eventCode), [
    "0 BOOTSTRAP",
    "2 PERIODIC",
    "7 TRANSFER COMPLETE",
    "M Download",
  ]);
});

Deno.test("afterAcknowledged() keeps 7 TRANSFER COMPLETE until the last TransferComplete", () => {
  const inFlight = [
    { eventCode: "7 TRANSFER COMPLETE", commandKey: "" },
    { eventCode: "M Download", commandKey: "a" },
    { eventCode: "M Upload", commandKey: "b" },
    { eventCode: "1 BOOT", commandKey: "" },
  ];
  const first = afterAcknowledged(inFlight, { kind: "TransferComplete", commandKey: "a" }, [
    { kind: "TransferComplete" },
  ]);
  assert.deepEqual(first.map((e) => `${e.eventCode}|${e.commandKey}`), [
    "7 TRANSFER COMPLETE|",
    "M Upload|b",
    "1 BOOT|",
  ]);
  const second = afterAcknowledged(first, { kind: "TransferComplete", commandKey: "b" }, []);
  assert.deepEqual(second.map((e) => e.eventCode), ["1 BOOT"]);
  // Requests with no required-response event change nothing.
  assert.deepEqual(afterAcknowledged(inFlight, { kind: "GetRPCMethods" }, []), inFlight);
});
