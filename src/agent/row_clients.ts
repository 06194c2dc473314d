/**
 * Clients kept one per enabled row of a configuration table (`Device.MQTT.Client.{i}`,
 * `Device.XMPP.Connection.{i}`): started for a new enabled row, restarted when the row's
 * settings change, stopped when it is disabled or deleted. Changes the ACS makes are
 * applied once the request that made them is committed (the next turn), one at a time.
 * The client code is loaded (`load`, a dynamic `import()`) before the first start, so a
 * table without an enabled row never loads it (cold start-up: V8 parses what is loaded).
 * Also the helpers both tables read their rows with.
 *
 * @module
 */

import {
  type ParameterRef,
  patternOf,
  type PersistedProvider,
  type Schema,
} from "../datamodel/mod.ts";
import type { Logger } from "../log/mod.ts";
import { setTimer } from "../platform/timers.ts";

/** What a row's client must offer. */
export interface RowClient {
  stop(): Promise<void>;
}

/** What is kept for a running row: its client and the settings it was started with. */
export interface RunningRow<C extends RowClient> {
  client: C;
  /** `JSON.stringify` of the settings. */
  fingerprint: string;
}

/** Options of {@linkcode RowClients}. */
export interface RowClientsOptions<S, R extends RunningRow<RowClient>, M> {
  /** How log lines name a row, e.g. `MQTT client` (`MQTT client 2: stopped`). */
  readonly label: string;
  readonly logger: Logger;
  /** The enabled rows' settings, by instance number. */
  wanted(): Map<number, S>;
  /**
   * Loads what {@linkcode start} needs (the client's module), once, before the first start;
   * a failure fails that reconciliation and the next one tries again.
   */
  load(): Promise<M>;
  /**
   * Starts row `n`'s client with `settings` and what {@linkcode load} gave (fingerprint
   * included in what it returns).
   */
  start(n: number, settings: S, fingerprint: string, loaded: M): R;
  /** Runs after every reconciliation. */
  afterApply?(): void;
}

/** The running clients of one table; see the module doc. */
export class RowClients<S, R extends RunningRow<RowClient>, M> {
  /** Running rows by instance number. */
  readonly running = new Map<number, R>();
  readonly #o: RowClientsOptions<S, R, M>;
  /** What `load` gave, once it has. */
  #loaded: { value: M } | undefined;
  #applying: Promise<void> = Promise.resolve();
  #pending = false;
  #closed = false;

  /** Nothing runs until {@linkcode apply}. */
  constructor(options: RowClientsOptions<S, R, M>) {
    this.#o = options;
  }

  /** The rows changed: apply them once the current change is committed. */
  changed(): void {
    if (this.#pending || this.#closed) return;
    this.#pending = true;
    setTimer(() => {
      this.#pending = false;
      this.apply().catch((error) =>
        this.#o.logger.error(
          `${this.#o.label}: cannot apply the configuration: ${messageOf(error)}`,
        )
      );
    }, 0);
  }

  /** Starts, restarts and stops clients to match the rows. */
  apply(): Promise<void> {
    const applied = this.#applying.then(() => this.#apply());
    // A failure is its caller's; the next reconciliation (and close) still runs.
    this.#applying = applied.catch(() => {});
    return applied;
  }

  /** Stops every client. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#applying;
    await Promise.all([...this.running.values()].map((r) => r.client.stop()));
    this.running.clear();
  }

  async #apply(): Promise<void> {
    if (this.#closed) return;
    const wanted = this.#o.wanted();
    for (const [n, running] of [...this.running]) {
      const settings = wanted.get(n);
      if (settings !== undefined && JSON.stringify(settings) === running.fingerprint) continue;
      this.running.delete(n);
      await running.client.stop();
      this.#o.logger.info(`${this.#o.label} ${n}: stopped`);
    }
    for (const [n, settings] of wanted) {
      if (this.running.has(n)) continue;
      // Reconciliations run one at a time, so this loads once; later starts stay synchronous.
      if (this.#loaded === undefined) {
        this.#loaded = { value: await this.#o.load() };
        if (this.#closed) return; // closed while loading: start nothing
      }
      this.running.set(n, this.#o.start(n, settings, JSON.stringify(settings), this.#loaded.value));
    }
    this.#o.afterApply?.();
  }
}

/** The client log of row `n`: lines starting `TAG:` start `<label> <n>:` instead. */
export function rowLog(logger: Logger, tag: string, label: string, n: number) {
  const prefix = `${label} ${n}:`;
  const swap = (m: string) => m.startsWith(`${tag}:`) ? prefix + m.slice(tag.length + 1) : m;
  return {
    info: (m: string) => logger.info(swap(m)),
    warning: (m: string) => logger.warning(swap(m)),
    debug: (m: string) => logger.debug(swap(m)),
  };
}

/** The stored value at the concrete `path` (secrets included), "" for a path not in `schema`. */
export function storedValue(store: PersistedProvider, schema: Schema, path: string): string {
  const parameter = schema.parameter(patternOf(path));
  if (parameter === undefined) return "";
  const instances = [...path.matchAll(/\.([0-9]+)(?=\.)/g)].map((m) => Number(m[1]));
  const ref: ParameterRef = { path, schema: parameter, instances };
  return store.get([ref])[0];
}

/** The PEM certificates of the file a config `key` names; undefined for "" (a fallback). */
export async function readCaFile(key: string, path: string): Promise<string[] | undefined> {
  if (path === "") return undefined;
  try {
    return [await Deno.readTextFile(path)];
  } catch (error) {
    throw new Error(`Cannot read ${key} "${path}": ${messageOf(error)}`);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
