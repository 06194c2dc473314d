/**
 * UDP Lightweight Notification messages (TR-069 Annex M, CWMP 1.4; CWMP-FACTS §7.5): the
 * pure codec. No clock, no randomness, no I/O: the time and the cnonces come in.
 *
 * The payload is the XML of the BBF schema `cwmp-UDPLightweightNotification-1-0.xsd`
 * (namespace `urn:broadband-forum-org:cwmp:lwnotif-1-0`): a `Notification` holding `TS`
 * (Unix seconds), `UN` (ManagementServer.Username), `CN` (a random cnonce), `OUI`,
 * `ProductClass`, `SerialNumber`, then one or more `Param{Name, Value}`, each Value with
 * its xsi:type as in an Inform. Every element is a global element of that schema, so all
 * of them are in its namespace (a default `xmlns` on the root). Values are escaped, never
 * left to entities; characters XML cannot carry become U+FFFD, as in the SOAP codec.
 *
 * Framing and signature: the spec leaves them open [U, CWMP-FACTS §12.11]. The schema
 * has a cnonce but no signature element, which only makes sense with a signature outside
 * the XML; icwmp puts one in an HTTP-like header (HMAC-SHA1 keyed with the ACS password),
 * but its header is malformed ("test/xml", "Content-Lenght") and its XML uses an
 * undeclared `xsd:` prefix. We keep icwmp's shape and make it well formed, the same way
 * Annex G carries a UDP connection request as an HTTP message in one datagram:
 *
 * ```
 * POST / HTTP/1.1\r\n
 * Host: <UDPLightweightNotificationHost>:<port>\r\n
 * Content-Type: text/xml; charset="utf-8"\r\n
 * Content-Length: <bytes of the XML>\r\n
 * Signature: <upper-case hex HMAC-SHA1 over the XML bytes, keyed with ManagementServer.Password>\r\n
 * \r\n
 * <the XML>
 * ```
 *
 * A receiver that ignores the header finds the XML after the first empty line; one that
 * checks it verifies the signature with the password it shares with the device (UN says
 * which device), and TS with CN make every signed body unique against replays. With an
 * empty ACS password there is nothing to key the HMAC with: the Signature line is left
 * out rather than sending a signature anyone could compute.
 *
 * Size: every datagram is at most {@linkcode MAX_LWN_DATAGRAM_BYTES} (1400, below a
 * 1500-byte Ethernet MTU with IPv6, UDP and a tunnel header, so it is never fragmented).
 * More parameters than fit go in several datagrams, each a complete signed Notification
 * with its own CN. A parameter too large for a datagram on its own (a value of ~1 KB) is
 * not sent: Annex M has no fragmentation, and a truncated value would report a value
 * the parameter never had. {@linkcode encodeLwnDatagrams} returns it in `tooLarge` for
 * the sender to log; the ACS can still read it with GetParameterValues (and with
 * Notification 4 or 6 it also goes in the next Inform).
 *
 * @module
 */

import { hmac } from "@noble/hashes/hmac.js";
import { sha1 } from "@noble/hashes/legacy.js";

/** The lwnotif XML namespace. */
export const LWN_NAMESPACE = "urn:broadband-forum-org:cwmp:lwnotif-1-0";
/** The largest datagram sent, header included. */
export const MAX_LWN_DATAGRAM_BYTES = 1400;

/** One parameter of a notification. */
export interface LwnParam {
  readonly name: string;
  readonly value: string;
  /** xsi:type QName with the `xsd:` prefix, e.g. `xsd:unsignedInt`. */
  readonly type: string;
}

/** The fixed fields of a `Notification`. */
export interface LwnHeader {
  /** Unix seconds (xs:int). */
  readonly ts: number;
  /** ManagementServer.Username (≤ 256). */
  readonly username: string;
  readonly cnonce: string;
  /** Six upper-case hex digits. */
  readonly oui: string;
  readonly productClass: string;
  readonly serialNumber: string;
}

