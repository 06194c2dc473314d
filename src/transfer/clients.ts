/**
 * The file-transfer clients this build has, by URL scheme. A Download whose URL has
 * another scheme is refused with 9013 before it is queued.
 *
 * @module
 */

import type { TransferClient } from "./client.ts";
import { ftpTransferClient } from "./ftp_client.ts";
import { httpTransferClient } from "./http_client.ts";
import { tftpTransferClient } from "./tftp_client.ts";

/** Clients by URL scheme (`http:` …). */
export function transferClients(): Record<string, TransferClient> {
  return {
    "http:": httpTransferClient,
    "https:": httpTransferClient,
    "ftp:": ftpTransferClient,
    "tftp:": tftpTransferClient,
  };
}
