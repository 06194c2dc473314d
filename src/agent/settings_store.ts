/**
 * The agent's ManagementServer settings: factory values from the configuration,
 * overlaid with what the ACS set (SetParameterValues), which is persisted in the
 * state directory (`settings.json`, atomic and fsynced before the SPV response).
 * A factory reset deletes the overlay. ProvisioningCode is kept here too.
 *
 * When the config file and the ACS disagree, a config value changed since the last start
 * wins and an unchanged one lets the ACS's value stand (`settings_sources.ts`, with the
 * fingerprints in `config_sources.json`); {@linkcode SettingsStore.sources} says which
 * value each setting has. An unchanged config costs one hash at start (two files read, none
 * written); {@linkcode SettingsStore.openAsync} hashes with WebCrypto instead of in JS.
 *
 * With `acs.dhcp_discovery`, the values DHCP supplied (ACS URL, ProvisioningCode, retry
 * settings; `dhcp_settings.json`) sit between the two: see
 * {@linkcode SettingsStore.applyDhcp}.
 *
 * @module
 */

import type { AgentConfig } from "../config/mod.ts";
import type { ManagementSettings, ManagementSettingsStore } from "../datamodel/mod.ts";
import { readTextIfPresent, StateJournal } from "../store/mod.ts";
import { sha256Hex } from "../transport/hash.ts";
import {
  CONFIG_BACKED,
  configText,
  emptySources,
  parseSources,
  prefetchFingerprints,
  reconcileSettings,
  serializeSources,
  type SettingSourceRow,
  sourceRows,
  type SourcesState,
} from "./settings_sources.ts";

export type { SettingSource, SettingSourceRow } from "./settings_sources.ts";

/** Settings plus DeviceInfo.ProvisioningCode, the values the ACS may change. */
export interface StoredSettings extends ManagementSettings {
  provisioningCode: string;
}

/** Factory settings from the configuration. */
export function factorySettings(config: AgentConfig, connectionRequestUrl: string): StoredSettings {
  return {
    enableCwmp: true,
    // icwmp's dhcp_url: a URL DHCP gave before, in force until the hook hands one over.
    url: config.acs.dhcpDiscovery && config.acs.dhcpUrl !== ""
      ? config.acs.dhcpUrl
      : config.acs.url,
    username: config.acs.username,
    password: config.acs.password,
    periodicInformEnable: config.acs.periodicInformEnable,
    periodicInformInterval: config.acs.periodicInformInterval,
    periodicInformTime: config.acs.periodicInformTime,
    parameterKey: config.acs.parameterKey,
    connectionRequestUrl,
    connectionRequestUsername: config.connectionRequest.username,
    connectionRequestPassword: config.connectionRequest.password,
    upgradesManaged: false,
    defaultActiveNotificationThrottle: 0,
    cwmpRetryMinimumWaitInterval: config.acs.retryMinWaitInterval,
    cwmpRetryIntervalMultiplier: config.acs.retryIntervalMultiplier,
    httpConnectionRequestEnable: true,
    instanceMode: config.cpe.instanceMode,
    autoCreateInstances: false,
    heartbeatEnable: config.acs.heartbeatEnable,
    heartbeatReportingInterval: config.acs.heartbeatInterval,
    heartbeatInitiationTime: config.acs.heartbeatInitiationTime,
    stunEnable: config.stun.enable,
    stunServerAddress: config.stun.serverAddress,
    stunServerPort: config.stun.serverPort,
    stunUsername: config.stun.username,
    stunPassword: config.stun.password,
    stunMaximumKeepAlivePeriod: config.stun.maximumKeepAlivePeriod,
    stunMinimumKeepAlivePeriod: config.stun.minimumKeepAlivePeriod,
    udpConnectionRequestAddressNotificationLimit: config.stun.notificationLimit,
    udpConnectionRequestAddress: "",
    natDetected: false,
    lightweightNotificationProtocolsUsed: config.lwn.enable ? "UDP" : "",
    lightweightNotificationTriggerInterval: config.lwn.triggerInterval,
    lightweightNotificationTriggerTime: config.lwn.triggerTime,
    udpLightweightNotificationHost: config.lwn.hostname,
    udpLightweightNotificationPort: config.lwn.port,
    provisioningCode: config.cpe.provisioningCode,
  };
}

