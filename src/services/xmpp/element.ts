/**
 * XMPP stanzas as text and as parsed elements (RFC 6120 §4, §8): the stream namespaces,
 * escaping, building an element, the client's stream header, and reading a parsed
 * element's children and attributes. No parser: the stream framing is `stanza.ts`, which
 * re-exports this. Kept apart so the agent answers connection requests without loading
 * the client code (it is imported on demand, see `src/agent/xmpp_cr.ts`).
 *
 * @module
 */

import type { XmlElement } from "../../soap/_xml.ts";

export type { XmlElement } from "../../soap/_xml.ts";

/** `http://etherx.jabber.org/streams` */
export const NS_STREAMS = "http://etherx.jabber.org/streams";
/** `jabber:client` */
export const NS_CLIENT = "jabber:client";

/** Escapes `&`, `<`, `>`, `"` and `'` for text and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

/**
 * One element as text: `attrs` escaped (undefined ones left out), `inner` already
 * serialized markup (use {@linkcode escapeXml} for text).
 *
 * @example
 * ```ts
 * import { element } from "./element.ts";
 * console.assert(element("iq", { type: "result", id: "a&b" }) === '<iq type="result" id="a&amp;b"/>');
 * ```
 */
export function element(
  name: string,
  attrs: Record<string, string | undefined> = {},
  inner = "",
): string {
  let out = `<${name}`;
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== undefined) out += ` ${key}="${escapeXml(value)}"`;
  }
  return inner === "" ? `${out}/>` : `${out}>${inner}</${name}>`;
}

/** The client's stream header (RFC 6120 §4.7) to `domain`. */
export function streamHeader(domain: string, from?: string): string {
  return `<?xml version='1.0'?><stream:stream xmlns="${NS_CLIENT}" xmlns:stream="${NS_STREAMS}"` +
    ` to="${escapeXml(domain)}"${
      from === undefined ? "" : ` from="${escapeXml(from)}"`
    } version="1.0" xml:lang="en">`;
}

/** The end of our stream. */
export const STREAM_END = "</stream:stream>";

/** The first child of `el` named `local` in namespace `ns`. */
export function childOf(el: XmlElement, local: string, ns?: string): XmlElement | undefined {
  return el.children.find((c) => c.local === local && (ns === undefined || c.ns === ns));
}

/** The value of the unprefixed attribute `name` of `el`, or "". */
export function attrOf(el: XmlElement, name: string): string {
  return el.attrs[name]?.value ?? "";
}
