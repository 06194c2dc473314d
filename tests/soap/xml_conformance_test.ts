/**
 * `parseXml()` against XML 1.0 (fifth edition) and Namespaces in XML 1.0: one
 * hand-written case per rule of `src/soap/_xml_parser.ts`, each bad input pinned to
 * its message (reason, line, column), each good one to the tree it reads as; then
 * the hostile inputs that must stay linear.
 */
import assert from "node:assert/strict";
import { parseXml, type XmlElement } from "../../src/soap/_xml.ts";

const XML_NS = "http://www.w3.org/XML/1998/namespace";
const XMLNS_NS = "http://www.w3.org/2000/xmlns/";

/** `[rule, input, message]`: the input must throw a SyntaxError with that message. */
const BAD: [string, string, string][] = [
  // §2.2 Char, in every place a character can be
  ["NUL in text", "<a>\u0000</a>", "disallowed character U+0000 at line 1, column 4"],
  ["U+0008 in text", "<a>x\u0008</a>", "disallowed character U+0008 at line 1, column 5"],
  ["U+FFFE in text", "<a>\uFFFE</a>", "disallowed character U+FFFE at line 1, column 4"],
  ["U+FFFF in text", "<a>\uFFFF</a>", "disallowed character U+FFFF at line 1, column 4"],
  ["a lone high surrogate", "<a>\uD800x</a>", "disallowed character U+D800 at line 1, column 4"],
  [
    "a lone high surrogate at the end",
    "<a>\uD800",
    "disallowed character U+D800 at line 1, column 4",
  ],
  ["a lone low surrogate", "<a>x\uDC00</a>", "disallowed character U+DC00 at line 1, column 5"],
  [
    "a control character in an attribute",
    '<a b="\u0001"/>',
    "disallowed character U+0001 at line 1, column 7",
  ],
  [
    "a lone surrogate in an attribute",
    '<a b="\uDFFF"/>',
    "disallowed character U+DFFF at line 1, column 7",
  ],
  [
    "a control character in a comment",
    "<!-- \u0001 --><a/>",
    "disallowed character U+0001 at line 1, column 6",
  ],
  [
    "a control character in CDATA",
    "<a><![CDATA[\u001F]]></a>",
    "disallowed character U+001F at line 1, column 13",
  ],
  // §4.1 character references
  ["a reference to NUL", "<a>&#0;</a>", 'illegal character reference "&#0;" at line 1, column 4'],
  [
    "a reference to a surrogate",
    "<a>&#xD800;</a>",
    'illegal character reference "&#xD800;" at line 1, column 4',
  ],
  [
    "a reference to U+FFFF",
    "<a>&#65535;</a>",
    'illegal character reference "&#65535;" at line 1, column 4',
  ],
  [
    "a reference above U+10FFFF",
    "<a>&#x110000;</a>",
    'illegal character reference "&#x110000;" at line 1, column 4',
  ],
  [
    "a reference with 20 digits",
    "<a>&#99999999999999999999;</a>",
    'illegal character reference "&#99999999999999999999;" at line 1, column 4',
  ],
  [
    "a reference to NUL in an attribute",
    '<a b="x&#0;"/>',
    'illegal character reference "&#0;" at line 1, column 8',
  ],
  ['an upper-case "X" in a reference', "<a>&#X41;</a>", 'unescaped "&" at line 1, column 4'],
  ["a reference without digits", "<a>&#x;</a>", 'unescaped "&" at line 1, column 4'],
  ["a reference without its ;", "<a>&#65 </a>", 'unescaped "&" at line 1, column 4'],
  ["a hex digit in a decimal reference", "<a>&#6A;</a>", 'unescaped "&" at line 1, column 4'],
  // §4.6 only the predefined entities, and no DTD to declare others
  ["an undeclared entity", "<a>&lol;</a>", 'undeclared entity "&lol;" at line 1, column 4'],
  ["an entity in the wrong case", "<a>&AMP;</a>", 'undeclared entity "&AMP;" at line 1, column 4'],
  [
    "an Object.prototype member as entity",
    "<a>&toString;</a>",
    'undeclared entity "&toString;" at line 1, column 4',
  ],
  [
    "an undeclared entity in an attribute",
    '<a b="&x;"/>',
    'undeclared entity "&x;" at line 1, column 7',
  ],
  ["a bare &", "<a>AT&T</a>", 'unescaped "&" at line 1, column 6'],
  ["an entity without its ;", "<a>&amp</a>", 'unescaped "&" at line 1, column 4'],
  ["a bare & in an attribute", '<a b="&"/>', 'unescaped "&" at line 1, column 7'],
  // §2.3 names
  [
    "a tag name starting with a digit",
    "<1a/>",
    "disallowed character in tag name at line 1, column 2",
  ],
  [
    "a tag name starting with a NameChar only",
    "<\u00B7a/>",
    "disallowed character in tag name at line 1, column 2",
  ],
  [
    "a tag name with a character outside NameChar",
    "<a\u{F0000}/>",
    "disallowed character in tag name at line 1, column 3",
  ],
  [
    '"<" followed by a space',
    "<a>1 < 2</a>",
    "disallowed character in tag name at line 1, column 7",
  ],
  [
    "an attribute name starting with a digit",
    '<a 1b="x"/>',
    "disallowed character in attribute name at line 1, column 4",
  ],
  [
    "an attribute name with a $",
    '<a b$c="x"/>',
    "disallowed character in attribute name at line 1, column 5",
  ],
  [
    "an end tag name starting with a digit",
    "<a></1a>",
    "disallowed character in closing tag at line 1, column 6",
  ],
  // Namespaces in XML §3–§4: QNames
  ["an element name with an empty prefix", "<:a/>", 'malformed name ":a" at line 1, column 5'],
  ["an element name with an empty local part", "<a:/>", 'malformed name "a:" at line 1, column 5'],
  [
    "an element name with two colons",
    '<a:b:c xmlns:a="u"/>',
    'malformed name "a:b:c" at line 1, column 20',
  ],
  [
    "an attribute name with an empty prefix",
    '<a :b="1"/>',
    'malformed name ":b" at line 1, column 9',
  ],
  [
    "an attribute name with two colons",
    '<a b:c:d="1"/>',
    'malformed name "b:c:d" at line 1, column 12',
  ],
  // Namespaces in XML §3, §5: prefix bindings
  ["an undeclared element prefix", "<p:a/>", 'undeclared namespace prefix "p" at line 1, column 6'],
  [
    "an undeclared attribute prefix",
    '<a p:b="1">',
    'undeclared namespace prefix "p" at line 1, column 11',
  ],
  [
    "a prefix out of scope",
    '<a><b xmlns:p="u"/><p:c/></a>',
    'undeclared namespace prefix "p" at line 1, column 25',
  ],
  [
    '"constructor" as a prefix',
    "<constructor:a/>",
    'undeclared namespace prefix "constructor" at line 1, column 16',
  ],
  [
    "an undeclared prefix (XML 1.1 only)",
    '<a xmlns:p=""/>',
    "invalid attempt to undefine prefix in XML 1.0 at line 1, column 13",
  ],
  [
    "xml bound to another namespace",
    '<a xmlns:xml="urn:x"/>',
    `xml prefix must be bound to ${XML_NS} at line 1, column 20`,
  ],
  [
    "xmlns declared",
    '<a xmlns:xmlns="urn:x"/>',
    'the prefix "xmlns" must not be declared at line 1, column 22',
  ],
  [
    "another prefix bound to the xml namespace",
    `<a xmlns:p="${XML_NS}"/>`,
    `the prefix "p" may not be bound to ${XML_NS} at line 1, column 49`,
  ],
  [
    "a prefix bound to the xmlns namespace",
    `<a xmlns:p="${XMLNS_NS}"/>`,
    `the prefix "p" may not be bound to ${XMLNS_NS} at line 1, column 42`,
  ],
  [
    "the default namespace as xmlns's",
    `<a xmlns="${XMLNS_NS}"/>`,
    `the default namespace may not be set to ${XMLNS_NS} at line 1, column 40`,
  ],
  [
    "the default namespace as xml's",
    `<a xmlns="${XML_NS}"/>`,
    `the default namespace may not be set to ${XML_NS} at line 1, column 47`,
  ],
  [
    "an element with the xmlns prefix",
    "<xmlns:a/>",
    'element names may not have the prefix "xmlns" at line 1, column 10',
  ],
  // XML 1.0 §3.1, Namespaces in XML §6.3: unique attributes
  ["a duplicate attribute", '<a b="1" b="2"/>', 'duplicate attribute "b" at line 1, column 16'],
  [
    "a duplicate after namespace expansion",
    '<a xmlns:p="u" xmlns:q="u" p:b="1" q:b="2"/>',
    'duplicate attribute "{u}b" at line 1, column 44',
  ],
  [
    "a prefix declared twice",
    '<a xmlns:p="u" xmlns:p="v"/>',
    `duplicate attribute "{${XMLNS_NS}}p" at line 1, column 28`,
  ],
  [
    "the default namespace declared twice",
    '<a xmlns="u" xmlns="v"/>',
    'duplicate attribute "xmlns" at line 1, column 24',
  ],
  [
    "a duplicate among many attributes",
    `<a ${Array.from({ length: 20 }, (_, i) => `b${i}="1"`).join(" ")} b7="2"/>`,
    'duplicate attribute "b7" at line 1, column 161',
  ],
  // §3.1, §3.3.3 attribute syntax and values
  ['"<" in an attribute value', '<a b="<"/>', 'disallowed character "<" at line 1, column 7'],
  ["an unquoted value", "<a b=1/>", "unquoted attribute value at line 1, column 6"],
  ["an attribute without value", "<a b/>", "attribute without value at line 1, column 5"],
  [
    "an attribute without value before another",
    '<a b c="1"/>',
    "attribute without value at line 1, column 6",
  ],
  [
    "attributes without whitespace between them",
    '<a b="1"c="2"/>',
    "no whitespace between attributes at line 1, column 9",
  ],
  ["mismatched quotes", "<a b='1\"/>", "unexpected end of input at line 1, column 10"],
  ['"/" not followed by ">"', "<a/ >", 'expected ">" after "/" in a start tag at line 1, column 4'],
  // §2.8 the XML declaration
  [
    "whitespace before the declaration",
    ' <?xml version="1.0"?><a/>',
    "an XML declaration must be at the start of the document at line 1, column 2",
  ],
  [
    "a second declaration",
    '<?xml version="1.0"?>\n<?xml version="1.0"?><a/>',
    "an XML declaration must be at the start of the document at line 2, column 1",
  ],
  [
    "a declaration in content",
    '<a><?xml version="1.0"?></a>',
    "an XML declaration must be at the start of the document at line 1, column 4",
  ],
  [
    "a declaration in upper case",
    '<?XML version="1.0"?><a/>',
    "an XML declaration must be at the start of the document at line 1, column 1",
  ],
  [
    'version "2.0"',
    '<?xml version="2.0"?><a/>',
    "version number must match /^1\\.[0-9]+$/ at line 1, column 19",
  ],
  [
    'version "1."',
    '<?xml version="1."?><a/>',
    "version number must match /^1\\.[0-9]+$/ at line 1, column 18",
  ],
  ["no version", '<?xml encoding="UTF-8"?><a/>', "expected one of version at line 1, column 15"],
  ["an empty declaration", "<?xml?><a/>", "expected one of version at line 1, column 6"],
  [
    "an encoding name starting with a digit",
    '<?xml version="1.0" encoding="8bit"?><a/>',
    "encoding value must match /^[A-Za-z][A-Za-z0-9._-]*$/ at line 1, column 35",
  ],
  [
    'standalone "maybe"',
    "<?xml version='1.0' standalone='maybe'?><a/>",
    'standalone value must match "yes" or "no" at line 1, column 38',
  ],
  [
    "standalone before encoding",
    '<?xml version="1.0" standalone="no" encoding="UTF-8"?><a/>',
    "unexpected data at the end of the XML declaration at line 1, column 37",
  ],
  [
    "no whitespace between pseudo-attributes",
    '<?xml version="1.0"encoding="UTF-8"?><a/>',
    "whitespace required in the XML declaration at line 1, column 20",
  ],
  ["an unquoted version", "<?xml version=1.0?><a/>", "value must be quoted at line 1, column 15"],
  [
    "an unterminated declaration",
    '<?xml version="1.0"',
    "unterminated XML declaration at line 1, column 1",
  ],
  // §2.5 comments
  ['"--" in a comment', "<a><!-- a -- b --></a>", "malformed comment at line 1, column 13"],
  ['a comment ending in "--->"', "<a><!-- a ---></a>", "malformed comment at line 1, column 13"],
  ["an unterminated comment", "<a><!-- x", "unterminated comment at line 1, column 4"],
  // §2.7 CDATA, §2.4 character data
  [
    "an unterminated CDATA section",
    "<a><![CDATA[x]]</a>",
    "unterminated CDATA section at line 1, column 4",
  ],
  [
    "a CDATA section before the root",
    "<![CDATA[x]]><a/>",
    "unexpected text outside the root element at line 1, column 1",
  ],
  [
    "a lower-case CDATA opener",
    "<a><![cdata[x]]></a>",
    'unexpected markup "<![cdata[x]]" at line 1, column 4',
  ],
  [
    '"]]>" in text',
    "<a>x]]>y</a>",
    'the string "]]>" is disallowed in char data at line 1, column 5',
  ],
  [
    '"]]>" after "]"',
    "<a>]]]></a>",
    'the string "]]>" is disallowed in char data at line 1, column 5',
  ],
  // §3.1 end tags
  [
    "a mismatched end tag",
    "<a><b></B></a>",
    'mismatched end tag "</B>", expected "</b>" at line 1, column 7',
  ],
  [
    "an end tag with a longer name",
    "<a></ab>",
    'mismatched end tag "</ab>", expected "</a>" at line 1, column 4',
  ],
  [
    "an attribute on an end tag",
    '<a></a b="1">',
    "disallowed character in closing tag at line 1, column 8",
  ],
  ["an empty end tag", "<a></>", "disallowed character in closing tag at line 1, column 6"],
  // §2.1 one root element, only whitespace and comments around it
  ["an empty document", "", "no root element at line 1, column 1"],
  ["only whitespace", " \n ", "no root element at line 2, column 1"],
  ["only a comment", "<!-- c -->", "no root element at line 1, column 10"],
  ["text before the root", "x<a/>", "unexpected text outside the root element at line 1, column 1"],
  [
    "a reference before the root",
    "&amp;<a/>",
    "unexpected text outside the root element at line 1, column 1",
  ],
  [
    "text after the root",
    "<a/>\nx",
    "unexpected text outside the root element at line 2, column 1",
  ],
  ["a second root", "<a/><b/>", "unexpected element after the root element at line 1, column 5"],
  [
    "an end tag before the root",
    "</a><a/>",
    "unexpected end tag before the root element at line 1, column 1",
  ],
  [
    "an end tag after the root",
    "<a/></a>",
    "unexpected element after the root element at line 1, column 5",
  ],
  [
    "an element left open",
    "<a><b></b>",
    'unexpected end of input: "a" is not closed at line 1, column 10',
  ],
  [
    "a truncated end tag",
    "<a><b></b",
    'unexpected end of input: "b" is not closed at line 1, column 9',
  ],
  [
    "a truncated start tag",
    "<a><b c",
    'unexpected end of input: "a" is not closed at line 1, column 7',
  ],
  ["a truncated root start tag", "<a", "unexpected end of input at line 1, column 2"],
  // SOAP 1.1 §3: no DOCTYPE, no processing instruction; other markup declarations
  ["a DOCTYPE", "<!DOCTYPE a><a/>", "DOCTYPE is not allowed at line 1, column 1"],
  [
    "a DOCTYPE with an internal subset",
    '<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>',
    "DOCTYPE is not allowed at line 2, column 1",
  ],
  ["a DOCTYPE in content", "<a><!DOCTYPE a></a>", "DOCTYPE is not allowed at line 1, column 4"],
  [
    "a processing instruction before the root",
    "<?pi x?><a/>",
    'processing instruction "<?pi" is not allowed at line 1, column 1',
  ],
  [
    "a processing instruction in content",
    "<a><?pi?></a>",
    'processing instruction "<?pi" is not allowed at line 1, column 4',
  ],
  [
    "a processing instruction after the root",
    "<a/><?pi?>",
    'processing instruction "<?pi" is not allowed at line 1, column 5',
  ],
  [
    "an unterminated processing instruction",
    "<a><?pi x",
    "unterminated processing instruction at line 1, column 4",
  ],
  [
    "an ENTITY declaration",
    '<!ENTITY x "y"><a/>',
    'unexpected markup "<!ENTITY" at line 1, column 1',
  ],
  // positions: lines end at LF, CR and CR LF (§2.11); a surrogate pair is one column
  [
    "an error after CR LF lines",
    "<a>\r\n\r\n\u0001</a>",
    "disallowed character U+0001 at line 3, column 1",
  ],
  [
    "an error after CR lines",
    "<a>\r\r x\u0001</a>",
    "disallowed character U+0001 at line 3, column 3",
  ],
  [
    "an error after a surrogate pair",
    "<a>\u{1F600}\u0001</a>",
    "disallowed character U+0001 at line 1, column 5",
  ],
  // the first error ends the parse
  ["the first of two errors", "<a>&x;\u0001</b>", 'undeclared entity "&x;" at line 1, column 4'],
];