/** Where the datagram goes (for the Host line) and the signing key. */
export interface LwnFraming {
  readonly host: string;
  readonly port: number;
  /** ManagementServer.Password; empty = no Signature line. */
  readonly password: string;
}

/** Options of {@linkcode encodeLwnDatagrams}. */
export interface LwnDatagramOptions {
  /** The header fields but the cnonce, which `cnonce()` gives anew for each datagram. */
  readonly header: Omit<LwnHeader, "cnonce">;
  readonly cnonce: () => string;
  readonly framing: LwnFraming;
  /** Default {@linkcode MAX_LWN_DATAGRAM_BYTES}. */
  readonly maxBytes?: number;
}

/** What {@linkcode encodeLwnDatagrams} made. */
export interface LwnDatagrams {
  readonly datagrams: Uint8Array[];
  /** Parameters that do not fit in one datagram even alone; not sent. */
  readonly tooLarge: LwnParam[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

const ROOT_OPEN = `<?xml version="1.0" encoding="UTF-8"?>\n<Notification xmlns="${LWN_NAMESPACE}"` +
  ` xmlns:xsd="http://www.w3.org/2001/XMLSchema"` +
  ` xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`;
const ROOT_CLOSE = "</Notification>";

/**
 * The XML of one `Notification` with `params` (at least one, as the schema requires).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeLwnXml } from "./message.ts";
 * const xml = encodeLwnXml(
 *   { ts: 1, username: "cpe", cnonce: "ab", oui: "00d09e", productClass: "R", serialNumber: "1" },
 *   [{ name: "Device.X", value: "a<b", type: "xsd:string" }],
 * );
 * assert.ok(xml.includes('<OUI>00D09E</OUI>'));
 * assert.ok(xml.includes('<Value xsi:type="xsd:string">a&lt;b</Value>'));
 * ```
 *
 * @throws {RangeError} when `params` is empty.
 */
export function encodeLwnXml(header: LwnHeader, params: readonly LwnParam[]): string {
  if (params.length === 0) {
    throw new RangeError("Cannot encode a lightweight notification: no Param");
  }
  return headPart(header) + params.map(paramPart).join("") + ROOT_CLOSE;
}

/** One datagram: the header block of the module doc, then `xml`. */
export function frameLwn(xml: string, framing: LwnFraming): Uint8Array {
  const body = encoder.encode(xml);
  const host = framing.host.includes(":") ? `[${framing.host}]` : framing.host;
  const lines = [
    "POST / HTTP/1.1",
    `Host: ${host}:${framing.port}`,
    'Content-Type: text/xml; charset="utf-8"',
    `Content-Length: ${body.length}`,
  ];
  if (framing.password !== "") lines.push(`Signature: ${lwnSignature(body, framing.password)}`);
  const head = encoder.encode(lines.join("\r\n") + "\r\n\r\n");
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

/** Upper-case hex HMAC-SHA1 of `body` keyed with `password`. */
export function lwnSignature(body: Uint8Array, password: string): string {
  const mac = hmac(sha1, encoder.encode(password), body);
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("").toUpperCase();
}

/**
 * `params` as few datagrams as fit (in order, each at most `maxBytes`), each a complete
 * signed Notification. Parameters too large for any datagram are left out (`tooLarge`).
 */
export function encodeLwnDatagrams(
  params: readonly LwnParam[],
  options: LwnDatagramOptions,
): LwnDatagrams {
  const max = options.maxBytes ?? MAX_LWN_DATAGRAM_BYTES;
  const datagrams: Uint8Array[] = [];
  const tooLarge: LwnParam[] = [];
  let batch: LwnParam[] = [];
  let cnonce = options.cnonce();
  let last: Uint8Array | undefined;
  const build = (list: readonly LwnParam[]) =>
    frameLwn(encodeLwnXml({ ...options.header, cnonce }, list), options.framing);
  const flush = () => {
    if (last !== undefined) datagrams.push(last);
    batch = [];
    last = undefined;
    cnonce = options.cnonce();
  };
  for (const param of params) {
    const trial = build([...batch, param]);
    if (trial.length <= max) {
      batch.push(param);
      last = trial;
      continue;
    }
    if (batch.length > 0) flush();
    const alone = build([param]);
    if (alone.length > max) {
      tooLarge.push(param);
      continue;
    }
    batch = [param];
    last = alone;
  }
  flush();
  return { datagrams, tooLarge };
}

/** A datagram split into its header fields (names lower-cased) and its XML body. */
export interface ParsedLwnDatagram {
  readonly requestLine: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The body bytes, as signed. */
  readonly bodyBytes: Uint8Array;
}

/**
 * Splits a datagram made by {@linkcode frameLwn} (the receiver's side, for tests and
 * tools). Checks the framing only: request line, header syntax, Content-Length, UTF-8.
 *
 * @throws {SyntaxError} when the datagram is not framed as above.
 */
export function parseLwnDatagram(data: Uint8Array): ParsedLwnDatagram {
  let end = -1;
  for (let i = 0; i + 3 < data.length; i++) {
    if (data[i] === 13 && data[i + 1] === 10 && data[i + 2] === 13 && data[i + 3] === 10) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new SyntaxError("Cannot parse lightweight notification: no end of header");
  const head = new TextDecoder().decode(data.subarray(0, end));
  const [requestLine, ...lines] = head.split("\r\n");
  if (!/^POST \S+ HTTP\/1\.1$/.test(requestLine)) {
    throw new SyntaxError(
      `Cannot parse lightweight notification: bad request line "${requestLine}"`,
    );
  }
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const match = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/.exec(line);
    if (match === null) {
      throw new SyntaxError(`Cannot parse lightweight notification: bad header line "${line}"`);
    }
    headers[match[1].toLowerCase()] = match[2];
  }
  const bodyBytes = data.subarray(end + 4);
  if (headers["content-length"] !== String(bodyBytes.length)) {
    throw new SyntaxError(
      `Cannot parse lightweight notification: Content-Length "${
        headers["content-length"]
      }" for ${bodyBytes.length} bytes`,
    );
  }
  let body: string;
  try {
    body = decoder.decode(bodyBytes);
  } catch {
    throw new SyntaxError("Cannot parse lightweight notification: body is not UTF-8");
  }
  return { requestLine, headers, body, bodyBytes };
}

function headPart(h: LwnHeader): string {
  return ROOT_OPEN +
    `<TS>${Math.trunc(h.ts)}</TS>` +
    `<UN>${escapeXml(h.username)}</UN>` +
    `<CN>${escapeXml(h.cnonce)}</CN>` +
    `<OUI>${escapeXml(h.oui.toUpperCase())}</OUI>` +
    `<ProductClass>${escapeXml(h.productClass)}</ProductClass>` +
    `<SerialNumber>${escapeXml(h.serialNumber)}</SerialNumber>`;
}

function paramPart(p: LwnParam): string {
  return `<Param><Name>${escapeXml(p.name)}</Name>` +
    `<Value xsi:type="${escapeXml(p.type)}">${escapeXml(p.value)}</Value></Param>`;
}

// Control characters are what these look for.
// deno-lint-ignore no-control-regex
const SPECIAL = /[&<>"\r\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF\uD800-\uDFFF]/;
const REPLACE =
  // deno-lint-ignore no-control-regex
  /[&<>"\r\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "\r": "&#xD;",
};

/**
 * Text and attribute values (double-quoted): the markup characters escaped, CR as a
 * character reference (so a parser keeps it), and characters XML 1.0 cannot carry as
 * U+FFFD.
 */
function escapeXml(value: string): string {
  return SPECIAL.test(value) ? value.replace(REPLACE, (ch) => ENTITIES[ch] ?? "\uFFFD") : value;
}
