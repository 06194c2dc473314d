/**
 * Runs the TR-181 TWAMPReflector rows: a {@linkcode TwampReflectorController} on top of
 * `services/udp` (one `startUdpService()` per enabled row, the pure reflector as its
 * handler). `apply(rows)` closes what is no longer wanted (disabled, deleted, moved to
 * another port) before it binds what is new, and reconfigures the rest in place (the
 * reflector keeps its sequence counters). A row whose socket cannot be bound reads
 * Status "Error" until a later `apply` succeeds.
 *
 * Every row binds `hostname` (default "0.0.0.0"): the reflector does not yet bind to its
 * IP.Interface's own addresses, so two enabled rows on different interfaces with the
 * same Port collide and the second reads "Error". Applies run one after another.
 *
 * @module
 */

import type {
  TwampReflectorController,
  TwampReflectorRow,
} from "../../datamodel/objects/twamp_reflector.ts";
import { startUdpService, type UdpPath, type UdpService } from "../udp/mod.ts";
import { allowListError } from "./allow_list.ts";
import { type TwampReflectorConfig, twampReflectorSpec } from "./reflector.ts";

/** Options of {@linkcode TwampReflectorService}. */
export interface TwampReflectorServiceOptions {
  /** Address every reflector binds; default "0.0.0.0". */
  readonly hostname?: string;
  /** UDP loop: "auto" (default; FFI, which reads the TTL, when it can run) or one path. */
  readonly path?: "auto" | UdpPath;
  /** Settings beyond TR-181 (unknownTtl, shortPackets, clock error…) for every row. */
  readonly extra?: Omit<TwampReflectorConfig, "maximumTtl" | "ipAllowedList" | "portAllowedList">;
  /** Told when a reflector cannot start or stop (sentence case). */
  readonly onError?: (message: string) => void;
}

interface Running {
  readonly port: number;
  readonly service: UdpService;
  config: string;
}

/** The reflector configuration of a TR-181 row. */
export function reflectorConfigOf(
  row: TwampReflectorRow,
  extra: TwampReflectorServiceOptions["extra"] = {},
): TwampReflectorConfig {
  return {
    ...extra,
    maximumTtl: row.maximumTtl,
    ipAllowedList: row.ipAllowedList,
    portAllowedList: row.portAllowedList,
  };
}

/** Starts, stops and reconfigures reflectors to match the rows; see the module doc. */
export class TwampReflectorService implements TwampReflectorController {
  readonly #options: TwampReflectorServiceOptions;
  readonly #running = new Map<string, Running>();
  #queue: Promise<void> = Promise.resolve();

  /** Runs nothing until the first `apply()`. */
  constructor(options: TwampReflectorServiceOptions = {}) {
    this.#options = options;
  }

  /** Makes the running reflectors match the enabled `rows`; never rejects. */
  apply(rows: readonly TwampReflectorRow[]): Promise<void> {
    const next = this.#queue.then(() => this.#apply(rows));
    this.#queue = next;
    return next;
  }

  /** "Active" when the row's reflector runs, else "Error". */
  status(row: TwampReflectorRow): "Active" | "Error" {
    return this.#running.has(keyOf(row)) ? "Active" : "Error";
  }

  /** Allow-list syntax (the schema only knows they are lists of strings). */
  check(row: TwampReflectorRow): string | undefined {
    return allowListError(row.ipAllowedList, row.portAllowedList);
  }

  /** The bound port of a row's reflector (useful when Port is 0 in tests), or undefined. */
  port(row: TwampReflectorRow): number | undefined {
    return this.#running.get(keyOf(row))?.service.port;
  }

  /** Counters of each running reflector, by `interface.instance`. */
  async stats(): Promise<Record<string, Record<string, number | string>>> {
    const out: Record<string, Record<string, number | string>> = {};
    for (const [key, running] of this.#running) out[key] = await running.service.stats();
    return out;
  }

  /** Stops every reflector. */
  close(): Promise<void> {
    return this.apply([]);
  }

  async #apply(rows: readonly TwampReflectorRow[]): Promise<void> {
    const wanted = new Map(rows.filter((r) => r.enable).map((r) => [keyOf(r), r]));
    for (const [key, running] of [...this.#running]) {
      const row = wanted.get(key);
      if (row !== undefined && row.port === running.port) continue;
      this.#running.delete(key);
      await running.service.close().catch((e) => this.#error(`Cannot stop reflector ${key}`, e));
    }
    for (const [key, row] of wanted) {
      const config = reflectorConfigOf(row, this.#options.extra);
      const text = JSON.stringify(config);
      const running = this.#running.get(key);
      try {
        if (running === undefined) {
          const service = await startUdpService({
            hostname: this.#options.hostname ?? "0.0.0.0",
            port: row.port,
            spec: twampReflectorSpec(config),
            path: this.#options.path ?? "auto",
          });
          this.#running.set(key, { port: row.port, service, config: text });
        } else if (running.config !== text) {
          await running.service.reconfigure(config);
          running.config = text;
        }
      } catch (error) {
        this.#error(`Cannot run reflector ${key} on port ${row.port}`, error);
      }
    }
  }

  #error(message: string, error: unknown): void {
    this.#options.onError?.(`${message}: ${(error as Error)?.message ?? error}`);
  }
}

function keyOf(row: TwampReflectorRow): string {
  return `${row.interfaceInstance}.${row.instance}`;
}
