/**
 * Which FileTypes this device takes (Download, TR-069 A.3.2.8) and produces (Upload,
 * A.4.1.5), and how: pure, from the `[transfer]` config. The instance numbers of
 * `3 Vendor Configuration File <i>` and `4 Vendor Log File <i>` are the rows of
 * `DeviceInfo.VendorConfigFile.{i}` and `DeviceInfo.VendorLogFile.{i}`, fixed so that an
 * ACS's stored Upload keeps naming the same file:
 *
 * | Upload FileType | file |
 * |---|---|
 * | `1 Vendor Configuration File`, `3 Vendor Configuration File 1` | `config_backup_command`'s backup |
 * | `2 Vendor Log File` | the system log (`log_command`), then the agent's own log file |
 * | `4 Vendor Log File 1` | the system log alone |
 * | `4 Vendor Log File 2` | the agent's own log file alone |
 * | `X <OUI> <name>` | `vendor_upload_types`' command |
 *
 * @module
 */

import type { TransferConfig } from "../config/mod.ts";
import type { VendorConfigFileRow, VendorLogFileRow } from "../datamodel/objects/vendor_files.ts";

/** The FileTypes TR-069 defines for Download, and the config key of each one's command. */
const DOWNLOAD_COMMANDS: Readonly<Record<string, keyof TransferConfig>> = {
  "1 Firmware Upgrade Image": "firmwareCommand",
  "2 Web Content": "webContentCommand",
  "3 Vendor Configuration File": "vendorConfigCommand",
  "4 Tone File": "toneFileCommand",
  "5 Ringer File": "ringerFileCommand",
};

/** How an Upload's file is made: a command writing it (path appended), then the agent's log. */
export interface UploadSource {
  /** Empty: no command. */
  readonly command: readonly string[];
  readonly agentLog: boolean;
}

/** What the device takes and produces. */
export interface DeviceFileTypes {
  /** Download FileType → the command that applies it. */
  readonly downloads: ReadonlyMap<string, readonly string[]>;
  /** Upload FileType → how its file is made. */
  readonly uploads: ReadonlyMap<string, UploadSource>;
  readonly configFiles: readonly VendorConfigFileRow[];
  readonly logFiles: readonly VendorLogFileRow[];
}

/** The agent's own log file, if it writes one. */
export interface AgentLogFile {
  /** "" = the agent logs to no file. */
  readonly path: string;
  /** Bytes before it rotates. */
  readonly maxSize: number;
  /** It survives a reboot (not on tmpfs, as /var/log is on OpenWrt). */
  readonly persistent: boolean;
}

const SYSTEM_LOG = 1;
const AGENT_LOG = 2;
const BACKUP = 1;

/** The FileTypes of `config`. */
export function deviceFileTypes(config: TransferConfig, agentLog: AgentLogFile): DeviceFileTypes {
  const downloads = new Map<string, readonly string[]>();
  for (const [type, key] of Object.entries(DOWNLOAD_COMMANDS)) {
    const command = config[key] as readonly string[];
    if (command.length > 0) downloads.set(type, command);
  }
  for (const [type, command] of Object.entries(config.vendorFileTypes)) {
    downloads.set(type, command);
  }

  const uploads = new Map<string, UploadSource>();
  const configFiles: VendorConfigFileRow[] = [];
  const logFiles: VendorLogFileRow[] = [];
  if (config.configBackupCommand.length > 0) {
    const backup = { command: config.configBackupCommand, agentLog: false };
    uploads.set("1 Vendor Configuration File", backup);
    uploads.set(`3 Vendor Configuration File ${BACKUP}`, backup);
    configFiles.push({
      instance: BACKUP,
      name: "config-backup",
      description: "Device configuration backup, restored by a Download of this FileType",
    });
  }
  const hasSystemLog = config.logCommand.length > 0;
  const hasAgentLog = agentLog.path !== "";
  if (hasSystemLog || hasAgentLog) {
    uploads.set("2 Vendor Log File", { command: config.logCommand, agentLog: hasAgentLog });
  }
  if (hasSystemLog) {
    uploads.set(`4 Vendor Log File ${SYSTEM_LOG}`, { command: config.logCommand, agentLog: false });
    logFiles.push({ instance: SYSTEM_LOG, name: "system", maximumSize: 0, persistent: false });
  }
  if (hasAgentLog) {
    uploads.set(`4 Vendor Log File ${AGENT_LOG}`, { command: [], agentLog: true });
    logFiles.push({
      instance: AGENT_LOG,
      name: "cwmp-agent",
      maximumSize: agentLog.maxSize,
      persistent: agentLog.persistent,
    });
  }
  for (const [type, command] of Object.entries(config.vendorUploadTypes)) {
    uploads.set(type, { command, agentLog: false });
  }
  return { downloads, uploads, configFiles, logFiles };
}
