/**
 * The file-transfer clients this build has, by URL scheme. A Download whose URL has
 * another scheme is refused with 9013 before it is queued.
 *
 * Each client's module is loaded on its first transfer, not at start: most runs transfer
 * nothing, and the TFTP client's name lookup (`node:dns`, the system resolver with
 * /etc/hosts) brings the Node compatibility layer with it.
 *
 * @module
 */

import type { DownloadRequest, TransferClient, UploadRequest } from "./client.ts";

/** A client whose module loads on first use. */
function lazy(load: () => Promise<TransferClient>): TransferClient {
  let client: Promise<TransferClient> | undefined;
  const get = () => client ??= load();
  return {
    download: async (request: DownloadRequest) => (await get()).download(request),
    upload: async (request: UploadRequest) => (await get()).upload(request),
  };
}

const http = lazy(async () => (await import("./http_client.ts")).httpTransferClient);

/** Clients by URL scheme (`http:` …). */
export function transferClients(): Record<string, TransferClient> {
  return {
    "http:": http,
    "https:": http,
    "ftp:": lazy(async () => (await import("./ftp_client.ts")).ftpTransferClient),
    "tftp:": lazy(async () => (await import("./tftp_client.ts")).tftpTransferClient),
  };
}
