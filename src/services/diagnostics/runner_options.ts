/**
 * The runners' options, their defaults and the DSCP capability probe: what the
 * `DiagnosticsManager` reads when it is built and in its sync methods, kept
 * apart from the runner modules so that reading it loads none of them (the manager
 * imports each runner on its first run; see `manager.ts`). The runner modules
 * re-export what they used to define here.
 *
 * @module
 */

import { ffiUnavailable } from "../udp/libc.ts";

/** Options shared by the transfer runners (Download/UploadDiagnostics). */
export interface TransferOptions {
  /** Longest wait for the next bytes, ms; default 30,000 (→ Error_NoResponse / Error_Timeout). */
  readonly idleTimeoutMs?: number;
  /** Largest NumberOfConnections; default 4 (more → Error_Other). */
  readonly maxConnections?: number;
}

/** Default largest NumberOfConnections (DownloadDiagnosticMaxConnections). */
export const DEFAULT_MAX_CONNECTIONS = 4;

/** Options of the UDPEchoDiagnostics runner (`udpEchoRunner`). */
export interface UDPEchoOptions {
  /** UDPEchoDiagnosticsMaxResults; default 100. */
  readonly maxResults?: number;
  /**
   * Why a non-zero DSCP cannot be applied here, undefined when it can; default
   * {@linkcode udpEchoDscpUnavailable}.
   */
  readonly dscpUnavailable?: () => string | undefined;
}

/** Default UDPEchoDiagnosticsMaxResults. */
export const DEFAULT_UDP_ECHO_MAX_RESULTS = 100;

/**
 * Why this device cannot mark UDP echo probes with a DSCP, or undefined if it can.
 *
 * The marking socket (`../udp/tos_socket.ts`) opens libc like the FFI path, so its
 * `tosSocketUnavailable()` is `ffiUnavailable()`: asked here directly so that this
 * sync check does not load the socket module (a test pins that the two agree).
 */
export function udpEchoDscpUnavailable(): string | undefined {
  const why = ffiUnavailable();
  return why === undefined ? undefined : `no socket that can set IP_TOS (${why})`;
}

/** Options of the ServerSelectionDiagnostics runner (`serverSelectionRunner`). */
export interface ServerSelectionOptions {
  /** Port of the UDP Echo servers; default 7. */
  readonly udpEchoPort?: number;
  /** Gap between UDP Echo probes, ms; default 100. */
  readonly udpIntervalMs?: number;
}

/** Options of the NSLookupDiagnostics runner (`nsLookupRunner`). */
export interface NSLookupOptions {
  /** UDP port of the DNS servers; default 53. */
  readonly port?: number;
  /** resolv.conf files for the default server and domain; default `["/etc/resolv.conf"]`. */
  readonly resolvConf?: readonly string[];
}
