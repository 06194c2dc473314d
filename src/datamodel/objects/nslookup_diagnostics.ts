/**
 * `Device.DNS.Diagnostics.NSLookupDiagnostics.` and its `Result.{i}.` table (TR-181
 * 2.17, TR-143) over a {@linkcode DiagnosticsBackend} (the agent's DiagnosticsManager,
 * diagnostic name `NSLookupDiagnostics`). ResultNumberOfEntries is derived by the tree.
 *
 * Supported: every parameter of the object and of Result.
 *
 * @module
 */

import type { Binding } from "../provider.ts";
import {
  diagnosticBindings,
  type DiagnosticObjectSpec,
  type DiagnosticsBackend,
} from "./_diagnostics.ts";

/** What NSLookupDiagnostics binds. */
export const NSLOOKUP_DIAGNOSTICS: DiagnosticObjectSpec = {
  object: "Device.DNS.Diagnostics.NSLookupDiagnostics.",
  name: "NSLookupDiagnostics",
  inputs: [
    "DiagnosticsState",
    "Interface",
    "HostName",
    "DNSServer",
    "Timeout",
    "NumberOfRepetitions",
  ],
  results: ["SuccessCount"],
  tables: {
    Result: [
      "Status",
      "AnswerType",
      "HostNameReturned",
      "IPAddresses",
      "DNSServerIP",
      "ResponseTime",
    ],
  },
};

/** Binds NSLookupDiagnostics to `backend`. */
export function bindNSLookupDiagnostics(backend: DiagnosticsBackend): Binding[] {
  return diagnosticBindings(backend, NSLOOKUP_DIAGNOSTICS);
}
