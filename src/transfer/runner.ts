/**
 * Carries out one queued transfer (a `startTransfer` action of the engine): download to the
 * staging directory with the client of the URL's scheme, verify (optional command), apply
 * with the FileType's command, remove the staged file, and say how it ended as the
 * TransferComplete fault (0 or 9010–9018) with a FaultString of what really happened.
 *
 * @module
 */

import type { TransferConfig } from "../config/mod.ts";
import type { CommandResult } from "../platform/platform.ts";
import type { TransferRecord } from "../session/mod.ts";
import { type DeviceFileTypes, deviceFileTypes } from "./file_types.ts";
import {
  type TransferClient,
  TransferError,
  type TransferLimits,
  type TransferTls,
} from "./client.ts";

/** Time an apply or verify command may take (sysupgrade writes flash). */
const COMMAND_TIMEOUT_MS = 30 * 60_000;

/** How a transfer ended, for the engine's `transferDone`. */
export interface TransferOutcome {
  faultCode: number;
  faultString: string;
  startTime?: number;
  completeTime?: number;
  /** The applied file needs a reboot. */
  reboot: boolean;
  /** With `reboot` and `firmware_check_version`: the SoftwareVersion before the upgrade. */
  versionBefore?: string;
}

/** What {@linkcode TransferRunner} needs. */
export interface TransferRunnerOptions {
  config: TransferConfig;
  /** `<state_dir>/transfers` unless `config.dir` is set. */
  stagingDir: string;
  /** CA bundle for file servers when `config.caFile` is empty (the ACS's). */
  fallbackCaFile: string;
  /** Directory of CA files for file servers (`acs.transfer_ca_dir`); "" = none. */
  caDir: string;
  /**
   * The device's certificate and key (PEM paths, `acs.client_cert`/`client_key`), shown to a
   * file server that asks for one; "" = none.
   */
  clientCert?: string;
  clientKey?: string;
  /** The agent's own log file, sent with an Upload of `2 Vendor Log File`; path "" = none. */
  agentLog: { path: string; maxSize: number; persistent: boolean };
  /** DeviceInfo.SoftwareVersion now (`firmware_check_version`). */
  softwareVersion(): string;
  /** Bytes free where `dir` is, if the platform can tell. */
  freeBytes?(dir: string): Promise<number | undefined>;
  /** Clients by URL scheme (`http:`, `https:`, `ftp:`, `tftp:`). */
  clients: Readonly<Record<string, TransferClient>>;
  runCommand(argv: readonly string[], timeoutMs: number): Promise<CommandResult>;
  now(): number;
  log(line: string): void;
}

/** Runs transfers; tells the RPC handlers what this device can take. */
export class TransferRunner {
  readonly #o: TransferRunnerOptions;
  /** What the device takes and produces, and the DeviceInfo.Vendor*File rows. */
  readonly types: DeviceFileTypes;

  /** A runner with `options`. */
  constructor(options: TransferRunnerOptions) {
    this.#o = options;
    this.types = deviceFileTypes(options.config, options.agentLog);
  }

  /** FileTypes with an apply command. */
  fileTypes(): Set<string> {
    return new Set(this.types.downloads.keys());
  }

  /** Upload FileTypes this device can produce. */
  uploadFileTypes(): Set<string> {
    return new Set(this.types.uploads.keys());
  }

