// deno-lint-ignore-file no-control-regex -- matching XML-illegal control characters is the point
/**
 * The only file that imports `ltx`: XML text to a small namespace-resolved element
 * tree, plus the escaping used by the encoder. Private to `src/soap/`.
 *
 * ltx's SAX tokenizer is fast but lenient, and some of its leniency is unsafe for
 * input from the network (checked against ltx 3.1.2):
 * - `<!DOCTYPE …>` and any other `<!…>` markup are skipped as if they were comments,
 *   which with an internal subset swallows the whole document;
 * - text after a comment, a CDATA section or a processing instruction is dropped;
 * - a bare `&` with no `;` later in the same text passes through unchanged;
 * - mismatched end tags, unclosed elements and text outside the root are ignored;
 * - namespaces are not resolved.
 *
 * So {@linkcode parseXml} first normalises the text itself: comments are removed,
 * CDATA sections become escaped text, and a DOCTYPE, any other `<!` markup or a
 * processing instruction (SOAP 1.1 §3 forbids both) is a `SyntaxError`. No DTD or
 * entity processing happens anywhere: only the five predefined entities and numeric
 * character references are decoded (by ltx); anything else is a `SyntaxError`.
 * Characters that XML 1.0 forbids are a `SyntaxError` too. Then it builds the tree
 * from ltx's SAX events, checking nesting and resolving every prefix.
 *
 * @module
 */
import { Parser } from "ltx";

/** An element with its namespace resolved. `text` joins the element's own text chunks. */
export interface XmlElement {
  /** Qualified name as written, e.g. `cwmp:Inform`. */
  name: string;
  /** Namespace URI, `""` when the element has none. */
  ns: string;
  /** Local part of the name (everything after the first colon). */
  local: string;
  /** Attributes by qualified name as written, already unescaped. */
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
  /** In-scope prefix bindings (`""` is the default namespace). */
  scope: Record<string, string>;
}

interface SaxParser {
  on(event: "startElement", fn: (name: string, attrs: Record<string, string>) => void): void;
  on(event: "endElement", fn: (name: string) => void): void;
  on(event: "text", fn: (text: string) => void): void;
  write(data: string): void;
  end(): void;
}

// ltx's root export has no SAX class of its own, but its tree Parser keeps the
// tokenizer class on its prototype.
const SaxLtx = (Parser as unknown as { prototype: { DefaultParser: new () => SaxParser } })
  .prototype.DefaultParser;

const XML_NS = "http://www.w3.org/XML/1998/namespace";
// Scopes chain by prototype from a null-prototype root, so a prefix such as
// "constructor" never resolves to an Object.prototype member.
const ROOT_SCOPE: Record<string, string> = Object.assign(Object.create(null), {
  xml: XML_NS,
  "": "",
});

