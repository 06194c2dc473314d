import assert from "node:assert/strict";
import {
  type AutonomousPolicy,
  autonomousTransferOf,
  policyAllows,
} from "../../src/agent/autonomous_transfer.ts";

const ON: AutonomousPolicy = {
  enable: true,
  transferTypeFilter: "Both",
  resultTypeFilter: "Both",
  fileTypeFilter: "1 Firmware Upgrade Image, 2 Vendor Log File",
};

Deno.test("autonomousTransferOf() builds the report and refuses bad arguments", () => {
  const now = Date.UTC(2026, 11, 6, 3, 0, 0);
  const failed = autonomousTransferOf(
    ["upload", "2 Vendor Log File", "ftp://logs/x", "0", "9011", "server full"],
    now,
  );
  assert.equal(failed.isDownload, false);
  assert.deepEqual(failed.faultStruct, { faultCode: 9011, faultString: "server full" });
  assert.equal(failed.completeTime, "2026-12-06T03:00:00Z");
  assert.throws(() => autonomousTransferOf(["download", "x"], now), TypeError);
  assert.throws(() => autonomousTransferOf(["download", "x", "u", "-1"], now), /FILESIZE/);
  assert.throws(() => autonomousTransferOf(["download", "x", "u", "1", "9003"], now), /FAULTCODE/);
});

Deno.test("policyAllows() applies Enable and the type, result and FileType filters", () => {
  const ok = autonomousTransferOf(["download", "1 Firmware Upgrade Image", "http://f/fw"], 0);
  const bad = autonomousTransferOf(
    ["download", "1 Firmware Upgrade Image", "http://f/fw", "0", "9010", "x"],
    0,
  );
  assert.equal(policyAllows(ON, ok), true);
  assert.equal(policyAllows({ ...ON, enable: false }, ok), false);
  assert.equal(policyAllows({ ...ON, transferTypeFilter: "Upload" }, ok), false);
  assert.equal(policyAllows({ ...ON, resultTypeFilter: "Failure" }, ok), false);
  assert.equal(policyAllows({ ...ON, resultTypeFilter: "Failure" }, bad), true);
  assert.equal(policyAllows({ ...ON, fileTypeFilter: "2 Vendor Log File" }, ok), false);
  assert.equal(policyAllows({ ...ON, fileTypeFilter: "" }, ok), false);
});
