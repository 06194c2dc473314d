/**
 * A strict XML 1.0 (fifth edition) parser with Namespaces in XML 1.0 (third edition):
 * text in, the namespace-resolved element tree of `_xml.ts` out. One pass over the
 * characters with `charCodeAt`; the only regular expressions that see unbounded input
 * cannot backtrack (line ends, §3.3.3 spaces, the declaration's values); no
 * dependency; private to `src/soap/`.
 *
 * The first fatal error (XML 1.0 §1.2) throws a `SyntaxError` that names the reason,
 * line and column (lines end at LF, CR or CR LF, §2.11; columns count characters, a
 * surrogate pair as one); nothing of a rejected document reaches the caller. What it
 * checks, by section:
 * - §2.2 Char: every character of the document, also a surrogate half without its
 *   partner, and the value of every character reference (§4.1);
 * - §2.3 names (NameStartChar, NameChar), §2.4 `]]>` in text, §2.5 comments (no `--`
 *   inside, `-->` to end), §2.7 CDATA sections, §2.8 the XML declaration (only at the
 *   very start, after a byte order mark; `version` 1.x, then `encoding` (EncName,
 *   §4.3.3), then `standalone` yes/no; a 1.x document is read as 1.0), §2.11 line
 *   ends, §3 start and end tags (matched, quoted values without `<`, §3.3.3
 *   normalisation: a literal tab, CR, LF or CR LF becomes one space), §2.1 exactly one
 *   root element with only whitespace and comments around it;
 * - §4.1, §4.6: only the five predefined entities and character references are
 *   read; any other reference is an error, and no DTD is read at all: a DOCTYPE,
 *   like any processing instruction, is refused (SOAP 1.1 §3 forbids both);
 * - Namespaces in XML §3–§6: QNames for element and attribute names, declared
 *   prefixes, `xml` bound only to its namespace and `xmlns` never declared, neither
 *   namespace bound to any other prefix, no prefix undeclared (`xmlns:p=""`, a 1.1
 *   feature), attribute names unique also after namespace expansion.
 *
 * Where it reads more than the grammar: GenieACS 1.2.16 names its fault element
 * `soap-env:Body:Fault`, a name but not a QName. As a grandchild of the root (where a
 * SOAP Fault sits), once per document and with a declared prefix, that element is
 * read with local name `Body:Fault` in the prefix's namespace, so decode.ts can read
 * it as a SOAP Fault; anywhere else, or a second time, it is the usual error.
 *
 * Cost: linear in the input. Errors are located by one scan from the start, names
 * and references are read by bounded scans, prefixes are resolved through at most
 * {@linkcode MAX_DEPTH} scopes, and duplicate attributes are found with a set once
 * a tag has more than 8.
 *
 * @module
 */
import type { XmlAttribute, XmlElement } from "./_xml.ts";

/**
 * Deepest element nesting accepted. The deepest CWMP message is 7 levels (a Fault's
 * SetParameterValuesFault/ParameterName).
 */
export const MAX_DEPTH = 32;

const XML_NS = "http://www.w3.org/XML/1998/namespace";
const XMLNS_NS = "http://www.w3.org/2000/xmlns/";

// Scopes chain by prototype from a null-prototype root, so a prefix such as
// "constructor" never resolves to an Object.prototype member.
const ROOT_SCOPE: Record<string, string> = Object.assign(Object.create(null), {
  xml: XML_NS,
  "": "",
});

const NAME_START = 1;
const NAME_CHAR = 2;
const SPACE = 4;
/** Classes of the ASCII characters. */
const ASCII = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_:]/.test(ch)) ASCII[c] = NAME_START | NAME_CHAR;
  else if (/[0-9.-]/.test(ch)) ASCII[c] = NAME_CHAR;
  else if (/[ \t\r\n]/.test(ch)) ASCII[c] = SPACE;
}

const LT = 0x3c;
const GT = 0x3e;
const AMP = 0x26;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const EQUALS = 0x3d;
const RBRACKET = 0x5d;
const CR = 0x0d;
const LF = 0x0a;
const TAB = 0x09;
const DQUOTE = 0x22;
const SQUOTE = 0x27;

