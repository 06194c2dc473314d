import assert from "node:assert/strict";
import { type ChangedParameter, NotificationQueue } from "../../src/notify/mod.ts";

const change = (name: string, value: string, notification: 1 | 2 = 1): ChangedParameter => ({
  name,
  value,
  type: "xsd:string",
  notification,
});

Deno.test("NotificationQueue.add() keeps first-detection order and the latest value", () => {
  const queue = new NotificationQueue();
  queue.add({ passive: [change("A", "1")], active: [change("B", "1", 2)] });
  queue.add([change("A", "2"), change("C", "1")]);
  assert.equal(queue.size, 3);
  assert.deepEqual(queue.pending().map((c) => `${c.name}=${c.value}`), ["A=2", "B=1", "C=1"]);
});

Deno.test("NotificationQueue.hasActive() is true while an active change waits", () => {
  const queue = new NotificationQueue();
  queue.add([change("A", "1")]);
  assert.equal(queue.hasActive(), false);
  queue.add([change("B", "1", 2)]);
  assert.equal(queue.hasActive(), true);
  queue.delivered(queue.pending());
  assert.equal(queue.hasActive(), false);
});

Deno.test("NotificationQueue.delivered() drops what the Inform carried and keeps newer values", () => {
  const queue = new NotificationQueue();
  queue.add([change("A", "1"), change("B", "1")]);
  const sent = queue.pending();
  queue.add([change("B", "2")]);
  queue.delivered(sent);
  assert.deepEqual(queue.pending(), [change("B", "2")]);
});

Deno.test("NotificationQueue keeps everything when the session fails (no delivered call) and clear() empties it", () => {
  const queue = new NotificationQueue();
  queue.add([change("A", "1")]);
  const sent = queue.pending();
  assert.deepEqual(queue.pending(), sent);
  queue.clear();
  assert.equal(queue.size, 0);
});
