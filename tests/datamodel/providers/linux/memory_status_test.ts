import assert from "node:assert/strict";
import { bindMemoryStatus } from "../../../../src/datamodel/objects/memory_status.ts";
import { readBindings } from "../../../_helpers/provider_contract.ts";
import { fixture } from "./_fixture.ts";

Deno.test("bindMemoryStatus() reads MemTotal and MemFree in KiB", async () => {
  assert.deepEqual(await readBindings([bindMemoryStatus(fixture("host"))]), {
    "Device.DeviceInfo.MemoryStatus.Total": "24684096",
    "Device.DeviceInfo.MemoryStatus.Free": "24042064",
  });
  assert.deepEqual(await readBindings([bindMemoryStatus(fixture("router"))]), {
    "Device.DeviceInfo.MemoryStatus.Total": "247552",
    "Device.DeviceInfo.MemoryStatus.Free": "88120",
  });
});

Deno.test("bindMemoryStatus() reads 0 when /proc/meminfo is unreadable", async () => {
  const source = fixture("host");
  source.remove("/proc/meminfo");
  const values = await readBindings([bindMemoryStatus(source)]);
  assert.equal(values["Device.DeviceInfo.MemoryStatus.Total"], "0");
});
