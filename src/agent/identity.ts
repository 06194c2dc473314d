/**
 * The device identity (DeviceInfo, Inform DeviceId): the configuration's `[device]`
 * values, with empty ones filled in from what the platform finds.
 *
 * @module
 */

import type { DeviceConfig } from "../config/mod.ts";
import type { DeviceIdentity } from "../datamodel/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { Platform } from "../platform/platform.ts";

/** Merges config and platform identity; OUI and serial number must end up non-empty. */
export async function resolveIdentity(
  device: DeviceConfig,
  platform: Platform,
  logger: Logger,
): Promise<DeviceIdentity> {
  const needsPlatform = Object.values(device).some((v) => v === "");
  const found = needsPlatform ? await platform.identity() : undefined;
  const pick = (key: keyof DeviceConfig) => device[key] || found?.[key] || "";
  let oui = pick("manufacturerOui").toUpperCase();
  if (!/^[0-9A-F]{6}$/.test(oui)) {
    logger.warning('No ManufacturerOUI configured or found; using "000000"');
    oui = "000000";
  }
  let serial = pick("serialNumber");
  if (serial === "") {
    logger.warning('No SerialNumber configured or found; using "0"');
    serial = "0";
  }
  return {
    manufacturer: pick("manufacturer") || "cwmp-agent",
    manufacturerOui: oui,
    modelName: pick("modelName"),
    description: pick("description"),
    productClass: pick("productClass"),
    serialNumber: serial,
    hardwareVersion: pick("hardwareVersion"),
    softwareVersion: pick("softwareVersion"),
  };
}
