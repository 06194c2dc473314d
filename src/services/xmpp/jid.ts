/**
 * Jabber IDs (RFC 7622): `local@domain/resource`, and the ConnReqAllowedJabberIDs rule
 * of TR-069 Annex K: a full JID must match exactly, a bare JID matches any resource, an
 * empty list allows everyone. The local and domain parts compare case-insensitively
 * (a simplification of RFC 7622's preparation), the resource exactly.
 *
 * @module
 */

/** A JID split into its parts; `local` and `resource` may be "". */
export interface Jid {
  readonly local: string;
  readonly domain: string;
  readonly resource: string;
}

/**
 * Splits `text`.
 *
 * @throws {SyntaxError} when it has no domain part or a part is empty around its separator.
 */
export function parseJid(text: string): Jid {
  const slash = text.indexOf("/");
  const bare = slash < 0 ? text : text.slice(0, slash);
  const resource = slash < 0 ? "" : text.slice(slash + 1);
  const at = bare.indexOf("@");
  const local = at < 0 ? "" : bare.slice(0, at);
  const domain = at < 0 ? bare : bare.slice(at + 1);
  if (domain === "" || (at >= 0 && local === "") || (slash >= 0 && resource === "")) {
    throw new SyntaxError(`Invalid Jabber ID "${text}"`);
  }
  return { local, domain, resource };
}

/** `local@domain`, lower-cased. */
export function bareJid(jid: Jid): string {
  return (jid.local === "" ? "" : `${jid.local}@`).toLowerCase() + jid.domain.toLowerCase();
}

/**
 * Whether a stanza from `from` may make a connection request, given
 * ConnReqAllowedJabberIDs `allowed` (TR-069 Annex K). An unparsable `from` is refused.
 *
 * @example
 * ```ts
 * import { jidAllowed } from "./jid.ts";
 * console.assert(jidAllowed("acs@example.net/x", ["ACS@example.net"]));
 * console.assert(!jidAllowed("acs@example.net/x", ["acs@example.net/y"]));
 * ```
 */
export function jidAllowed(from: string, allowed: readonly string[]): boolean {
  let jid: Jid;
  try {
    jid = parseJid(from);
  } catch {
    return false;
  }
  if (allowed.length === 0) return true;
  const bare = bareJid(jid);
  for (const entry of allowed) {
    let rule: Jid;
    try {
      rule = parseJid(entry.trim());
    } catch {
      continue;
    }
    if (bareJid(rule) !== bare) continue;
    if (rule.resource === "" || rule.resource === jid.resource) return true;
  }
  return false;
}
