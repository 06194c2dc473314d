/**
 * TR-143 diagnostics (issue #4): the DiagnosticsState machine, the
 * {@linkcode DiagnosticsManager} that owns inputs, runs and results, and the runners:
 * IPPing (`ping`), TraceRoute (`traceroute`), Download/Upload (own HTTP/1.1 over
 * Deno.connect), UDPEcho (client, Echo Plus), ServerSelection (ICMP or UDP Echo) and
 * NSLookup (own DNS codec over UDP).
 *
 * @example
 * ```ts ignore
 * const diagnostics = new DiagnosticsManager({ source: createDenoSystemSource() });
 * const bindings = [...bindIpDiagnostics(diagnostics), ...bindNSLookupDiagnostics(diagnostics)];
 * diagnostics.onComplete(() => queueEvent("8 DIAGNOSTICS COMPLETE"));
 * // after each ACS session:
 * diagnostics.sessionEnded();
 * ```
 *
 * @module
 */

export * from "./state_machine.ts";
export * from "./manager.ts";
export * from "./runner.ts";
export { parsePing, pingArgv, runIPPing } from "./ping.ts";
export { parseTraceroute, runTraceRoute, tracerouteArgv } from "./traceroute.ts";
export { downloadRunner, runDownload } from "./download.ts";
export { runUpload, uploadRunner } from "./upload.ts";
export type { TransferOptions } from "./_http_probe.ts";
export { decodeEchoPlus, encodeEchoRequest, runUDPEcho, udpEchoRunner } from "./udp_echo_client.ts";
export { runServerSelection, serverSelectionRunner } from "./server_selection.ts";
export { decodeDnsMessage, DnsType, encodeDnsMessage } from "./dns_message.ts";
export { nsLookupRunner, runNSLookup } from "./nslookup.ts";
