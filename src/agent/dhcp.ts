/**
 * DHCP ACS discovery (TR-069 §3.1) and the gateway identity (Annex F) in the agent: takes
 * the raw options a DHCP client's hook hands over (`cwmp-agent dhcp-update`, or the
 * `dhcp-<interface>.env` file the hook keeps, read at start), decodes them
 * (`services/dhcp/lease.ts`) and applies them:
 *
 * - with `acs.dhcp_discovery`, the ACS URL, ProvisioningCode, CWMPRetryMinimumWaitInterval
 *   and CWMPRetryIntervalMultiplier (and, in the Vega format, the periodic Inform settings)
 *   go into the settings' DHCP layer ({@linkcode SettingsStore.applyDhcp}: a DHCP value
 *   replaces the config file's; one the ACS set stands until DHCP gives a different one).
 *   A changed URL reaches the engine like an ACS-set one and raises `0 BOOTSTRAP`.
 * - the gateway's ManufacturerOUI, SerialNumber and ProductClass (option 125) always go to
 *   `Device.GatewayInfo.`, kept in `gateway_info.json`.
 *
 * Which option wins when a lease has several: 125 over 43 (125 names the Broadband Forum's
 * enterprise; 43 is whatever the server's vendor-class match gave), 17 likewise over 43.
 * With `cpe.interface` set, only leases of that interface (netifd name or device) count.
 *
 * The decoders load with the first lease applied (by the hook, or found at start): an
 * agent without DHCP discovery never parses them. Checking the hook's arguments needs only
 * the size limit.
 *
 * @module
 */

import type { AgentConfig } from "../config/mod.ts";
// The size limit only: the decoders are imported when a lease is applied (loadDecoder).
import { MAX_OPTION_BYTES } from "../services/dhcp/limits.ts";
import type { DecodedLease } from "../services/dhcp/lease.ts";
import type { GatewayInfoValues } from "../datamodel/objects/gateway_info.ts";
import type { Logger } from "../log/mod.ts";
import { maskUrl } from "../log/mod.ts";
import { listedAbsent } from "../platform/absent.ts";
import { readTextIfPresent, type StateJournal } from "../store/mod.ts";
import type { SettingsStore, StoredSettings } from "./settings_store.ts";

/** A lease's options as the hook hands them over: hex, "" = not in the lease. */
export interface DhcpLease {
  /** The interface's name (netifd's `wan`, or the device when there is none). */
  interface: string;
  /** The Linux device (`eth0.2`); "" when not told. */
  device: string;
  opt43: string;
  opt125: string;
  opt17: string;
}

/** Usage line of `cwmp-agent dhcp-update`. */
export const DHCP_UPDATE_USAGE =
  "Usage: cwmp-agent dhcp-update --interface NAME [--device DEV] [--opt43 HEX] [--opt125 HEX] [--opt17 HEX]";

const LEASE_KEYS = ["interface", "device", "opt43", "opt125", "opt17"] as const;
const NAME = /^[A-Za-z0-9_.@-]{1,64}$/;
const HEX = /^[0-9A-Fa-f]*$/;
/** Largest `.env` file read at start. */
const MAX_ENV_BYTES = 64 * 1024;

/**
 * The lease of the control request's arguments (`KEY=VALUE`, as {@linkcode dhcpUpdateArgs}
 * writes them); throws TypeError naming the bad argument.
 *
 * @example
 * ```ts
 * import { dhcpLeaseOf } from "./dhcp.ts";
 * console.assert(dhcpLeaseOf(["interface=wan", "opt43=0100"]).opt43 === "0100");
 * ```
 */
export function dhcpLeaseOf(args: readonly string[]): DhcpLease {
  const lease: DhcpLease = { interface: "", device: "", opt43: "", opt125: "", opt17: "" };
  for (const arg of args) {
    const eq = arg.indexOf("=");
    const key = arg.slice(0, eq) as typeof LEASE_KEYS[number];
    if (eq < 0 || !LEASE_KEYS.includes(key)) {
      throw new TypeError(
        `Unknown dhcp-update argument "${arg.slice(0, 40)}"; ${DHCP_UPDATE_USAGE}`,
      );
    }
    lease[key] = arg.slice(eq + 1);
  }
  checkLease(lease);
  return lease;
}

