/**
 * SOAP envelope text to {@linkcode Envelope} (TR-069 §3.5, Annex A). Pure: no I/O.
 *
 * - Any prefixes: every name is resolved through its xmlns declarations; the body
 *   element must be in cwmp-1-0, 1-1 or 1-2 (or be a SOAP Fault). Method arguments may
 *   be unprefixed (GenieACS) or prefixed; they are matched by local name.
 * - Empty body: an empty or whitespace-only HTTP body decodes to an envelope whose
 *   message is `{ kind: "Empty" }`, header `{}` and namespace cwmp-1-0 (meaningless
 *   for Empty: the session keeps the namespace it negotiated). An envelope with an
 *   empty `Body` decodes the same way, keeping its header. See {@linkcode isEmptyBody}.
 * - Errors: everything throws {@linkcode CwmpDecodeError} with 9000 (unknown method),
 *   9003 (bytes that are not UTF-8, XML that is not well-formed — any XML 1.0 fatal
 *   error, see `_xml.ts` — wrong namespace, missing or invalid argument) or 9004
 *   (body over `maxBytes`, elements nested deeper than 32), carrying the request's
 *   `cwmp:ID` when it could be read.
 *   Nothing of a body that fails is returned: the caller answers with the fault.
 * - GenieACS 1.2.16 quirk: its fault to an unsupported CPE request is named
 *   `soap-env:Body:Fault`; that is read as a SOAP Fault.
 * - Header elements outside the CWMP namespaces are ignored unless they carry
 *   `mustUnderstand="1"` (SOAP 1.1 §4.2.3), which is a 9003 error.
 *
 * @module
 */
import {
  CWMP_NAMESPACES,
  type CwmpMessage,
  type CwmpNamespace,
  type Envelope,
  type Fault,
  type SoapHeader,
} from "./messages.ts";
import { CwmpDecodeError } from "./decode_error.ts";
import { childNamed, type ReadContext, readFields } from "./_codec.ts";
import { methodFields } from "./_message_fields.ts";
import { isCwmpNamespace, SOAP_ENV_NS } from "./_namespaces.ts";
import { setParameterValuesFault } from "./_structs.ts";
import { attributeNS, parseXml, type XmlElement } from "./_xml.ts";
import { parseBoolean, parseUnsignedInt } from "./xsd_types.ts";

/** Default limit on the size of a body: 4 MiB of UTF-8. */
export const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;

/** Options of {@linkcode decodeEnvelope}. */
export interface DecodeOptions {
  /** Largest body accepted, in UTF-8 bytes (default {@linkcode DEFAULT_MAX_BYTES}). */
  maxBytes?: number;
}

/** True when `body` is empty or only whitespace: the CPE's empty POST or the ACS's 204. */
export function isEmptyBody(body: string): boolean {
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return false;
  }
  return true;
}

/**
 * Decodes one SOAP envelope: the HTTP body as bytes (which must be UTF-8) or as text.
 * Pass the bytes when you have them, so a body that is not UTF-8 is refused (9003)
 * rather than read with U+FFFD in place of its bad bytes.
 *
 * @example
 * ```ts
 * import { decodeEnvelope } from "./decode.ts";
 * const envelope = decodeEnvelope("");
 * if (envelope.message.kind !== "Empty") throw new Error("unexpected");
 * ```
 */
export function decodeEnvelope(body: string | Uint8Array, options: DecodeOptions = {}): Envelope {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const size = typeof body === "string" ? utf8LengthOver(body, maxBytes) : body.length;
  if (size !== undefined && size > maxBytes) {
    throw new CwmpDecodeError(
      9004,
      `Cannot decode envelope: body of ${size} bytes exceeds the limit of ${maxBytes}`,
      { id: sniffId(body) },
    );
  }
  const xml = typeof body === "string" ? body : utf8Text(body);
  if (isEmptyBody(xml)) return emptyEnvelope(CWMP_NAMESPACES[0], {});

  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch (error) {
    if (!(error instanceof SyntaxError) && !(error instanceof RangeError)) throw error;
    const code = error instanceof RangeError ? 9004 : 9003;
    throw new CwmpDecodeError(code, `Cannot decode envelope: ${lowerFirst(error.message)}`, {
      id: sniffId(xml),
      cause: error,
    });
  }

  // Filled while decoding, so an error after the ID still carries it.
  const header: SoapHeader = {};
  try {
    return decodeRoot(root, header);
  } catch (error) {
    if (error instanceof CwmpDecodeError && error.id === undefined && header.id !== undefined) {
      throw new CwmpDecodeError(error.faultCode, error.message, {
        id: header.id,
        method: error.method,
        cause: error.cause,
      });
    }
    throw error;
  }
}

