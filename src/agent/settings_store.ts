/**
 * The agent's ManagementServer settings: factory values from the configuration,
 * overlaid with what the ACS set (SetParameterValues), which is persisted in the
 * state directory (`settings.json`, atomic and fsynced before the SPV response).
 * A factory reset deletes the overlay. ProvisioningCode is kept here too.
 *
 * @module
 */

import type { AgentConfig } from "../config/mod.ts";
import type { ManagementSettings, ManagementSettingsStore } from "../datamodel/mod.ts";
import { StateJournal } from "../store/mod.ts";

/** Settings plus DeviceInfo.ProvisioningCode, the values the ACS may change. */
export interface StoredSettings extends ManagementSettings {
  provisioningCode: string;
}

/** Factory settings from the configuration. */
export function factorySettings(config: AgentConfig, connectionRequestUrl: string): StoredSettings {
  return {
    enableCwmp: true,
    url: config.acs.url,
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
    provisioningCode: config.cpe.provisioningCode,
  };
}

/** Keys that are derived at run time and never persisted. */
const DERIVED: readonly (keyof StoredSettings)[] = ["connectionRequestUrl"];

/** A settings store backed by `<stateDir>/settings.json`. */
export class SettingsStore implements ManagementSettingsStore {
  #factory: StoredSettings;
  #overlay: Partial<StoredSettings>;
  #path: string;
  #journal: StateJournal;
  #listeners: ((changes: Partial<StoredSettings>) => void)[] = [];

  private constructor(
    path: string,
    factory: StoredSettings,
    overlay: Partial<StoredSettings>,
    journal: StateJournal,
  ) {
    this.#path = path;
    this.#journal = journal;
    this.#factory = factory;
    this.#overlay = overlay;
  }

  /**
   * Opens the store; an unreadable overlay is reported through `onCorrupt` and ignored.
   * Writes go through `journal` (default: one of its own, writing at once).
   */
  static open(
    stateDir: string,
    factory: StoredSettings,
    onCorrupt?: (message: string) => void,
    journal: StateJournal = new StateJournal(stateDir),
  ): SettingsStore {
    const path = `${stateDir}/settings.json`;
    let overlay: Partial<StoredSettings> = {};
    try {
      const parsed = JSON.parse(Deno.readTextFileSync(path));
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
        for (const [key, value] of Object.entries(parsed)) {
          const k = key as keyof StoredSettings;
          if (k in factory && !DERIVED.includes(k) && typeof value === typeof factory[k]) {
            (overlay as Record<string, unknown>)[k] = value;
          }
        }
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) {
        onCorrupt?.(`Cannot read "${path}": ${(error as Error).message}`);
      }
      overlay = {};
    }
    return new SettingsStore(path, factory, overlay, journal);
  }

  /** The effective settings. */
  get(): StoredSettings {
    return { ...this.#factory, ...this.#overlay };
  }

  /** Applies and persists `changes`, then tells the listeners. Throws if it cannot persist. */
  set(changes: Partial<StoredSettings>): void {
    const next = { ...this.#overlay };
    for (const [key, value] of Object.entries(changes)) {
      if (DERIVED.includes(key as keyof StoredSettings)) {
        throw new TypeError(`Cannot set derived setting "${key}"`);
      }
      (next as Record<string, unknown>)[key] = value;
    }
    this.#journal.write(this.#path, JSON.stringify(next, null, 2) + "\n");
    this.#overlay = next;
    for (const listener of this.#listeners) listener(changes);
  }

  /** Sets a derived value (e.g. ConnectionRequestURL) without persisting it. */
  setDerived(changes: Partial<Pick<StoredSettings, "connectionRequestUrl">>): void {
    Object.assign(this.#factory, changes);
  }

  /** Calls `listener` after every successful `set`. */
  onChange(listener: (changes: Partial<StoredSettings>) => void): void {
    this.#listeners.push(listener);
  }

  /** Forgets everything the ACS set (factory reset). */
  reset(): void {
    this.#journal.write(this.#path, null);
    this.#overlay = {};
  }
}
