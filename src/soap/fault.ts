/**
 * Building CWMP Fault messages (TR-069 §3.5, Annex A.5): standard fault strings,
 * the SOAP faultcode for each CWMP code, and {@linkcode faultFor}, which turns a
 * {@linkcode CwmpDecodeError} (or a code) into the Fault the session sends back.
 *
 * @module
 */
import type { Fault, SetParameterValuesFaultStruct } from "./messages.ts";
import { CwmpDecodeError } from "./decode_error.ts";

/** Standard FaultString of every CPE code 9000–9032 and ACS code 8000–8006. */
export const FAULT_STRINGS: Readonly<Record<number, string>> = Object.freeze({
  8000: "Method not supported",
  8001: "Request denied",
  8002: "Internal error",
  8003: "Invalid arguments",
  8004: "Resources exceeded",
  8005: "Retry request",
  8006: "ACS version incompatible with CPE",
  9000: "Method not supported",
  9001: "Request denied (no reason specified)",
  9002: "Internal error",
  9003: "Invalid arguments",
  9004: "Resources exceeded",
  9005: "Invalid parameter name",
  9006: "Invalid parameter type",
  9007: "Invalid parameter value",
  9008: "Attempt to set a non-writable parameter",
  9009: "Notification request rejected",
  9010: "Download failure",
  9011: "Upload failure",
  9012: "File transfer server authentication failure",
  9013: "Unsupported protocol for file transfer",
  9014: "File transfer failure: unable to join multicast group",
  9015: "File transfer failure: unable to contact file server",
  9016: "File transfer failure: unable to access file",
  9017: "File transfer failure: unable to complete download",
  9018: "File transfer failure: file corrupted",
  9019: "File transfer failure: file authentication failure",
  9020: "File transfer failure: unable to complete download within specified time windows",
  9021: "Cancellation of file transfer not permitted in current transfer state",
  9022: "Invalid UUID format",
  9023: "Unknown Execution Environment",
  9024: "Disabled Execution Environment",
  9025: "Deployment Unit to Execution Environment mismatch",
  9026: "Duplicate Deployment Unit",
  9027: "System Resources Exceeded",
  9028: "Unknown Deployment Unit",
  9029: "Invalid Deployment Unit State",
  9030: "Invalid Deployment Unit Update: downgrade not permitted",
  9031: "Invalid Deployment Unit Update: version not specified",
  9032: "Invalid Deployment Unit Update: version already exists",
});

/** The standard FaultString for `code`, or `"Vendor fault"`/`"Unknown fault"`. */
export function faultString(code: number): string {
  const known = FAULT_STRINGS[code];
  if (known !== undefined) return known;
  if ((code >= 9800 && code <= 9899) || (code >= 8800 && code <= 8899)) return "Vendor fault";
  return "Unknown fault";
}

/**
 * The SOAP faultcode for a CWMP code. [U] The per-code assignment is not readable in
 * TR-069; we use Server for 9000–9002 and 9004 (and the same positions 8000–8002,
 * 8004, plus 8005 retry, on the ACS side) and Client for everything else. GenieACS
 * answers 8000 with Server and accepts Client for 9000, so both ends are covered.
 */
export function soapFaultCode(code: number): "Client" | "Server" {
  switch (code) {
    case 9000:
    case 9001:
    case 9002:
    case 9004:
    case 8000:
    case 8001:
    case 8002:
    case 8004:
    case 8005:
      return "Server";
    default:
      return "Client";
  }
}

/** A CWMP fault to send: code, optional text (standard string when left out), SPV details. */
export interface FaultInit {
  faultCode: number;
  faultString?: string;
  setParameterValuesFault?: SetParameterValuesFaultStruct[];
}

/** FaultString is free text in the schema; we cap it like TransferComplete's (≤256). */
const MAX_FAULT_STRING = 256;

/**
 * Builds the Fault message for a decoding error or a code. A {@linkcode CwmpDecodeError}
 * keeps its message as FaultString (it names the method and argument; it never holds
 * a stack trace), cut to 256 characters.
 *
 * @example
 * ```ts
 * import { faultFor } from "./fault.ts";
 * const fault = faultFor({ faultCode: 9005 });
 * if (fault.faultString !== "Invalid parameter name" || fault.faultcode !== "Client") {
 *   throw new Error("unexpected");
 * }
 * ```
 */
export function faultFor(source: CwmpDecodeError | FaultInit): Fault {
  const code = source.faultCode;
  const text = source instanceof CwmpDecodeError
    ? source.message
    : source.faultString ?? faultString(code);
  const fault: Fault = {
    kind: "Fault",
    faultcode: soapFaultCode(code),
    faultstring: "CWMP fault",
    faultCode: code,
    faultString: text.length > MAX_FAULT_STRING ? text.slice(0, MAX_FAULT_STRING) : text,
  };
  if (!(source instanceof CwmpDecodeError) && source.setParameterValuesFault) {
    fault.setParameterValuesFault = source.setParameterValuesFault;
  }
  return fault;
}
