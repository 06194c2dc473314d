/**
 * Our XML parser (`src/soap/_xml_parser.ts`) against the saxes-based one it replaced
 * (`_saxes_xml.ts`), on every SOAP fixture and on thousands of seeded mutations of
 * them: both must accept or both reject (with the same error class), and what both
 * accept must give the same tree (names, namespaces, attributes, text, scopes).
 *
 * Intended differences, each recognised from the input and counted, never silently
 * passed:
 * - `trimmedNamespace`: saxes trims a namespace declaration's value (of every character
 *   `String.prototype.trim()` removes, U+FEFF and U+3000 too); the namespace
 *   name is the attribute value as normalised (Namespaces in XML 1.0 §3, XML 1.0
 *   §3.3.3), so `xmlns:p=" urn:x"` binds `" urn:x"` here and `xmlns:p=" "` is no
 *   attempt to undeclare.
 * - `genieAcsFault`: the old tolerance of `x:Body:Fault` (no QName, Namespaces in XML
 *   §4) read it anywhere (under the name `x:Body_Fault` but as a grandchild of the
 *   root); ours only as a grandchild of the root, where GenieACS puts it. And the old
 *   one found the element from saxes's line and column, which count a lone CR as a
 *   line end and a surrogate pair as one character: after either it missed the element.
 */
import assert from "node:assert/strict";
import { parseXmlDocument } from "../../src/soap/_xml_parser.ts";
import type { XmlElement } from "../../src/soap/_xml.ts";
import { parseXmlWithSaxes } from "./_saxes_xml.ts";

const DIRS = [
  new URL("../testdata/soap/", import.meta.url),
  new URL("../testdata/genieacs/", import.meta.url),
  new URL("../testdata/transport/", import.meta.url),
];
const SHARED = "/work/shared/testdata/genieacs-1.2.16/";

const SEED_MARKUP = '\uFEFF<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n' +
  "<!-- head -->\n<r a='x\ty\r\nz' b=\"&lt;&#x41;&#66;&amp;\">text &gt; ]] ] &apos;&quot;" +
  "<![CDATA[<c> & ]]]]><![CDATA[>]]><!-- - --><e/><e></e >\r\n\u00E9\u{1F600}\u0085" +
  "<\u00E9\u00B7-.1 _x='1'/></r>\n<!-- tail -->\n";
const SEED_NS = '<p:r xmlns:p="urn:p" xmlns="urn:d" xmlns:q="urn:p" xml:lang="en">' +
  '<a p:x="1" x="2"><b xmlns=""><c xmlns:p="urn:other" p:x="3" q:x="4"/></b></a>' +
  '<p:s xmlns:xml="http://www.w3.org/XML/1998/namespace" xml:space="preserve"> </p:s>' +
  "<t:Body xmlns:t='urn:t'><t:Body:Fault/></t:Body></p:r>";

function corpus(): { name: string; xml: string }[] {
  const out: { name: string; xml: string }[] = [];
  const dirs: (URL | string)[] = [...DIRS];
  try {
    if (Deno.statSync(SHARED).isDirectory) dirs.push(SHARED);
  } catch {
    // not on this machine: the copies under tests/testdata still run
  }
  for (const dir of dirs) {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(dir)];
    } catch {
      continue;
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (!entry.isFile || !entry.name.endsWith(".xml")) continue;
      const path = typeof dir === "string" ? dir + entry.name : new URL(entry.name, dir);
      out.push({ name: entry.name, xml: Deno.readTextFileSync(path) });
    }
  }
  // Seeds for what the SOAP fixtures seldom hold.
  out.push({ name: "seed: markup", xml: SEED_MARKUP }, { name: "seed: namespaces", xml: SEED_NS });
  return out;
}

type Outcome = { ok: true; tree: XmlElement } | { ok: false; error: Error };

function run(parse: (xml: string) => XmlElement, xml: string): Outcome {
  try {
    return { ok: true, tree: parse(xml) };
  } catch (error) {
    if (!(error instanceof SyntaxError) && !(error instanceof RangeError)) throw error;
    return { ok: false, error };
  }
}

/** A comparable copy of `el`: everything a caller can read. */
function plain(el: XmlElement): unknown {
  const scope: Record<string, string> = {};
  for (const prefix in el.scope) scope[prefix] = el.scope[prefix];
  const attrs: Record<string, unknown> = {};
  for (const key of Object.keys(el.attrs).sort()) {
    const { name, uri, local, value } = el.attrs[key];
    attrs[key] = { name, uri, local, value };
  }
  return {
    name: el.name,
    ns: el.ns,
    local: el.local,
    attrs,
    text: el.text,
    scope,
    children: el.children.map(plain),
  };
}

