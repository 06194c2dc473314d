/**
 * What the Inform carries besides events (TR-069 A.3.3.1): the DeviceId and the
 * ParameterList of every forced-inform parameter the data model serves (TR-181
 * `forcedInform`: RootDataModelVersion, DeviceInfo.HardwareVersion/SoftwareVersion/
 * ProvisioningCode, ManagementServer.ParameterKey/ConnectionRequestURL/
 * AliasBasedAddressing …).
 *
 * @module
 */

import type { DeviceIdentity, ParameterRef, ParameterTree, SchemaEntry } from "../datamodel/mod.ts";
import type { DeviceIdStruct } from "../soap/messages.ts";

/** The Inform's DeviceId from the device identity. */
export function deviceIdOf(identity: DeviceIdentity): DeviceIdStruct {
  return {
    manufacturer: identity.manufacturer,
    oui: identity.manufacturerOui,
    productClass: identity.productClass,
    serialNumber: identity.serialNumber,
  };
}

/** Resolves the forced-inform parameters of `entries` that `model` serves, once. */
export async function forcedInformRefs(
  model: ParameterTree,
  entries: Iterable<SchemaEntry>,
): Promise<ParameterRef[]> {
  const refs: ParameterRef[] = [];
  for (const entry of entries) {
    if (entry.kind !== "parameter" || !entry.forcedInform || entry.path.includes("{i}")) continue;
    const ref = await model.parameter(entry.path);
    if (ref) refs.push(ref);
  }
  return refs;
}