/** Keys that are derived at run time and never persisted. */
const DERIVED: readonly (keyof StoredSettings)[] = [
  "connectionRequestUrl",
  "udpConnectionRequestAddress",
  "natDetected",
];

/** A fingerprint not computed yet (see `#hashLater`); never written: a SHA-256 is 64 digits. */
const PENDING = "";

/** Options of {@linkcode SettingsStore.open}. */
export interface SettingsStoreOptions {
  /** Told about an unreadable state file (then ignored). */
  onCorrupt?: (message: string) => void;
  /** Told, one line each, where the config file and the ACS disagree and which one wins. */
  onDiffer?: (line: string) => void;
  /** Writes go through it; default: one of its own, writing at once. */
  journal?: StateJournal;
  /** Clock for the `since` times; default Date.now. */
  now?: () => number;
  /** Data model root prefixed to the parameter names of sources(); default `Device.`. */
  root?: string;
  /** `acs.dhcp_discovery`: read and apply the values DHCP supplied; default false. */
  dhcp?: boolean;
  /**
   * At open, when the config-vs-ACS rule changes only `config_sources.json` (a first start,
   * or an edited config value the ACS never set), keep that write until
   * {@linkcode SettingsStore.flushDeferred}: the agent makes it once the BOOT Inform is out.
   * The file only records fingerprints of the config as loaded, so a power cut before it
   * lands makes the next start work out the same again. Default false.
   */
  deferSourcesWrite?: boolean;
}

/** What `dhcp_settings.json` holds. */
interface DhcpLayer {
  values: Partial<StoredSettings>;
  /** Setting → when DHCP supplied its current value. */
  since: Record<string, string>;
}

/** A settings store backed by `<stateDir>/settings.json` and `config_sources.json`. */
export class SettingsStore implements ManagementSettingsStore {
  #factory: StoredSettings;
  #overlay: Partial<StoredSettings>;
  #sources: SourcesState;
  #path: string;
  #sourcesPath: string;
  #dhcpPath: string;
  #dhcp: DhcpLayer = { values: {}, since: {} };
  #journal: StateJournal;
  #options: SettingsStoreOptions;
  #listeners: ((changes: Partial<StoredSettings>) => void)[] = [];
  /** Text → SHA-256 of the texts the last applyConfig hashed: a reload re-hashes only news. */
  #hashed = new Map<string, string>();
  /** `config_sources.json` is behind `#sources` until flushDeferred() (deferSourcesWrite). */
  #sourcesDeferred = false;
  /**
   * A first start that defers its write hashes nothing before the Inform: `#sources` holds
   * {@linkcode PENDING} fingerprints of these factory settings until they are hashed.
   */
  #hashLater?: StoredSettings;

  private constructor(
    stateDir: string,
    factory: StoredSettings,
    overlay: Partial<StoredSettings>,
    options: SettingsStoreOptions,
  ) {
    this.#path = `${stateDir}/settings.json`;
    this.#sourcesPath = `${stateDir}/config_sources.json`;
    this.#dhcpPath = `${stateDir}/dhcp_settings.json`;
    this.#journal = options.journal ?? new StateJournal(stateDir);
    this.#options = options;
    this.#factory = factory;
    this.#overlay = overlay;
    this.#sources = emptySources();
  }

  /**
   * Opens the store and applies the config-vs-ACS rule to `factory` (see
   * {@linkcode SettingsStore.applyConfig}); an unreadable state file is reported through
   * `onCorrupt` and ignored.
   */
  static open(
    stateDir: string,
    factory: StoredSettings,
    options: SettingsStoreOptions = {},
  ): SettingsStore {
    const store = SettingsStore.#read(stateDir, factory, options);
    store.#applyConfig(factory, options.deferSourcesWrite === true, false);
    return store;
  }

