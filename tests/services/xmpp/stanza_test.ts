import assert from "node:assert/strict";
import {
  element,
  escapeXml,
  NS_CLIENT,
  type StreamEvent,
  streamHeader,
  StreamParser,
} from "../../../src/services/xmpp/stanza.ts";

const HEADER = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' " +
  "xmlns:stream='http://etherx.jabber.org/streams' id='s1' from='example.net' version='1.0'>";

function started(options = {}): StreamParser {
  const parser = new StreamParser(options);
  const events = parser.push(HEADER);
  assert.deepEqual(events, [
    { kind: "streamStart", id: "s1", from: "example.net", version: "1.0" },
  ]);
  return parser;
}

function stanzas(events: StreamEvent[]): string[] {
  return events.map((e) => e.kind === "stanza" ? `${e.element.ns} ${e.element.local}` : e.kind);
}

Deno.test("StreamParser.push() frames stanzas split anywhere, with namespaces resolved", () => {
  const parser = started();
  const text = `<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>` +
    `<required/></starttls></stream:features> \n<iq type='get' id='a>b' from="x/y">` +
    `<query xmlns='q'>1 &lt; 2 &amp; 3 &#x41;</query></iq><presence/>`;
  for (let cut = 1; cut < text.length; cut += 7) {
    const p = started();
    const events = [...p.push(text.slice(0, cut)), ...p.push(text.slice(cut))];
    assert.deepEqual(stanzas(events), [
      "http://etherx.jabber.org/streams features",
      `${NS_CLIENT} iq`,
      `${NS_CLIENT} presence`,
    ]);
    const iq = (events[1] as { element: { attrs: Record<string, { value: string }> } }).element;
    assert.equal(iq.attrs.id.value, "a>b");
  }
  const events = parser.push(text);
  const iq = events[1] as Extract<StreamEvent, { kind: "stanza" }>;
  assert.equal(iq.element.children[0].text, "1 < 2 & 3 A");
  assert.equal(iq.element.children[0].ns, "q");
});

Deno.test("StreamParser.push() drops whitespace keep-alives and reports the end of the stream", () => {
  const parser = started();
  assert.deepEqual(parser.push("   \n\t "), []);
  assert.ok(parser.idle);
  assert.deepEqual(stanzas(parser.push("<message/> </stream:stream>")), [
    `${NS_CLIENT} message`,
    "streamEnd",
  ]);
  assert.throws(() => parser.push("<iq/>"), SyntaxError);
});

Deno.test("StreamParser.push() refuses DTDs, entities, comments, PIs and CDATA", () => {
  const cases: [string, string, RegExp][] = [
    [
      "DTD before the header",
      "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]>",
      /Comments, CDATA sections and DTDs/,
    ],
    ["comment", "<iq><!-- hi --></iq>", /Comments, CDATA sections and DTDs/],
    ["CDATA", "<iq><![CDATA[x]]></iq>", /Comments, CDATA sections and DTDs/],
    ["PI", "<iq><?php x ?></iq>", /Processing instructions/],
    ["custom entity", "<iq>&xxe;</iq>", /undeclared entity "&xxe;"/],
    ["billion laughs reference", "<iq>&lol9;</iq>", /undeclared entity/],
    ["text between stanzas", "hello", /Unexpected text between stanzas/],
    ["mismatched tags", "<iq><a></b></iq>", /mismatched end tag/],
    ["wrong end of stream", "</stream>", /Mismatched end of stream/],
    ["unbound prefix", "<x:iq/>", /undeclared namespace prefix/],
  ];
  for (const [what, text, error] of cases) {
    const parser = what === "DTD before the header" ? new StreamParser() : started();
    assert.throws(() => parser.push(text), error, what);
  }
});

Deno.test("StreamParser.push() bounds stanzas, the header and nesting", () => {
  const parser = started({ maxStanzaChars: 1024 });
  assert.throws(
    () => parser.push(`<message><body>${"a".repeat(2000)}</body></message>`),
    { name: "RangeError", message: "Stanza longer than 1024 characters" },
  );
  // Fed in small pieces, the bound still holds before the stanza ends.
  const slow = started({ maxStanzaChars: 1024 });
  slow.push("<message><body>");
  assert.throws(() => {
    for (let i = 0; i < 100; i++) slow.push("a".repeat(100));
  }, RangeError);
  // The default bound: 64 KiB.
  assert.throws(() => started().push(`<iq>${"x".repeat(70_000)}`), RangeError);
  // A header that never ends.
  assert.throws(
    () => new StreamParser().push(`<stream:stream ${"a".repeat(5000)}`),
    /Stream header longer than 4096/,
  );
  assert.throws(() => started().push("<a>".repeat(40) + "</a>".repeat(40)), RangeError);
});

Deno.test("StreamParser.push() refuses a header that is not a stream", () => {
  assert.throws(() => new StreamParser().push("<html>"), /Expected the stream header/);
  assert.throws(() => new StreamParser().push("garbage"), /Expected the stream header/);
  assert.throws(() => new StreamParser().push("<stream:stream/>"), /Expected the stream header/);
});

Deno.test("StreamParser.push() survives random garbage with a clean error or nothing", () => {
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const alphabet = "<>/='\"&;:abc \n!?[]-x#";
  for (let round = 0; round < 2000; round++) {
    const parser = started({ maxStanzaChars: 4096 });
    let text = "";
    const n = Math.floor(random() * 200);
    for (let i = 0; i < n; i++) text += alphabet[Math.floor(random() * alphabet.length)];
    try {
      parser.push(text);
    } catch (error) {
      assert.ok(error instanceof SyntaxError || error instanceof RangeError, String(error));
    }
  }
});

Deno.test("StreamParser.reset() starts a new stream (after STARTTLS or SASL)", () => {
  const parser = started();
  parser.push("<iq><query>");
  parser.reset();
  assert.equal(parser.push(HEADER).length, 1);
  assert.deepEqual(stanzas(parser.push("<presence/>")), [`${NS_CLIENT} presence`]);
});

Deno.test("element() and streamHeader() escape what they are given", () => {
  assert.equal(
    element("iq", { id: `"<&>'`, to: undefined }, "<x/>"),
    `<iq id="&quot;&lt;&amp;&gt;&apos;"><x/></iq>`,
  );
  assert.equal(escapeXml("a&b"), "a&amp;b");
  assert.match(streamHeader(`ex"ample`), /to="ex&quot;ample" version="1.0"/);
});
