/**
 * The pure CWMP SOAP codec: SOAP envelope text to and from the message model, in
 * both directions (CPE and ACS side), for cwmp-1-0, 1-1 and 1-2. No I/O, no clock.
 *
 * @example
 * ```ts
 * import { decodeEnvelope, encodeEnvelope } from "./mod.ts";
 * const xml = encodeEnvelope({
 *   namespace: "urn:dslforum-org:cwmp-1-2",
 *   header: { id: "42" },
 *   message: { kind: "Reboot", commandKey: "k" },
 * });
 * const envelope = decodeEnvelope(xml);
 * if (envelope.message.kind !== "Reboot" || envelope.header.id !== "42") {
 *   throw new Error("unexpected");
 * }
 * ```
 *
 * @module
 */
export * from "./messages.ts";
export { decodeEnvelope, type DecodeOptions, DEFAULT_MAX_BYTES, isEmptyBody } from "./decode.ts";
export { encodeEnvelope } from "./encode.ts";
export {
  CwmpDecodeError,
  type CwmpDecodeErrorOptions,
  type DecodeFaultCode,
} from "./decode_error.ts";
export { FAULT_STRINGS, faultFor, type FaultInit, faultString, soapFaultCode } from "./fault.ts";
export { formatBoolean, parseBoolean, parseInt32, parseUnsignedInt } from "./xsd_types.ts";