/** The control request's arguments for `lease`. */
export function dhcpUpdateArgs(lease: Partial<DhcpLease>): string[] {
  return LEASE_KEYS.filter((k) => (lease[k] ?? "") !== "").map((k) => `${k}=${lease[k]}`);
}

function checkLease(lease: DhcpLease): void {
  if (!NAME.test(lease.interface)) {
    throw new TypeError(
      `Invalid interface "${
        lease.interface.slice(0, 64)
      }" (letters, digits, _ . @ -); ${DHCP_UPDATE_USAGE}`,
    );
  }
  if (lease.device !== "" && !NAME.test(lease.device)) {
    throw new TypeError(`Invalid device "${lease.device.slice(0, 64)}" (letters, digits, _ . @ -)`);
  }
  for (const key of ["opt43", "opt125", "opt17"] as const) {
    const value = lease[key];
    if (value.length > MAX_OPTION_BYTES * 2) {
      throw new RangeError(`Option ${key.slice(3)} is longer than ${MAX_OPTION_BYTES} bytes`);
    }
    if (!HEX.test(value) || value.length % 2 !== 0) {
      throw new TypeError(`Option ${key.slice(3)} is not hex bytes: "${value.slice(0, 40)}"`);
    }
  }
}

/**
 * Reads one `dhcp-<interface>.env` file of the hooks (`KEY=VALUE` lines); throws on a
 * wrong shape. `time` is when the hook wrote it (epoch seconds; 0 when missing).
 */
export function parseLeaseEnv(text: string): DhcpLease & { time: number } {
  const fields = new Map<string, string>();
  for (const line of text.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) fields.set(line.slice(0, eq), line.slice(eq + 1).trim());
  }
  const lease: DhcpLease = {
    interface: fields.get("interface") ?? "",
    device: fields.get("device") ?? "",
    opt43: fields.get("opt43") ?? "",
    opt125: fields.get("opt125") ?? "",
    opt17: fields.get("opt17") ?? "",
  };
  checkLease(lease);
  const time = Number(fields.get("time") ?? "0");
  return { ...lease, time: Number.isSafeInteger(time) ? time : 0 };
}

// Decoding moved to services/dhcp/lease.ts (loaded on demand); the type stays here too.
export type { DecodedLease };

/** The lease decoder, imported once by the first lease applied. */
let decoder: Promise<typeof import("../services/dhcp/lease.ts")> | undefined;
const loadDecoder = () => decoder ??= import("../services/dhcp/lease.ts");

/** What one hand-over did, as `dhcp-update` answers it. */
export interface DhcpUpdateOutcome {
  interface: string;
  /** False when `cpe.interface` names another interface. */
  used: boolean;
  /** Settings whose value in force changed (TOML-free names: `url`, `provisioningCode`…). */
  changed: string[];
  /** The gateway identity changed. */
  gatewayChanged: boolean;
  /** Options that could not be decoded, and ACS values ignored without dhcp_discovery. */
  errors: string[];
  notes: string[];
}

/** What {@linkcode DhcpDiscovery} needs. */
export interface DhcpDiscoveryOptions {
  config: AgentConfig;
  settings: SettingsStore;
  logger: Logger;
  journal: StateJournal;
}

const NO_GATEWAY: GatewayInfoValues = { manufacturerOui: "", productClass: "", serialNumber: "" };

/** The agent's side of DHCP discovery: applies leases, keeps the gateway identity. */
export class DhcpDiscovery {
  #options: DhcpDiscoveryOptions;
  #gateway: GatewayInfoValues = { ...NO_GATEWAY };
  #gatewayPath: string;

