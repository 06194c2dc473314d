/**
 * Which value counts when the config file and the ACS disagree about a ManagementServer
 * setting (PeriodicInformInterval, ConnectionRequestPassword …), and where each effective
 * value came from.
 *
 * The rule: a config value that changed since the last start wins over the older value the
 * ACS set; an unchanged config value lets the ACS's value stand. "Changed" is judged against
 * `<state_dir>/config_sources.json`, which keeps a SHA-256 fingerprint of each config value
 * as last loaded (never the value itself), one of all of them together (`configSha256`), and
 * when the ACS last set each parameter.
 *
 * The combined fingerprint is there for the start-up: while it matches (the usual case: the
 * config file was not edited), one hash tells that no value changed and none is hashed on
 * its own. Each hash is costly on a cold start (pure JS, every function compiled on first
 * use: about 0.1 ms a value, 29 values); {@linkcode prefetchFingerprints} hashes the same
 * texts with WebCrypto (native) where the caller can wait for a promise. A file written
 * before `configSha256` existed is read as before (each value hashed) and gains it.
 *
 * {@linkcode reconcileSettings} is pure: it takes the state and the time and returns the
 * new state and the log lines.
 *
 * @module
 */

import { hex, sha256Hex } from "../transport/hash.ts";
import { maskUrl } from "../log/mod.ts";
import type { StoredSettings } from "./settings_store.ts";

/** Where an effective setting comes from. */
export type SettingSource = "config" | "acs" | "dhcp";

/** One row of {@linkcode SettingsStore.sources}, as `status` shows it. */
export interface SettingSourceRow {
  /** Parameter path, e.g. `Device.ManagementServer.PeriodicInformInterval`. */
  readonly parameter: string;
  /** The TOML key that sets it, e.g. `acs.periodic_inform_interval`. */
  readonly key: string;
  readonly source: SettingSource;
  /**
   * xsd:dateTime: when the ACS set it (source `acs`), when DHCP supplied it (`dhcp`), or
   * when the config file's value was first loaded (source `config`);
   * `0001-01-01T00:00:00Z` when unknown.
   */
  readonly since: string;
}

interface BackedSetting {
  /** Path below the data model root. */
  readonly parameter: string;
  /** TOML key. */
  readonly key: string;
  /** A secret: its value is never logged. */
  readonly secret?: boolean;
  /** A URL: logged with any password in it masked. */
  readonly url?: boolean;
}

