/**
 * `cwmp-agent autonomous-transfer-complete download|upload FILETYPE URL [FILESIZE [FAULTCODE
 * [FAULTSTRING]]]`: an integrator reports a transfer the ACS did not order (a local firmware
 * update, a log push) as AutonomousTransferComplete (TR-069 A.3.3.3, event
 * `10 AUTONOMOUS TRANSFER COMPLETE`), if ManagementServer.AutonomousTransferCompletePolicy
 * lets it through (Enable, TransferTypeFilter, ResultTypeFilter, FileTypeFilter). Pure.
 *
 * @module
 */

import type { AutonomousTransferComplete } from "../soap/mod.ts";
import { formatDateTime, UNKNOWN_TIME } from "../datamodel/date_time.ts";

/** ManagementServer.AutonomousTransferCompletePolicy. */
export interface AutonomousPolicy {
  enable: boolean;
  /** "Upload", "Download" or "Both". */
  transferTypeFilter: string;
  /** "Success", "Failure" or "Both". */
  resultTypeFilter: string;
  /** Comma-separated FileTypes reported; empty = none. */
  fileTypeFilter: string;
}

/** Reports waiting for the ACS at once; more are refused locally. */
export const MAX_PENDING_AUTONOMOUS = 8;

/** Allowed FaultCodes of a transfer result (CWMP-FACTS §4.5). */
const TRANSFER_FAULTS = [0, 9001, 9002, 9010, 9011, 9012, 9014, 9015, 9016, 9017, 9018, 9019, 9020];

/**
 * The AutonomousTransferComplete for the CLI's arguments, completed at `now`.
 *
 * @throws {TypeError} with a one-line usage message.
 */
export function autonomousTransferOf(
  args: readonly string[],
  now: number,
): AutonomousTransferComplete {
  const [direction, fileType, url, size = "0", code = "0", text = ""] = args;
  const usage = "Usage: autonomous-transfer-complete download|upload FILETYPE URL " +
    "[FILESIZE [FAULTCODE [FAULTSTRING]]]";
  if ((direction !== "download" && direction !== "upload") || !fileType || !url) {
    throw new TypeError(usage);
  }
  if (fileType.length > 64 || url.length > 1024 || text.length > 256) {
    throw new TypeError("FILETYPE ≤ 64, URL ≤ 1024, FAULTSTRING ≤ 256 characters");
  }
  const fileSize = Number(size);
  const faultCode = Number(code);
  if (!Number.isInteger(fileSize) || fileSize < 0 || fileSize > 0xffffffff) {
    throw new TypeError(`FILESIZE must be an unsignedInt, got "${size}"`);
  }
  if (!TRANSFER_FAULTS.includes(faultCode) && !(faultCode >= 9800 && faultCode <= 9899)) {
    throw new TypeError(`FAULTCODE must be 0, a 90xx transfer fault or 98xx, got "${code}"`);
  }
  return {
    kind: "AutonomousTransferComplete",
    announceURL: "",
    transferURL: url,
    isDownload: direction === "download",
    fileType,
    fileSize,
    targetFileName: "",
    faultStruct: { faultCode, faultString: faultCode === 0 ? "" : text },
    startTime: UNKNOWN_TIME,
    completeTime: formatDateTime(now),
  };
}

/** Whether the policy says to report `transfer`. */
export function policyAllows(
  policy: AutonomousPolicy,
  transfer: AutonomousTransferComplete,
): boolean {
  if (!policy.enable) return false;
  const type = transfer.isDownload ? "Download" : "Upload";
  if (policy.transferTypeFilter !== "Both" && policy.transferTypeFilter !== type) return false;
  const result = transfer.faultStruct.faultCode === 0 ? "Success" : "Failure";
  if (policy.resultTypeFilter !== "Both" && policy.resultTypeFilter !== result) return false;
  return policy.fileTypeFilter.split(",").map((t) => t.trim()).includes(transfer.fileType);
}
