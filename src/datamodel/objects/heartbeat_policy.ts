/**
 * `Device.ManagementServer.HeartbeatPolicy.` (TR-181 2.12+, TR-069 Annex O): Enable,
 * ReportingInterval (≥ 30 s, the schema's range) and InitiationTime, kept with the other
 * ManagementServer settings (persisted by the agent, applied to the engine at once).
 *
 * @module
 */

import type { Binding, ParameterChange, ParameterRef, SetOutcome } from "../provider.ts";
import { type FieldKind, nameOf, setFields } from "./_fields.ts";
import type { ManagementSettings, ManagementSettingsStore } from "./management_server.ts";

const FIELDS: Record<string, readonly [keyof ManagementSettings, FieldKind]> = {
  Enable: ["heartbeatEnable", "boolean"],
  ReportingInterval: ["heartbeatReportingInterval", "number"],
  InitiationTime: ["heartbeatInitiationTime", "string"],
};

/** Supported parameters of `Device.ManagementServer.HeartbeatPolicy.`. */
export const HEARTBEAT_POLICY_PARAMETERS: readonly string[] = Object.keys(FIELDS);

/** Binds `Device.ManagementServer.HeartbeatPolicy.` to `store`. */
export function bindHeartbeatPolicy(store: ManagementSettingsStore): Binding {
  return {
    object: "Device.ManagementServer.HeartbeatPolicy.",
    parameters: HEARTBEAT_POLICY_PARAMETERS,
    provider: {
      get(refs: readonly ParameterRef[]): string[] {
        const settings = store.get();
        return refs.map((ref) => String(settings[FIELDS[nameOf(ref)][0]]));
      },
      set: (changes: readonly ParameterChange[]): SetOutcome => setFields(store, FIELDS, changes),
    },
  };
}
