/**
 * The saxes-based `parseXml()` that `src/soap/_xml.ts` used until our own parser
 * replaced it, kept unchanged as the reference of `xml_differential_test.ts`. Only
 * tests import it; saxes is a test-only dependency (`npm:` specifier, not in the
 * import map).
 *
 * @module
 */
// deno-lint-ignore no-import-prefix -- a test-only dependency, kept out of the import map
import { SaxesParser, type SaxesTagNS } from "npm:saxes@6.0.0";
import type { XmlElement } from "../../src/soap/_xml.ts";

const XML_NS = "http://www.w3.org/XML/1998/namespace";
// Scopes chain by prototype from a null-prototype root, so a prefix such as
// "constructor" never resolves to an Object.prototype member.
const ROOT_SCOPE: Record<string, string> = Object.assign(Object.create(null), {
  xml: XML_NS,
  "": "",
});

/**
 * Deepest element nesting accepted. The deepest CWMP message is 7 levels (a Fault's
 * SetParameterValuesFault/ParameterName); and saxes resolves each prefix by walking up
 * the open elements, so without a bound a 4 MiB body nested 500,000 deep takes minutes.
 */
const MAX_DEPTH = 32;

const SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const REFERENCE = /&(?:(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z_:][\w.:-]*);)?/y;
const PREDEFINED = new Set(["amp", "lt", "gt", "quot", "apos"]);
const GENIEACS_FAULT_NAME = /^(\d+):(\d+): malformed name: ([^\s:<>/]+:Body:Fault)\.$/;
const SAXES_ERROR = /^(\d+):(\d+): ([^]*?)\.?$/;

/**
 * Parses `xml` into its root element. Throws `SyntaxError` when it is not well-formed,
 * `RangeError` when it nests deeper than {@linkcode MAX_DEPTH}.
 */
export function parseXmlWithSaxes(xml: string): XmlElement {
  if (SURROGATE.test(xml)) {
    const lone = LONE_SURROGATE.exec(xml);
    if (lone) {
      const code = lone[0].charCodeAt(0).toString(16).toUpperCase();
      throw syntaxError(`disallowed character U+${code}`, xml, lone.index);
    }
  }
  try {
    return buildTree(xml);
  } catch (error) {
    const cause = error instanceof SyntaxError ? error.cause : undefined;
    const renamed = cause instanceof Error ? renameGenieAcsFault(xml, cause) : undefined;
    if (renamed === undefined) throw error;
    const root = buildTree(renamed.xml);
    for (const child of root.children) {
      for (const el of child.children) {
        if (el.name === renamed.as) Object.assign(el, { name: renamed.name, local: "Body:Fault" });
      }
    }
    return root;
  }
}

/**
 * GenieACS 1.2.16 names its fault element `soap-env:Body:Fault`: a well-formed XML 1.0
 * name, but not a QName (Namespaces in XML §4), so saxes rejects it. When that is the
 * error, this renames that element's own start and end tags (found from the error's
 * position, not by searching the text) to `soap-env:Body_Fault`, which keeps every
 * position, for a second parse; the tree then gets the name back, and decode.ts reads
 * the element as a SOAP Fault. No other error is tolerated, and this one only once.
 */
function renameGenieAcsFault(
  xml: string,
  cause: Error,
): { xml: string; name: string; as: string } | undefined {
  const m = GENIEACS_FAULT_NAME.exec(cause.message);
  if (m === null) return undefined;
  const [, line, column, name] = m;
  let lineStart = 0;
  for (let l = 1; l < Number(line); l++) {
    lineStart = xml.indexOf("\n", lineStart) + 1;
    if (lineStart === 0) return undefined;
  }
  const end = lineStart + Number(column) - 1; // the ">" that ended the start tag
  const start = xml.lastIndexOf("<" + name, end);
  if (xml[end] !== ">" || start < 0) return undefined;
  const as = name.slice(0, -"Body:Fault".length) + "Body_Fault";
  let out = xml.slice(0, start + 1) + as + xml.slice(start + 1 + name.length);
  if (xml[end - 1] !== "/") {
    const close = xml.indexOf("</" + name, end);
    if (close < 0 || !/[\s>]/.test(xml[close + 2 + name.length] ?? "")) return undefined;
    out = out.slice(0, close + 2) + as + out.slice(close + 2 + name.length);
  }
  return { xml: out, name, as };
}

