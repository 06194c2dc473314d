/**
 * The agent's file transfers: the runner (clients by scheme, staging, apply commands), the
 * transfer RPC handlers with what this device can take, the local `request-download` and
 * `autonomous-transfer-complete` operations, and the engine's `startTransfer` action.
 *
 * @module
 */

import type { AgentConfig } from "../config/mod.ts";
import { type DeviceIdentity, type ParameterTree, rootObjectOf } from "../datamodel/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { Platform } from "../platform/platform.ts";
import {
  cancelTransfer,
  download,
  getAllQueuedTransfers,
  getQueuedTransfers,
  type Handlers,
  scheduleDownload,
  type TransferPolicy,
  upload,
} from "../rpc/mod.ts";
import type { SessionEvent, SessionSnapshot, TransferRecord } from "../session/mod.ts";
import { TransferRunner } from "../transfer/runner.ts";
import { type AgentLogFile, deviceFileTypes } from "../transfer/file_types.ts";
import { type Binding, bindVendorFiles, deviceSchema } from "../datamodel/mod.ts";
import { transferClients } from "../transfer/clients.ts";
import {
  type AutonomousPolicy,
  autonomousTransferOf,
  MAX_PENDING_AUTONOMOUS,
  policyAllows,
} from "./autonomous_transfer.ts";
import { MAX_PENDING_REQUEST_DOWNLOADS, requestDownloadOf } from "./request_download.ts";
import { errorText } from "./session_settings.ts";

const agentLogFiles = new WeakMap<AgentConfig, AgentLogFile>();

/**
 * The agent's own log file, sent by Uploads of `2 Vendor Log File` and `4 Vendor Log File 2`;
 * read once per config (the data model's tables and the runner both ask).
 */
function agentLogFile(config: AgentConfig): AgentLogFile {
  let file = agentLogFiles.get(config);
  if (file === undefined) {
    const path = config.log.file ? config.log.fileName : "";
    file = { path, maxSize: config.log.maxSize, persistent: path !== "" && !onRamFs(path) };
    agentLogFiles.set(config, file);
  }
  return file;
}

/** `path` lies on a tmpfs or ramfs mount (lost at reboot), per /proc/mounts. */
function onRamFs(path: string): boolean {
  let best = { at: "", type: "" };
  try {
    for (const line of Deno.readTextFileSync("/proc/mounts").split("\n")) {
      const [, at, type] = line.split(" ");
      if (at === undefined || type === undefined) continue;
      const inside = at === "/" || path === at || path.startsWith(`${at}/`);
      if (inside && at.length >= best.at.length) best = { at, type };
    }
  } catch {
    return false; // no /proc: assume the file survives
  }
  return best.type === "tmpfs" || best.type === "ramfs";
}

/**
 * `DeviceInfo.VendorConfigFile.{i}` and `.VendorLogFile.{i}`: the files Uploads of
 * `3 Vendor Configuration File <i>` and `4 Vendor Log File <i>` send.
 */
export function vendorFileBindings(config: AgentConfig): Binding[] {
  const types = deviceFileTypes(config.transfer, agentLogFile(config));
  const schema = deviceSchema(config.cpe.datamodel);
  // TR-098's VendorConfigFile has no UseForBackupRestore: bind what the root has.
  return bindVendorFiles(types.configFiles, types.logFiles, rootObjectOf(config.cpe.datamodel))
    .map((b) => ({ ...b, parameters: b.parameters.filter((n) => schema.parameter(b.object + n)) }));
}

/** What {@linkcode createAgentTransfers} needs. */
export interface AgentTransfersOptions {
  config: AgentConfig;
  platform: Platform;
  identity: DeviceIdentity;
  logger: Logger;
  model: ParameterTree;
  /** The engine's persisted state now (queued transfers and CPE requests). */
  persisted(): SessionSnapshot;
  /** Feeds an event to the engine. */
  feed(event: SessionEvent): void;
}

/** A local operation's reply. */
export interface LocalReply {
  lines: string[];
  ok: boolean;
}

/** The agent's transfer side. */
export interface AgentTransfers {
  /** Download, Upload, ScheduleDownload and the queue RPCs; none without a client. */
  handlers: Handlers;
  /** Answers `request-download` and `autonomous-transfer-complete`; undefined for others. */
  local(op: string, args: readonly string[]): Promise<LocalReply> | undefined;
  /** Runs a `startTransfer` action to its `transferDone` event. */
  run(transfer: TransferRecord): Promise<SessionEvent>;
  /** Cancels a running transfer (shutdown). */
  abort(): void;
}

/**
 * Builds the transfer side and removes staged files of transfers no longer queued in
 * `initial` (cancelled, wiped), which would only fill the staging filesystem.
 */
