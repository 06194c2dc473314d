/**
 * Namespace URIs and the fixed prefixes the encoder writes (GenieACS's choice:
 * soap-env, soap-enc, xsd, xsi, cwmp). Private to `src/soap/`.
 *
 * @module
 */
import { CWMP_NAMESPACES, type CwmpNamespace } from "./messages.ts";

/** SOAP 1.1 envelope namespace. */
export const SOAP_ENV_NS = "http://schemas.xmlsoap.org/soap/envelope/";
/** SOAP 1.1 encoding namespace. */
export const SOAP_ENC_NS = "http://schemas.xmlsoap.org/soap/encoding/";
/** XML Schema namespace. */
export const XSD_NS = "http://www.w3.org/2001/XMLSchema";
/** XML Schema instance namespace. */
export const XSI_NS = "http://www.w3.org/2001/XMLSchema-instance";

/** True for the three CWMP RPC namespaces. */
export function isCwmpNamespace(ns: string | undefined): ns is CwmpNamespace {
  return ns !== undefined && (CWMP_NAMESPACES as readonly string[]).includes(ns);
}
