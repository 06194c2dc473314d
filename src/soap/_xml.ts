// deno-lint-ignore-file no-control-regex -- matching XML-illegal control characters is the point
/**
 * XML text to a small namespace-resolved element tree, plus the escaping used by the
 * encoder. Private to `src/soap/`; `services/xmpp/stanza.ts` reads its stanzas
 * through it too.
 *
 * Input from the network must be well-formed XML 1.0 with namespaces, and the first
 * fatal error (XML 1.0 §1.2) stops the parse with a `SyntaxError` naming the line and
 * column; nothing of a rejected document reaches the caller. The parser is our own
 * (`_xml_parser.ts`, whose module doc lists every rule by section), with no
 * dependency:
 * - names (NameStartChar, NameChar), QNames, declared prefixes, the reserved `xml` and
 *   `xmlns` prefixes, attributes unique also after namespace expansion;
 * - attribute values (`<` refused, §3.3.3 whitespace normalisation), the XML
 *   declaration (only at the very start, `version` 1.x, `encoding`, `standalone`, in
 *   that order; every document is read as XML 1.0, §2.8), comments (no `--` inside),
 *   CDATA sections, no `]]>` in text, matched end tags, exactly one root element with
 *   only whitespace and comments around it;
 * - the Char production for every character (lone surrogates too) and every character
 *   reference; only the five predefined entities; no DTD processing at all: a DOCTYPE
 *   and any processing instruction are refused (SOAP 1.1 §3 forbids both);
 * - at most {@linkcode MAX_DEPTH} levels of elements (a `RangeError` beyond);
 * - GenieACS's fault element `soap-env:Body:Fault` (a name, not a QName) is read
 *   as a grandchild of the root, once, as local name `Body:Fault`.
 *
 * Why not saxes 6, used until then: it is a CommonJS package, and loading one makes
 * Deno start its Node compatibility layer (~18–20 ms and several MB on every agent
 * start). Ours is also faster: the 2 MB GetParameterValuesResponse of `deno task
 * bench` in 10–13 ms against saxes's 36–55 ms, a 1.7 KB SetParameterValues in 11–18 µs
 * against 27–28 µs (one implementation per process, best of runs, on a shared
 * machine). `tests/soap/xml_differential_test.ts` checks it against the saxes-based
 * parser on every SOAP fixture and thousands of mutations of them.
 *
 * @module
 */
import { MAX_DEPTH, parseXmlDocument } from "./_xml_parser.ts";

export { MAX_DEPTH };

/** An attribute with its namespace resolved; `value` unescaped and normalised (XML 1.0 §3.3.3). */
export interface XmlAttribute {
  /** Qualified name as written, e.g. `xsi:type`. */
  name: string;
  /** Namespace URI, `""` for an unprefixed attribute. */
  uri: string;
  /** Local part of the name. */
  local: string;
  value: string;
}

/** An element with its namespace resolved. `text` joins the element's own text chunks. */
export interface XmlElement {
  /** Qualified name as written, e.g. `cwmp:Inform`. */
  name: string;
  /** Namespace URI, `""` when the element has none. */
  ns: string;
  /** Local part of the name (everything after the colon). */
  local: string;
  /** Attributes by qualified name as written. */
  attrs: Record<string, XmlAttribute>;
  children: XmlElement[];
  text: string;
  /** In-scope prefix bindings (`""` is the default namespace). */
  scope: Record<string, string>;
}

/**
 * Parses `xml` into its root element. Throws `SyntaxError` when it is not well-formed,
 * `RangeError` when it nests deeper than {@linkcode MAX_DEPTH}.
 */
export function parseXml(xml: string): XmlElement {
  return parseXmlDocument(xml);
}

/** Looks up the attribute `local` in namespace `ns` on `el`, whatever its prefix. */
export function attributeNS(el: XmlElement, ns: string, local: string): string | undefined {
  const attrs = el.attrs;
  for (const key in attrs) {
    const attr = attrs[key];
    if (attr.local === local && attr.uri === ns) return attr.value;
  }
  return undefined;
}

/** Resolves a QName value (e.g. an `xsi:type`) against `el`'s scope. */
export function resolveQName(
  el: XmlElement,
  qname: string,
): { ns: string | undefined; local: string } {
  const colon = qname.indexOf(":");
  if (colon < 0) return { ns: el.scope[""], local: qname };
  return { ns: el.scope[qname.slice(0, colon)], local: qname.slice(colon + 1) };
}

// ------------------------------------------------------------------ escaping

const TEXT_SPECIAL = /[&<>\r\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF\uD800-\uDFFF]/;
const TEXT_REPLACE =
  /[&<>\r\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const ATTR_SPECIAL = /[&<>"'\t\n\r\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF\uD800-\uDFFF]/;
const ATTR_REPLACE =
  /[&<>"'\t\n\r\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
  "\t": "&#x9;",
  "\n": "&#xA;",
  "\r": "&#xD;",
};

/**
 * Characters XML 1.0 cannot carry at all (C0 controls other than tab, LF and CR,
 * U+FFFE, U+FFFF, lone surrogates) become U+FFFD, so the output is always
 * well-formed and the loss stays visible. CR is written as `&#xD;` so a parser's
 * line-end normalisation does not turn it into LF.
 */
function replaceChar(ch: string): string {
  return ENTITIES[ch] ?? "\uFFFD";
}

/** Escapes character data for element content. */
export function escapeText(value: string): string {
  return TEXT_SPECIAL.test(value) ? value.replace(TEXT_REPLACE, replaceChar) : value;
}

/** Escapes an attribute value for a double-quoted attribute. */
export function escapeAttr(value: string): string {
  return ATTR_SPECIAL.test(value) ? value.replace(ATTR_REPLACE, replaceChar) : value;
}