export async function createAgentTransfers(
  options: AgentTransfersOptions,
  initial: SessionSnapshot | undefined,
): Promise<AgentTransfers> {
  const { config, platform, identity, logger, model, persisted, feed } = options;
  const abort = new AbortController();
  const runner = new TransferRunner({
    config: config.transfer,
    stagingDir: config.transfer.dir || `${config.agent.stateDir}/transfers`,
    fallbackCaFile: config.acs.caFile,
    caDir: config.acs.transferCaDir,
    clientCert: config.acs.clientCert,
    clientKey: config.acs.clientKey,
    agentLog: agentLogFile(config),
    softwareVersion: () => identity.softwareVersion,
    ...(platform.freeBytes ? { freeBytes: (dir: string) => platform.freeBytes!(dir) } : {}),
    clients: transferClients(),
    runCommand: (argv, timeoutMs) => platform.runCommand(argv, timeoutMs),
    now: () => platform.now(),
    log: (line) => logger.info(line),
  });
  await runner.removeStale(
    new Set((initial?.transfers ?? []).filter((t) => t.state !== 3).map((t) => t.id)),
  ).catch((error) => logger.warning(`Cannot clean the staging directory: ${errorText(error)}`));

  const policy: TransferPolicy = {
    fileTypes: runner.fileTypes(),
    uploadFileTypes: runner.uploadFileTypes(),
    schemes: runner.schemes(),
    maxFileSize: config.transfer.maxFileSize,
    queued: () =>
      persisted().transfers.map((t) => ({
        commandKey: t.commandKey,
        state: t.state,
        isDownload: t.method !== "Upload",
        fileType: t.fileType,
        fileSize: t.fileSize,
        targetFileName: t.targetFileName,
      })),
  };
  // Offered (and listed by GetRPCMethods) only when a transfer client is built in.
  const handlers: Handlers = policy.schemes.size === 0 ? {} : {
    Download: (request) => download(request, policy),
    Upload: (request) => upload(request, policy),
    ScheduleDownload: (request) => scheduleDownload(request, policy),
    GetQueuedTransfers: () => getQueuedTransfers(policy),
    GetAllQueuedTransfers: () => getAllQueuedTransfers(policy),
    CancelTransfer: (request) => cancelTransfer(request, policy),
  };

  /** ManagementServer.AutonomousTransferCompletePolicy as set by the ACS (default off). */
  const autonomousPolicy = async (): Promise<AutonomousPolicy> => {
    const base = `${
      rootObjectOf(config.cpe.datamodel)
    }ManagementServer.AutonomousTransferCompletePolicy.`;
    const names = ["Enable", "TransferTypeFilter", "ResultTypeFilter", "FileTypeFilter"];
    const refs = await Promise.all(names.map((n) => model.parameter(base + n)));
    if (refs.some((r) => r === undefined)) {
      return { enable: false, transferTypeFilter: "", resultTypeFilter: "", fileTypeFilter: "" };
    }
    const [enable, transferTypeFilter, resultTypeFilter, fileTypeFilter] = await model.read(
      refs.map((r) => r!),
    );
    return {
      enable: enable === "true" || enable === "1",
      transferTypeFilter,
      resultTypeFilter,
      fileTypeFilter,
    };
  };

  /** Throws when `max` requests of `kind` already wait for the ACS. */
  const checkPending = (kind: string, max: number, what: string) => {
    if (persisted().queuedRequests.filter((r) => r.kind === kind).length >= max) {
      throw new RangeError(`Already ${max} ${what} waiting for the ACS`);
    }
  };
  const reply = (value: object): LocalReply => ({ lines: [JSON.stringify(value)], ok: true });

  const local = (op: string, args: readonly string[]): Promise<LocalReply> | undefined => {
    if (op === "request-download") {
      const request = requestDownloadOf(args);
      checkPending("RequestDownload", MAX_PENDING_REQUEST_DOWNLOADS, "RequestDownloads");
      feed({
        kind: "addEvent",
        events: [{ eventCode: "9 REQUEST DOWNLOAD", commandKey: "" }],
        request,
      });
      return Promise.resolve(reply({ status: 0 }));
    }
    if (op === "autonomous-transfer-complete") {
      return (async () => {
        const transfer = autonomousTransferOf(args, platform.now());
        if (!policyAllows(await autonomousPolicy(), transfer)) {
          return reply({ status: 0, reported: false });
        }
        checkPending("AutonomousTransferComplete", MAX_PENDING_AUTONOMOUS, "reports");
        feed({
          kind: "addEvent",
          events: [{ eventCode: "10 AUTONOMOUS TRANSFER COMPLETE", commandKey: "" }],
          request: transfer,
        });
        return reply({ status: 0, reported: true });
      })();
    }
    return undefined;
  };

  return {
    handlers,
    local,
    run: (transfer) =>
      runner.run(transfer, abort.signal).then((outcome) => ({
        kind: "transferDone" as const,
        id: transfer.id,
        ...outcome,
      })),
    abort: () => abort.abort(),
  };
}
