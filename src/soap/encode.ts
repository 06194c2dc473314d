/**
 * {@linkcode Envelope} to SOAP envelope text (TR-069 §3.5, Annex A). Pure: no I/O.
 *
 * Output style follows GenieACS 1.2.16 (shared/testdata/genieacs-1.2.16): the XML
 * declaration, a newline, then the envelope on one line with the prefixes soap-enc,
 * soap-env, xsd, xsi, cwmp declared on it in that order; method arguments unprefixed;
 * arrays with `soap-enc:arrayType`; empty elements as `<X></X>`. Every envelope it
 * emits validates against the BBF schemas in strict mode (bbf/validate/validate.sh)
 * when the message and headers exist in the chosen namespace (e.g. ChangeDUState and
 * the CWMP 1.3/1.4 headers exist only in cwmp-1-2).
 *
 * Text is built by pushing strings into one array and joining once; there is no DOM.
 * Characters XML 1.0 cannot carry become U+FFFD (see `_xml.ts`).
 *
 * Headers: `cwmp:ID` and `cwmp:HoldRequests` carry `mustUnderstand="1"`,
 * `cwmp:UseCWMPVersion` `"1"`, `cwmp:SupportedCWMPVersions` `"0"` (cwmp-1-4.xsd notes);
 * `cwmp:SessionTimeout` none (optional, fixed 0). `noMoreRequests` is never written:
 * it is absent from every published XSD. An envelope whose message is Empty encodes
 * to the empty string (an empty HTTP body).
 *
 * @module
 */
import type { Envelope, Fault, SoapHeader } from "./messages.ts";
import { writeFields } from "./_codec.ts";
import { methodFields } from "./_message_fields.ts";
import { SOAP_ENC_NS, SOAP_ENV_NS, XSD_NS, XSI_NS } from "./_namespaces.ts";
import { setParameterValuesFault } from "./_structs.ts";
import { escapeAttr, escapeText } from "./_xml.ts";
import { formatBoolean } from "./xsd_types.ts";

const PROLOG = '<?xml version="1.0" encoding="UTF-8"?>\n<soap-env:Envelope xmlns:soap-enc="' +
  SOAP_ENC_NS + '" xmlns:soap-env="' + SOAP_ENV_NS + '" xmlns:xsd="' + XSD_NS +
  '" xmlns:xsi="' + XSI_NS + '" xmlns:cwmp="';

/**
 * Encodes one envelope.
 *
 * @example
 * ```ts
 * import { encodeEnvelope } from "./encode.ts";
 * const xml = encodeEnvelope({
 *   namespace: "urn:dslforum-org:cwmp-1-0",
 *   header: { id: "1" },
 *   message: { kind: "InformResponse", maxEnvelopes: 1 },
 * });
 * if (!xml.includes("<cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes>")) {
 *   throw new Error("unexpected");
 * }
 * ```
 */
export function encodeEnvelope(envelope: Envelope): string {
  const { message } = envelope;
  if (message.kind === "Empty") return "";
  const out: string[] = [PROLOG + escapeAttr(envelope.namespace) + '">'];
  writeHeader(out, envelope.header);
  out.push("<soap-env:Body>");
  if (message.kind === "Fault") {
    writeFault(out, message);
  } else {
    const fields = methodFields(message.kind);
    if (!fields) {
      throw new TypeError(`Cannot encode: unknown message kind "${String(message.kind)}"`);
    }
    out.push("<cwmp:" + message.kind + ">");
    writeFields(out, fields, message as unknown as Record<string, unknown>);
    out.push("</cwmp:" + message.kind + ">");
  }
  out.push("</soap-env:Body></soap-env:Envelope>");
  return out.join("");
}

function writeHeader(out: string[], header: SoapHeader): void {
  const parts: string[] = [];
  if (header.id !== undefined) {
    parts.push('<cwmp:ID soap-env:mustUnderstand="1">' + escapeText(header.id) + "</cwmp:ID>");
  }
  if (header.holdRequests !== undefined) {
    parts.push(
      '<cwmp:HoldRequests soap-env:mustUnderstand="1">' + formatBoolean(header.holdRequests) +
        "</cwmp:HoldRequests>",
    );
  }
  if (header.sessionTimeout !== undefined) {
    parts.push(
      "<cwmp:SessionTimeout>" + String(header.sessionTimeout) + "</cwmp:SessionTimeout>",
    );
  }
  if (header.supportedCWMPVersions !== undefined) {
    parts.push(
      '<cwmp:SupportedCWMPVersions soap-env:mustUnderstand="0">' +
        escapeText(header.supportedCWMPVersions) + "</cwmp:SupportedCWMPVersions>",
    );
  }
  if (header.useCWMPVersion !== undefined) {
    parts.push(
      '<cwmp:UseCWMPVersion soap-env:mustUnderstand="1">' + escapeText(header.useCWMPVersion) +
        "</cwmp:UseCWMPVersion>",
    );
  }
  if (parts.length > 0) out.push("<soap-env:Header>", ...parts, "</soap-env:Header>");
}

function writeFault(out: string[], fault: Fault): void {
  out.push(
    "<soap-env:Fault><faultcode>" + fault.faultcode + "</faultcode><faultstring>" +
      escapeText(fault.faultstring) + "</faultstring><detail><cwmp:Fault><FaultCode>" +
      String(fault.faultCode) + "</FaultCode><FaultString>" + escapeText(fault.faultString) +
      "</FaultString>",
  );
  for (const item of fault.setParameterValuesFault ?? []) {
    setParameterValuesFault.write(out, "SetParameterValuesFault", item);
  }
  out.push("</cwmp:Fault></detail></soap-env:Fault>");
}