/** One saxes pass building the tree. */
function buildTree(xml: string): XmlElement {
  const parser = new SaxesParser({
    xmlns: true,
    position: true,
    defaultXMLVersion: "1.0",
    forceXMLVersion: true,
  });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let lastClosed: XmlElement | undefined;

  parser.on("opentag", (tag: SaxesTagNS) => {
    if (stack.length >= MAX_DEPTH) {
      throw new RangeError(
        `elements nested deeper than ${MAX_DEPTH} levels at line ${parser.line}, column ${parser.column}`,
      );
    }
    const parent = stack[stack.length - 1];
    const outer = parent === undefined ? ROOT_SCOPE : parent.scope;
    let scope = outer;
    for (const prefix in tag.ns) {
      if (scope === outer) scope = Object.create(outer);
      scope[prefix] = tag.ns[prefix];
    }
    const el: XmlElement = {
      name: tag.name,
      ns: tag.uri,
      local: tag.local,
      attrs: tag.attributes,
      children: [],
      text: "",
      scope,
    };
    if (parent !== undefined) parent.children.push(el);
    else root = el;
    stack.push(el);
  });
  parser.on("closetag", () => {
    lastClosed = stack.pop();
  });
  const onText = (chunk: string) => {
    const el = stack[stack.length - 1];
    if (el !== undefined) el.text = el.text === "" ? chunk : el.text + chunk;
  };
  parser.on("text", onText);
  parser.on("cdata", onText);
  parser.on("doctype", () => {
    throw syntaxError("DOCTYPE is not allowed", xml, xml.indexOf("<!DOCTYPE"));
  });
  parser.on("processinginstruction", ({ target }) => {
    const at = xml.lastIndexOf("<?", parser.position - 1);
    throw syntaxError(`processing instruction "<?${target}" is not allowed`, xml, at);
  });

  try {
    parser.write(xml).close();
  } catch (error) {
    if (error instanceof SyntaxError || error instanceof RangeError) throw error; // ours
    throw reword(error as Error, xml, parser.position, lastClosed);
  }
  if (root === undefined) throw new SyntaxError("No root element"); // saxes already checks
  return root;
}