/** NameStartChar of XML 1.0 §2.3 for a code unit ≥ 0x80 outside the surrogates. */
function isNameStartBmp(c: number): boolean {
  return (c >= 0xc0 && c <= 0xd6) || (c >= 0xd8 && c <= 0xf6) || (c >= 0xf8 && c <= 0x2ff) ||
    (c >= 0x370 && c <= 0x37d) || (c >= 0x37f && c <= 0x1fff) || c === 0x200c || c === 0x200d ||
    (c >= 0x2070 && c <= 0x218f) || (c >= 0x2c00 && c <= 0x2fef) ||
    (c >= 0x3001 && c <= 0xd7ff) || (c >= 0xf900 && c <= 0xfdcf) || (c >= 0xfdf0 && c <= 0xfffd);
}

/** NameChar of XML 1.0 §2.3 for a code unit ≥ 0x80 outside the surrogates. */
function isNameCharBmp(c: number): boolean {
  return isNameStartBmp(c) || c === 0xb7 || (c >= 0x300 && c <= 0x36f) || c === 0x203f ||
    c === 0x2040;
}

/** The Char production of XML 1.0 §2.2. */
function isXmlChar(code: number): boolean {
  return code === TAB || code === LF || code === CR || (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

/** `"<"` for a visible ASCII character, `U+0001` for anything else. */
function describe(code: number): string {
  return code > 0x20 && code < 0x7f
    ? `"${String.fromCharCode(code)}"`
    : "U+" + code.toString(16).toUpperCase().padStart(4, "0");
}

/** `text` for an error message, cut short when it is long. */
function excerpt(text: string): string {
  return text.length > 64 ? text.slice(0, 61) + "…" : text;
}

const PREDEFINED: Record<string, string> = Object.assign(Object.create(null), {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
});

/**
 * Parses `xml` into its root element. Throws `SyntaxError` when it is not well-formed,
 * `RangeError` when it nests deeper than {@linkcode MAX_DEPTH}.
 */
export function parseXmlDocument(xml: string): XmlElement {
  return new Parser(xml).document();
}

class Parser {
  readonly s: string;
  readonly len: number;
  /** The next character to read. */
  i = 0;
  readonly stack: XmlElement[] = [];
  root: XmlElement | undefined;
  /** Whether GenieACS's `…:Body:Fault` was read already. */
  genieFault = false;
  // The attributes of the start tag being read.
  attrNames: string[] = [];
  attrValues: string[] = [];
  attrColons: number[] = [];
  nAttrs = 0;
  declPrefixes: string[] = [];
  declUris: string[] = [];
  nDecls = 0;
  /** Where the reference just read ends. */
  refEnd = 0;

  constructor(xml: string) {
    this.s = xml;
    this.len = xml.length;
  }

  document(): XmlElement {
    const s = this.s;
    let i = s.charCodeAt(0) === 0xfeff ? 1 : 0;
    if (s.startsWith("<?xml", i)) {
      const c = s.charCodeAt(i + 5);
      if (c === QUESTION || (c < 128 && ASCII[c] & SPACE)) i = this.xmlDecl(i);
    }
    this.i = i;
    this.misc(false);
    this.startTag();
    while (this.stack.length > 0) {
      this.text();
      const at = this.i;
      if (at >= this.len) this.unexpectedEnd();
      const c = s.charCodeAt(at + 1);
      if (c === SLASH) this.endTag();
      else if (c === BANG) this.markup(at, true);
      else if (c === QUESTION) this.processingInstruction(at);
      else this.startTag();
    }
    this.misc(true);
    return this.root!;
  }

  // ---------------------------------------------------------------- errors

  fail(reason: string, at: number): never {
    throw new SyntaxError(`${reason} ${this.where(at)}`);
  }

  /** `at line L, column C` of the character at `at`. */
  where(at: number): string {
    const s = this.s;
    let line = 1;
    let column = 1;
    const end = Math.min(at, this.len);
    for (let k = 0; k < end; k++) {
      const c = s.charCodeAt(k);
      if (c === LF || (c === CR && s.charCodeAt(k + 1) !== LF)) {
        line++;
        column = 1;
      } else if (c !== CR && (c < 0xdc00 || c > 0xdfff || !isHigh(s.charCodeAt(k - 1)))) {
        column++;
      }
    }
    return `at line ${line}, column ${column}`;
  }

  /** The input ended inside an element, or inside a tag. */
  unexpectedEnd(): never {
    const top = this.stack[this.stack.length - 1];
    const at = Math.max(this.len - 1, 0);
    if (top === undefined) this.fail("unexpected end of input", at);
    this.fail(`unexpected end of input: "${excerpt(top.name)}" is not closed`, at);
  }

  /** Fails at the character at `at`, which is not allowed where it is. */
  disallowed(at: number): never {
    const s = this.s;
    const c = s.charCodeAt(at);
    const code = isHigh(c) && isLow(s.charCodeAt(at + 1)) ? s.codePointAt(at)! : c;
    this.fail(`disallowed character ${describe(code)}`, at);
  }

  // ---------------------------------------------------------------- prolog and epilog

  /** Whitespace and comments outside the root element, up to its `<` when before it. */
  misc(afterRoot: boolean): void {
    const s = this.s;
    for (;;) {
      const i = this.skipSpace(this.i);
      this.i = i;
      if (i >= this.len) {
        if (!afterRoot) this.fail("no root element", Math.max(this.len - 1, 0));
        return;
      }
      if (s.charCodeAt(i) !== LT) this.fail("unexpected text outside the root element", i);
      const c = s.charCodeAt(i + 1);
      if (c === BANG) {
        this.markup(i, false);
        continue;
      }
      if (c === QUESTION) this.processingInstruction(i);
      if (afterRoot) this.fail("unexpected element after the root element", i);
      if (c === SLASH) this.fail("unexpected end tag before the root element", i);
      return;
    }
  }

  /** Index of the first character from `i` that is not whitespace. */
  skipSpace(i: number): number {
    const s = this.s;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c < 128 && ASCII[c] & SPACE) i++;
      else return i;
    }
  }

  /** `<?xml …?>` at `at` (XML 1.0 §2.8); returns the index after it. */
  xmlDecl(at: number): number {
    const s = this.s;
    const expected = ["version", "encoding", "standalone"];
    let next = 0;
    let i = at + 5;
    for (;;) {
      const start = i;
      i = this.skipSpace(i);
      if (s.charCodeAt(i) === QUESTION && s.charCodeAt(i + 1) === GT) {
        if (next === 0) this.fail("expected one of version", i);
        return i + 2;
      }
      if (i >= this.len) this.fail("unterminated XML declaration", at);
      if (i === start) this.fail("whitespace required in the XML declaration", i);
      const nameEnd = this.nameEnd(i);
      const name = s.slice(i, nameEnd);
      const k = expected.indexOf(name, next);
      if (k < 0 || (next === 0 && k > 0)) {
        const rest = next === 0 ? ["version"] : expected.slice(next);
        if (rest.length === 0) this.fail("unexpected data at the end of the XML declaration", i);
        this.fail(`expected one of ${rest.join(", ")}`, nameEnd);
      }
      next = k + 1;
      i = this.skipSpace(nameEnd);
      if (s.charCodeAt(i) !== EQUALS) this.fail('expected "=" in the XML declaration', i);
      i = this.skipSpace(i + 1);
      const quote = s.charCodeAt(i);
      if (quote !== DQUOTE && quote !== SQUOTE) this.fail("value must be quoted", i);
      const close = s.indexOf(quote === DQUOTE ? '"' : "'", i + 1);
      if (close < 0) this.fail("unterminated XML declaration", at);
      const value = s.slice(i + 1, close);
      if (name === "version") {
        if (!/^1\.[0-9]+$/.test(value)) {
          this.fail("version number must match /^1\\.[0-9]+$/", close);
        }
      } else if (name === "encoding") {
        if (!/^[A-Za-z][A-Za-z0-9._-]*$/.test(value)) {
          this.fail("encoding value must match /^[A-Za-z][A-Za-z0-9._-]*$/", close);
        }
      } else if (value !== "yes" && value !== "no") {
        this.fail('standalone value must match "yes" or "no"', close);
      }
      i = close + 1;
    }
  }

  /** `<!…` at `at`: a comment, a CDATA section (in content) or an error. */
  markup(at: number, inContent: boolean): void {
    const s = this.s;
    if (s.startsWith("<!--", at)) return this.comment(at);
    if (s.startsWith("<![CDATA[", at)) {
      if (!inContent) this.fail("unexpected text outside the root element", at);
      return this.cdata(at);
    }
    if (s.startsWith("<!DOCTYPE", at)) this.fail("DOCTYPE is not allowed", at);
    let end = at + 2;
    while (end < this.len && end < at + 22 && !/[\s<>"']/.test(s[end])) end++;
    this.fail(`unexpected markup "${s.slice(at, end)}"`, at);
  }

  /** `<!-- … -->` at `at` (XML 1.0 §2.5). */
  comment(at: number): void {
    const s = this.s;
    const dashes = s.indexOf("--", at + 4);
    this.checkChars(at + 4, dashes < 0 ? this.len : dashes);
    if (dashes < 0) this.fail("unterminated comment", at);
    if (s.charCodeAt(dashes + 2) !== GT) this.fail("malformed comment", dashes + 2);
    this.i = dashes + 3;
  }

  /** `<![CDATA[ … ]]>` at `at` (XML 1.0 §2.7), its text added to the open element's. */
  cdata(at: number): void {
    const s = this.s;
    const end = s.indexOf("]]>", at + 9);
    this.checkChars(at + 9, end < 0 ? this.len : end);
    if (end < 0) this.fail("unterminated CDATA section", at);
    const chunk = s.slice(at + 9, end);
    this.addText(lineEnds(chunk, chunk.indexOf("\r") >= 0));
    this.i = end + 3;
  }

  /** `<?…` at `at`: always an error, see the module doc. */
  processingInstruction(at: number): never {
    const s = this.s;
    const target = s.slice(at + 2, this.nameEnd(at + 2));
    if (s.indexOf("?>", at + 2) < 0) this.fail("unterminated processing instruction", at);
    if (target.toLowerCase() === "xml") {
      this.fail("an XML declaration must be at the start of the document", at);
    }
    this.fail(`processing instruction "<?${excerpt(target)}" is not allowed`, at);
  }

  /** Fails at the first character in `[from, to)` outside the Char production. */
  checkChars(from: number, to: number): void {
    const s = this.s;
    for (let i = from; i < to; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x20 && c < 0xd800) continue;
      if (c === LF || c === TAB || c === CR) continue;
      if (isHigh(c) && isLow(s.charCodeAt(i + 1))) {
        i++;
        continue;
      }
      if (c < 0x20 || c <= 0xdfff || c >= 0xfffe) this.disallowed(i);
    }
  }

  // ---------------------------------------------------------------- content

  /** Index after the longest run of NameChar from `i`, which must be a NameStartChar. */
  nameEnd(i: number): number {
    const s = this.s;
    const start = i;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c < 128) {
        if (ASCII[c] & (i === start ? NAME_START : NAME_CHAR)) {
          i++;
          continue;
        }
        return i;
      }
      if (c >= 0xd800 && c <= 0xdb7f) { // U+10000–U+EFFFF
        if (isLow(s.charCodeAt(i + 1))) {
          i += 2;
          continue;
        }
        return i;
      }
      if (i === start ? isNameStartBmp(c) : isNameCharBmp(c)) i++;
      else return i;
    }
  }

  /** Appends `chunk` to the open element's text. */
  addText(chunk: string): void {
    const el = this.stack[this.stack.length - 1];
    el.text = el.text === "" ? chunk : el.text + chunk;
  }

  /** Character data up to the next `<` or the end (XML 1.0 §2.4). */
  text(): void {
    const s = this.s;
    let i = this.i;
    let start = i;
    let out = "";
    let cr = false; // the run from `start` holds a CR (§2.11)
    for (;;) {
      const c = s.charCodeAt(i);
      if (c > RBRACKET ? c < 0xd800 : c >= 0x20 && c !== LT && c !== AMP && c !== RBRACKET) {
        i++;
        continue;
      }
      if (c === LT || i >= this.len) break;
      if (c === AMP) {
        out += lineEnds(s.slice(start, i), cr) + this.reference(i);
        i = start = this.refEnd;
        cr = false;
      } else if (c === RBRACKET) {
        if (s.charCodeAt(i + 1) === RBRACKET && s.charCodeAt(i + 2) === GT) {
          this.fail('the string "]]>" is disallowed in char data', i);
        }
        i++;
      } else if (c === LF || c === TAB) {
        i++;
      } else if (c === CR) {
        cr = true;
        i++;
      } else if (isHigh(c) && isLow(s.charCodeAt(i + 1))) {
        i += 2;
      } else if (c < 0x20 || c <= 0xdfff || c >= 0xfffe) {
        this.disallowed(i);
      } else {
        i++;
      }
    }
    out += lineEnds(s.slice(start, i), cr);
    if (out !== "") this.addText(out);
    this.i = i;
  }

  /**
   * The reference at `at` (`&name;`, `&#…;` or `&#x…;`, XML 1.0 §4.1) as text; sets
   * {@linkcode refEnd}. Only the five predefined entities are known.
   */
  reference(at: number): string {
    const s = this.s;
    let i = at + 1;
    if (s.charCodeAt(i) === 0x23 /* # */) {
      i++;
      const hex = s.charCodeAt(i) === 0x78; /* x */
      if (hex) i++;
      const digits = i;
      let code = 0;
      for (;; i++) {
        const c = s.charCodeAt(i);
        let d: number;
        if (c >= 0x30 && c <= 0x39) d = c - 0x30;
        else if (hex && c >= 0x61 && c <= 0x66) d = c - 0x57;
        else if (hex && c >= 0x41 && c <= 0x46) d = c - 0x37;
        else break;
        code = Math.min(code * (hex ? 16 : 10) + d, 0x110000);
      }
      if (i === digits || s.charCodeAt(i) !== 0x3b /* ; */) this.fail('unescaped "&"', at);
      if (!isXmlChar(code)) {
        this.fail(`illegal character reference "${excerpt(s.slice(at, i + 1))}"`, at);
      }
      this.refEnd = i + 1;
      return String.fromCodePoint(code);
    }
    const end = this.nameEnd(i);
    if (end === i || s.charCodeAt(end) !== 0x3b /* ; */) this.fail('unescaped "&"', at);
    const name = s.slice(i, end);
    const value = PREDEFINED[name];
    if (value === undefined) this.fail(`undeclared entity "&${excerpt(name)};"`, at);
    this.refEnd = end + 1;
    return value;
  }

  /** The start tag at `this.i` (XML 1.0 §3.1), then its element opened. */
  startTag(): void {
    const s = this.s;
    let i = this.i + 1;
    const nameEnd = this.nameEnd(i);
    if (nameEnd === i) {
      if (i >= this.len) this.unexpectedEnd();
      this.fail("disallowed character in tag name", i);
    }
    const name = s.slice(i, nameEnd);
    i = nameEnd;
    this.nAttrs = 0;
    this.nDecls = 0;
    let selfClosing = false;
    for (;;) {
      let c = s.charCodeAt(i);
      const afterValue = i;
      if (c < 128 && ASCII[c] & SPACE) {
        i = this.skipSpace(i + 1);
        c = s.charCodeAt(i);
      }
      if (c === GT) {
        i++;
        break;
      }
      if (c === SLASH) {
        if (s.charCodeAt(i + 1) !== GT) {
          if (i + 1 >= this.len) this.unexpectedEnd();
          this.fail('expected ">" after "/" in a start tag', i + 1);
        }
        i += 2;
        selfClosing = true;
        break;
      }
      if (i >= this.len) this.unexpectedEnd();
      const attrEnd = this.nameEnd(i);
      if (i === afterValue) {
        if (this.nAttrs === 0) this.fail("disallowed character in tag name", i);
        if (attrEnd > i) this.fail("no whitespace between attributes", i);
      }
      if (attrEnd === i) this.fail("disallowed character in attribute name", i);
      const attrName = s.slice(i, attrEnd);
      i = attrEnd;
      c = s.charCodeAt(i);
      if (c !== EQUALS) {
        if (c < 128 && ASCII[c] & SPACE) {
          i = this.skipSpace(i);
          c = s.charCodeAt(i);
          if (c !== EQUALS) {
            if (i >= this.len) this.unexpectedEnd();
            this.fail("attribute without value", i);
          }
        } else {
          if (i >= this.len) this.unexpectedEnd();
          if (c === GT || c === SLASH) this.fail("attribute without value", i);
          this.fail("disallowed character in attribute name", i);
        }
      }
      i = this.skipSpace(i + 1);
      const quote = s.charCodeAt(i);
      if (quote !== DQUOTE && quote !== SQUOTE) {
        if (i >= this.len) this.unexpectedEnd();
        this.fail("unquoted attribute value", i);
      }
      const value = this.attrValue(i + 1, quote);
      this.attribute(attrName, value, this.i - 1);
      i = this.i;
    }
    this.open(name, i - 1, selfClosing);
    this.i = i;
  }

  /**
   * An attribute value from `i` to the closing `quote`, references read and
   * whitespace normalised (XML 1.0 §3.3.3); sets `this.i` after the quote.
   */
  attrValue(i: number, quote: number): string {
    const s = this.s;
    let start = i;
    let out = "";
    let ws = false; // the run from `start` holds a tab, CR or LF (§3.3.3)
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === quote) break;
      if (c >= 0x20 && c < 0xd800 && c !== LT && c !== AMP) {
        i++;
        continue;
      }
      if (i >= this.len) this.unexpectedEnd();
      if (c === AMP) {
        out += spaces(s.slice(start, i), ws) + this.reference(i);
        i = start = this.refEnd;
        ws = false;
      } else if (c === LF || c === TAB || c === CR) {
        ws = true;
        i++;
      } else if (isHigh(c) && isLow(s.charCodeAt(i + 1))) {
        i += 2;
      } else if (c === LT || c < 0x20 || c <= 0xdfff || c >= 0xfffe) {
        this.disallowed(i);
      } else {
        i++;
      }
    }
    this.i = i + 1;
    return out + spaces(s.slice(start, i), ws);
  }

  /**
   * Records an attribute of the start tag being read; a namespace declaration is
   * checked here (Namespaces in XML §3), at `at`, its closing quote.
   */
  attribute(name: string, value: string, at: number): void {
    const colon = name.indexOf(":");
    if (colon >= 0) {
      if (colon === 0 || colon === name.length - 1 || name.indexOf(":", colon + 1) >= 0) {
        this.fail(`malformed name "${excerpt(name)}"`, at);
      }
      if (colon === 5 && name.startsWith("xmlns")) this.declare(name.slice(6), value, at);
    } else if (name === "xmlns") {
      this.declare("", value, at);
    }
    const n = this.nAttrs++;
    this.attrNames[n] = name;
    this.attrValues[n] = value;
    this.attrColons[n] = colon;
  }

  /** A namespace declaration of `prefix` (`""`: the default namespace) as `uri`. */
  declare(prefix: string, uri: string, at: number): void {
    if (prefix === "xmlns") this.fail('the prefix "xmlns" must not be declared', at);
    if (prefix === "xml") {
      if (uri !== XML_NS) this.fail(`xml prefix must be bound to ${XML_NS}`, at);
    } else if (uri === XML_NS || uri === XMLNS_NS) {
      this.fail(
        prefix === ""
          ? `the default namespace may not be set to ${uri}`
          : `the prefix "${excerpt(prefix)}" may not be bound to ${uri}`,
        at,
      );
    } else if (uri === "" && prefix !== "") {
      this.fail("invalid attempt to undefine prefix in XML 1.0", at);
    }
    const n = this.nDecls++;
    this.declPrefixes[n] = prefix;
    this.declUris[n] = uri;
  }

  /**
   * Opens the element `name` whose start tag ends at `gt` with the attributes just
   * read: names resolved (Namespaces in XML §5, §6), duplicates refused.
   */
  open(name: string, gt: number, selfClosing: boolean): void {
    const stack = this.stack;
    const parent = stack[stack.length - 1];
    const outer = parent === undefined ? ROOT_SCOPE : parent.scope;
    let scope = outer;
    if (this.nDecls > 0) {
      scope = Object.create(outer);
      for (let k = 0; k < this.nDecls; k++) scope[this.declPrefixes[k]] = this.declUris[k];
    }

    let local = name;
    let ns: string;
    const colon = name.indexOf(":");
    if (colon < 0) {
      ns = scope[""];
    } else {
      const prefix = name.slice(0, colon);
      local = name.slice(colon + 1);
      if (colon === 0 || local === "" || local.indexOf(":") >= 0) {
        if (!this.isGenieAcsFault(prefix, local)) {
          this.fail(`malformed name "${excerpt(name)}"`, gt);
        }
        this.genieFault = true;
      }
      if (prefix === "xmlns") this.fail('element names may not have the prefix "xmlns"', gt);
      ns = scope[prefix];
      if (ns === undefined) this.fail(`undeclared namespace prefix "${excerpt(prefix)}"`, gt);
    }

    const attrs: Record<string, XmlAttribute> = {};
    const n = this.nAttrs;
    const keys: string[] | undefined = n > 1 ? [] : undefined;
    const seen = n > 8 ? new Set<string>() : undefined;
    for (let k = 0; k < n; k++) {
      const attrName = this.attrNames[k];
      const attrColon = this.attrColons[k];
      let uri: string;
      let attrLocal = attrName;
      if (attrColon < 0) {
        uri = attrName === "xmlns" ? XMLNS_NS : "";
      } else {
        const prefix = attrName.slice(0, attrColon);
        attrLocal = attrName.slice(attrColon + 1);
        const bound = prefix === "xmlns" ? XMLNS_NS : scope[prefix];
        if (bound === undefined) this.fail(`undeclared namespace prefix "${excerpt(prefix)}"`, gt);
        uri = bound;
      }
      if (keys !== undefined) {
        const key = attrColon < 0 ? attrName : `{${uri}}${attrLocal}`;
        if (seen !== undefined ? seen.has(key) : keys.includes(key)) {
          this.fail(`duplicate attribute "${excerpt(key)}"`, gt);
        }
        if (seen !== undefined) seen.add(key);
        else keys.push(key);
      }
      const attr: XmlAttribute = {
        name: attrName,
        uri,
        local: attrLocal,
        value: this.attrValues[k],
      };
      if (attrName === "__proto__") {
        Object.defineProperty(attrs, attrName, { value: attr, enumerable: true, writable: true });
      } else {
        attrs[attrName] = attr;
      }
    }

    if (stack.length >= MAX_DEPTH) {
      throw new RangeError(`elements nested deeper than ${MAX_DEPTH} levels ${this.where(gt)}`);
    }
    const el: XmlElement = { name, ns, local, attrs, children: [], text: "", scope };
    if (parent !== undefined) parent.children.push(el);
    else this.root = el;
    if (!selfClosing) stack.push(el);
  }

  /** Whether `prefix:local` is GenieACS's fault element, tolerated here (module doc). */
  isGenieAcsFault(prefix: string, local: string): boolean {
    return local === "Body:Fault" && prefix !== "" && !this.genieFault &&
      this.stack.length === 2;
  }

  /** The end tag at `this.i` (XML 1.0 §3.1), which must close the open element. */
  endTag(): void {
    const s = this.s;
    const at = this.i;
    const el = this.stack[this.stack.length - 1];
    const name = el.name;
    const start = at + 2;
    let end: number;
    if (s.startsWith(name, start) && s.charCodeAt(start + name.length) === GT) {
      end = start + name.length; // the usual case
    } else {
      const nameEnd = this.nameEnd(start);
      if (nameEnd === start) {
        if (start >= this.len) this.unexpectedEnd();
        this.fail("disallowed character in closing tag", start);
      }
      end = this.skipSpace(nameEnd);
      if (s.charCodeAt(end) !== GT) {
        if (end >= this.len) this.unexpectedEnd();
        this.fail("disallowed character in closing tag", end);
      }
      if (nameEnd - start !== name.length || !s.startsWith(name, start)) {
        this.fail(
          `mismatched end tag "${excerpt(s.slice(at, end + 1))}", expected "</${excerpt(name)}>"`,
          at,
        );
      }
    }
    this.stack.pop();
    this.i = end + 1;
  }
}

/** `raw` with its line ends read as LF (XML 1.0 §2.11) when `cr`: it holds a CR. */
function lineEnds(raw: string, cr: boolean): string {
  return cr ? raw.replace(/\r\n?/g, "\n") : raw;
}

/** `raw` with each tab, LF, CR or CR LF as one space (XML 1.0 §3.3.3) when `ws`. */
function spaces(raw: string, ws: boolean): string {
  return ws ? raw.replace(/\r\n?|[\t\n]/g, " ") : raw;
}

function isHigh(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLow(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
