/**
 * `Device.ManagementServer.` (TR-181 2.17): bound to the agent's
 * {@linkcode ManagementSettings}. Reads come from `store.get()`; a set calls
 * `store.set()` once with every change of the batch (ParameterKey included), so the
 * agent can persist and react (new URL → BOOTSTRAP, new periodic settings →
 * reschedule). Password and ConnectionRequestPassword read as "" (TR-181 `hidden`;
 * the tree enforces it).
 *
 * UDPConnectionRequestAddress and NATDetected are derived from the STUN binding
 * (`services/stun/client.ts`); STUNPassword reads as "" (hidden).
 *
 * Lightweight notifications (TR-069 Annex M): LightweightNotificationProtocolsSupported
 * reads "UDP"; ProtocolsUsed (empty = off) takes only that; TriggerInterval/TriggerTime
 * and UDPLightweightNotificationHost/Port are plain settings the sender reads
 * (`agent/lwn.ts`).
 *
 * ConnReqXMPPConnection, ConnReqAllowedJabberIDs and ConnReqJabberID are bound with
 * `Device.XMPP.` (`objects/xmpp.ts`).
 *
 * Unsupported: ScheduleReboot, DelayReboot, KickURL, DownloadProgressURL,
 * ManageableDevice, HTTP compression, InstanceWildcardsSupported and
 * every sub-object.
 *
 * @module
 */

import type {
  Binding,
  ChangeObjection,
  ParameterChange,
  ParameterRef,
  SetOutcome,
} from "../provider.ts";
import { type FieldKind, nameOf, setFields } from "./_fields.ts";

/** The agent's ACS settings, as ManagementServer exposes them. */
export interface ManagementSettings {
  enableCwmp: boolean;
  url: string;
  username: string;
  password: string;
  periodicInformEnable: boolean;
  /** Seconds, ≥ 1. */
  periodicInformInterval: number;
  /** TR-106 dateTime; Unknown Time = no phase reference. */
  periodicInformTime: string;
  /** Changed only by successful SPV/AddObject/DeleteObject. */
  parameterKey: string;
  connectionRequestUrl: string;
  connectionRequestUsername: string;
  connectionRequestPassword: string;
  upgradesManaged: boolean;
  /** Seconds. */
  defaultActiveNotificationThrottle: number;
  /** Seconds, 1–65535 (TR-069 §3.2.1.1). */
  cwmpRetryMinimumWaitInterval: number;
  /** Thousandths, 1000–65535. */
  cwmpRetryIntervalMultiplier: number;
  httpConnectionRequestEnable: boolean;
  instanceMode: "InstanceNumber" | "InstanceAlias";
  /** AutoCreateInstances (TR-069 §3.6.1): SPV creates missing `[alias]` rows. */
  autoCreateInstances: boolean;
  /** STUN for UDP connection requests (TR-069 Annex G, TR-111 Part 2). */
  stunEnable: boolean;
  /** Empty: the ACS URL's host. */
  stunServerAddress: string;
  stunServerPort: number;
  stunUsername: string;
  stunPassword: string;
  /** Seconds; −1 = none. */
  stunMaximumKeepAlivePeriod: number;
  /** Seconds. */
  stunMinimumKeepAlivePeriod: number;
  /** Seconds. */
  udpConnectionRequestAddressNotificationLimit: number;
  /** HeartbeatPolicy.Enable (TR-069 Annex O). */
  heartbeatEnable: boolean;
  /** HeartbeatPolicy.ReportingInterval, seconds (≥ 30). */
  heartbeatReportingInterval: number;
  /** HeartbeatPolicy.InitiationTime (TR-106 dateTime; Unknown Time = a random phase). */
  heartbeatInitiationTime: string;
  /** Derived from the STUN binding: `host:port` ("" while UDP connection requests are off). */
  udpConnectionRequestAddress: string;
  /** Derived: the STUN binding differs from the local address. */
  natDetected: boolean;
  /** Comma-separated list: "" (lightweight notifications off) or "UDP" (TR-069 Annex M). */
  lightweightNotificationProtocolsUsed: string;
  /** Seconds; 0 = passive lightweight notifications wait for an active one. */
  lightweightNotificationTriggerInterval: number;
  /** TR-106 dateTime: the phase of the trigger interval; Unknown Time = none. */
  lightweightNotificationTriggerTime: string;
  /** Empty: the ACS URL's host. */
  udpLightweightNotificationHost: string;
  udpLightweightNotificationPort: number;
}

/** LightweightNotificationProtocolsSupported: the protocols this agent can send. */
export const LIGHTWEIGHT_NOTIFICATION_PROTOCOLS: readonly string[] = ["UDP"];

/** How the data model reads and changes the agent's settings. */
export interface ManagementSettingsStore {
  get(): ManagementSettings;
  /** Applies (and persists) `changes`; throws to refuse them, leaving settings unchanged. */
  set(changes: Partial<ManagementSettings>): void;
}

/** Options of {@linkcode bindManagementServer}. */
export interface ManagementServerOptions {
  readonly store: ManagementSettingsStore;
  /** SupportedConnReqMethods; default `["HTTP", "STUN"]` (TR-069 Annex G). */
  readonly supportedConnReqMethods?: readonly string[];
  /** AliasBasedAddressing (TR-069 §3.6.1); default false. */
  readonly aliasBasedAddressing?: boolean;
}

