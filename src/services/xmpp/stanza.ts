/**
 * The XMPP stream codec (RFC 6120 §4, §8, §11): text in, stream events out; stanzas and
 * stream headers out as text. No I/O, no clock.
 *
 * {@linkcode StreamParser} frames the stream itself (one pass over the characters,
 * state kept between pushes, so a stanza arriving in many pieces costs no rescans):
 * the optional XML declaration, the `<stream:stream>` header, then each first-level
 * element, which it hands as a small document to the strict XML parser of `soap/_xml.ts`
 * wrapped in the stream header, so its namespaces resolve.
 * What RFC 6120 §11.1 forbids is refused before any parse: comments, processing
 * instructions, DTDs (no entity is ever declared or expanded; only the five predefined
 * ones and character references are read), and so are CDATA sections (servers do not
 * send them). Bounds: the header (4,096 characters), each stanza
 * ({@linkcode MAX_STANZA_CHARS}, 65,536 characters by default) and nesting (32 levels);
 * whitespace between stanzas (keep-alives) is dropped as it is read.
 * Any violation throws (`SyntaxError`, or `RangeError` for a size) and the stream is
 * unusable: the caller closes the connection. Building stanzas and reading parsed ones
 * (`element()`, `attrOf()`, `childOf()` …) is `element.ts`, re-exported here.
 *
 * @module
 */

import { parseXml, type XmlElement } from "../../soap/_xml.ts";
import { NS_STREAMS } from "./element.ts";

// The stanza helpers live in element.ts (light: the agent reads connection requests with
// them without loading the client); re-exported so this stays the codec's one import.
export * from "./element.ts";

/** Default bound of one stanza, of the stream header and of whitespace between stanzas. */
export const MAX_STANZA_CHARS = 65_536;
const MAX_HEADER_CHARS = 4096;

/** What the parser found in the text pushed so far. */
export type StreamEvent =
  /** The server's stream header: its `id`, `from` and `version` attributes. */
  | { kind: "streamStart"; id: string; from: string; version: string }
  /** A complete first-level element: a stanza, `stream:features`, SASL or TLS element. */
  | { kind: "stanza"; element: XmlElement }
  /** `</stream:stream>`. */
  | { kind: "streamEnd" };

/** Options of {@linkcode StreamParser}. */
export interface StreamParserOptions {
  /** Largest stanza, in characters. */
  readonly maxStanzaChars?: number;
}

const enum Phase {
  Prolog, // before the stream header
  Stream, // between stanzas
  Stanza, // inside a first-level element
  Ended,
}

const WHITESPACE = /^[ \t\r\n]*$/;

/** Frames an XMPP stream; see the module doc. */
export class StreamParser {
  readonly #max: number;
  #buf = "";
  /** Where scanning resumes in `#buf`. */
  #pos = 0;
  #phase = Phase.Prolog;
  /** Inside a tag: its opening `<` in `#buf`, else -1. */
  #tagStart = -1;
  #quote = "";
  #depth = 0;
  /** The `<` that opened the current first-level element in `#buf`. */
  #stanzaStart = 0;
  /** The raw `<stream:stream …>` start tag and its qualified name. */
  #header = "";
  #headerName = "";

  /** A parser waiting for the stream header. */
  constructor(options: StreamParserOptions = {}) {
    this.#max = options.maxStanzaChars ?? MAX_STANZA_CHARS;
  }

  /** Forgets everything: a new stream starts (after STARTTLS and after SASL success). */
  reset(): void {
    this.#buf = "";
    this.#pos = 0;
    this.#phase = Phase.Prolog;
    this.#tagStart = -1;
    this.#quote = "";
    this.#depth = 0;
    this.#header = "";
    this.#headerName = "";
    this.#stanzaStart = 0;
  }

  /** True once nothing is buffered: no partial stanza or header is pending. */
  get idle(): boolean {
    return this.#buf.length === this.#pos && this.#tagStart < 0 && this.#phase !== Phase.Stanza;
  }

