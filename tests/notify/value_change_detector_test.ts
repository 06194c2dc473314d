import assert from "node:assert/strict";
import type { ParameterRef } from "../../src/datamodel/provider.ts";
import { ValueChangeDetector, type WatchedParameter } from "../../src/notify/mod.ts";
import { fixture } from "./_fixture.ts";

async function setup() {
  const f = fixture();
  const detector = new ValueChangeDetector((refs) => f.model.read(refs));
  const watched: WatchedParameter[] = [
    { ref: await f.ref("Device.Name"), notification: 1 },
    { ref: await f.ref("Device.Code"), notification: 2 },
    { ref: await f.ref("Device.Box.Port.1.Status"), notification: 2 },
  ];
  await detector.watch(watched);
  return { ...f, detector, watched };
}

const names = (list: { name: string; value: string }[]) => list.map((c) => `${c.name}=${c.value}`);

Deno.test("ValueChangeDetector.poll() reports changes by notification and moves the baseline", async () => {
  const { detector, deviceSets } = await setup();
  assert.deepEqual(await detector.poll(), { passive: [], active: [], lightweight: [] });
  await deviceSets("Device.Name", "router");
  await deviceSets("Device.Box.Port.1.Status", "Down");
  await deviceSets("Device.UpTime", "99");
  const changes = await detector.poll();
  assert.deepEqual(changes, {
    passive: [{ name: "Device.Name", value: "router", type: "xsd:string", notification: 1 }],
    active: [{
      name: "Device.Box.Port.1.Status",
      value: "Down",
      type: "xsd:string",
      notification: 2,
    }],
    lightweight: [],
  });
  assert.deepEqual(await detector.poll(), { passive: [], active: [], lightweight: [] });
});

Deno.test("ValueChangeDetector.poll() with paths checks only those watched paths", async () => {
  const { detector, deviceSets } = await setup();
  await deviceSets("Device.Name", "router");
  await deviceSets("Device.Code", "B");
  const first = await detector.poll(["Device.Code", "Device.UpTime"]);
  assert.deepEqual(names(first.active), ["Device.Code=B"]);
  assert.deepEqual(first.passive, []);
  assert.deepEqual(names((await detector.poll()).passive), ["Device.Name=router"]);
});

Deno.test("ValueChangeDetector.acknowledge() keeps the ACS's own changes out of the report", async () => {
  const { detector, deviceSets } = await setup();
  await deviceSets("Device.Name", "set-by-acs");
  await detector.acknowledge(["Device.Name"], ["set-by-acs"]);
  await deviceSets("Device.Code", "acs-too");
  await detector.acknowledge(["Device.Code", "Device.UpTime"]);
  assert.deepEqual(await detector.poll(), { passive: [], active: [], lightweight: [] });
  await deviceSets("Device.Name", "device");
  assert.deepEqual(names((await detector.poll()).passive), ["Device.Name=device"]);
  await assert.rejects(detector.acknowledge(["Device.Name"], []), RangeError);
});

Deno.test("ValueChangeDetector.acknowledge() during a poll's read keeps that poll from reporting the path", async () => {
  const { model, ref, deviceSets } = fixture();
  let release: () => void = () => {};
  let hold = false;
  const detector = new ValueChangeDetector(async (refs: readonly ParameterRef[]) => {
    const gate = hold ? new Promise<void>((resolve) => release = resolve) : undefined;
    const values = await model.read(refs);
    await gate;
    return values;
  });
  await detector.watch([{ ref: await ref("Device.Name"), notification: 1 }]);
  await deviceSets("Device.Name", "device");
  hold = true;
  const polling = detector.poll();
  hold = false;
  await deviceSets("Device.Name", "acs");
  await detector.acknowledge(["Device.Name"], ["acs"]);
  release();
  assert.deepEqual(await polling, { passive: [], active: [], lightweight: [] });
  assert.deepEqual(await detector.poll(), { passive: [], active: [], lightweight: [] });

  await deviceSets("Device.Name", "device again");
  hold = true;
  const unacknowledged = detector.poll();
  hold = false;
  release();
  assert.deepEqual(names((await unacknowledged).passive), ["Device.Name=device again"]);
});

Deno.test("ValueChangeDetector.watch() gives a fresh baseline when the notification changes", async () => {
  const { detector, deviceSets, watched } = await setup();
  await deviceSets("Device.Name", "one");
  await deviceSets("Device.Code", "B");
  await detector.watch([{ ...watched[0], notification: 2 }, watched[1]]);
  const changes = await detector.poll();
  assert.deepEqual(changes.active.map((c) => c.name), ["Device.Code"]);
  assert.deepEqual(changes.passive, []);
  assert.deepEqual(detector.watched().map((w) => [w.ref.path, w.notification]), [
    ["Device.Name", 2],
    ["Device.Code", 2],
  ]);
});

Deno.test("ValueChangeDetector.watch() rebaselines the paths named in rebaseline and drops unwatched ones", async () => {
  const { detector, deviceSets, watched } = await setup();
  await deviceSets("Device.Name", "one");
  await deviceSets("Device.Code", "B");
  await detector.watch(watched.slice(0, 2), { rebaseline: ["Device.Name"] });
  await deviceSets("Device.Box.Port.1.Status", "Down");
  const changes = await detector.poll();
  assert.deepEqual(changes.passive, []);
  assert.deepEqual(changes.active.map((c) => c.name), ["Device.Code"]);
});

Deno.test("ValueChangeDetector.poll() splits lightweight notification 3-6 from the Inform's", async () => {
  const f = fixture();
  const detector = new ValueChangeDetector((refs) => f.model.read(refs));
  const paths = ["Device.Name", "Device.Code", "Device.UpTime", "Device.Box.Port.1.Status"];
  const kinds = [3, 4, 5, 6] as const;
  await detector.watch(
    await Promise.all(paths.map(async (p, i) => ({ ref: await f.ref(p), notification: kinds[i] }))),
  );
  await f.deviceSets("Device.Name", "a");
  await f.deviceSets("Device.Code", "b");
  await f.deviceSets("Device.UpTime", "7");
  await f.deviceSets("Device.Box.Port.1.Status", "Down");
  const changes = await detector.poll();
  assert.deepEqual(changes.active, []);
  assert.deepEqual(
    changes.passive.map((c) => `${c.name}=${c.value}/${c.notification}`),
    ["Device.Code=b/1", "Device.Box.Port.1.Status=Down/1"],
  );
  assert.deepEqual(changes.lightweight, [
    { name: "Device.Name", value: "a", type: "xsd:string", active: false },
    { name: "Device.Code", value: "b", type: "xsd:string", active: false },
    { name: "Device.UpTime", value: "7", type: "xsd:unsignedInt", active: true },
    { name: "Device.Box.Port.1.Status", value: "Down", type: "xsd:string", active: true },
  ]);
});
