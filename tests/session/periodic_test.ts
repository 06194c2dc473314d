import assert from "node:assert/strict";
import { nextPeriodicInform } from "../../src/session/periodic.ts";

const t = Date.parse;

Deno.test("nextPeriodicInform() aligns a daily interval to the next midnight", () => {
  const ref = t("2020-03-01T00:00:00Z");
  assert.equal(
    nextPeriodicInform(t("2026-01-05T13:27:00Z"), 86400, ref),
    t("2026-01-06T00:00:00Z"),
  );
});

Deno.test("nextPeriodicInform() uses a reference in the future for its phase only", () => {
  const ref = t("2031-07-04T00:00:00Z");
  assert.equal(
    nextPeriodicInform(t("2026-01-05T13:27:00Z"), 86400, ref),
    t("2026-01-06T00:00:00Z"),
  );
});

Deno.test("nextPeriodicInform() returns a time strictly after now", () => {
  const now = t("2026-01-06T00:00:00Z");
  assert.equal(nextPeriodicInform(now, 86400, t("2000-01-01T00:00:00Z")), now + 86400_000);
});

Deno.test("nextPeriodicInform() keeps an odd phase", () => {
  const ref = t("2026-01-01T00:00:30Z");
  assert.equal(
    nextPeriodicInform(t("2026-01-01T01:00:00Z"), 3600, ref),
    t("2026-01-01T01:00:30Z"),
  );
});

Deno.test("nextPeriodicInform() rejects an interval below 1 s", () => {
  assert.throws(() => nextPeriodicInform(0, 0, 0), {
    name: "RangeError",
    message: 'Cannot schedule periodic Inform: interval "0" is below 1 s',
  });
});
