import assert from "node:assert/strict";
import { emptySnapshot, parseSnapshot } from "../../src/session/snapshot.ts";

Deno.test("parseSnapshot() accepts a full snapshot", () => {
  const full = {
    version: 1,
    pendingEvents: [{ eventCode: "M Download", commandKey: "k" }],
    retryCount: 3,
    lastAcsUrl: "http://acs/",
    rebootCommandKey: "r",
    queuedRequests: [{
      kind: "TransferComplete",
      commandKey: "k",
      faultStruct: { faultCode: 0, faultString: "" },
      startTime: "2026-01-01T00:00:00Z",
      completeTime: "2026-01-01T00:01:00Z",
    }],
    scheduledInforms: [{ at: 5, commandKey: "s" }],
    transfers: [{
      id: 2,
      method: "Download",
      commandKey: "k2",
      fileType: "1 Firmware Upgrade Image",
      url: "http://files/fw.bin",
      username: "u",
      password: "p",
      fileSize: 0,
      targetFileName: "",
      notBefore: 1767225600000,
      state: 1,
    }],
    lastTransferId: 2,
    rebootPending: "r",
    rebootBootId: "b",
  };
  assert.deepEqual(parseSnapshot(JSON.parse(JSON.stringify(full))), full);
  // Written before transfers existed: none queued.
  const { transfers: _, ...older } = emptySnapshot();
  assert.deepEqual(parseSnapshot(older).transfers, []);
  assert.deepEqual(parseSnapshot(emptySnapshot()), emptySnapshot());
});

Deno.test("parseSnapshot() rejects an unknown version with a RangeError", () => {
  assert.throws(() => parseSnapshot({ ...emptySnapshot(), version: 9 }), {
    name: "RangeError",
    message: 'Cannot read snapshot: unsupported version "9"',
  });
});

Deno.test("parseSnapshot() rejects a wrong field with a TypeError", () => {
  assert.throws(() => parseSnapshot({ ...emptySnapshot(), retryCount: "2" }), {
    name: "TypeError",
    message: 'Cannot read snapshot: bad "retryCount"',
  });
  assert.throws(() => parseSnapshot({ ...emptySnapshot(), queuedRequests: [{ kind: "Inform" }] }), {
    message: 'Cannot read snapshot: bad "queuedRequests"',
  });
  assert.throws(() => parseSnapshot([]), { message: "Cannot read snapshot: not a JSON object" });
  assert.throws(() => parseSnapshot({ ...emptySnapshot(), transfers: [{ id: 1, state: 3 }] }), {
    message: 'Cannot read snapshot: bad "transfers"',
  });
});
