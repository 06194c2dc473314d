/**
 * The agent's Bulk Data collection (TR-069 Annex N, TR-181 `Device.BulkData.`): one
 * {@linkcode ProfileSender} per enabled profile, rebuilt from the data model whenever the
 * ACS changes the configuration (the binding's `onChange`, coalesced), with the transport
 * its Protocol's factory makes (`transports`: "HTTP" built in; MQTT registers there).
 *
 * A profile runs when Device.BulkData.Enable, its Enable, a registered Protocol, a
 * supported EncodingType and a ReportingInterval are all there. A change of anything but
 * Enable restarts it: "the first reporting interval begins immediately". Its failed
 * reports carry over unless EncodingType changed ("any outstanding failed reports are
 * deleted"); with HTTP.PersistAcrossReboot they are also kept in
 * `<state_dir>/bulkdata_retained.json` and sent with the first report after a restart.
 *
 * Status: Disabled when Device.BulkData.Enable is false; Error when an enabled profile
 * cannot run (no transport for its Protocol, no URL) or its last report failed; else
 * Enabled.
 *
 * Start-up cost: the service itself is light (settings, Status, the transport registry).
 * The report engine (`services/bulkdata/sender.ts` with its encoders, `collect.ts`) and
 * the HTTP transport are imported by the first profile that runs, so an agent whose
 * profiles are all off never parses them; a profile enabled in the persisted state still
 * runs before {@linkcode BulkDataService.start} resolves.
 *
 * @module
 */

import type { BulkDataRuntime } from "../datamodel/objects/bulk_data.ts";
import {
  BULKDATA_ENCODING_TYPES,
  BULKDATA_PROFILE_TABLE,
  decodeCharacterReferences,
} from "../datamodel/objects/bulk_data.ts";
import { isDateTime, UNKNOWN_TIME } from "../datamodel/date_time.ts";
import type { DeviceIdentity } from "../datamodel/mod.ts";
import type { ParameterTree } from "../datamodel/tree.ts";
import type { Provider } from "../datamodel/provider.ts";
import type { Logger } from "../log/mod.ts";
// Only types and the registry load with the agent: the report engine (collector, encoders,
// sender) and the HTTP transport are imported when a profile first runs (see loadSender),
// so an agent without enabled profiles never parses them.
import type { ParameterEntry } from "../services/bulkdata/collect.ts";
import type { Collection, EncodingSettings, TimestampFormat } from "../services/bulkdata/report.ts";
import type { ProfileSender } from "../services/bulkdata/sender.ts";
import { type ProfileContext, TransportRegistry } from "../services/bulkdata/transport.ts";
import { PersistedJson } from "./persisted_json.ts";
import { clearTimer, setTimer, type Timer } from "../platform/timers.ts";

/** The profile loop with its encoders: imported when the first profile starts. */
const loadSender = () => import("../services/bulkdata/sender.ts");
/** What a report holds: imported with the sender, or to count references the ACS sets. */
const loadCollect = () => import("../services/bulkdata/collect.ts");

/** What {@linkcode BulkDataService} needs. */
export interface BulkDataServiceOptions {
  readonly stateDir: string;
  readonly identity: DeviceIdentity;
  readonly logger: Logger;
  /** Trusted CA certificates for https collectors (the ACS's), added to the system roots. */
  readonly caCerts?: string[];
  now(): number;
  /** Seconds since boot. */
  uptimeSeconds(): number;
  /** Default Math.random. */
  random?(): number;
}

interface Running {
  key: string;
  encodingType: string;
  persist: boolean;
  sender?: ProfileSender;
  close?: () => void | Promise<void>;
  error: boolean;
}

/** Runs the Bulk Data profiles of the data model (see the module doc). */
export class BulkDataService {
  /** Protocol → transport factory; register before {@linkcode start}. */
  readonly transports: TransportRegistry = new TransportRegistry();
  readonly #o: BulkDataServiceOptions;
  #model?: ParameterTree;
  #store?: Provider;
  readonly #running = new Map<string, Running>();
  #enabled = false;
  #pending?: Timer;
  #applying: Promise<void> = Promise.resolve();
  #closed = false;
  readonly #retainedFile: PersistedJson;
  /** Profile path → retained collections to persist (PersistAcrossReboot). */
  #persisted: Record<string, Collection[]> = {};