  /** URL schemes with a client. */
  schemes(): Set<string> {
    return new Set(Object.keys(this.#o.clients));
  }

  /**
   * Removes staged files (`<id>.part`, `<id>.upload`) of transfers not in `queued`; returns
   * what it removed. Other files in the directory are left alone.
   */
  async removeStale(queued: ReadonlySet<number>): Promise<string[]> {
    const removed: string[] = [];
    try {
      for await (const entry of Deno.readDir(this.#o.stagingDir)) {
        const match = entry.name.match(/^(\d+)\.(part|upload)$/);
        if (!entry.isFile || match === null || queued.has(Number(match[1]))) continue;
        await Deno.remove(`${this.#o.stagingDir}/${entry.name}`);
        removed.push(entry.name);
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    return removed;
  }

  /** Runs `record` to the end; never throws. */
  run(record: TransferRecord, signal?: AbortSignal): Promise<TransferOutcome> {
    return record.method === "Upload"
      ? this.#upload(record, signal)
      : this.#download(record, signal);
  }

  #limits(): TransferLimits {
    const { config } = this.#o;
    return {
      connectTimeoutMs: config.connectTimeout * 1000,
      stallTimeoutMs: config.stallTimeout * 1000,
      totalTimeoutMs: config.totalTimeout * 1000,
      maxBytes: config.maxFileSize,
    };
  }

  #tls(): TransferTls {
    const caFile = this.#o.config.caFile || this.#o.fallbackCaFile;
    const { clientCert = "", clientKey = "" } = this.#o;
    return {
      ...(caFile === "" ? {} : { caFile }),
      ...(this.#o.caDir === "" ? {} : { caDir: this.#o.caDir }),
      ...(clientCert === "" || clientKey === "" ? {} : { clientCert, clientKey }),
    };
  }

  #client(url: string): TransferClient {
    const scheme = new URL(url).protocol;
    const client = this.#o.clients[scheme];
    if (client === undefined) {
      throw new TransferError(9013, `Unsupported protocol for file transfer: "${scheme}"`);
    }
    return client;
  }

  /** Produces the file (backup or log) and sends it; never throws. */
  async #upload(record: TransferRecord, signal?: AbortSignal): Promise<TransferOutcome> {
    const { log } = this.#o;
    const path = `${this.#o.stagingDir}/${record.id}.upload`;
    try {
      await Deno.mkdir(this.#o.stagingDir, { recursive: true, mode: 0o700 });
      await Deno.writeFile(path, new Uint8Array(), { mode: 0o600 });
      const source = this.types.uploads.get(record.fileType);
      if (source === undefined) {
        // Accepted when the config offered it; the config changed since.
        throw new TransferError(9011, `No command produces FileType "${record.fileType}"`);
      }
      if (source.command.length > 0) {
        const made = await this.#o.runCommand([...source.command, path], COMMAND_TIMEOUT_MS);
        if (made.code !== 0) {
          throw new TransferError(
            9011,
            `Command for "${record.fileType}" exited ${made.code}${tail(made)}`,
          );
        }
      }
      if (source.agentLog) await appendFile(path, this.#o.agentLog.path);
      log(`Upload ${record.id} ("${record.commandKey}") of "${record.fileType}" started`);
      const result = await this.#client(record.url).upload({
        url: record.url,
        username: record.username,
        password: record.password,
        path,
        tls: this.#tls(),
        limits: this.#limits(),
        signal,
        onLog: log,
      });
      log(`Upload ${record.id} sent ${result.bytes} bytes`);
      return {
        faultCode: 0,
        faultString: "",
        startTime: result.startTime,
        completeTime: result.completeTime,
        reboot: false,
      };
    } catch (error) {
      const fault = error instanceof TransferError
        ? { code: error.faultCode, text: error.message, start: error.startTime }
        : { code: 9011, text: `Upload failed: ${(error as Error).message}`, start: undefined };
      log(`Upload ${record.id} failed: ${fault.code} ${fault.text}`);
      return {
        faultCode: fault.code,
        faultString: fault.text,
        startTime: fault.start,
        completeTime: fault.start === undefined ? undefined : this.#o.now(),
        reboot: false,
      };
    } finally {
      await Deno.remove(path).catch(() => {});
    }
  }

  async #download(record: TransferRecord, signal?: AbortSignal): Promise<TransferOutcome> {
    const { config, log } = this.#o;
    const path = `${this.#o.stagingDir}/${record.id}.part`;
    let startTime: number | undefined;
    let completeTime: number | undefined;
    try {
      await Deno.mkdir(this.#o.stagingDir, { recursive: true, mode: 0o700 });
      if (record.resume !== true) await Deno.remove(path).catch(() => {});
      const apply = this.types.downloads.get(record.fileType) ?? [];
      if (apply.length === 0) {
        // Accepted when a command was configured; the config changed since.
        throw new TransferError(9010, `No command applies FileType "${record.fileType}"`);
      }
      const client = this.#client(record.url);
      // An announced size is checked against the free space first (FileSize 0: unknown).
      if (record.fileSize > 0 && this.#o.freeBytes !== undefined) {
        const free = await this.#o.freeBytes(this.#o.stagingDir);
        if (free !== undefined && free < record.fileSize) {
          throw new TransferError(
            9010,
            `Not enough space for the file: ${record.fileSize} bytes announced, ${free} free`,
          );
        }
      }
      log(`Download ${record.id} ("${record.commandKey}") of "${record.fileType}" started`);
      const result = await client.download({
        url: record.url,
        username: record.username,
        password: record.password,
        fileSize: record.fileSize,
        path,
        resume: record.resume === true,
        tls: this.#tls(),
        limits: this.#limits(),
        signal,
        onLog: log,
      });
      startTime = result.startTime;
      completeTime = result.completeTime;
      log(`Download ${record.id} received ${result.bytes} bytes`);
      if (config.verifyCommand.length > 0) {
        const verified = await this.#o.runCommand(
          [...config.verifyCommand, path],
          COMMAND_TIMEOUT_MS,
        );
        if (verified.code !== 0) {
          throw new TransferError(9018, `Verify command exited ${verified.code}${tail(verified)}`);
        }
      }
      const applied = await this.#o.runCommand([...apply, path], COMMAND_TIMEOUT_MS);
      if (applied.code !== 0) {
        throw new TransferError(9010, `Apply command exited ${applied.code}${tail(applied)}`);
      }
      log(`Download ${record.id} applied`);
      const firmware = record.fileType === "1 Firmware Upgrade Image";
      return {
        faultCode: 0,
        faultString: "",
        startTime,
        completeTime: completeTime ?? this.#o.now(),
        reboot: firmware && config.firmwareReboot,
        ...(firmware && config.firmwareReboot && config.firmwareCheckVersion
          ? { versionBefore: this.#o.softwareVersion() }
          : {}),
      };
    } catch (error) {
      const fault = error instanceof TransferError
        ? { code: error.faultCode, text: error.message, start: error.startTime }
        : { code: 9010, text: `Download failed: ${(error as Error).message}`, start: undefined };
      log(`Download ${record.id} failed: ${fault.code} ${fault.text}`);
      return {
        faultCode: fault.code,
        faultString: fault.text,
        startTime: startTime ?? fault.start,
        completeTime: startTime ?? fault.start ? this.#o.now() : undefined,
        reboot: false,
      };
    } finally {
      await Deno.remove(path).catch(() => {});
    }
  }
}

/** Appends the file `from` (if it exists) to `to`, streamed. */
async function appendFile(to: string, from: string): Promise<void> {
  let source: Deno.FsFile;
  try {
    source = await Deno.open(from, { read: true });
  } catch {
    return; // no log written yet
  }
  const target = await Deno.open(to, { append: true });
  try {
    await source.readable.pipeTo(target.writable);
  } finally {
    try {
      target.close();
    } catch { /* closed by pipeTo */ }
  }
}

function tail(result: CommandResult): string {
  const text = result.stderr.trim().split("\n").at(-1) ?? "";
  return text === "" ? "" : `: ${text.slice(0, 160)}`;
}
