import assert from "node:assert/strict";
import { rateLimit } from "../../src/transport/rate_limit.ts";

Deno.test("rateLimit() allows a burst of limit events then refuses", () => {
  const limiter = rateLimit({ limit: 3, periodMs: 60_000 });
  assert.deepEqual([0, 1, 2, 3].map((t) => limiter.tryAcquire(t)), [true, true, true, false]);
});

Deno.test("rateLimit() refills continuously over the period", () => {
  const limiter = rateLimit({ limit: 2, periodMs: 60_000 });
  limiter.tryAcquire(0);
  limiter.tryAcquire(0);
  assert.equal(limiter.tryAcquire(29_999), false);
  assert.equal(limiter.tryAcquire(30_000), true); // half a period = one token
  assert.equal(limiter.tryAcquire(30_001), false);
  assert.equal(limiter.tryAcquire(10_000_000), true);
  assert.equal(limiter.tryAcquire(10_000_000), true);
  assert.equal(limiter.tryAcquire(10_000_000), false); // capped at limit
});

Deno.test("rateLimit() ignores a clock that goes backwards", () => {
  const limiter = rateLimit({ limit: 1, periodMs: 1000 });
  assert.equal(limiter.tryAcquire(5000), true);
  assert.equal(limiter.tryAcquire(0), false);
  assert.equal(limiter.tryAcquire(5999), false);
  assert.equal(limiter.tryAcquire(6000), true);
});

Deno.test("rateLimit() rejects a limit below 1 or a non-positive period", () => {
  assert.throws(
    () => rateLimit({ limit: 0, periodMs: 1 }),
    new RangeError(
      'Rate limit must be at least 1, got "0"',
    ),
  );
  assert.throws(
    () => rateLimit({ limit: 1, periodMs: 0 }),
    new RangeError(
      'Rate limit period must be positive, got "0"',
    ),
  );
});
