import assert from "node:assert/strict";
import { cwmpVersionForAmendment, defaultConfig } from "../../src/config/mod.ts";

Deno.test("cwmpVersionForAmendment() maps amendments to CWMP versions", () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6].map(cwmpVersionForAmendment), [
    "1.0",
    "1.1",
    "1.2",
    "1.3",
    "1.4",
    "1.4",
  ]);
  assert.throws(() => cwmpVersionForAmendment(7), RangeError);
});

Deno.test("defaultConfig() follows icwmp's defaults", () => {
  const cfg = defaultConfig();
  assert.equal(cfg.acs.retryMinWaitInterval, 5);
  assert.equal(cfg.acs.retryIntervalMultiplier, 2000);
  assert.equal(cfg.acs.insecure, false);
  assert.equal(cfg.cpe.amdVersion, 5);
  assert.equal(cfg.cpe.sessionTimeout, 60);
  assert.equal(cfg.log.severity, "INFO");
  assert.equal(cfg.log.maxSize, 102400);
  assert.equal(cfg.connectionRequest.port, 7547);
});

Deno.test("defaultConfig() returns a fresh object each time", () => {
  assert.notEqual(defaultConfig().acs, defaultConfig().acs);
});
