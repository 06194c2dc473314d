/**
 * `Device.DeviceInfo.VendorConfigFile.{i}.` and `.VendorLogFile.{i}.` (TR-181 2.17): the
 * files an Upload of `3 Vendor Configuration File <i>` or `4 Vendor Log File <i>` sends
 * (TR-069 A.4.1.5), one row per file the device can produce, fixed for the agent's run.
 *
 * Supported: Name, Version, Date, Description, UseForBackupRestore (VendorConfigFile);
 * Name, MaximumSize, Persistent (VendorLogFile). The *NumberOfEntries counters are derived
 * by the tree.
 *
 * Unsupported: Alias (the rows are fixed; aliases are not persisted for them).
 *
 * Read-only.
 *
 * @module
 */

import { UNKNOWN_TIME } from "../date_time.ts";
import type { Binding } from "../provider.ts";
import { tableProvider } from "./_table.ts";

/** A configuration file the device can back up (a VendorConfigFile row). */
export interface VendorConfigFileRow {
  readonly instance: number;
  readonly name: string;
  readonly description: string;
}

/** A log file the device can upload (a VendorLogFile row). */
export interface VendorLogFileRow {
  readonly instance: number;
  readonly name: string;
  /** Bytes the file may grow to; 0 = not bounded by the agent. */
  readonly maximumSize: number;
  /** It survives a reboot. */
  readonly persistent: boolean;
}

/** Supported parameters of `Device.DeviceInfo.VendorConfigFile.{i}.`. */
export const VENDOR_CONFIG_FILE_PARAMETERS: readonly string[] = [
  "Name",
  "Version",
  "Date",
  "Description",
  "UseForBackupRestore",
];

/** Supported parameters of `Device.DeviceInfo.VendorLogFile.{i}.`. */
export const VENDOR_LOG_FILE_PARAMETERS: readonly string[] = [
  "Name",
  "MaximumSize",
  "Persistent",
];

function rowsOf<R extends { instance: number }>(rows: readonly R[]) {
  const map = new Map(rows.map((row) => [row.instance, row]));
  return () => Promise.resolve(map);
}

/** Binds both tables under `root` (`Device.`) to fixed rows. */
export function bindVendorFiles(
  configFiles: readonly VendorConfigFileRow[],
  logFiles: readonly VendorLogFileRow[],
  root = "Device.",
): Binding[] {
  return [
    {
      object: `${root}DeviceInfo.VendorConfigFile.{i}.`,
      parameters: VENDOR_CONFIG_FILE_PARAMETERS,
      provider: tableProvider<VendorConfigFileRow>({
        rows: rowsOf(configFiles),
        readers: {
          Name: (row) => row.name,
          Version: () => "",
          // When the current content was first applied: not tracked (TR-181 allows Unknown).
          Date: () => UNKNOWN_TIME,
          Description: (row) => row.description,
          UseForBackupRestore: () => "true",
        },
      }),
    },
    {
      object: `${root}DeviceInfo.VendorLogFile.{i}.`,
      parameters: VENDOR_LOG_FILE_PARAMETERS,
      provider: tableProvider<VendorLogFileRow>({
        rows: rowsOf(logFiles),
        readers: {
          Name: (row) => row.name,
          MaximumSize: (row) => String(row.maximumSize),
          Persistent: (row) => String(row.persistent),
        },
      }),
    },
  ];
}
