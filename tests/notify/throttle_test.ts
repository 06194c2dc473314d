import assert from "node:assert/strict";
import { activeNotificationAt, nextActiveAllowedAt } from "../../src/notify/mod.ts";

Deno.test("nextActiveAllowedAt() adds the throttle to the end of the last successful session", () => {
  assert.equal(nextActiveAllowedAt(10_000, 30), 40_000);
  assert.equal(nextActiveAllowedAt(10_000, 0), 10_000);
  assert.equal(nextActiveAllowedAt(undefined, 30), -Infinity);
});

Deno.test("activeNotificationAt() waits for the throttle, or not at all once it has passed", () => {
  assert.equal(activeNotificationAt(20_000, 10_000, 30), 40_000);
  assert.equal(activeNotificationAt(50_000, 10_000, 30), 50_000);
  assert.equal(activeNotificationAt(5, undefined, 30), 5);
});
