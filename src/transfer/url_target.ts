/**
 * FTP and TFTP URLs → what the clients connect to and which file they name. Pure.
 *
 * FTP (RFC 1738 §3.2): `ftp://[user[:password]@]host[:port]/seg/…/file[;type=X]`. The
 * segments are percent-decoded and joined with `/` into one path relative to the login
 * directory, sent as is with RETR/STOR/SIZE; no CWD (see `ftp_client.ts` for why). A
 * leading `%2F` makes the path absolute, as RFC 1738 and curl have it. `;type=` is
 * dropped: the client always transfers binary (TYPE I).
 *
 * TFTP (RFC 3617): `tftp://host[:port]/file[;mode=X]`. The file name is the decoded
 * path without its leading `/` (as curl sends it); `;mode=` is dropped (always octet).
 *
 * Decoded names must not hold CR, LF or NUL: they would end an FTP command (command
 * injection) or a TFTP string.
 *
 * @module
 */

/** Where a transfer goes. */
export interface TransferTarget {
  /** Host name or IP literal (IPv6 without brackets). */
  host: string;
  port: number;
  /** The file: an FTP path or a TFTP file name, decoded. */
  path: string;
  /** Credentials from the URL's userinfo, decoded ("" when absent). */
  username: string;
  password: string;
}

/**
 * Reads an `ftp:` URL.
 *
 * @throws {TypeError} when the URL is not an FTP URL naming a file
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ftpTarget } from "./url_target.ts";
 *
 * assert.deepEqual(ftpTarget("ftp://u:p%40ss@files.example:2121/fw/image%201.bin;type=i"), {
 *   host: "files.example",
 *   port: 2121,
 *   path: "fw/image 1.bin",
 *   username: "u",
 *   password: "p@ss",
 * });
 * ```
 */
export function ftpTarget(url: string): TransferTarget {
  return target(url, "ftp:", 21, (pathname) => {
    const bare = pathname.replace(/;type=[aid]$/i, "");
    const segments = bare.split("/").slice(1).map((s) => decode(s, url));
    const path = segments.join("/");
    if (segments.length === 0 || segments[segments.length - 1] === "") {
      throw new TypeError(`FTP URL names no file: "${shown(url)}"`);
    }
    return path;
  });
}

/**
 * Reads a `tftp:` URL.
 *
 * @throws {TypeError} when the URL is not a TFTP URL naming a file
 */
export function tftpTarget(url: string): TransferTarget {
  return target(url, "tftp:", 69, (pathname) => {
    const bare = pathname.replace(/;mode=[a-z]+$/i, "");
    const path = decode(bare.slice(1), url);
    if (path === "" || path.endsWith("/")) {
      throw new TypeError(`TFTP URL names no file: "${shown(url)}"`);
    }
    return path;
  });
}

function target(
  url: string,
  scheme: string,
  defaultPort: number,
  pathOf: (pathname: string) => string,
): TransferTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`Invalid URL: "${shown(url)}"`);
  }
  if (parsed.protocol !== scheme) {
    throw new TypeError(`URL scheme is not "${scheme.slice(0, -1)}": "${shown(url)}"`);
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  if (host === "") throw new TypeError(`URL names no host: "${shown(url)}"`);
  if (parsed.search !== "" || parsed.hash !== "") {
    // "?" and "#" have no meaning in these URLs; a literal one must be %-encoded.
    throw new TypeError(`URL has a query or fragment: "${shown(url)}"`);
  }
  return {
    host,
    port: parsed.port === "" ? defaultPort : Number(parsed.port),
    path: pathOf(parsed.pathname),
    username: decode(parsed.username, url),
    password: decode(parsed.password, url),
  };
}

function decode(text: string, url: string): string {
  let value: string;
  try {
    value = decodeURIComponent(text);
  } catch {
    throw new TypeError(`Invalid percent-encoding in URL: "${shown(url)}"`);
  }
  if (/[\r\n\0]/.test(value)) {
    throw new TypeError(`URL holds CR, LF or NUL: "${shown(url)}"`);
  }
  return value;
}

/** The URL without its userinfo, for messages. */
export function shown(url: string): string {
  const text = url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1");
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