function decodeRoot(root: XmlElement, header: SoapHeader): Envelope {
  if (root.ns !== SOAP_ENV_NS || root.local !== "Envelope") {
    envelopeError(`root element "${root.name}" is not a SOAP 1.1 Envelope`);
  }
  let headerEl: XmlElement | undefined;
  let bodyEl: XmlElement | undefined;
  for (const child of root.children) {
    if (child.ns !== SOAP_ENV_NS) continue;
    if (child.local === "Header") headerEl ??= child;
    else if (child.local === "Body") bodyEl ??= child;
  }
  const headerNs = headerEl ? decodeHeader(headerEl, header) : undefined;
  if (!bodyEl) envelopeError('missing "Body"');

  const elements = bodyEl.children;
  if (elements.length === 0) return emptyEnvelope(headerNs ?? CWMP_NAMESPACES[0], header);
  if (elements.length > 1) {
    envelopeError(`"Body" holds ${elements.length} elements, expected 1`);
  }
  const el = elements[0];

  if (el.ns === SOAP_ENV_NS && (el.local === "Fault" || el.local === "Body:Fault")) {
    const { fault, namespace } = decodeFault(el);
    return { namespace: namespace ?? headerNs ?? CWMP_NAMESPACES[0], header, message: fault };
  }
  if (!isCwmpNamespace(el.ns)) {
    envelopeError(`"${el.local}" is in namespace "${el.ns}", not a CWMP namespace`);
  }
  const fields = methodFields(el.local);
  if (!fields) {
    throw new CwmpDecodeError(9000, `Cannot decode "${el.local}": unknown method`, {
      method: el.local,
    });
  }
  const ctx: ReadContext = { method: el.local };
  const message = { kind: el.local, ...readFields(el, fields, "", ctx) } as CwmpMessage;
  return { namespace: el.ns, header, message };
}

function decodeHeader(el: XmlElement, header: SoapHeader): CwmpNamespace | undefined {
  let namespace: CwmpNamespace | undefined;
  for (const child of el.children) {
    if (!isCwmpNamespace(child.ns)) {
      if (attributeNS(child, SOAP_ENV_NS, "mustUnderstand")?.trim() === "1") {
        envelopeError(`header "${child.name}" must be understood`);
      }
      continue;
    }
    switch (child.local) {
      case "ID":
        header.id = child.text;
        namespace ??= child.ns;
        break;
      case "HoldRequests":
        header.holdRequests = headerBoolean(child);
        break;
      case "NoMoreRequests":
        header.noMoreRequests = headerBoolean(child);
        break;
      case "SessionTimeout": {
        const n = parseUnsignedInt(child.text);
        if (n === undefined) {
          envelopeError(`invalid unsignedInt "${child.text}" in "Header/SessionTimeout"`);
        }
        header.sessionTimeout = n;
        break;
      }
      case "SupportedCWMPVersions":
        header.supportedCWMPVersions = child.text.trim();
        break;
      case "UseCWMPVersion":
        header.useCWMPVersion = child.text.trim();
        break;
      default:
        if (attributeNS(child, SOAP_ENV_NS, "mustUnderstand")?.trim() === "1") {
          envelopeError(`header "${child.name}" must be understood`);
        }
    }
  }
  return namespace;
}

function headerBoolean(el: XmlElement): boolean {
  const b = parseBoolean(el.text);
  if (b === undefined) envelopeError(`invalid boolean "${el.text}" in "Header/${el.local}"`);
  return b;
}