  /** Restores the gateway identity from `gateway_info.json`. */
  constructor(options: DhcpDiscoveryOptions) {
    this.#options = options;
    this.#gatewayPath = `${options.config.agent.stateDir}/gateway_info.json`;
    try {
      const text = readTextIfPresent(this.#gatewayPath);
      const value = text === undefined ? undefined : JSON.parse(text);
      for (const key of Object.keys(NO_GATEWAY) as (keyof GatewayInfoValues)[]) {
        if (typeof value?.[key] === "string") this.#gateway[key] = value[key].slice(0, 64);
      }
    } catch (error) {
      options.logger.error(`Cannot read "${this.#gatewayPath}": ${(error as Error).message}`);
    }
  }

  /** `Device.GatewayInfo.` as last learnt. */
  gateway(): GatewayInfoValues {
    return { ...this.#gateway };
  }

  /** Applies `lease` (from the hook, or its file at start) in one state transaction. */
  async update(lease: DhcpLease, origin: "hook" | "file"): Promise<DhcpUpdateOutcome> {
    const { config, settings, logger, journal } = this.#options;
    const outcome: DhcpUpdateOutcome = {
      interface: lease.interface,
      used: true,
      changed: [],
      gatewayChanged: false,
      errors: [],
      notes: [],
    };
    const wanted = config.cpe.interface;
    if (wanted !== "" && wanted !== lease.interface && wanted !== lease.device) {
      outcome.used = false;
      outcome.notes.push(`Lease of "${lease.interface}" ignored: cpe.interface is "${wanted}"`);
      return outcome;
    }
    const { decodeLease } = await loadDecoder();
    const decoded = decodeLease(lease, config.acs.dhcpOption43Format);
    outcome.errors.push(...decoded.errors);
    const acs = decoded.acs as Partial<StoredSettings>;
    const hasAcs = Object.keys(acs).length > 0;
    if (hasAcs && !config.acs.dhcpDiscovery) {
      outcome.notes.push("ACS values ignored: acs.dhcp_discovery is false");
    }
    await journal.transaction(() => {
      if (hasAcs && config.acs.dhcpDiscovery) {
        outcome.changed = settings.applyDhcp(acs);
      }
      const next = decoded.gateway;
      if (next !== undefined && JSON.stringify(next) !== JSON.stringify(this.#gateway)) {
        journal.write(this.#gatewayPath, JSON.stringify(next, null, 2) + "\n");
        this.#gateway = { ...next };
        outcome.gatewayChanged = true;
      }
      return Promise.resolve();
    });
    const from = `DHCP (${lease.interface}${origin === "file" ? ", lease file" : ""})`;
    for (const error of outcome.errors) logger.warning(`${from}: ${error}`);
    for (const note of outcome.notes) logger.notice(`${from}: ${note}`);
    if (outcome.changed.includes("url")) {
      logger.notice(`${from}: ACS URL is now ${maskUrl(settings.get().url)}`);
    }
    const others = outcome.changed.filter((k) => k !== "url");
    if (others.length > 0) logger.notice(`${from}: changed ${others.join(", ")}`);
    if (outcome.gatewayChanged) {
      const g = this.#gateway;
      logger.notice(
        `${from}: gateway OUI "${g.manufacturerOui}", serial "${g.serialNumber}", class "${g.productClass}"`,
      );
    }
    return outcome;
  }

  /**
   * The newest `dhcp-*.env` lease in `acs.dhcp_lease_dir` (of `cpe.interface` when set);
   * undefined when there is none. Unreadable files are logged and skipped.
   */
  async readLeaseFile(): Promise<DhcpLease | undefined> {
    const { config, logger } = this.#options;
    const dir = config.acs.dhcpLeaseDir;
    const wanted = config.cpe.interface;
    // No hook has made the directory: absent, told without a thrown NotFound.
    if (listedAbsent(dir)) return undefined;
    let best: (DhcpLease & { time: number }) | undefined;
    let entries: Deno.DirEntry[];
    try {
      // Sync: a handful of names on a tmpfs, and no async iterator to set up at start.
      entries = [...Deno.readDirSync(dir)];
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) {
        logger.warning(`Cannot read DHCP leases in "${dir}": ${(error as Error).message}`);
      }
      return undefined;
    }
    for (const entry of entries) {
      if (!entry.isFile || !/^dhcp-[A-Za-z0-9_.@-]+\.env$/.test(entry.name)) continue;
      const path = `${dir}/${entry.name}`;
      try {
        const info = await Deno.stat(path);
        if (info.size > MAX_ENV_BYTES) throw new RangeError(`larger than ${MAX_ENV_BYTES} bytes`);
        const lease = parseLeaseEnv(await Deno.readTextFile(path));
        if (wanted !== "" && wanted !== lease.interface && wanted !== lease.device) continue;
        if (best === undefined || lease.time > best.time) best = lease;
      } catch (error) {
        logger.warning(`Cannot read DHCP lease "${path}": ${(error as Error).message}`);
      }
    }
    if (best === undefined) return undefined;
    const { time: _time, ...lease } = best;
    return lease;
  }
}