/** A saxes error as a `SyntaxError` in our words, with its line and column. */
function reword(
  error: Error,
  xml: string,
  position: number,
  lastClosed: XmlElement | undefined,
): SyntaxError {
  const m = SAXES_ERROR.exec(error.message);
  if (m === null) return new SyntaxError(error.message, { cause: error });
  const reason = m[3];
  const at = `at line ${m[1]}, column ${m[2]}`;
  // A bad reference anywhere before the failure is its cause; saxes reads "&…" up
  // to the next ";" and so reports it late, or as an unclosed tag at the end.
  const reference = badReference(xml, position);
  if (reference !== undefined) {
    return syntaxError(reference.reason, xml, reference.index, error);
  }
  if (reason === "disallowed character" && position > 0) {
    const code = xml.codePointAt(position - 1)!;
    const low = code >= 0xdc00 && code <= 0xdfff && position > 1;
    return new SyntaxError(
      `${reason} ${describe(low ? xml.codePointAt(position - 2)! : code)} ${at}`,
      {
        cause: error,
      },
    );
  }
  if (reason === "unexpected close tag" && lastClosed !== undefined) {
    const start = xml.lastIndexOf("</", position - 1);
    const written = start < 0 ? "" : xml.slice(start, position).trim();
    return new SyntaxError(
      `mismatched end tag "${written}", expected "</${lastClosed.name}>" ${at}`,
      { cause: error },
    );
  }
  if (reason === "incorrect syntax") {
    const start = xml.lastIndexOf("<!", position - 1);
    const markup = start < 0 ? "" : /^<![^\s<>"']{0,20}/.exec(xml.slice(start, start + 24))?.[0];
    if (markup) return new SyntaxError(`unexpected markup "${markup}" ${at}`, { cause: error });
  }
  if (position >= xml.length && /^unclosed tag|^unexpected end/.test(reason)) {
    const open = unterminated(xml);
    if (open !== undefined) return syntaxError(`unterminated ${open.what}`, xml, open.index, error);
  }
  for (const [pattern, replacement] of WORDING) {
    if (pattern.test(reason)) {
      return new SyntaxError(`${reason.replace(pattern, replacement)} ${at}`, { cause: error });
    }
  }
  return new SyntaxError(`${reason} ${at}`, { cause: error });
}

/** saxes's wording → ours, where it differs in more than the final period. */
const WORDING: [RegExp, string][] = [
  [/^unclosed tag: (.*)$/, 'unexpected end of input: "$1" is not closed'],
  [/^text data outside of root node$/, "unexpected text outside the root element"],
  [/^documents may contain only one root$/, "unexpected element after the root element"],
  [/^document must contain a root element$/, "no root element"],
  [/^unbound namespace prefix: (".*")$/, "undeclared namespace prefix $1"],
  [/^duplicate attribute: (.*)$/, 'duplicate attribute "$1"'],
  [/^malformed name: (.*)$/, 'malformed name "$1"'],
];

const LITERALS = [
  { open: "<!--", close: "-->", what: "comment" },
  { open: "<![CDATA[", close: "]]>", what: "CDATA section" },
  { open: "<?", close: "?>", what: "processing instruction" },
];

/**
 * The comment, CDATA section or processing instruction that runs to the end of
 * `xml`, when one does: saxes reports it as the unclosed tag around it.
 */
function unterminated(xml: string): { what: string; index: number } | undefined {
  let found: { what: string; index: number } | undefined;
  for (const { open, close, what } of LITERALS) {
    const lastClose = xml.lastIndexOf(close);
    const index = xml.indexOf(open, lastClose < 0 ? 0 : lastClose + close.length);
    if (index < 0 || insideLiteral(xml, index, open)) continue;
    if (found === undefined || index < found.index) found = { what, index };
  }
  return found;
}

/**
 * The first `&` up to `limit` that does not start a predefined entity or a character
 * reference, outside comments, CDATA sections and processing instructions (where `&`
 * is just a character). Only used to word an error saxes already found. One pass:
 * each search only moves forward, so hostile input cannot make it quadratic.
 */
function badReference(xml: string, limit: number): { reason: string; index: number } | undefined {
  const opener = LITERALS.map(() => -2); // next opener of each kind; -1: none left
  let amp = -2;
  let pos = 0;
  for (;;) {
    if (amp !== -1 && amp < pos) amp = xml.indexOf("&", pos);
    if (amp < 0 || amp > limit) return undefined;
    let first = -1;
    let kind = 0;
    for (let k = 0; k < LITERALS.length; k++) {
      if (opener[k] !== -1 && opener[k] < pos) opener[k] = xml.indexOf(LITERALS[k].open, pos);
      if (opener[k] >= 0 && (first < 0 || opener[k] < first)) [first, kind] = [opener[k], k];
    }
    if (first >= 0 && first < amp) {
      const { open, close } = LITERALS[kind];
      const end = xml.indexOf(close, first + open.length);
      if (end < 0) return undefined; // unterminated: worded by unterminated()
      pos = end + close.length;
      continue;
    }
    REFERENCE.lastIndex = amp;
    const [whole, name] = REFERENCE.exec(xml)!;
    if (name === undefined) return { reason: 'unescaped "&"', index: amp };
    if (name.charCodeAt(0) !== 35 /* # */) {
      if (!PREDEFINED.has(name)) return { reason: `undeclared entity "${whole}"`, index: amp };
    } else {
      const code = name.charCodeAt(1) === 120 /* x */
        ? Number.parseInt(name.slice(2), 16)
        : Number.parseInt(name.slice(1), 10);
      if (!isXmlChar(code)) {
        return { reason: `illegal character reference "${whole}"`, index: amp };
      }
    }
    pos = amp + 1;
  }
}

/**
 * True when `at` is inside a comment, CDATA section or processing instruction. None
 * of them can hold its own terminator, so the last opener before `at` whose
 * terminator comes after `at` is the enclosing one.
 */
function insideLiteral(xml: string, at: number, except?: string): boolean {
  for (const { open, close } of LITERALS) {
    if (open === except) continue;
    const start = xml.lastIndexOf(open, at - 1);
    if (start < 0) continue;
    const end = xml.indexOf(close, start + open.length);
    if (end < 0 || end > at) return true; // unterminated: saxes words that itself
  }
  return false;
}

/** `"<"` for a visible ASCII character, `U+0001` for anything else. */
function describe(code: number): string {
  return code > 0x20 && code < 0x7f
    ? `"${String.fromCharCode(code)}"`
    : "U+" + code.toString(16).toUpperCase().padStart(4, "0");
}

function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

/** `reason at line L, column C` for the character at `index` of `xml`. */
function syntaxError(reason: string, xml: string, index: number, cause?: Error): SyntaxError {
  let line = 1;
  let lineStart = 0;
  for (let nl = xml.indexOf("\n"); nl >= 0 && nl < index; nl = xml.indexOf("\n", nl + 1)) {
    line++;
    lineStart = nl + 1;
  }
  const message = `${reason} at line ${line}, column ${index - lineStart + 1}`;
  return cause === undefined ? new SyntaxError(message) : new SyntaxError(message, { cause });
}