/** The settings that come from the config file and that the ACS may change too. */
export const CONFIG_BACKED: Readonly<Partial<Record<keyof StoredSettings, BackedSetting>>> = {
  url: { parameter: "ManagementServer.URL", key: "acs.url", url: true },
  username: { parameter: "ManagementServer.Username", key: "acs.username" },
  password: { parameter: "ManagementServer.Password", key: "acs.password", secret: true },
  periodicInformEnable: {
    parameter: "ManagementServer.PeriodicInformEnable",
    key: "acs.periodic_inform_enable",
  },
  periodicInformInterval: {
    parameter: "ManagementServer.PeriodicInformInterval",
    key: "acs.periodic_inform_interval",
  },
  periodicInformTime: {
    parameter: "ManagementServer.PeriodicInformTime",
    key: "acs.periodic_inform_time",
  },
  parameterKey: { parameter: "ManagementServer.ParameterKey", key: "acs.parameter_key" },
  connectionRequestUsername: {
    parameter: "ManagementServer.ConnectionRequestUsername",
    key: "connection_request.username",
  },
  connectionRequestPassword: {
    parameter: "ManagementServer.ConnectionRequestPassword",
    key: "connection_request.password",
    secret: true,
  },
  cwmpRetryMinimumWaitInterval: {
    parameter: "ManagementServer.CWMPRetryMinimumWaitInterval",
    key: "acs.retry_min_wait_interval",
  },
  cwmpRetryIntervalMultiplier: {
    parameter: "ManagementServer.CWMPRetryIntervalMultiplier",
    key: "acs.retry_interval_multiplier",
  },
  instanceMode: { parameter: "ManagementServer.InstanceMode", key: "cpe.instance_mode" },
  provisioningCode: { parameter: "DeviceInfo.ProvisioningCode", key: "cpe.provisioning_code" },
  heartbeatEnable: {
    parameter: "ManagementServer.HeartbeatPolicy.Enable",
    key: "acs.heartbeat_enable",
  },
  heartbeatReportingInterval: {
    parameter: "ManagementServer.HeartbeatPolicy.ReportingInterval",
    key: "acs.heartbeat_interval",
  },
  heartbeatInitiationTime: {
    parameter: "ManagementServer.HeartbeatPolicy.InitiationTime",
    key: "acs.heartbeat_initiation_time",
  },
  stunEnable: { parameter: "ManagementServer.STUNEnable", key: "stun.enable" },
  stunServerAddress: {
    parameter: "ManagementServer.STUNServerAddress",
    key: "stun.server_address",
  },
  stunServerPort: { parameter: "ManagementServer.STUNServerPort", key: "stun.server_port" },
  stunUsername: { parameter: "ManagementServer.STUNUsername", key: "stun.username" },
  stunPassword: {
    parameter: "ManagementServer.STUNPassword",
    key: "stun.password",
    secret: true,
  },
  stunMaximumKeepAlivePeriod: {
    parameter: "ManagementServer.STUNMaximumKeepAlivePeriod",
    key: "stun.maximum_keepalive_period",
  },
  stunMinimumKeepAlivePeriod: {
    parameter: "ManagementServer.STUNMinimumKeepAlivePeriod",
    key: "stun.minimum_keepalive_period",
  },
  udpConnectionRequestAddressNotificationLimit: {
    parameter: "ManagementServer.UDPConnectionRequestAddressNotificationLimit",
    key: "stun.notification_limit",
  },
  lightweightNotificationProtocolsUsed: {
    parameter: "ManagementServer.LightweightNotificationProtocolsUsed",
    key: "lwn.enable",
  },
  lightweightNotificationTriggerInterval: {
    parameter: "ManagementServer.LightweightNotificationTriggerInterval",
    key: "lwn.trigger_interval",
  },
  lightweightNotificationTriggerTime: {
    parameter: "ManagementServer.LightweightNotificationTriggerTime",
    key: "lwn.trigger_time",
  },
  udpLightweightNotificationHost: {
    parameter: "ManagementServer.UDPLightweightNotificationHost",
    key: "lwn.hostname",
  },
  udpLightweightNotificationPort: {
    parameter: "ManagementServer.UDPLightweightNotificationPort",
    key: "lwn.port",
  },
};

/** Unknown Time (TR-181), for a `since` nobody recorded. */
const UNKNOWN_SINCE = "0001-01-01T00:00:00Z";

/** What `config_sources.json` holds. */
export interface SourcesState {
  /** Setting → fingerprint of the config value as last loaded, and since when it is that. */
  config: Record<string, { sha256: string; since: string }>;
  /** Setting → when the ACS last set it. */
  acs: Record<string, string>;
  /**
   * SHA-256 of {@linkcode configText} of the config values as last loaded, recorded with
   * the fingerprints in `config`; absent in files written before it existed.
   */
  configSha256?: string;
}

/** An empty state: nothing loaded yet. */
export function emptySources(): SourcesState {
  return { config: {}, acs: {} };
}

/** Reads `config_sources.json` text; throws TypeError on a wrong shape. */
export function parseSources(text: string): SourcesState {
  const value = JSON.parse(text);
  const isRecord = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isRecord(value) || !isRecord(value.config) || !isRecord(value.acs)) {
    throw new TypeError('Cannot read config sources: expected "config" and "acs" tables');
  }
  const state = emptySources();
  for (const [key, entry] of Object.entries(value.config)) {
    if (isRecord(entry) && typeof entry.sha256 === "string" && typeof entry.since === "string") {
      state.config[key] = { sha256: entry.sha256, since: entry.since };
    }
  }
  for (const [key, since] of Object.entries(value.acs)) {
    if (typeof since === "string") state.acs[key] = since;
  }
  // Not checked further: anything else only fails to match, so each value is hashed.
  if (typeof value.configSha256 === "string") state.configSha256 = value.configSha256;
  return state;
}

