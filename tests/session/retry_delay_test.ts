import assert from "node:assert/strict";
import { retryDelay, retryDelayRange } from "../../src/session/retry_delay.ts";

const DEFAULTS = { minWaitSeconds: 5, multiplierPermille: 2000 };
// TR-069 §3.2.1.1 default table (CWMP-FACTS §3), retries 1..12; ≥10 stays at 2560–5120.
const TABLE: [number, number][] = [
  [5, 10],
  [10, 20],
  [20, 40],
  [40, 80],
  [80, 160],
  [160, 320],
  [320, 640],
  [640, 1280],
  [1280, 2560],
  [2560, 5120],
  [2560, 5120],
  [2560, 5120],
];

Deno.test("retryDelay() waits the low bound with random 0 for attempts 1..12", () => {
  TABLE.forEach(([low], i) => assert.equal(retryDelay(i + 1, DEFAULTS, () => 0), low));
});

Deno.test("retryDelay() waits the high bound with random 1 for attempts 1..12", () => {
  TABLE.forEach(([, high], i) => assert.equal(retryDelay(i + 1, DEFAULTS, () => 1), high));
});

Deno.test("retryDelay() caps the exponent after the 10th attempt", () => {
  assert.deepEqual(retryDelayRange(10, DEFAULTS), retryDelayRange(50, DEFAULTS));
});

Deno.test("retryDelay() scales with other m and k", () => {
  const opts = { minWaitSeconds: 10, multiplierPermille: 3000 };
  assert.deepEqual(retryDelayRange(1, opts), [10, 30]);
  assert.deepEqual(retryDelayRange(3, opts), [90, 270]);
  assert.equal(retryDelay(2, opts, () => 0.5), 60);
});

Deno.test("retryDelay() rejects attempt 0 with a RangeError", () => {
  assert.throws(() => retryDelay(0, DEFAULTS, () => 0), {
    name: "RangeError",
    message: 'Cannot compute retry delay: attempt "0" is not an integer ≥ 1',
  });
});