  /**
   * Adds `text` and returns the events it completes.
   *
   * @throws {SyntaxError} for markup RFC 6120 forbids or XML that is not well-formed.
   * @throws {RangeError} when a stanza or the header passes its bound.
   */
  push(text: string): StreamEvent[] {
    if (this.#phase === Phase.Ended) {
      if (WHITESPACE.test(text)) return [];
      throw new SyntaxError("Data after the end of the stream");
    }
    this.#buf += text;
    const events: StreamEvent[] = [];
    const buf = this.#buf;
    let i = this.#pos;
    for (; i < buf.length; i++) {
      const c = buf.charCodeAt(i);
      if (this.#tagStart >= 0) {
        if (this.#quote !== "") {
          if (buf[i] === this.#quote) this.#quote = "";
          continue;
        }
        if (c === 0x22 /* " */ || c === 0x27 /* ' */) {
          this.#quote = buf[i];
          continue;
        }
        if (i === this.#tagStart + 1 && (c === 0x21 /* ! */ || c === 0x3f /* ? */)) {
          if (this.#phase === Phase.Prolog && c === 0x3f && buf.startsWith("<?xml", i - 1)) {
            continue; // the XML declaration
          }
          throw new SyntaxError(
            c === 0x21
              ? 'Comments, CDATA sections and DTDs are not allowed in an XMPP stream ("<!")'
              : 'Processing instructions are not allowed in an XMPP stream ("<?")',
          );
        }
        if (c !== 0x3e /* > */) continue;
        const event = this.#endOfTag(buf, i);
        if (event !== undefined) events.push(event);
        if ((this.#phase as Phase) === Phase.Ended) {
          if (!WHITESPACE.test(buf.slice(i + 1))) {
            throw new SyntaxError("Data after the end of the stream");
          }
          i = buf.length;
          break;
        }
        continue;
      }
      if (c === 0x3c /* < */) {
        this.#tagStart = i;
        if (this.#phase === Phase.Stream) {
          this.#phase = Phase.Stanza;
          this.#stanzaStart = i;
        }
        continue;
      }
      if (this.#phase !== Phase.Stanza && !isSpace(c)) {
        throw new SyntaxError(
          this.#phase === Phase.Prolog
            ? "Expected the stream header"
            : `Unexpected text between stanzas: "${buf.slice(i, i + 16)}"`,
        );
      }
    }
    this.#pos = i;
    this.#compact();
    return events;
  }

  /** A tag closed at `end` (its `>`). */
  #endOfTag(buf: string, end: number): StreamEvent | undefined {
    const start = this.#tagStart;
    this.#tagStart = -1;
    const closing = buf.charCodeAt(start + 1) === 0x2f; /* / */
    const empty = !closing && buf.charCodeAt(end - 1) === 0x2f;
    if (this.#phase === Phase.Prolog) {
      if (buf.charCodeAt(start + 1) === 0x3f) return undefined; // declaration
      if (closing || empty) throw new SyntaxError("Expected the stream header");
      return this.#streamStart(buf.slice(start, end + 1));
    }
    if (this.#depth === 0 && closing) {
      const name = buf.slice(start + 2, end).trim();
      if (name !== this.#headerName) {
        throw new SyntaxError(`Mismatched end of stream "</${name}>"`);
      }
      this.#phase = Phase.Ended;
      return { kind: "streamEnd" };
    }
    if (closing) this.#depth--;
    else if (!empty) this.#depth++;
    if (this.#depth > 0) return undefined;
    // A first-level element is complete: from the "<" that opened it to here.
    if (end + 1 - this.#stanzaStart > this.#max) {
      throw new RangeError(`Stanza longer than ${this.#max} characters`);
    }
    const text = buf.slice(this.#stanzaStart, end + 1);
    this.#phase = Phase.Stream;
    return { kind: "stanza", element: this.#parseStanza(text) };
  }

  #streamStart(tag: string): StreamEvent {
    const root = parseXml(tag.slice(0, -1) + "/>");
    if (root.local !== "stream" || root.ns !== NS_STREAMS) {
      throw new SyntaxError(`Expected the stream header, got "<${root.name}>"`);
    }
    this.#header = tag;
    this.#headerName = root.name;
    this.#phase = Phase.Stream;
    const attr = (name: string) => root.attrs[name]?.value ?? "";
    return { kind: "streamStart", id: attr("id"), from: attr("from"), version: attr("version") };
  }

  #parseStanza(text: string): XmlElement {
    const root = parseXml(`${this.#header}${text}</${this.#headerName}>`);
    const element = root.children[0];
    if (element === undefined) throw new SyntaxError("Empty stanza");
    return element;
  }

  /** Drops what is consumed and enforces the bounds on what is not. */
  #compact(): void {
    const keepFrom = this.#phase === Phase.Stanza
      ? this.#stanzaStart
      : this.#tagStart >= 0
      ? this.#tagStart
      : this.#pos;
    if (this.#phase === Phase.Prolog) {
      if (this.#buf.length > MAX_HEADER_CHARS) {
        throw new RangeError(`Stream header longer than ${MAX_HEADER_CHARS} characters`);
      }
      return;
    }
    if (keepFrom > 0) {
      this.#buf = this.#buf.slice(keepFrom);
      this.#pos -= keepFrom;
      if (this.#tagStart >= 0) this.#tagStart -= keepFrom;
      this.#stanzaStart = Math.max(0, this.#stanzaStart - keepFrom);
    }
    if (this.#buf.length > this.#max) {
      throw new RangeError(`Stanza longer than ${this.#max} characters`);
    }
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}