for (const [rule, xml, message] of BAD) {
  Deno.test(`parseXml() rejects ${rule}`, () => {
    assert.throws(() => parseXml(xml), (error: unknown) => {
      assert.ok(error instanceof SyntaxError, `expected a SyntaxError, got ${error}`);
      assert.equal(error.message, message);
      return true;
    });
  });
}

/** What a test compares of an element: everything but the scope. */
interface Shape {
  name: string;
  ns?: string;
  local?: string;
  attrs?: Record<string, { uri: string; local?: string; value: string }>;
  text?: string;
  children?: Shape[];
}

function shape(el: XmlElement, like: Shape): Shape {
  const out: Shape = { name: el.name };
  if (like.ns !== undefined) out.ns = el.ns;
  if (like.local !== undefined) out.local = el.local;
  if (like.attrs !== undefined) {
    out.attrs = {};
    for (const key of Object.keys(el.attrs)) {
      const { uri, local, value } = el.attrs[key];
      const want = like.attrs[key];
      out.attrs[key] = want?.local === undefined ? { uri, value } : { uri, local, value };
    }
  }
  if (like.text !== undefined) out.text = el.text;
  if (like.children !== undefined) {
    out.children = el.children.map((c, i) => shape(c, like.children![i] ?? { name: c.name }));
  }
  return out;
}

