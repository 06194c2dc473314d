/**
 * CWMP version ↔ namespace and the 1.4 negotiation headers (CWMP-FACTS §0, §1.3).
 *
 * 1.0 → cwmp-1-0, 1.1 → cwmp-1-1, 1.2/1.3/1.4 → cwmp-1-2. A 1.4 CPE lists the versions it
 * speaks in SupportedCWMPVersions (comma list without spaces, [U] syntax; GenieACS ignores it)
 * and the ACS may answer with UseCWMPVersion.
 *
 * @module
 */

import type { CwmpNamespace } from "../soap/messages.ts";

/** The CWMP versions the engine speaks, oldest first. */
export const CWMP_VERSIONS = ["1.0", "1.1", "1.2", "1.3", "1.4"] as const;
/** One of {@linkcode CWMP_VERSIONS}. */
export type CwmpVersion = typeof CWMP_VERSIONS[number];

/** True when `value` names a supported CWMP version. */
export function isCwmpVersion(value: string): value is CwmpVersion {
  return (CWMP_VERSIONS as readonly string[]).includes(value);
}

/** The RPC namespace used on the wire for a CWMP version. */
export function namespaceForVersion(version: CwmpVersion): CwmpNamespace {
  if (version === "1.0") return "urn:dslforum-org:cwmp-1-0";
  if (version === "1.1") return "urn:dslforum-org:cwmp-1-1";
  return "urn:dslforum-org:cwmp-1-2";
}

/** SupportedCWMPVersions for a CPE configured at `version`; only 1.4 sends the header. */
export function supportedVersionsHeader(version: CwmpVersion): string | undefined {
  if (version !== "1.4") return undefined;
  return CWMP_VERSIONS.join(",");
}

/** True when `version` has the cwmp:SessionTimeout header (CWMP 1.3 and later). */
export function sendsSessionTimeout(version: CwmpVersion): boolean {
  return version === "1.3" || version === "1.4";
}
