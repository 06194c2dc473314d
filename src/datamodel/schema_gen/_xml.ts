/**
 * A small non-validating XML reader for the Broadband Forum data-model files, which
 * are trusted build inputs (never network input; SOAP goes through `src/soap/_xml.ts`).
 * Private to `schema_gen/`.
 *
 * It keeps elements and attributes and drops text, comments, CDATA sections and
 * processing instructions: every fact the generator needs is an attribute. It reads
 * the `<!ENTITY name "value">` declarations of an internal DOCTYPE subset (as in
 * tr-106-types.xml) and expands them, the five predefined entities and character
 * references in attribute values. Names keep their prefix as written (`dm:document`).
 *
 * @module
 */

/** An element: qualified name as written, unescaped attributes, child elements. */
export interface XmlNode {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: XmlNode[];
}

const NAME = /[A-Za-z_:][\w.:-]*/y;
const ATTR = /\s*([A-Za-z_:][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/y;
const TAG_END = /\s*(\/?)>/y;
const ENTITY_DECL = /<!ENTITY\s+([A-Za-z_][\w.-]*)\s+(?:"([^"]*)"|'([^']*)')\s*>/g;
const REFERENCE = /&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z_][\w.-]*);/g;
const PREDEFINED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** Reads `xml` into its root element. Throws `SyntaxError` on markup it cannot follow. */
export function readXml(xml: string): XmlNode {
  const entities: Record<string, string> = { ...PREDEFINED };
  const stack: XmlNode[] = [];
  let root: XmlNode | undefined;
  let at = 0;
  for (;;) {
    const lt = xml.indexOf("<", at);
    if (lt < 0) break;
    if (xml.startsWith("<!--", lt)) {
      at = skipTo(xml, "-->", lt);
    } else if (xml.startsWith("<![CDATA[", lt)) {
      at = skipTo(xml, "]]>", lt);
    } else if (xml.startsWith("<?", lt)) {
      at = skipTo(xml, "?>", lt);
    } else if (xml.startsWith("<!DOCTYPE", lt)) {
      at = readDoctype(xml, lt, entities);
    } else if (xml.startsWith("</", lt)) {
      const gt = xml.indexOf(">", lt);
      const name = xml.slice(lt + 2, gt).trim();
      const open = stack.pop();
      if (open?.name !== name) throw new SyntaxError(`Unexpected end tag "</${name}>"`);
      at = gt + 1;
    } else {
      NAME.lastIndex = lt + 1;
      const name = NAME.exec(xml)?.[0];
      if (name === undefined) throw new SyntaxError(`Bad markup at offset ${lt}`);
      const attrs: Record<string, string> = {};
      at = lt + 1 + name.length;
      for (;;) {
        ATTR.lastIndex = at;
        const m = ATTR.exec(xml);
        if (m === null) break;
        attrs[m[1]] = expand(m[2] ?? m[3], entities);
        at = ATTR.lastIndex;
      }
      TAG_END.lastIndex = at;
      const end = TAG_END.exec(xml);
      if (end === null) throw new SyntaxError(`Unterminated tag "<${name}"`);
      at = TAG_END.lastIndex;
      const node: XmlNode = { name, attrs, children: [] };
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(node);
      else if (root === undefined) root = node;
      else throw new SyntaxError(`Unexpected element "${name}" after the root element`);
      if (end[1] === "") stack.push(node);
    }
  }
  if (stack.length > 0) throw new SyntaxError(`Unclosed element "${stack[stack.length - 1].name}"`);
  if (root === undefined) throw new SyntaxError("No root element");
  return root;
}

function skipTo(xml: string, terminator: string, from: number): number {
  const end = xml.indexOf(terminator, from);
  if (end < 0) throw new SyntaxError(`Missing "${terminator}"`);
  return end + terminator.length;
}

/** Skips a DOCTYPE, collecting the entity declarations of its internal subset. */
function readDoctype(xml: string, from: number, entities: Record<string, string>): number {
  const bracket = xml.indexOf("[", from);
  const gt = xml.indexOf(">", from);
  if (bracket < 0 || gt < bracket) return skipTo(xml, ">", from);
  const close = xml.indexOf("]>", bracket);
  if (close < 0) throw new SyntaxError('Missing "]>" after the DOCTYPE internal subset');
  const subset = xml.slice(bracket + 1, close).replace(/<!--[\s\S]*?-->/g, "");
  for (const m of subset.matchAll(ENTITY_DECL)) {
    entities[m[1]] = expand(m[2] ?? m[3], entities);
  }
  return close + 2;
}

function expand(value: string, entities: Record<string, string>): string {
  if (value.indexOf("&") < 0) return value;
  return value.replace(REFERENCE, (whole, ref: string) => {
    if (ref.charCodeAt(0) === 35 /* # */) {
      const code = ref.charCodeAt(1) === 120 /* x */
        ? Number.parseInt(ref.slice(2), 16)
        : Number.parseInt(ref.slice(1), 10);
      return String.fromCodePoint(code);
    }
    const replacement = entities[ref];
    if (replacement === undefined) throw new SyntaxError(`Undeclared entity "${whole}"`);
    return replacement;
  });
}