/** `config_sources.json` text of `state` (older readers ignore `configSha256`). */
export function serializeSources(state: SourcesState): string {
  const { config, acs, configSha256 } = state;
  return JSON.stringify({ version: 1, config, acs, configSha256 }, null, 2) + "\n";
}

/** SHA-256 of a setting's value: enough to tell a change, without keeping the value. */
export function fingerprintOf(value: unknown): string {
  return sha256Hex(JSON.stringify(value));
}

/**
 * The text the combined fingerprint (`configSha256`) hashes: the config-backed settings of
 * `factory`, by name, as JSON. The names are in it, so a release that adds, drops or
 * reorders settings never mistakes other values for unchanged ones.
 */
export function configText(factory: Partial<StoredSettings>): string {
  const values: Record<string, unknown> = {};
  for (const name of Object.keys(CONFIG_BACKED)) {
    if (name in factory) values[name] = factory[name as keyof StoredSettings];
  }
  return JSON.stringify(values);
}

/**
 * The SHA-256 of each text {@linkcode reconcileSettings} will hash for `factory` against
 * `sources`, computed with WebCrypto (native; the same digests as `sha256Hex`): the
 * combined fingerprint when one is recorded, and when it does not match (or none is), each
 * value's too. Pass `(text) => map.get(text) ?? sha256Hex(text)` as its `hash`.
 *
 * @example
 * ```ts
 * import { configText, emptySources, prefetchFingerprints } from "./settings_sources.ts";
 * const known = await prefetchFingerprints({ periodicInformInterval: 300 }, emptySources());
 * console.assert(known.has("300") && known.has(configText({ periodicInformInterval: 300 })));
 * ```
 */
export async function prefetchFingerprints(
  factory: Partial<StoredSettings>,
  sources: SourcesState,
): Promise<Map<string, string>> {
  const known = new Map<string, string>();
  const digest = async (text: string) => {
    const bytes = await crypto.subtle.digest("SHA-256", encoder.encode(text));
    known.set(text, hex(new Uint8Array(bytes)));
  };
  const all = configText(factory);
  if (sources.configSha256 !== undefined) {
    await digest(all);
    if (known.get(all) === sources.configSha256) return known;
  }
  const texts = new Set([all]);
  for (const name of Object.keys(CONFIG_BACKED)) {
    if (name in factory) texts.add(JSON.stringify(factory[name as keyof StoredSettings]));
  }
  await Promise.all([...texts].filter((text) => !known.has(text)).map(digest));
  return known;
}

const encoder = new TextEncoder();

/** Options of {@linkcode reconcileSettings}. */
export interface ReconcileOptions {
  /** What `config_sources.json` holds. */
  sources: SourcesState;
  /** Now, in ms since the epoch (for `since`). */
  now: number;
  /** Data model root for the log lines, e.g. `Device.`; default none. */
  root?: string;
  /**
   * SHA-256 (lower-case hex) of a text; default `sha256Hex`. Lets the caller answer from
   * {@linkcode prefetchFingerprints} or from what it hashed before.
   */
  hash?: (text: string) => string;
}

/** What {@linkcode reconcileSettings} decided. */
export interface Reconciled {
  overlay: Partial<StoredSettings>;
  sources: SourcesState;
  /** One line per setting where the config and the ACS disagree (no secret values). */
  lines: string[];
  /** True when the overlay lost a value (it must be written). */
  overlayChanged: boolean;
  /** True when the sources state changed (it must be written). */
  sourcesChanged: boolean;
}

function shown(setting: BackedSetting, value: unknown): string {
  if (setting.secret === true) return "";
  return ` (${JSON.stringify(setting.url === true ? maskUrl(String(value)) : value)})`;
}

/**
 * Applies the rule to the config values `factory`, the values the ACS set (`overlay`) and
 * the recorded `sources`: a setting whose config value changed since the last load drops
 * the ACS's value; an unchanged one keeps it. A setting first seen (no fingerprint yet)
 * counts as unchanged. When the recorded combined fingerprint matches (and every setting
 * has its own), no value changed and none is hashed on its own.
 *
 * @example
 * ```ts
 * import { emptySources, fingerprintOf, reconcileSettings } from "./settings_sources.ts";
 * const sources = emptySources();
 * sources.config.periodicInformInterval = { sha256: fingerprintOf(300), since: "2026-01-01T00:00:00Z" };
 * const out = reconcileSettings({ periodicInformInterval: 600 }, { periodicInformInterval: 60 }, {
 *   sources,
 *   now: Date.UTC(2026, 1, 1),
 * });
 * console.assert(out.overlay.periodicInformInterval === undefined); // the edited config wins
 * ```
 */