/** `[rule, input, shape]`: the input must read as that tree. */
const GOOD: [string, string, Shape][] = [
  ["characters XML 1.0 allows", "<a>\u0085\u007F\u2028\u{1F600}\t\uE000\uFFFD</a>", {
    name: "a",
    text: "\u0085\u007F\u2028\u{1F600}\t\uE000\uFFFD",
  }],
  ["character references", "<a>&#65;&#x42;&#x1f600;&#x00000041;&#9;&#xD;&#10;</a>", {
    name: "a",
    text: "AB\u{1F600}A\t\r\n",
  }],
  [
    "the predefined entities in text and attributes",
    `<a b="&lt;&gt;&amp;&quot;&apos;">&lt;&gt;&amp;&quot;&apos;</a>`,
    {
      name: "a",
      attrs: { b: { uri: "", value: `<>&"'` } },
      text: `<>&"'`,
    },
  ],
  [
    "names from all of NameStartChar and NameChar",
    "<é·\u0300-.1 _x.-=''><\u{10000}/></é·\u0300-.1>",
    {
      name: "é·\u0300-.1",
      children: [{ name: "\u{10000}" }],
    },
  ],
  ["line ends as LF (§2.11)", "<a>x\r\ny\rz\n<![CDATA[\r\n]]>&#13;</a>", {
    name: "a",
    text: "x\ny\nz\n\n\r",
  }],
  [
    "attribute whitespace as spaces (§3.3.3)",
    '<a b="x\ty\nz\r\nw\rv" c="&#9;&#10;&#13;" d=" two  spaces "/>',
    {
      name: "a",
      attrs: {
        b: { uri: "", value: "x y z w v" },
        c: { uri: "", value: "\t\n\r" },
        d: { uri: "", value: " two  spaces " },
      },
    },
  ],
  ["quotes and > inside values", `<a b='say "hi"' c="it's" d="x>y"/>`, {
    name: "a",
    attrs: {
      b: { uri: "", value: 'say "hi"' },
      c: { uri: "", value: "it's" },
      d: { uri: "", value: "x>y" },
    },
  }],
  ["whitespace around = and before > or />", '<a  b = "1"\n></a\t>', {
    name: "a",
    attrs: { b: { uri: "", value: "1" } },
  }],
  ["CDATA sections as text", "<a>x<![CDATA[<&]]]]><![CDATA[>]]>y</a>", {
    name: "a",
    text: "x<&]]>y",
  }],
  ["] and ]] that are not ]]>", "<a>]]&gt; ]> ]]</a>", { name: "a", text: "]]> ]> ]]" }],
  [
    "comments, also with single dashes",
    "<!-- a -->\n<a><!----><!-- - -->x<!-- <b> & --></a>\n<!-- z -->",
    {
      name: "a",
      text: "x",
    },
  ],
  ["text joined from the element's own chunks", "<a>x<b>y</b>z<!-- c -->w</a>", {
    name: "a",
    text: "xzw",
    children: [{ name: "b", text: "y" }],
  }],
  [
    "the XML declaration's spellings",
    "<?xml version='1.1' encoding='utf-8' standalone='no' ?><a/>",
    { name: "a" },
  ],
  ["a byte order mark before the declaration", '\uFEFF<?xml version="1.0"?>\n<a/>', { name: "a" }],
  ['default namespaces, undeclared with xmlns=""', '<a xmlns="u"><b xmlns=""><c/></b></a>', {
    name: "a",
    ns: "u",
    children: [{ name: "b", ns: "", children: [{ name: "c", ns: "" }] }],
  }],
  ["prefixes redeclared inside", '<p:a xmlns:p="u"><p:b xmlns:p="v"/><p:c/></p:a>', {
    name: "p:a",
    ns: "u",
    local: "a",
    children: [{ name: "p:b", ns: "v", local: "b" }, { name: "p:c", ns: "u", local: "c" }],
  }],
  [
    "attribute namespaces: none for unprefixed, xml, xmlns",
    `<a xmlns="u" xmlns:p="v" b="1" p:b="2" xml:lang="en" xmlns:xml="${XML_NS}"/>`,
    {
      name: "a",
      ns: "u",
      attrs: {
        xmlns: { uri: XMLNS_NS, local: "xmlns", value: "u" },
        "xmlns:p": { uri: XMLNS_NS, local: "p", value: "v" },
        b: { uri: "", local: "b", value: "1" },
        "p:b": { uri: "v", local: "b", value: "2" },
        "xml:lang": { uri: XML_NS, local: "lang", value: "en" },
        "xmlns:xml": { uri: XMLNS_NS, local: "xml", value: XML_NS },
      },
    },
  ],
  ["the same local name in two namespaces", '<a xmlns:p="u" xmlns:q="v" p:b="1" q:b="2" b="3"/>', {
    name: "a",
  }],
  ["a namespace name kept as written, spaces included (Namespaces §3)", '<p:a xmlns:p=" u "/>', {
    name: "p:a",
    ns: " u ",
  }],
  ["an attribute named __proto__", '<a __proto__="1"/>', {
    name: "a",
    attrs: { ["__proto__"]: { uri: "", value: "1" } },
  }],
];

