import assert from "node:assert/strict";
import { createLogger, LogThrottle } from "../../src/log/mod.ts";

Deno.test("LogThrottle.admit() logs a key once per period and counts the repeats", () => {
  const throttle = new LogThrottle({ periodMs: 60_000 });
  assert.deepEqual(throttle.admit("credentials 10.0.0.1", 0), { log: true, suppressed: 0 });
  for (let i = 1; i <= 5; i++) {
    assert.deepEqual(throttle.admit("credentials 10.0.0.1", i), { log: false });
  }
  // Another source is its own key.
  assert.deepEqual(throttle.admit("credentials 10.0.0.2", 10), { log: true, suppressed: 0 });
  assert.deepEqual(throttle.admit("credentials 10.0.0.1", 60_000), { log: true, suppressed: 5 });
  assert.deepEqual(throttle.admit("credentials 10.0.0.1", 60_001), { log: false });
});

Deno.test("LogThrottle.admit() forgets the oldest key past maxKeys", () => {
  const throttle = new LogThrottle({ periodMs: 60_000, maxKeys: 2 });
  throttle.admit("a", 0);
  throttle.admit("b", 1);
  throttle.admit("c", 2);
  // "a" was forgotten: logged again at once.
  assert.deepEqual(throttle.admit("a", 3), { log: true, suppressed: 0 });
  assert.deepEqual(throttle.admit("c", 4), { log: false });
});

Deno.test("createLogger() keeps the last lines for recent(), kept severity only", () => {
  const log = createLogger({ severity: "INFO", console: false, recentLines: 3 });
  for (let i = 1; i <= 5; i++) log.info(`line ${i}`);
  log.debug("dropped");
  const recent = log.recent();
  assert.equal(recent.length, 3);
  assert.match(recent[0], /\[INFO\] line 3$/);
  assert.match(recent[2], /\[INFO\] line 5$/);
  assert.deepEqual(log.recent(1).map((l) => l.slice(-6)), ["line 5"]);
  assert.deepEqual(log.recent(0), []);
});

Deno.test("createLogger() setSeverity() changes what is kept at run time", () => {
  const lines: string[] = [];
  const log = createLogger({ severity: "INFO", console: true, writeConsole: (l) => lines.push(l) });
  log.debug("before");
  log.setSeverity("DEBUG");
  assert.equal(log.severity, "DEBUG");
  log.debug("after");
  assert.equal(lines.length, 1);
  assert.match(lines[0], /\[DEBUG\] after\n$/);
});