function decodeFault(el: XmlElement): { fault: Fault; namespace?: CwmpNamespace } {
  const ctx: ReadContext = { method: "Fault" };
  const code = childNamed(el, "faultcode")?.text.trim() ?? "";
  const local = code.slice(code.indexOf(":") + 1);
  const detail = childNamed(el, "detail");
  const cwmpFault = detail && childNamed(detail, "Fault");
  if (!cwmpFault) throw new CwmpDecodeError(9003, 'Cannot decode Fault: missing "detail/Fault"');
  const codeEl = childNamed(cwmpFault, "FaultCode");
  if (!codeEl) {
    throw new CwmpDecodeError(9003, 'Cannot decode Fault: missing "detail/Fault/FaultCode"');
  }
  const faultCode = parseUnsignedInt(codeEl.text);
  if (faultCode === undefined) {
    throw new CwmpDecodeError(
      9003,
      `Cannot decode Fault: invalid unsignedInt "${codeEl.text}" in "detail/Fault/FaultCode"`,
    );
  }
  const fault: Fault = {
    kind: "Fault",
    // SOAP 1.1 faultcodes may be dotted ("Server.Busy"); everything not Server is Client.
    faultcode: local.startsWith("Server") ? "Server" : "Client",
    faultstring: childNamed(el, "faultstring")?.text ?? "",
    faultCode,
    faultString: childNamed(cwmpFault, "FaultString")?.text ?? "",
  };
  const spvFaults = cwmpFault.children.filter((c) => c.local === "SetParameterValuesFault");
  if (spvFaults.length > 0) {
    fault.setParameterValuesFault = spvFaults.map((c) =>
      setParameterValuesFault.read(c, "detail/Fault/SetParameterValuesFault", ctx)
    );
  }
  return { fault, namespace: isCwmpNamespace(cwmpFault.ns) ? cwmpFault.ns : undefined };
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });
const LENIENT_UTF8 = new TextDecoder("utf-8");

/**
 * The body's text; bytes that are not UTF-8 are a 9003 error (XML 1.0 §4.3.3), never
 * U+FFFD, so nothing decoded from them is stored or acted on. A leading BOM is dropped.
 */
function utf8Text(bytes: Uint8Array): string {
  try {
    return UTF8.decode(bytes);
  } catch (error) {
    const at = firstInvalidUtf8(bytes);
    throw new CwmpDecodeError(9003, `Cannot decode envelope: invalid UTF-8 at byte ${at}`, {
      id: sniffId(bytes),
      cause: error,
    });
  }
}

/** Offset of the first byte sequence that is not well-formed UTF-8 (Unicode Table 3-7). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const c = bytes[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0; // overlong
      else if (c === 0xed) hi = 0x9f; // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90; // overlong
      else if (c === 0xf4) hi = 0x8f; // above U+10FFFF
    } else return i;
    for (let k = 1; k <= n; k++) {
      const d = i + k < bytes.length ? bytes[i + k] : -1;
      if (d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return i;
}

/** "Undeclared prefix" → "undeclared prefix", but "DOCTYPE …" stays. */
function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text[0].toLowerCase() + text.slice(1) : text;
}

function emptyEnvelope(namespace: CwmpNamespace, header: SoapHeader): Envelope {
  return { namespace, header, message: { kind: "Empty" } };
}

function envelopeError(reason: string): never {
  throw new CwmpDecodeError(9003, `Cannot decode envelope: ${reason}`);
}

/** UTF-8 length of `text` when it exceeds `max`, else `undefined`; cheap when clearly under. */
function utf8LengthOver(text: string, max: number): number | undefined {
  if (text.length > max) return utf8Length(text);
  if (text.length * 3 <= max) return undefined;
  const n = utf8Length(text);
  return n > max ? n : undefined;
}

const NON_ASCII = /[\u0080-\uFFFF]/;

function utf8Length(text: string): number {
  if (!NON_ASCII.test(text)) return text.length;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

const ID_PATTERN = /<(?:[A-Za-z_][\w.-]*:)?ID(?:\s[^<>]*)?>([^<]*)<\/(?:[A-Za-z_][\w.-]*:)?ID\s*>/;
const ENTITY = /&(amp|lt|gt|quot|apos);/g;
const ENTITY_CHARS: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/**
 * Best-effort `cwmp:ID` from the first 64 KiB of a body that could not be parsed, so
 * the session can still answer the request with a fault carrying its ID. Only ever
 * used for that fault: bytes that are not UTF-8 become U+FFFD here and nowhere else.
 */
function sniffId(body: string | Uint8Array): string | undefined {
  const head = typeof body === "string"
    ? body.slice(0, 65536)
    : LENIENT_UTF8.decode(body.subarray(0, 65536));
  const m = ID_PATTERN.exec(head);
  return m ? m[1].replace(ENTITY, (_, name: string) => ENTITY_CHARS[name]) : undefined;
}