  /**
   * {@linkcode SettingsStore.open}, with the config values' fingerprints hashed by WebCrypto
   * (native) first: the same outcome and files, for a fraction of the start-up time of
   * hashing them in JS on a cold start (0.5 ms instead of 2–4 ms).
   */
  static async openAsync(
    stateDir: string,
    factory: StoredSettings,
    options: SettingsStoreOptions = {},
  ): Promise<SettingsStore> {
    const store = SettingsStore.#read(stateDir, factory, options);
    const defer = options.deferSourcesWrite === true;
    // Nothing recorded yet: no fingerprint decides anything, they only go to the file.
    const first = defer && store.#sources.configSha256 === undefined &&
      Object.keys(store.#sources.config).length === 0;
    if (!first) store.#hashed = await prefetchFingerprints(factory, store.#sources);
    store.#applyConfig(factory, defer, first);
    return store;
  }

  /** The store as its files have it, before the config-vs-ACS rule. */
  static #read(
    stateDir: string,
    factory: StoredSettings,
    options: SettingsStoreOptions,
  ): SettingsStore {
    const { onCorrupt } = options;
    const path = `${stateDir}/settings.json`;
    let overlay: Partial<StoredSettings> = {};
    try {
      const text = readTextIfPresent(path);
      const parsed = text === undefined ? {} : JSON.parse(text);
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
        for (const [key, value] of Object.entries(parsed)) {
          const k = key as keyof StoredSettings;
          if (k in factory && !DERIVED.includes(k) && typeof value === typeof factory[k]) {
            (overlay as Record<string, unknown>)[k] = value;
          }
        }
      }
    } catch (error) {
      onCorrupt?.(`Cannot read "${path}": ${(error as Error).message}`);
      overlay = {};
    }
    const store = new SettingsStore(stateDir, factory, overlay, options);
    try {
      const text = readTextIfPresent(store.#sourcesPath);
      if (text !== undefined) store.#sources = parseSources(text);
    } catch (error) {
      onCorrupt?.(`Cannot read "${store.#sourcesPath}": ${(error as Error).message}`);
    }
    if (options.dhcp === true) store.#dhcp = readDhcpLayer(store.#dhcpPath, factory, onCorrupt);
    return store;
  }

  /**
   * Takes `factory` (the config file's values, at start or on reload) as the factory
   * settings: a config value changed since it was last loaded replaces what the ACS set;
   * an unchanged one lets the ACS's value stand. Each disagreement is told to `onDiffer`.
   * Persists what changed (settings.json first, so a crash in between only repeats this).
   */
  applyConfig(factory: StoredSettings): void {
    this.#ensureHashed();
    this.#applyConfig(factory, false, false);
  }

