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
 * The runner modules (`ping.ts`, `traceroute.ts`, `download.ts`, `upload.ts`,
 * `udp_echo_client.ts`, `server_selection.ts`, `nslookup.ts`, `dns_message.ts`) are not
 * re-exported here: the manager imports each one on its diagnostic's first run, and
 * re-exporting them would load and compile them all at start-up for every importer of
 * this module (the agent). Import a runner's functions from its own file.
 *
 * @module
 */

export * from "./state_machine.ts";
export * from "./manager.ts";
export * from "./runner.ts";
export * from "./runner_options.ts";
