/**
 * `Device.DeviceInfo.MemoryStatus.` (TR-181 2.17) from `/proc/meminfo` (proc(5)).
 *
 * Supported: Total (MemTotal) and Free (MemFree, as bbfdm's sysinfo `freeram`; page
 * cache is not counted as free), both in KiB.
 *
 * Unsupported: TotalPersistent, FreePersistent (flash size depends on the board's
 * storage layout; a later issue can read `df` of the overlay).
 *
 * Read-only.
 *
 * @module
 */

import type { SystemSource } from "../../platform/system_source.ts";
import type { Binding } from "../provider.ts";
import { parseMeminfo } from "../providers/linux/proc.ts";
import { objectProvider, unsignedInt } from "./_table.ts";

/** Supported parameters of `Device.DeviceInfo.MemoryStatus.`. */
export const MEMORY_STATUS_PARAMETERS: readonly string[] = ["Total", "Free"];

/** Binds `Device.DeviceInfo.MemoryStatus.` to `/proc/meminfo` of `source`. */
export function bindMemoryStatus(source: SystemSource): Binding {
  const load = async () => parseMeminfo(await source.readText("/proc/meminfo") ?? "");
  return {
    object: "Device.DeviceInfo.MemoryStatus.",
    parameters: MEMORY_STATUS_PARAMETERS,
    provider: objectProvider(load, {
      Total: (m) => unsignedInt(m.get("MemTotal") ?? 0),
      Free: (m) => unsignedInt(m.get("MemFree") ?? 0),
    }),
  };
}