/** Which intended difference explains a disagreement on `xml`, if any. */
function intended(xml: string, ours: Outcome, theirs: Outcome): string | undefined {
  if (
    /xmlns(?::[^\s=<>"']*)?\s*=\s*(?:"(?:\s[^"]*|[^"]*\s)"|'(?:\s[^']*|[^']*\s)')/.test(xml)
  ) {
    return "trimmedNamespace";
  }
  // saxes's side read the name as ours refuses it, or kept it renamed.
  if (
    (!ours.ok && theirs.ok && /^malformed name "[^"]*:Body:Fault"/.test(ours.error.message)) ||
    (ours.ok && theirs.ok && JSON.stringify(plain(theirs.tree)).includes(':Body_Fault"')) ||
    (ours.ok && !theirs.ok && /^malformed name "[^"]*:Body:Fault"/.test(theirs.error.message) &&
      /[\r\uD800-\uDBFF]/.test(xml))
  ) {
    return "genieAcsFault";
  }
  return undefined;
}

/** Compares both parsers on `xml`; returns the intended difference met, if any. */
function compare(xml: string, label: string): string | undefined {
  const ours = run(parseXmlDocument, xml);
  const theirs = run(parseXmlWithSaxes, xml);
  const why = () => `${label}: ${JSON.stringify(xml.length > 400 ? xml.slice(0, 400) : xml)}`;
  if (ours.ok !== theirs.ok) {
    const reason = intended(xml, ours, theirs);
    if (reason !== undefined) return reason;
    assert.fail(
      `${why()}\nours: ${ours.ok ? "accepted" : ours.error.message}\nsaxes: ${
        theirs.ok ? "accepted" : theirs.error.message
      }`,
    );
  }
  if (ours.ok && theirs.ok) {
    const a = plain(ours.tree);
    const b = plain(theirs.tree);
    try {
      assert.deepEqual(a, b);
    } catch (error) {
      const reason = intended(xml, ours, theirs);
      if (reason !== undefined) return reason;
      throw new Error(why(), { cause: error });
    }
  } else if (!ours.ok && !theirs.ok) {
    assert.equal(ours.error.name, theirs.error.name, why());
  }
  return undefined;
}

/** mulberry32: a small seeded generator, so every run tries the same mutations. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INSERTS = [
  "<",
  ">",
  "&",
  "]]>",
  "]]",
  "<!--",
  "-->",
  "--",
  "<?",
  "?>",
  "<?pi x?>",
  "<?xml version='1.0'?>",
  "<!DOCTYPE e>",
  "<!ENTITY x 'y'>",
  "<![CDATA[",
  "<![CDATA[a<&]]>",
  "\uD800",
  "\uDC00",
  "\uD83D\uDE00",
  "\u0000",
  "\u0001",
  "\u001F",
  "\u007F",
  "\u0085",
  "\uFFFE",
  "\uFFFF",
  "\uFEFF",
  "\r",
  "\r\n",
  "\t",
  " ",
  "&#0;",
  "&#x41;",
  "&#X41;",
  "&#xD800;",
  "&#x10FFFF;",
  "&#x110000;",
  "&#65",
  "&amp;",
  "&lt",
  "&lol;",
  "&#;",
  ":",
  "::",
  '"',
  "'",
  "=",
  "/",
  "</",
  "/>",
  "<a>",
  "</a>",
  "<a/>",
  'xmlns:p="urn:x" ',
  ' p:a="1"',
  ' a="1"',
  ' a="1" a="2"',
  ' xmlns=""',
  ' xmlns:p=""',
  ' xmlns:xml="urn:x"',
  ' xmlns:xmlns="urn:x"',
  ' xmlns:p="http://www.w3.org/2000/xmlns/"',
  ' xml:lang="en"',
  "xml:",
  "xmlns:",
  "p:",
  "é",
  "\u00B7",
  "\u0300",
  "1",
  "-",
  ".",
];

/** One random mutation of `xml`. */
function mutate(xml: string, rnd: () => number): string {
  const at = Math.floor(rnd() * (xml.length + 1));
  const pick = <T>(list: T[]) => list[Math.floor(rnd() * list.length)];
  switch (Math.floor(rnd() * 8)) {
    case 0: { // replace one character by any code unit, mostly ASCII
      const code = rnd() < 0.7 ? Math.floor(rnd() * 128) : Math.floor(rnd() * 0x10000);
      return xml.slice(0, at) + String.fromCharCode(code) + xml.slice(at + 1);
    }
    case 1: // truncate
      return xml.slice(0, at);
    case 2: // delete a few characters
      return xml.slice(0, at) + xml.slice(at + 1 + Math.floor(rnd() * 4));
    case 3: { // duplicate an attribute of some tag
      const m = [...xml.matchAll(/\s([^\s=<>"']+)=("[^"]*"|'[^']*')/g)];
      if (m.length === 0) return xml;
      const a = pick(m);
      const end = a.index! + a[0].length;
      const copy = rnd() < 0.5 ? a[0] : " " + a[1].replace(/^[^:]*:/, "xsi:") + "=" + a[2];
      return xml.slice(0, end) + copy + xml.slice(end);
    }
    case 4: { // prefix an element name, in its start tag or end tag
      const m = [...xml.matchAll(/<\/?([A-Za-z_][^\s/>]*)/g)];
      if (m.length === 0) return xml;
      const t = pick(m);
      const nameAt = t.index! + t[0].length - t[1].length;
      const prefix = pick(["p:", "xsi:", "xml:", "xmlns:", "cwmp:", ":", "soap-env:Body:"]);
      return xml.slice(0, nameAt) + prefix + xml.slice(nameAt);
    }
    case 5: // insert a copy of a slice elsewhere
      return xml.slice(0, at) + xml.slice(Math.floor(rnd() * xml.length)).slice(0, 20) +
        xml.slice(at);
    default:
      return xml.slice(0, at) + pick(INSERTS) + xml.slice(at);
  }
}

const FIXTURES = corpus();
const MUTATIONS_PER_FIXTURE = 60;

Deno.test("parseXmlDocument() agrees with saxes on every SOAP fixture", () => {
  assert.ok(FIXTURES.length >= 100, `only ${FIXTURES.length} fixtures found`);
  const met: Record<string, number> = {};
  for (const { name, xml } of FIXTURES) {
    const reason = compare(xml, name);
    if (reason !== undefined) met[reason] = (met[reason] ?? 0) + 1;
  }
  // The GenieACS fault fixture is read alike: same position, same tree.
  assert.deepEqual(met, {});
});

Deno.test("parseXmlDocument() agrees with saxes on seeded mutations of the fixtures", () => {
  const rnd = random(0x5eed);
  const met: Record<string, number> = {};
  let accepted = 0;
  let total = 0;
  for (const { name, xml } of FIXTURES) {
    const count = name.startsWith("seed:") ? 20 * MUTATIONS_PER_FIXTURE : MUTATIONS_PER_FIXTURE;
    for (let k = 0; k < count; k++) {
      let mutated = mutate(xml, rnd);
      if (rnd() < 0.3) mutated = mutate(mutated, rnd);
      const reason = compare(mutated, `${name} mutation ${k}`);
      if (reason !== undefined) met[reason] = (met[reason] ?? 0) + 1;
      total++;
      if (run(parseXmlDocument, mutated).ok) accepted++;
    }
  }
  // Enough of both outcomes that the comparison means something.
  assert.ok(accepted > total / 10 && accepted < total * 0.9, `${accepted} of ${total} accepted`);
  console.log(`${total} mutations, ${accepted} accepted by both; intended differences:`, met);
});

Deno.test("the intended differences are real, and recognised", () => {
  const cases: [string, string][] = [
    ['<p:a xmlns:p=" urn:p"/>', "trimmedNamespace"],
    ['<a xmlns:p=" "/>', "trimmedNamespace"],
    ["<a xmlns:s='u'><s:Body:Fault/></a>", "genieAcsFault"],
    ["<a xmlns:s='u'><b><c><s:Body:Fault/></c></b></a>", "genieAcsFault"],
    ["<a xmlns:s='u'><b \u{1F600}='1'><s:Body:Fault/></b></a>", "genieAcsFault"],
    ["<a xmlns:s='u'><b>\r<s:Body:Fault/></b></a>", "genieAcsFault"],
  ];
  for (const [xml, reason] of cases) {
    const ours = run(parseXmlDocument, xml);
    const theirs = run(parseXmlWithSaxes, xml);
    const same = ours.ok && theirs.ok
      ? JSON.stringify(plain(ours.tree)) === JSON.stringify(plain(theirs.tree))
      : ours.ok === theirs.ok;
    assert.equal(same, false, xml);
    assert.equal(intended(xml, ours, theirs), reason, xml);
  }
});
