import assert from "node:assert/strict";
import { emptySnapshot, type SessionSnapshot } from "../../src/session/snapshot.ts";
import { StateStore } from "../../src/store/state_store.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cwmp-store-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const FULL: SessionSnapshot = {
  version: 1,
  pendingEvents: [
    { eventCode: "7 TRANSFER COMPLETE", commandKey: "" },
    { eventCode: "M Download", commandKey: "dl-1" },
  ],
  retryCount: 4,
  lastAcsUrl: "https://acs.example/cwmp",
  rebootCommandKey: "rb-1",
  queuedRequests: [{
    kind: "TransferComplete",
    commandKey: "dl-1",
    faultStruct: { faultCode: 9010, faultString: "Download failed" },
    startTime: "2026-01-01T00:00:00Z",
    completeTime: "0001-01-01T00:00:00Z",
  }],
  scheduledInforms: [{ at: 1767225600000, commandKey: "sk" }],
  transfers: [],
};

Deno.test("StateStore.load() returns nothing for a new state directory and creates it", async () => {
  await withDir(async (dir) => {
    const store = new StateStore(`${dir}/a/b`);
    assert.deepEqual(await store.load(), { removedTempFiles: [] });
    assert.ok((await Deno.stat(`${dir}/a/b`)).isDirectory);
  });
});

Deno.test("StateStore.save() round-trips every snapshot field", async () => {
  await withDir(async (dir) => {
    const store = new StateStore(`${dir}/state`);
    await store.save(FULL);
    assert.deepEqual((await new StateStore(`${dir}/state`).load()).snapshot, FULL);
    await store.save(emptySnapshot());
    assert.deepEqual((await store.load()).snapshot, emptySnapshot());
  });
});

Deno.test("StateStore.load() ignores and removes the temp file of an interrupted write", async () => {
  await withDir(async (dir) => {
    const store = new StateStore(dir);
    await store.save(FULL);
    const temp = `${store.path}.tmp-deadbeef`;
    await Deno.writeTextFile(temp, '{"version":1,"pendingEv');
    const result = await store.load();
    assert.deepEqual(result.snapshot, FULL);
    assert.deepEqual(result.removedTempFiles, [temp]);
    await assert.rejects(Deno.stat(temp), Deno.errors.NotFound);
  });
});

Deno.test("StateStore.load() keeps a corrupt file as .corrupt and starts as new", async () => {
  await withDir(async (dir) => {
    const store = new StateStore(dir);
    await Deno.writeTextFile(store.path, "{not json");
    const result = await store.load();
    assert.equal(result.snapshot, undefined);
    assert.equal(result.corrupt?.path, `${dir}/session.json.corrupt`);
    assert.match(result.corrupt?.message ?? "", /JSON/);
    assert.equal(await Deno.readTextFile(store.corruptPath), "{not json");
    await assert.rejects(Deno.stat(store.path), Deno.errors.NotFound);
    assert.deepEqual(await store.load(), { removedTempFiles: [] });
  });
});

Deno.test("StateStore.load() treats a wrong version as corrupt", async () => {
  await withDir(async (dir) => {
    const store = new StateStore(dir, { fileName: "s.json" });
    await Deno.writeTextFile(store.path, JSON.stringify({ ...FULL, version: 2 }));
    const result = await store.load();
    assert.deepEqual(result.corrupt, {
      path: `${dir}/s.json.corrupt`,
      message: 'Cannot read snapshot: unsupported version "2"',
    });
  });
});

Deno.test("StateStore.clear() deletes the snapshot and tolerates a missing one", async () => {
  await withDir(async (dir) => {
    const store = new StateStore(dir);
    await store.save(FULL);
    await store.clear();
    await store.clear();
    assert.equal((await store.load()).snapshot, undefined);
  });
});