for (const [rule, xml, want] of GOOD) {
  Deno.test(`parseXml() reads ${rule}`, () => {
    assert.deepEqual(shape(parseXml(xml), want), want);
  });
}

Deno.test("parseXml() scopes resolve inherited prefixes and never Object.prototype members", () => {
  const root = parseXml('<a xmlns:p="u"><b xmlns:q="v"/></a>');
  const b = root.children[0];
  assert.equal(b.scope.p, "u");
  assert.equal(b.scope.q, "v");
  assert.equal(b.scope.xml, XML_NS);
  assert.equal(b.scope[""], "");
  assert.equal(b.scope.constructor, undefined);
  assert.equal(root.scope.q, undefined);
});

Deno.test("parseXml() accepts 32 levels of elements and refuses 33 with a RangeError", () => {
  const nested = (levels: number) => "<a>".repeat(levels) + "</a>".repeat(levels);
  assert.equal(parseXml(nested(32)).name, "a");
  assert.throws(() => parseXml(nested(33)), {
    name: "RangeError",
    message: "elements nested deeper than 32 levels at line 1, column 99",
  });
  assert.throws(() => parseXml("<a>".repeat(32) + "<a/>"), RangeError);
});

Deno.test("parseXml() reads GenieACS's soap-env:Body:Fault as a grandchild of the root, once", () => {
  const open = '<e:Envelope xmlns:e="u"><e:Body>';
  const root = parseXml(`${open}<e:Body:Fault>x</e:Body:Fault></e:Body></e:Envelope>`);
  const fault = root.children[0].children[0];
  assert.deepEqual([fault.name, fault.ns, fault.local, fault.text], [
    "e:Body:Fault",
    "u",
    "Body:Fault",
    "x",
  ]);
  const rejected: [string, string][] = [
    ["<e:Body:Fault xmlns:e='u'/>", 'malformed name "e:Body:Fault" at line 1, column 27'],
    [
      `${open}<x><e:Body:Fault/></x></e:Body></e:Envelope>`,
      'malformed name "e:Body:Fault" at line 1, column 50',
    ],
    [
      `${open}<e:Body:Fault/><e:Body:Fault/></e:Body></e:Envelope>`,
      'malformed name "e:Body:Fault" at line 1, column 62',
    ],
    [
      `${open}<e:Body:Faults/></e:Body></e:Envelope>`,
      'malformed name "e:Body:Faults" at line 1, column 48',
    ],
    [
      `${open}<z:Body:Fault/></e:Body></e:Envelope>`,
      'undeclared namespace prefix "z" at line 1, column 47',
    ],
    [
      `${open}<e:Body:Fault></e:Body:Faul></e:Body></e:Envelope>`,
      'mismatched end tag "</e:Body:Faul>", expected "</e:Body:Fault>" at line 1, column 47',
    ],
  ];
  for (const [xml, message] of rejected) {
    assert.throws(() => parseXml(xml), { name: "SyntaxError", message }, xml);
  }
});

