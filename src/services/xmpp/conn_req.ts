/**
 * The XMPP connection request of TR-069 Annex K (CWMP-FACTS §7.4): an `iq` holding
 * `<connectionRequest xmlns="urn:broadband-forum-org:cwmp:xmppConnReq-1-0">` with
 * `username` and `password`, answered with an empty `result` or an `error`
 * (`service-unavailable` for a sender outside ConnReqAllowedJabberIDs or over the rate
 * limit, `not-authorized` for wrong credentials). Pure: stanza in, verdict and reply out.
 *
 * @module
 */

import { attrOf, childOf, element, NS_CLIENT, type XmlElement } from "./element.ts";

/** `urn:broadband-forum-org:cwmp:xmppConnReq-1-0` */
export const NS_CONN_REQ = "urn:broadband-forum-org:cwmp:xmppConnReq-1-0";
const NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";

/** A connection request read from an iq. */
export interface XmppConnectionRequest {
  /** The iq's `id` and `from`. */
  readonly id: string;
  readonly from: string;
  readonly username: string;
  readonly password: string;
}

/**
 * The connection request in `stanza`, or undefined when it is not an iq `get` or `set`
 * holding one (icwmp takes either type; TR-069 says `get`).
 */
export function readConnectionRequest(stanza: XmlElement): XmppConnectionRequest | undefined {
  if (stanza.local !== "iq" || stanza.ns !== NS_CLIENT) return undefined;
  const type = attrOf(stanza, "type");
  if (type !== "get" && type !== "set") return undefined;
  const request = childOf(stanza, "connectionRequest", NS_CONN_REQ);
  if (request === undefined) return undefined;
  return {
    id: attrOf(stanza, "id"),
    from: attrOf(stanza, "from"),
    username: childOf(request, "username", NS_CONN_REQ)?.text ?? "",
    password: childOf(request, "password", NS_CONN_REQ)?.text ?? "",
  };
}

/** What the agent answers. */
export type ConnReqVerdict = "accepted" | "notAllowed" | "rateLimited" | "credentials";

/** The empty `result` to the iq `id` from `to`. */
export function iqResult(id: string, to: string): string {
  return element("iq", { type: "result", id, to });
}

/**
 * The `error` reply to `stanza` (its child echoed, RFC 6120 §8.3.1): `condition` of type
 * `cancel` (service-unavailable, feature-not-implemented) or `auth` (not-authorized).
 */
export function iqError(
  stanza: XmlElement,
  condition: "service-unavailable" | "not-authorized" | "feature-not-implemented",
): string {
  const type = condition === "not-authorized" ? "auth" : "cancel";
  const code = condition === "not-authorized"
    ? "401"
    : condition === "service-unavailable"
    ? "503"
    : "501";
  const query = stanza.children[0];
  const echo = query === undefined ? "" : element(query.local, { xmlns: query.ns || undefined });
  const error = element("error", { type, code }, element(condition, { xmlns: NS_STANZAS }));
  return element(
    "iq",
    { type: "error", id: attrOf(stanza, "id"), to: attrOf(stanza, "from") || undefined },
    echo + error,
  );
}

/** The reply to a connection request `stanza` given `verdict`. */
export function connReqReply(stanza: XmlElement, verdict: ConnReqVerdict): string {
  switch (verdict) {
    case "accepted":
      return iqResult(attrOf(stanza, "id"), attrOf(stanza, "from"));
    case "credentials":
      return iqError(stanza, "not-authorized");
    default:
      return iqError(stanza, "service-unavailable");
  }
}

/** A connection request iq, as the ACS sends it (for the ACS side of tests and tools). */
export function connectionRequestIq(
  options: { id: string; to: string; username: string; password: string },
): string {
  const inner = element("username", {}, escapeText(options.username)) +
    element("password", {}, escapeText(options.password));
  return element(
    "iq",
    { type: "get", id: options.id, to: options.to },
    element("connectionRequest", { xmlns: NS_CONN_REQ }, inner),
  );
}

function escapeText(text: string): string {
  return text.replace(/[&<>]/g, (c) => c === "&" ? "&amp;" : c === "<" ? "&lt;" : "&gt;");
}
