/**
 * `Device.ManagementServer.` (TR-181 2.17): bound to the agent's
 * {@linkcode ManagementSettings}. Reads come from `store.get()`; a set calls
 * `store.set()` once with every change of the batch (ParameterKey included), so the
 * agent can persist and react (new URL → BOOTSTRAP, new periodic settings →
 * reschedule). Password and ConnectionRequestPassword read as "" (TR-181 `hidden`;
 * the tree enforces it).
 *
 * Unsupported: ScheduleReboot, DelayReboot, KickURL, DownloadProgressURL, UDP
 * connection requests and STUN, ManageableDevice, XMPP, HTTP compression,
 * lightweight notifications, InstanceWildcardsSupported and
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
import { type FieldKind, fromText, nameOf } from "./_fields.ts";

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
}

/** How the data model reads and changes the agent's settings. */
export interface ManagementSettingsStore {
  get(): ManagementSettings;
  /** Applies (and persists) `changes`; throws to refuse them, leaving settings unchanged. */
  set(changes: Partial<ManagementSettings>): void;
}

/** Options of {@linkcode bindManagementServer}. */
export interface ManagementServerOptions {
  readonly store: ManagementSettingsStore;
  /** SupportedConnReqMethods; default `["HTTP"]`. */
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
};

/** Supported parameters of `Device.ManagementServer.`. */
export const MANAGEMENT_SERVER_PARAMETERS: readonly string[] = [
  ...Object.keys(FIELDS),
  "SupportedConnReqMethods",
  "AliasBasedAddressing",
];

/** Binds `Device.ManagementServer.` to `options.store`. */
export function bindManagementServer(options: ManagementServerOptions): Binding {
  const { store } = options;
  const methods = (options.supportedConnReqMethods ?? ["HTTP"]).join(",");
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
          return String(settings[FIELDS[name][0]]);
        });
      },
      check(changes: readonly ParameterChange[]): ChangeObjection[] {
        return changes
          .filter((c) => nameOf(c) === "URL" && !isHttpUrl(c.value))
          .map((c) => ({ path: c.path, message: `URL must be HTTP or HTTPS: "${c.value}"` }));
      },
      set(changes: readonly ParameterChange[]): SetOutcome {
        const patch: Record<string, unknown> = {};
        const current = store.get();
        const before: Record<string, unknown> = {};
        for (const change of changes) {
          const [key, kind] = FIELDS[nameOf(change)];
          patch[key] = fromText(kind, change.value);
          before[key] = current[key];
        }
        store.set(patch as Partial<ManagementSettings>);
        return { status: 0, undo: () => store.set(before as Partial<ManagementSettings>) };
      },
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
