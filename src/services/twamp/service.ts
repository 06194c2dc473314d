/**
 * Runs the TR-181 TWAMPReflector rows: a {@linkcode TwampReflectorController} on top of
 * `services/udp` (one `startUdpService()` per enabled row, the pure reflector as its
 * handler). `apply(rows)` closes what is no longer wanted (disabled, deleted, moved to
 * another port) before it binds what is new, and reconfigures the rest in place (the
 * reflector keeps its sequence counters). A row whose socket cannot be bound reads
 * Status "Error" until a later `apply` succeeds.
 *
 * Each row's reflector holds its own IP.Interface: on the FFI path it binds `hostname`
 * (default "0.0.0.0") tied to the interface's Linux device with SO_BINDTODEVICE
 * (`deviceOf`), so two enabled rows with the same Port on different interfaces both run
 * while the same Port twice on one device still fails (address in use). The
 * `Deno.listenDatagram` path has no socket options: it binds the interface's address
 * (`addressOf`) instead. Without either answer a row binds `hostname` on every
 * interface, as before. A row whose device or address changes is rebound on the next
 * `apply`. Applies run one after another.
 *
 * @module
 */

import type {
  TwampReflectorController,
  TwampReflectorRow,
} from "../../datamodel/objects/twamp_reflector.ts";
import type { UdpPath, UdpService } from "../udp/mod.ts";
import { allowListError } from "./allow_list.ts";
import type { TwampReflectorConfig } from "./reflector.ts";
import { twampReflectorSpec } from "./reflector_spec.ts";

/** Options of {@linkcode TwampReflectorService}. */
export interface TwampReflectorServiceOptions {
  /** Address a reflector binds when it has no interface address; default "0.0.0.0". */
  readonly hostname?: string;
  /**
   * Linux device name of `Device.IP.Interface.{interfaceInstance}` (its Name), which
   * the row's reflector is tied to on the FFI path; undefined when unknown.
   */
  readonly deviceOf?: (interfaceInstance: number) => Promise<string | undefined>;
  /**
   * An address of `Device.IP.Interface.{interfaceInstance}`, bound on the deno path
   * (and on the FFI path when `deviceOf` gives no device); undefined when unknown.
   */
  readonly addressOf?: (interfaceInstance: number) => Promise<string | undefined>;
  /** UDP loop: "auto" (default; FFI, which reads the TTL, when it can run) or one path. */
  readonly path?: "auto" | UdpPath;
  /** Settings beyond TR-181 (unknownTtl, shortPackets, clock error…) for every row. */
  readonly extra?: Omit<TwampReflectorConfig, "maximumTtl" | "ipAllowedList" | "portAllowedList">;
  /** Told when a reflector cannot start or stop (sentence case). */
  readonly onError?: (message: string) => void;
}

interface Running {
  readonly port: number;
  /** `bindKey()` of what the socket was bound to. */
  readonly bind: string;
  readonly service: UdpService;
  config: string;
}

/** Where one reflector binds. */
interface BindTarget {
  readonly hostname: string;
  readonly device?: string;
}

function bindKey(target: BindTarget): string {
  return `${target.device ?? ""}|${target.hostname}`;
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

  /** Where `interfaceInstance`'s reflectors bind on `path`; see the module doc. */
  async #targetOf(interfaceInstance: number, path: UdpPath): Promise<BindTarget> {
    const hostname = this.#options.hostname ?? "0.0.0.0";
    const ask = (f?: (i: number) => Promise<string | undefined>) =>
      f ? f(interfaceInstance).catch(() => undefined) : Promise.resolve(undefined);
    if (path === "ffi") {
      const device = await ask(this.#options.deviceOf);
      if (device) return { hostname, device };
    }
    return { hostname: (await ask(this.#options.addressOf)) || hostname };
  }

  async #apply(rows: readonly TwampReflectorRow[]): Promise<void> {
    const wanted = new Map(rows.filter((r) => r.enable).map((r) => [keyOf(r), r]));
    // Only when a reflector runs: the UDP module (and finding out the path, which loads
    // libc through FFI) stays out of an agent whose reflectors are off.
    const udp = wanted.size > 0 ? await import("../udp/mod.ts") : undefined;
    const path = udp?.resolveUdpPath(this.#options.path) ?? "deno";
    const targets = new Map<number, BindTarget>();
    for (const row of wanted.values()) {
      if (!targets.has(row.interfaceInstance)) {
        targets.set(row.interfaceInstance, await this.#targetOf(row.interfaceInstance, path));
      }
    }
    for (const [key, running] of [...this.#running]) {
      const row = wanted.get(key);
      if (
        row !== undefined && row.port === running.port &&
        bindKey(targets.get(row.interfaceInstance)!) === running.bind
      ) continue;
      this.#running.delete(key);
      await running.service.close().catch((e) => this.#error(`Cannot stop reflector ${key}`, e));
    }
    for (const [key, row] of wanted) {
      const config = reflectorConfigOf(row, this.#options.extra);
      const text = JSON.stringify(config);
      const running = this.#running.get(key);
      const target = targets.get(row.interfaceInstance)!;
      try {
        if (running === undefined) {
          const service = await udp!.startUdpService({
            hostname: target.hostname,
            device: target.device,
            port: row.port,
            spec: twampReflectorSpec(config),
            path,
          });
          this.#running.set(key, { port: row.port, bind: bindKey(target), service, config: text });
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