const FIELDS: Record<string, readonly [keyof ManagementSettings, FieldKind]> = {
  EnableCWMP: ["enableCwmp", "boolean"],
  URL: ["url", "string"],
  Username: ["username", "string"],
  Password: ["password", "string"],
  PeriodicInformEnable: ["periodicInformEnable", "boolean"],
  PeriodicInformInterval: ["periodicInformInterval", "number"],
  PeriodicInformTime: ["periodicInformTime", "string"],
  ParameterKey: ["parameterKey", "string"],
  ConnectionRequestURL: ["connectionRequestUrl", "string"],
  ConnectionRequestUsername: ["connectionRequestUsername", "string"],
  ConnectionRequestPassword: ["connectionRequestPassword", "string"],
  UpgradesManaged: ["upgradesManaged", "boolean"],
  DefaultActiveNotificationThrottle: ["defaultActiveNotificationThrottle", "number"],
  CWMPRetryMinimumWaitInterval: ["cwmpRetryMinimumWaitInterval", "number"],
  CWMPRetryIntervalMultiplier: ["cwmpRetryIntervalMultiplier", "number"],
  HTTPConnectionRequestEnable: ["httpConnectionRequestEnable", "boolean"],
  InstanceMode: ["instanceMode", "string"],
  AutoCreateInstances: ["autoCreateInstances", "boolean"],
  STUNEnable: ["stunEnable", "boolean"],
  STUNServerAddress: ["stunServerAddress", "string"],
  STUNServerPort: ["stunServerPort", "number"],
  STUNUsername: ["stunUsername", "string"],
  STUNPassword: ["stunPassword", "string"],
  STUNMaximumKeepAlivePeriod: ["stunMaximumKeepAlivePeriod", "number"],
  STUNMinimumKeepAlivePeriod: ["stunMinimumKeepAlivePeriod", "number"],
  UDPConnectionRequestAddressNotificationLimit: [
    "udpConnectionRequestAddressNotificationLimit",
    "number",
  ],
  UDPConnectionRequestAddress: ["udpConnectionRequestAddress", "string"],
  NATDetected: ["natDetected", "boolean"],
  LightweightNotificationProtocolsUsed: ["lightweightNotificationProtocolsUsed", "string"],
  LightweightNotificationTriggerInterval: ["lightweightNotificationTriggerInterval", "number"],
  LightweightNotificationTriggerTime: ["lightweightNotificationTriggerTime", "string"],
  UDPLightweightNotificationHost: ["udpLightweightNotificationHost", "string"],
  UDPLightweightNotificationPort: ["udpLightweightNotificationPort", "number"],
};

/** Supported parameters of `Device.ManagementServer.`. */
export const MANAGEMENT_SERVER_PARAMETERS: readonly string[] = [
  ...Object.keys(FIELDS),
  "SupportedConnReqMethods",
  "AliasBasedAddressing",
  "LightweightNotificationProtocolsSupported",
];

/** Binds `Device.ManagementServer.` to `options.store`. */
export function bindManagementServer(options: ManagementServerOptions): Binding {
  const { store } = options;
  const methods = (options.supportedConnReqMethods ?? ["HTTP", "STUN"]).join(",");
  const alias = String(options.aliasBasedAddressing ?? false);
  return {
    object: "Device.ManagementServer.",
    parameters: MANAGEMENT_SERVER_PARAMETERS,
    provider: {
      get(refs: readonly ParameterRef[]): string[] {
        const settings = store.get();
        return refs.map((ref) => {
          const name = nameOf(ref);
          if (name === "SupportedConnReqMethods") return methods;
          if (name === "AliasBasedAddressing") return alias;
          if (name === "LightweightNotificationProtocolsSupported") {
            return LIGHTWEIGHT_NOTIFICATION_PROTOCOLS.join(",");
          }
          return String(settings[FIELDS[name][0]]);
        });
      },
      check(changes: readonly ParameterChange[]): ChangeObjection[] {
        const objections = changes
          .filter((c) => nameOf(c) === "URL" && !isHttpUrl(c.value))
          .map((c) => ({ path: c.path, message: `URL must be HTTP or HTTPS: "${c.value}"` }));
        // enumerationRef to LightweightNotificationProtocolsSupported (the tree checks
        // only the list syntax).
        for (const c of changes) {
          if (nameOf(c) !== "LightweightNotificationProtocolsUsed") continue;
          const unknown = c.value.split(",").map((item) => item.trim())
            .find((item) => item !== "" && !LIGHTWEIGHT_NOTIFICATION_PROTOCOLS.includes(item));
          if (unknown !== undefined) {
            objections.push({
              path: c.path,
              message: `Lightweight notification protocol is not supported: "${unknown}"`,
            });
          }
        }
        // TR-111: the maximum keep-alive period is -1 (none) or not below the minimum.
        const value = (name: string, key: keyof ManagementSettings) => {
          const change = changes.find((c) => nameOf(c) === name);
          return change === undefined ? store.get()[key] as number : Number(change.value);
        };
        const max = value("STUNMaximumKeepAlivePeriod", "stunMaximumKeepAlivePeriod");
        const min = value("STUNMinimumKeepAlivePeriod", "stunMinimumKeepAlivePeriod");
        if (max >= 0 && max < min) {
          for (const c of changes) {
            const name = nameOf(c);
            if (name !== "STUNMaximumKeepAlivePeriod" && name !== "STUNMinimumKeepAlivePeriod") {
              continue;
            }
            objections.push({
              path: c.path,
              message:
                `STUNMaximumKeepAlivePeriod ${max} is below STUNMinimumKeepAlivePeriod ${min}`,
            });
          }
        }
        return objections;
      },
      set: (changes: readonly ParameterChange[]): SetOutcome => setFields(store, FIELDS, changes),
    },
  };
}

function isHttpUrl(text: string): boolean {
  if (!/^https?:\/\//i.test(text)) return false;
  try {
    return new URL(text).hostname !== "";
  } catch {
    return false;
  }
}
