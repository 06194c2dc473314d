/**
 * `Device.DeviceInfo.` (TR-181 2.17): identity from configuration, UpTime from an
 * injected clock, ProvisioningCode writable (forcedInform, active notification forced).
 *
 * Unsupported: DeviceCategory, ModelNumber, ActiveFirmwareImage, BootFirmwareImage,
 * AdditionalHardwareVersion, AdditionalSoftwareVersion, HostName, the
 * *NumberOfEntries counters and the sub-objects bound elsewhere (MemoryStatus,
 * ProcessStatus, VendorConfigFile, VendorLogFile: their own files).
 *
 * @module
 */

import { UNKNOWN_TIME } from "../../soap/messages.ts";
import type { Binding, ParameterChange, ParameterRef, SetOutcome } from "../provider.ts";
import { nameOf } from "./_fields.ts";

/** Fixed identity of the device, from configuration (TR-181 DeviceInfo, Inform DeviceId). */
export interface DeviceIdentity {
  readonly manufacturer: string;
  /** Six upper-case hex digits. */
  readonly manufacturerOui: string;
  readonly modelName: string;
  readonly description: string;
  readonly productClass: string;
  readonly serialNumber: string;
  readonly hardwareVersion: string;
  readonly softwareVersion: string;
}

/** A value the agent keeps (and persists) for the data model. */
export interface ValueStore<T> {
  get(): T;
  set(value: T): void;
}

/** Options of {@linkcode bindDeviceInfo}. */
export interface DeviceInfoOptions {
  readonly identity: DeviceIdentity;
  /** Seconds since boot, from the injected clock. */
  uptimeSeconds(): number;
  /** FirstUseDate (TR-106 dateTime); Unknown Time when absent. */
  firstUseDate?(): string;
  /** Where ProvisioningCode lives; an in-memory store starting at "" when absent. */
  readonly provisioningCode?: ValueStore<string>;
}

/** Supported parameters of `Device.DeviceInfo.`. */
export const DEVICE_INFO_PARAMETERS: readonly string[] = [
  "Manufacturer",
  "ManufacturerOUI",
  "ModelName",
  "Description",
  "ProductClass",
  "SerialNumber",
  "HardwareVersion",
  "SoftwareVersion",
  "ProvisioningCode",
  "UpTime",
  "FirstUseDate",
];

/** Binds `Device.DeviceInfo.` to `options`. */
export function bindDeviceInfo(options: DeviceInfoOptions): Binding {
  const { identity } = options;
  let code = "";
  const store = options.provisioningCode ?? { get: () => code, set: (v: string) => (code = v) };
  const readers: Record<string, () => string> = {
    Manufacturer: () => identity.manufacturer,
    ManufacturerOUI: () => identity.manufacturerOui,
    ModelName: () => identity.modelName,
    Description: () => identity.description,
    ProductClass: () => identity.productClass,
    SerialNumber: () => identity.serialNumber,
    HardwareVersion: () => identity.hardwareVersion,
    SoftwareVersion: () => identity.softwareVersion,
    ProvisioningCode: () => store.get(),
    UpTime: () => String(Math.min(Math.max(Math.floor(options.uptimeSeconds()), 0), 0xffffffff)),
    FirstUseDate: () => options.firstUseDate?.() ?? UNKNOWN_TIME,
  };
  return {
    object: "Device.DeviceInfo.",
    parameters: DEVICE_INFO_PARAMETERS,
    provider: {
      get: (refs: readonly ParameterRef[]) => refs.map((ref) => readers[nameOf(ref)]()),
      set(changes: readonly ParameterChange[]): SetOutcome {
        // Only ProvisioningCode is writable; validation has already run.
        const before = store.get();
        for (const change of changes) {
          if (nameOf(change) !== "ProvisioningCode") {
            throw new TypeError(`Cannot set "${change.path}"`);
          }
        }
        for (const change of changes) store.set(change.value);
        return { status: 0, undo: () => store.set(before) };
      },
    },
  };
}
