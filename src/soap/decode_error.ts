/**
 * The error every decoding failure throws, carrying what the session needs to answer
 * with the right CWMP fault and carry on (TR-069 Annex A.5 fault codes).
 *
 * @module
 */

/** Fault codes a decoding failure maps to. */
export type DecodeFaultCode = 9000 | 9003 | 9004;

/** Options of {@linkcode CwmpDecodeError}. */
export interface CwmpDecodeErrorOptions {
  /** The request's `cwmp:ID`, when it could be read. */
  id?: string;
  /** The body element's local name, when it could be read (e.g. `"Frobnicate"`). */
  method?: string;
  cause?: unknown;
}

/**
 * A SOAP body that could not be decoded: 9000 unknown method, 9003 malformed XML,
 * wrong namespace or invalid/missing arguments, 9004 body over the size limit.
 *
 * @example
 * ```ts
 * import { CwmpDecodeError } from "./decode_error.ts";
 * const error = new CwmpDecodeError(9000, 'Cannot decode "Frobnicate": unknown method');
 * if (error.faultCode !== 9000) throw new Error("unexpected");
 * ```
 */
export class CwmpDecodeError extends Error {
  /** The CWMP fault code to answer with. */
  readonly faultCode: DecodeFaultCode;
  /** The request's `cwmp:ID`, when it could be read. */
  readonly id?: string;
  /** The body element's local name, when it could be read. */
  readonly method?: string;

  /** Creates the error; `message` follows `Cannot decode X: reason`. */
  constructor(faultCode: DecodeFaultCode, message: string, options: CwmpDecodeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CwmpDecodeError";
    this.faultCode = faultCode;
    if (options.id !== undefined) this.id = options.id;
    if (options.method !== undefined) this.method = options.method;
  }
}