  #applyConfig(factory: StoredSettings, deferSources: boolean, hashLater: boolean): void {
    const derived = this.#factory.connectionRequestUrl;
    this.#factory = { ...factory, connectionRequestUrl: derived || factory.connectionRequestUrl };
    const now = (this.#options.now ?? Date.now)();
    const known = this.#hashed;
    const hashed = new Map<string, string>();
    const out = reconcileSettings(factory, this.#overlay, {
      sources: this.#sources,
      now,
      root: this.#options.root ?? "Device.",
      hash: hashLater ? () => PENDING : (text) => {
        const sha256 = known.get(text) ?? sha256Hex(text);
        hashed.set(text, sha256);
        return sha256;
      },
    });
    if (hashLater) this.#hashLater = factory;
    this.#hashed = hashed;
    for (const line of out.lines) this.#options.onDiffer?.(line);
    if (out.overlayChanged) {
      this.#journal.write(this.#path, JSON.stringify(out.overlay, null, 2) + "\n");
      this.#overlay = out.overlay;
    }
    if (out.overlayChanged || (out.sourcesChanged && !deferSources)) {
      this.#writeSources(out.sources);
    } else if (out.sourcesChanged) this.#sourcesDeferred = true;
    this.#sources = out.sources;
  }

  /**
   * Writes `config_sources.json` if the open kept its write back (`deferSourcesWrite`);
   * true when it did. Any other change of the sources writes the whole file, this included.
   */
  async flushDeferred(): Promise<boolean> {
    if (!this.#sourcesDeferred) return false;
    const pending = this.#hashLater;
    if (pending !== undefined) {
      // Native hashing (see prefetchFingerprints), now that the Inform is out.
      this.#ensureHashed(await prefetchFingerprints(pending, emptySources()));
    }
    if (!this.#sourcesDeferred) return false; // Written meanwhile, whole.
    this.#writeSources();
    return true;
  }

  /**
   * Replaces the first start's {@linkcode PENDING} fingerprints with real ones (from `known`,
   * else hashed here), before anything compares or writes them.
   */
  #ensureHashed(known?: ReadonlyMap<string, string>): void {
    const factory = this.#hashLater;
    if (factory === undefined) return;
    this.#hashLater = undefined;
    const hash = (text: string) => {
      const sha256 = known?.get(text) ?? sha256Hex(text);
      this.#hashed.set(text, sha256);
      return sha256;
    };
    const config = { ...this.#sources.config };
    for (const [name, entry] of Object.entries(config)) {
      if (entry.sha256 !== PENDING) continue;
      const value = factory[name as keyof StoredSettings];
      config[name] = { ...entry, sha256: hash(JSON.stringify(value)) };
    }
    const all = this.#sources.configSha256;
    this.#sources = {
      ...this.#sources,
      config,
      configSha256: all === PENDING ? hash(configText(factory)) : all,
    };
  }

  /** Writes `sources` whole (through the journal), which settles any deferred write. */
  #writeSources(given?: SourcesState): void {
    if (given === undefined) this.#ensureHashed();
    const sources = given ?? this.#sources;
    this.#journal.write(this.#sourcesPath, serializeSources(sources));
    this.#sourcesDeferred = false;
  }

  /** Where each config-backed setting's effective value comes from: `config` or `acs`. */
  sources(): SettingSourceRow[] {
    return sourceRows(this.#overlay, this.#sources, this.#options.root ?? "Device.", this.#dhcp);
  }

  /** The effective settings. */
  get(): StoredSettings {
    return { ...this.#factory, ...this.#dhcp.values, ...this.#overlay };
  }

  /**
   * Takes the values DHCP supplied (`acs.dhcp_discovery`; ignored without it). A DHCP value
   * replaces the config file's (TR-069 §3.1: a CPE configured to use DHCP uses the
   * discovered URL). A value the ACS set stands over it until DHCP supplies a *different*
   * value: a renewed lease repeating the same URL does not undo the ACS moving the device
   * (GenieACS provisions ManagementServer.URL to migrate devices, and operators expect that
   * to stick), while an operator re-pointing the DHCP server still reaches every device.
   * Persisted like an ACS change (in the caller's transaction, if any); the listeners hear
   * what changed in force (a new URL raises `0 BOOTSTRAP`). Returns those keys.
   */
  applyDhcp(values: Partial<StoredSettings>): (keyof StoredSettings)[] {
    if (this.#options.dhcp !== true) return [];
    this.#ensureHashed();
    const before = this.get();
    const dhcp: DhcpLayer = { values: { ...this.#dhcp.values }, since: { ...this.#dhcp.since } };
    const overlay = { ...this.#overlay };
    const acs = { ...this.#sources.acs };
    const since = new Date((this.#options.now ?? Date.now)()).toISOString().replace(
      /\.\d{3}Z$/,
      "Z",
    );
    let overlayChanged = false;
    let dhcpChanged = false;
    for (const [key, value] of Object.entries(values)) {
      const k = key as keyof StoredSettings;
      if (value === undefined || DERIVED.includes(k) || typeof value !== typeof this.#factory[k]) {
        continue;
      }
      if (dhcp.values[k] === value) continue;
      (dhcp.values as Record<string, unknown>)[k] = value;
      dhcp.since[k] = since;
      dhcpChanged = true;
      if (k in overlay) {
        delete overlay[k];
        delete acs[k];
        overlayChanged = true;
      }
    }
    if (dhcpChanged) {
      this.#journal.write(this.#dhcpPath, JSON.stringify({ version: 1, ...dhcp }, null, 2) + "\n");
      this.#dhcp = dhcp;
    }
    if (overlayChanged) {
      this.#sources = { ...this.#sources, acs };
      this.#journal.write(this.#path, JSON.stringify(overlay, null, 2) + "\n");
      this.#writeSources();
      this.#overlay = overlay;
    }
    const after = this.get();
    const changes: Partial<StoredSettings> = {};
    for (const k of Object.keys(after) as (keyof StoredSettings)[]) {
      if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) {
        (changes as Record<string, unknown>)[k] = after[k];
      }
    }
    const changed = Object.keys(changes) as (keyof StoredSettings)[];
    if (changed.length > 0) { for (const listener of this.#listeners) listener(changes); }
    return changed;
  }

  /** Applies and persists `changes`, then tells the listeners. Throws if it cannot persist. */
  set(changes: Partial<StoredSettings>): void {
    this.#ensureHashed();
    const next = { ...this.#overlay };
    for (const [key, value] of Object.entries(changes)) {
      if (DERIVED.includes(key as keyof StoredSettings)) {
        throw new TypeError(`Cannot set derived setting "${key}"`);
      }
      (next as Record<string, unknown>)[key] = value;
    }
    const sources = { ...this.#sources, acs: { ...this.#sources.acs } };
    const since = new Date((this.#options.now ?? Date.now)()).toISOString().replace(
      /\.\d{3}Z$/,
      "Z",
    );
    for (const key of Object.keys(changes)) if (key in CONFIG_BACKED) sources.acs[key] = since;
    // Both files in the request's transaction: a crash leaves both or neither.
    this.#journal.write(this.#path, JSON.stringify(next, null, 2) + "\n");
    this.#writeSources(sources);
    this.#overlay = next;
    this.#sources = sources;
    for (const listener of this.#listeners) listener(changes);
  }

  /** Sets a derived value (e.g. ConnectionRequestURL) without persisting it. */
  setDerived(
    changes: Partial<
      Pick<StoredSettings, "connectionRequestUrl" | "udpConnectionRequestAddress" | "natDetected">
    >,
  ): void {
    Object.assign(this.#factory, changes);
  }

  /** Calls `listener` after every successful `set`. */
  onChange(listener: (changes: Partial<StoredSettings>) => void): void {
    this.#listeners.push(listener);
  }

  /** Forgets everything the ACS set (factory reset); what DHCP supplied stays. */
  reset(): void {
    this.#ensureHashed();
    this.#journal.write(this.#path, null);
    this.#sources = { ...this.#sources, acs: {} };
    this.#writeSources();
    this.#overlay = {};
  }
}

/** `dhcp_settings.json`, keeping only known keys of the right type; none → empty. */
function readDhcpLayer(
  path: string,
  factory: StoredSettings,
  onCorrupt?: (message: string) => void,
): DhcpLayer {
  const layer: DhcpLayer = { values: {}, since: {} };
  try {
    const text = readTextIfPresent(path);
    if (text === undefined) return layer;
    const parsed = JSON.parse(text);
    const values = parsed?.values ?? {};
    const since = parsed?.since ?? {};
    for (const [key, value] of Object.entries(values)) {
      const k = key as keyof StoredSettings;
      if (k in factory && !DERIVED.includes(k) && typeof value === typeof factory[k]) {
        (layer.values as Record<string, unknown>)[k] = value;
        if (typeof since[k] === "string") layer.since[k] = since[k];
      }
    }
  } catch (error) {
    onCorrupt?.(`Cannot read "${path}": ${(error as Error).message}`);
  }
  return layer;
}