// XML 1.0 Char excludes these C0 controls, U+FFFE, U+FFFF and lone surrogates.
const ILLEGAL_CHAR =
  /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const REFERENCE = /&(#x[0-9a-fA-F]{1,8}|#[0-9]{1,10}|[A-Za-z_:][\w.:-]*)?(;)?/g;
const PREDEFINED = new Set(["amp", "lt", "gt", "quot", "apos"]);

/** Parses `xml` into its root element. Throws `SyntaxError` when it is not well-formed. */
export function parseXml(xml: string): XmlElement {
  const text = normalise(xml);
  const illegal = ILLEGAL_CHAR.exec(text);
  if (illegal) {
    const code = illegal[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
    throw new SyntaxError(`Illegal character U+${code}`);
  }
  if (text.indexOf("&") >= 0) checkReferences(text);
  return buildTree(text);
}

/**
 * Every `&` must start one of the five predefined entities or a character reference
 * to a legal XML character; ltx would pass a bare `&` through and word other
 * failures its own way.
 */
function checkReferences(text: string): void {
  REFERENCE.lastIndex = 0;
  for (let m = REFERENCE.exec(text); m !== null; m = REFERENCE.exec(text)) {
    const [whole, name, semicolon] = m;
    if (name === undefined || semicolon === undefined) {
      throw new SyntaxError('Unescaped "&"');
    }
    if (name.charCodeAt(0) !== 35 /* # */) {
      if (!PREDEFINED.has(name)) throw new SyntaxError(`Undeclared entity "${whole}"`);
      continue;
    }
    const code = name.charCodeAt(1) === 120 /* x */
      ? Number.parseInt(name.slice(2), 16)
      : Number.parseInt(name.slice(1), 10);
    if (!isXmlChar(code)) throw new SyntaxError(`Illegal character reference "${whole}"`);
  }
}

function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

function buildTree(text: string): XmlElement {
  const sax = new SaxLtx();
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let closed = false;

  sax.on("startElement", (name, attrs) => {
    if (closed) throw new SyntaxError(`Unexpected element "${name}" after the root element`);
    const parent = stack[stack.length - 1];
    const scope = declare(parent ? parent.scope : ROOT_SCOPE, attrs);
    const colon = name.indexOf(":");
    const prefix = colon < 0 ? "" : name.slice(0, colon);
    const local = colon < 0 ? name : name.slice(colon + 1);
    if (local === "" || (colon === 0)) throw new SyntaxError(`Invalid element name "${name}"`);
    const ns = scope[prefix];
    if (ns === undefined) {
      throw new SyntaxError(`Undeclared namespace prefix "${prefix}" on "${name}"`);
    }
    const el: XmlElement = { name, ns, local, attrs, children: [], text: "", scope };
    if (parent) parent.children.push(el);
    else root = el;
    stack.push(el);
  });
  sax.on("endElement", (name) => {
    const el = stack.pop();
    if (!el) throw new SyntaxError(`Unexpected end tag "</${name}>"`);
    if (el.name !== name) {
      throw new SyntaxError(`Mismatched end tag "</${name}>", expected "</${el.name}>"`);
    }
    if (stack.length === 0) closed = true;
  });
  sax.on("text", (chunk) => {
    const el = stack[stack.length - 1];
    if (el) el.text = el.text === "" ? chunk : el.text + chunk;
    else if (chunk.trim() !== "") throw new SyntaxError("Unexpected text outside the root element");
  });

  try {
    sax.write(text);
    sax.end();
  } catch (error) {
    if (error instanceof SyntaxError) throw error;
    // ltx throws plain Errors for an unknown entity or an illegal character reference.
    throw new SyntaxError((error as Error).message, { cause: error });
  }
  if (stack.length > 0) {
    throw new SyntaxError(
      `Unexpected end of input: "${stack[stack.length - 1].name}" is not closed`,
    );
  }
  if (!root) throw new SyntaxError("No root element");
  // ltx keeps text after the last tag pending and never reports it.
  if (text.slice(text.lastIndexOf(">") + 1).trim() !== "") {
    throw new SyntaxError("Unexpected text outside the root element");
  }
  return root;
}

function declare(
  parent: Record<string, string>,
  attrs: Record<string, string>,
): Record<string, string> {
  let scope = parent;
  for (const key in attrs) {
    if (key.charCodeAt(0) !== 120 /* x */ || !key.startsWith("xmlns")) continue;
    let prefix: string;
    if (key === "xmlns") prefix = "";
    else if (key.charCodeAt(5) === 58 /* : */) prefix = key.slice(6);
    else continue;
    if (scope === parent) scope = Object.create(parent);
    scope[prefix] = attrs[key];
  }
  return scope;
}

/**
 * Removes the XML declaration and comments, turns CDATA into escaped text, and rejects
 * DOCTYPE, other `<!` markup and processing instructions.
 */
function normalise(xml: string): string {
  let text = xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml;
  if (text.startsWith("<?xml") && /^<\?xml[\s?]/.test(text)) {
    const end = text.indexOf("?>");
    if (end < 0) throw new SyntaxError("Unterminated XML declaration");
    text = text.slice(end + 2);
  }
  if (text.indexOf("<!") < 0 && text.indexOf("<?") < 0) return text;

  const parts: string[] = [];
  let pos = 0;
  for (;;) {
    const lt = nextMarkup(text, pos);
    if (lt < 0) break;
    parts.push(text.slice(pos, lt));
    if (text.startsWith("<!--", lt)) {
      const end = text.indexOf("-->", lt + 4);
      if (end < 0) throw new SyntaxError("Unterminated comment");
      pos = end + 3;
    } else if (text.startsWith("<![CDATA[", lt)) {
      const end = text.indexOf("]]>", lt + 9);
      if (end < 0) throw new SyntaxError("Unterminated CDATA section");
      parts.push(escapeText(text.slice(lt + 9, end)));
      pos = end + 3;
    } else if (text.startsWith("<?", lt)) {
      throw new SyntaxError(`Processing instruction "${snippet(text, lt)}" is not allowed`);
    } else if (text.startsWith("<!DOCTYPE", lt)) {
      throw new SyntaxError("DOCTYPE is not allowed");
    } else {
      throw new SyntaxError(`Unexpected markup "${snippet(text, lt)}"`);
    }
  }
  parts.push(text.slice(pos));
  return parts.join("");
}

function nextMarkup(text: string, from: number): number {
  const a = text.indexOf("<!", from);
  const b = text.indexOf("<?", from);
  if (a < 0) return b;
  if (b < 0) return a;
  return a < b ? a : b;
}

function snippet(text: string, at: number): string {
  const m = /^<[!?][^\s<>]{0,20}/.exec(text.slice(at, at + 24));
  return m ? m[0] : text.slice(at, at + 2);
}

/** Looks up the attribute `local` in namespace `ns` on `el`, whatever its prefix. */
export function attributeNS(el: XmlElement, ns: string, local: string): string | undefined {
  for (const key in el.attrs) {
    const colon = key.indexOf(":");
    if (colon < 0 || key.slice(colon + 1) !== local) continue;
    const prefix = key.slice(0, colon);
    if (prefix !== "xmlns" && el.scope[prefix] === ns) return el.attrs[key];
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