// ---------------------------------------------------------------- hostile input

const MIB4 = 4 * 1024 * 1024;

/** Parses `xml`, which must fail (or not) within `ms` milliseconds: linear time. */
function quickly(xml: string, expected: RegExp | "ok", ms = 3000): void {
  const t0 = performance.now();
  let outcome = "ok";
  try {
    parseXml(xml);
  } catch (error) {
    outcome = `${(error as Error).name}: ${(error as Error).message}`;
  }
  const elapsed = performance.now() - t0;
  if (expected === "ok") assert.equal(outcome, "ok");
  else assert.match(outcome, expected);
  assert.ok(elapsed < ms, `took ${elapsed.toFixed(0)} ms`);
}

Deno.test("parseXml() stays linear on hostile input", () => {
  quickly("<a".repeat(MIB4 / 2), /^SyntaxError: disallowed character in tag name/);
  quickly("<a>".repeat(MIB4 / 3), /^RangeError: elements nested deeper than 32/);
  quickly("<a>" + "<b/>".repeat(MIB4 / 4) + "</a>", "ok");
  const attrs = Array.from({ length: 100_000 }, (_, i) => `p:a${i}="${i}"`).join(" ");
  quickly(`<a xmlns:p="u" ${attrs}/>`, "ok");
  quickly(`<a xmlns:p="u" ${attrs} p:a5="x"/>`, /^SyntaxError: duplicate attribute "\{u\}a5"/);
  quickly("<" + "a".repeat(MIB4) + "></" + "a".repeat(MIB4) + ">", "ok");
  quickly("<" + "a".repeat(MIB4) + ">", /^SyntaxError: unexpected end of input: "a{61}…"/);
  quickly("<" + "p".repeat(MIB4) + ":a/>", /^SyntaxError: undeclared namespace prefix/);
  quickly("<a>" + "<!-- & -->".repeat(MIB4 / 10) + "</a>", "ok");
  quickly("<a>" + "<!--".repeat(MIB4 / 4), /^SyntaxError: malformed comment/);
  quickly("<a>" + "<![CDATA[".repeat(MIB4 / 9), /^SyntaxError: unterminated CDATA section/);
  quickly("<a>&" + "a".repeat(MIB4), /^SyntaxError: unescaped "&"/);
  quickly(
    "<a>&#" + "9".repeat(MIB4) + ";</a>",
    /^SyntaxError: illegal character reference "&#9+…"/,
  );
  quickly("<a>" + "]".repeat(MIB4) + "</a>", "ok");
  quickly("<a>" + "&amp;".repeat(MIB4 / 5) + "</a>", "ok");
  quickly("<a>" + "\r\n".repeat(MIB4 / 2) + "\u0001</a>", /line 2097153, column 1$/);
  quickly(`<a b="` + "\t".repeat(MIB4) + `"/>`, "ok");
  quickly(`<a b="` + "x".repeat(MIB4), /^SyntaxError: unexpected end of input/);
  quickly("<a></a" + " ".repeat(MIB4), /^SyntaxError: unexpected end of input/);
  quickly('<?xml version="' + "1".repeat(MIB4), /^SyntaxError: unterminated XML declaration/);
});
