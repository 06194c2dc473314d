/**
 * `cwmp-agent request-download FILETYPE [NAME=VALUE…]`: the CPE asks the ACS for a file
 * (TR-069 A.4.2.1 RequestDownload, event `9 REQUEST DOWNLOAD`), e.g. an integrator's
 * firmware check. Pure: arguments in, the request out, or a usage error.
 *
 * @module
 */

import type { RequestDownload } from "../soap/mod.ts";

/** RequestDownloads waiting for the ACS at once; more are refused locally. */
export const MAX_PENDING_REQUEST_DOWNLOADS = 4;

/**
 * The RequestDownload for the CLI's arguments.
 *
 * @throws {TypeError} with a one-line usage message.
 */
export function requestDownloadOf(args: readonly string[]): RequestDownload {
  const [fileType, ...pairs] = args;
  if (fileType === undefined || fileType === "" || fileType.length > 64) {
    throw new TypeError(
      'Usage: request-download FILETYPE [NAME=VALUE…], e.g. "1 Firmware Upgrade Image"',
    );
  }
  if (pairs.length > 16) throw new TypeError("At most 16 NAME=VALUE arguments");
  const fileTypeArg = pairs.map((pair) => {
    const eq = pair.indexOf("=");
    if (eq <= 0 || eq > 64 || pair.length - eq - 1 > 256) {
      throw new TypeError(
        `Expected NAME=VALUE (name ≤ 64, value ≤ 256), got "${pair.slice(0, 40)}"`,
      );
    }
    return { name: pair.slice(0, eq), value: pair.slice(eq + 1) };
  });
  return { kind: "RequestDownload", fileType, fileTypeArg };
}