  /**
   * Registers the HTTP transport (its module loads when a profile first makes one);
   * nothing runs before {@linkcode start}.
   */
  constructor(options: BulkDataServiceOptions) {
    this.#o = options;
    const id = options.identity;
    const identity: [string, string][] = [
      ["oui", id.manufacturerOui],
      ["pc", id.productClass],
      ["sn", id.serialNumber],
    ];
    this.transports.register("HTTP", async (profile) => {
      const { httpTransportFactory } = await import("../services/bulkdata/http_transport.ts");
      const factory = httpTransportFactory(() => identity, (table) => this.#rows(table), {
        caCerts: options.caCerts,
        now: options.now,
      });
      return factory(profile);
    });
    this.#retainedFile = new PersistedJson(options.stateDir, "bulkdata_retained.json");
    this.#retainedFile.attach({
      serialize: () => JSON.stringify(this.#persisted),
      restore: (text) => {
        const saved = JSON.parse(text);
        if (saved === null || typeof saved !== "object" || Array.isArray(saved)) {
          throw new TypeError("expected an object");
        }
        this.#persisted = saved;
      },
    }, (message) => options.logger.error(message));
  }

  /** What the `Device.BulkData.` binding asks of the agent. */
  readonly runtime: BulkDataRuntime = {
    status: () => {
      if (!this.#enabled) return "Disabled";
      for (const r of this.#running.values()) if (r.error) return "Error";
      return "Enabled";
    },
    protocols: () => this.transports.protocols(),
    countReferences: (overrides) => this.#countReferences(overrides),
  };

  /**
   * Starts the profiles the model holds. `store` keeps them (the persisted provider): the
   * model reads hidden parameters (HTTP.Password) as "", the transport needs their values.
   */
  start(model: ParameterTree, store: Provider): Promise<void> {
    this.#model = model;
    this.#store = store;
    return this.#apply();
  }

  /** The configuration changed: apply it once the change settles. */
  changed(): void {
    if (this.#model === undefined || this.#closed) return;
    clearTimer(this.#pending);
    this.#pending = setTimer(() => this.#apply(), 0);
  }

  /** Resolves once the last change is applied (tests). */
  async settled(): Promise<void> {
    await new Promise<void>((resolve) => setTimer(resolve, 0));
    await this.#applying;
  }

  /** The running sender of `profilePath` (tests, benchmarks). */
  sender(profilePath: string): ProfileSender | undefined {
    return this.#running.get(profilePath)?.sender;
  }

  /** Stops every profile (their sends in progress are cancelled). */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimer(this.#pending);
    await this.#applying;
    await Promise.all([...this.#running.keys()].map((path) => this.#stop(path, false)));
  }

  /** Forgets retained reports (factory reset). */
  reset(): void {
    this.#persisted = {};
    this.#retainedFile.remove();
  }

  #apply(): Promise<void> {
    this.#applying = this.#applying.then(() => this.#reconcile()).catch((error) =>
      this.#o.logger.error(`Bulk Data: ${(error as Error).message}`)
    );
    return this.#applying;
  }

  async #reconcile(): Promise<void> {
    const model = this.#model;
    if (model === undefined || this.#closed) return;
    this.#enabled = (await this.#read(["Device.BulkData.Enable"]))[0] === "true";
    const rows = this.#enabled ? await this.#rows(BULKDATA_PROFILE_TABLE) : [];
    const wanted = new Map<string, string>();
    for (const n of rows) {
      const path = `${BULKDATA_PROFILE_TABLE}${n}.`;
      wanted.set(path, await this.#configKey(path));
    }
    for (const path of [...this.#running.keys()]) {
      const key = wanted.get(path);
      if (key === undefined || key !== this.#running.get(path)!.key) {
        await this.#stop(path, key !== undefined);
      }
    }
    // Retained reports of profiles that are gone are dropped.
    const before = Object.keys(this.#persisted).length;
    for (const path of Object.keys(this.#persisted)) {
      if (!wanted.has(path)) delete this.#persisted[path];
    }
    if (Object.keys(this.#persisted).length !== before) this.#retainedFile.save();
    for (const [path, key] of wanted) {
      if (!this.#running.has(path)) await this.#startProfile(path, key);
    }
  }

  /** Everything a profile's reports depend on, as one string. */
  async #configKey(path: string): Promise<string> {
    const items = await this.#model!.list(path, { objects: false });
    const values = await this.#model!.read(items.map((item) => item.ref!));
    return JSON.stringify(items.map((item, i) => [item.path, values[i]]));
  }

  async #startProfile(path: string, key: string): Promise<void> {
    const o = this.#o;
    const profile = this.#context(path);
    const [enable, protocol, encodingType, interval, timeReference, retain, persist] = await profile
      .read([
        "Enable",
        "Protocol",
        "EncodingType",
        "ReportingInterval",
        "TimeReference",
        "NumberOfRetainedFailedReports",
        "HTTP.PersistAcrossReboot",
      ]);
    const running: Running = {
      key,
      encodingType,
      persist: protocol === "HTTP" && persist === "true",
      error: false,
    };
    this.#running.set(path, running);
    if (enable !== "true") return;
    const factory = this.transports.get(protocol);
    const intervalS = Number(interval);
    if (
      factory === undefined || !BULKDATA_ENCODING_TYPES.includes(encodingType) || !(intervalS > 0)
    ) {
      running.error = true;
      o.logger.warning(
        `Bulk Data ${path}: not running (Protocol "${protocol}", EncodingType "${encodingType}", ReportingInterval "${interval}")`,
      );
      return;
    }
    const encoding = await this.#encoding(profile, encodingType);
    const transport = await factory(profile);
    const entries = await this.#entries(path);
    const [{ ProfileSender }, { collect, selectReportParameters }] = await Promise.all([
      loadSender(),
      loadCollect(),
    ]);
    const model = this.#model!;
    const retained = running.persist ? this.#persisted[path] ?? [] : [];
    const carried = this.#carried.get(path);
    this.#carried.delete(path);
    const reference = timeReference !== "" && timeReference !== UNKNOWN_TIME &&
        isDateTime(timeReference)
      ? Date.parse(timeReference)
      : undefined;
    const sender = new ProfileSender({
      path,
      intervalMs: intervalS * 1000,
      timeReference: reference,
      encoding,
      retainLimit: Number(retain),
      transport,
      collect: async () => collect(model, await selectReportParameters(model, entries)),
      // A changed EncodingType deletes the failed reports (TR-181 NumberOfRetainedFailedReports).
      retained: carried === undefined
        ? retained
        : carried.encodingType === encodingType
        ? carried.retained
        : [],
      onRetained: (collections) => {
        if (!running.persist && this.#persisted[path] === undefined) return;
        if (running.persist && collections.length > 0) this.#persisted[path] = [...collections];
        else delete this.#persisted[path];
        this.#retainedFile.save();
      },
      onResult: (delivered) => (running.error = !delivered),
      log: (level, message) =>
        level === "info" ? o.logger.info(`Bulk Data ${message}`) : o.logger.warning(
          `Bulk Data ${message}`,
        ),
      now: o.now,
      uptime: () => o.uptimeSeconds() * 1000,
      random: o.random ?? Math.random,
    });
    running.sender = sender;
    running.close = () => transport.close?.();
    sender.start();
    o.logger.info(
      `Bulk Data ${path}: ${protocol} ${encodingType} every ${intervalS} s, next at ${
        new Date(sender.nextAt).toISOString()
      }`,
    );
  }

  /** Retained reports of a profile being restarted, by path. */
  readonly #carried = new Map<string, { encodingType: string; retained: readonly Collection[] }>();

  async #stop(path: string, restarting: boolean): Promise<void> {
    const running = this.#running.get(path);
    this.#running.delete(path);
    if (running?.sender === undefined) return;
    await running.sender.stop();
    if (restarting) {
      this.#carried.set(path, {
        encodingType: running.encodingType,
        retained: running.sender.retained,
      });
    }
    try {
      await running.close?.();
    } catch (error) {
      this.#o.logger.warning(`Bulk Data ${path}: ${(error as Error).message}`);
    }
  }

  async #encoding(profile: ProfileContext, encodingType: string): Promise<EncodingSettings> {
    if (encodingType === "JSON") {
      const [format, timestamp] = await profile.read([
        "JSONEncoding.ReportFormat",
        "JSONEncoding.ReportTimestamp",
      ]);
      return {
        encoding: "JSON",
        reportFormat: format === "NameValuePair" ? "NameValuePair" : "ObjectHierarchy",
        reportTimestamp: timestampFormat(timestamp),
      };
    }
    const [field, row, escape, format, timestamp] = await profile.read([
      "CSVEncoding.FieldSeparator",
      "CSVEncoding.RowSeparator",
      "CSVEncoding.EscapeCharacter",
      "CSVEncoding.ReportFormat",
      "CSVEncoding.RowTimestamp",
    ]);
    return {
      encoding: "CSV",
      reportFormat: format === "ParameterPerRow" ? "ParameterPerRow" : "ParameterPerColumn",
      rowTimestamp: timestampFormat(timestamp),
      fieldSeparator: decodeCharacterReferences(field) || ",",
      rowSeparator: decodeCharacterReferences(row) || "\n",
      escapeCharacter: decodeCharacterReferences(escape) || '"',
    };
  }

  /** The Parameter.{i} rows of a profile. */
  async #entries(path: string): Promise<ParameterEntry[]> {
    const model = this.#model!;
    const table = `${path}Parameter.`;
    let items;
    try {
      items = await model.list(table, { objects: false });
    } catch {
      return [];
    }
    const values = await model.read(items.map((item) => item.ref!));
    const rows = new Map<string, { name: string; reference: string; exclude: boolean }>();
    items.forEach((item, i) => {
      const cut = item.path.lastIndexOf(".");
      const row = item.path.slice(0, cut);
      const field = item.path.slice(cut + 1);
      let entry = rows.get(row);
      if (entry === undefined) rows.set(row, entry = { name: "", reference: "", exclude: false });
      if (field === "Name") entry.name = values[i];
      else if (field === "Reference") entry.reference = values[i];
      else if (field === "Exclude") entry.exclude = values[i] === "true";
    });
    return [...rows.values()];
  }

  async #countReferences(overrides: ReadonlyMap<string, string>): Promise<number> {
    const model = this.#model;
    if (model === undefined) return 0;
    let items;
    try {
      items = await model.list(BULKDATA_PROFILE_TABLE, { objects: false });
    } catch {
      return 0;
    }
    const refs = items.filter((item) => /\.Parameter\.\d+\.Reference$/.test(item.path));
    const values = await model.read(refs.map((item) => item.ref!));
    const references = new Map(refs.map((item, i) => [item.path, values[i]]));
    for (const [path, value] of overrides) references.set(path, value);
    // No reference at all counts 0 without loading the collector.
    if (references.size === 0) return 0;
    const { resolveReference, TreeListings } = await loadCollect();
    const listings = new TreeListings(model);
    let count = 0;
    for (const reference of references.values()) {
      count += (await resolveReference(model, reference, "", listings)).length;
    }
    return count;
  }

  async #rows(table: string): Promise<number[]> {
    try {
      const items = await this.#model!.list(table, { depth: 1 });
      return items
        .filter((item) => item.ref === undefined)
        .map((item) => Number(item.path.slice(table.length, -1)))
        .filter((n) => Number.isInteger(n) && n > 0);
    } catch {
      return [];
    }
  }

  async #read(paths: readonly string[]): Promise<string[]> {
    const model = this.#model!;
    const refs = await Promise.all(paths.map((p) => model.parameter(p).catch(() => undefined)));
    const present = refs.filter((r) => r !== undefined);
    const values = await model.read(present);
    const hidden = present.flatMap((r, i) => (r.schema.hidden ? [i] : []));
    if (hidden.length > 0 && this.#store !== undefined) {
      const secrets = await this.#store.get(hidden.map((i) => present[i]));
      hidden.forEach((i, k) => (values[i] = secrets[k]));
    }
    let k = 0;
    return refs.map((r) => (r === undefined ? "" : values[k++]));
  }

  #context(path: string): ProfileContext {
    return {
      path,
      read: (names) => this.#read(names.map((name) => path + name)),
      readPaths: (paths) => this.#read(paths),
    };
  }
}

function timestampFormat(value: string): TimestampFormat {
  return value === "ISO-8601" || value === "None" ? value : "Unix-Epoch";
}