export function reconcileSettings(
  factory: Partial<StoredSettings>,
  overlay: Partial<StoredSettings>,
  options: ReconcileOptions,
): Reconciled {
  const { sources, now } = options;
  const hash = options.hash ?? sha256Hex;
  const root = options.root ?? "";
  // xsd:dateTime without the milliseconds; only made when something is recorded.
  let nowText: string | undefined;
  const since = () => nowText ??= new Date(now).toISOString().slice(0, -5) + "Z";
  const next: Partial<StoredSettings> = { ...overlay };
  const state: SourcesState = {
    config: { ...sources.config },
    acs: { ...sources.acs },
    configSha256: sources.configSha256,
  };
  const lines: string[] = [];
  let overlayChanged = false;
  let sourcesChanged = false;
  const text = configText(factory);
  // Hashed first only when there is something to compare it with (on a first start, the
  // values are hashed one by one anyway, and this once they are).
  let all = sources.configSha256 === undefined ? undefined : hash(text);
  const unchanged = all !== undefined && all === sources.configSha256 &&
    Object.keys(CONFIG_BACKED).every((name) => !(name in factory) || name in sources.config);
  for (const [name, setting] of Object.entries(CONFIG_BACKED)) {
    if (setting === undefined || !(name in factory)) continue;
    const field = name as keyof StoredSettings;
    const configValue = factory[field];
    const last = state.config[name];
    let changed = false;
    if (!unchanged) {
      const sha256 = hash(JSON.stringify(configValue));
      changed = last !== undefined && last.sha256 !== sha256;
      if (last === undefined || changed) {
        state.config[name] = { sha256, since: since() };
        sourcesChanged = true;
      }
    }
    if (!(field in next)) continue;
    const acsValue = next[field];
    const differ = acsValue !== configValue;
    if (changed) {
      delete next[field];
      delete state.acs[name];
      overlayChanged = true;
      if (differ) {
        lines.push(
          `${root}${setting.parameter}: the config file's ${setting.key}${
            shown(setting, configValue)
          }` +
            ` changed since the last start and replaces the value the ACS set` +
            shown(setting, acsValue),
        );
      }
    } else if (differ) {
      lines.push(
        `${root}${setting.parameter}: the value the ACS set${
          shown(setting, acsValue)
        } stands over` +
          ` the config file's ${setting.key}${shown(setting, configValue)}` +
          ` (unchanged since the last start; edit it to override)`,
      );
    }
  }
  all ??= hash(text);
  if (state.configSha256 !== all) {
    state.configSha256 = all;
    sourcesChanged = true;
  }
  return { overlay: next, sources: state, lines, overlayChanged, sourcesChanged };
}

/**
 * The per-setting sources: `acs` for what the overlay holds, `dhcp` for what DHCP supplied
 * (`acs.dhcp_discovery`), else `config`.
 */
export function sourceRows(
  overlay: Partial<StoredSettings>,
  sources: SourcesState,
  root: string,
  dhcp: { values: Partial<StoredSettings>; since: Record<string, string> } = {
    values: {},
    since: {},
  },
): SettingSourceRow[] {
  const rows: SettingSourceRow[] = [];
  for (const [name, setting] of Object.entries(CONFIG_BACKED)) {
    if (setting === undefined) continue;
    const acs = name in overlay;
    const fromDhcp = !acs && name in dhcp.values;
    rows.push({
      parameter: `${root}${setting.parameter}`,
      key: setting.key,
      source: acs ? "acs" : fromDhcp ? "dhcp" : "config",
      since:
        (acs ? sources.acs[name] : fromDhcp ? dhcp.since[name] : sources.config[name]?.since) ??
          UNKNOWN_SINCE,
    });
  }
  return rows;
}
