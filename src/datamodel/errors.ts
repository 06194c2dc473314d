/**
 * Domain errors of the data model and the RPC layer, each carrying its TR-069 Annex A
 * fault code. Only `rpc/dispatch.ts` turns them into Fault messages.
 *
 * They live here, at the bottom of the import graph, because the tree and the
 * validators throw them; `rpc/errors.ts` re-exports them.
 *
 * @module
 */

import { FaultCode } from "../soap/messages.ts";

/** Base class of every error that maps to a CWMP fault code. */
export class CwmpFault extends Error {
  /** TR-069 fault code, 9000–9899. */
  readonly faultCode: number;

  /** Creates a fault with `faultCode` and a message fit for a FaultString. */
  constructor(faultCode: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CwmpFault";
    this.faultCode = faultCode;
  }
}

/** 9000: the CPE does not implement the method. */
export class MethodNotSupportedError extends CwmpFault {
  /** Creates the error for `method`. */
  constructor(method: string) {
    super(FaultCode.MethodNotSupported, `Method not supported: "${method}"`);
    this.name = "MethodNotSupportedError";
  }
}

/** 9001: the request is refused, no reason given. */
export class RequestDeniedError extends CwmpFault {
  /** Creates the error with `message`. */
  constructor(message: string, options?: ErrorOptions) {
    super(FaultCode.RequestDenied, message, options);
    this.name = "RequestDeniedError";
  }
}

/** 9002: something failed inside the CPE. */
export class InternalError extends CwmpFault {
  /** Creates the error with `message` (never a stack trace: it reaches the ACS). */
  constructor(message: string, options?: ErrorOptions) {
    super(FaultCode.InternalError, message, options);
    this.name = "InternalError";
  }
}

/** 9003: the arguments of the RPC are wrong as a whole. */
export class InvalidArgumentsError extends CwmpFault {
  /** Creates the error with `message`. */
  constructor(message: string, options?: ErrorOptions) {
    super(FaultCode.InvalidArguments, message, options);
    this.name = "InvalidArgumentsError";
  }
}

/** 9004: the request needs more than the CPE can give. Never for SPV parameter errors. */
export class ResourcesExceededError extends CwmpFault {
  /** Creates the error with `message`. */
  constructor(message: string, options?: ErrorOptions) {
    super(FaultCode.ResourcesExceeded, message, options);
    this.name = "ResourcesExceededError";
  }
}

/** 9005: the path is malformed or names nothing in the tree. */
export class ParameterNameError extends CwmpFault {
  /** The offending path, verbatim. */
  readonly path: string;

  /** Creates the error for `path`; `reason` replaces the default message. */
  constructor(path: string, reason?: string) {
    super(FaultCode.InvalidParameterName, reason ?? `Invalid parameter name: "${path}"`);
    this.name = "ParameterNameError";
    this.path = path;
  }
}

/** 9006: the xsi:type sent does not fit the parameter's type. */
export class InvalidTypeError extends CwmpFault {
  /** Creates the error with `message`. */
  constructor(message: string) {
    super(FaultCode.InvalidParameterType, message);
    this.name = "InvalidTypeError";
  }
}

/** 9007: the value breaks the parameter's syntax, range, size or enumeration. */
export class InvalidValueError extends CwmpFault {
  /** Creates the error with `message`. */
  constructor(message: string) {
    super(FaultCode.InvalidParameterValue, message);
    this.name = "InvalidValueError";
  }
}

/** 9008: the parameter cannot be set. */
export class NotWritableError extends CwmpFault {
  /** Creates the error for `path`. */
  constructor(path: string) {
    super(FaultCode.NotWritable, `Parameter is not writable: "${path}"`);
    this.name = "NotWritableError";
  }
}

/** One rejected parameter of a SetParameterValues request. */
export interface ParameterFault {
  /** Parameter name as sent by the ACS. */
  parameterName: string;
  /** Why it was rejected (9005–9008). */
  error: CwmpFault;
}

/**
 * 9003 wrapping the per-parameter faults of a SetParameterValues request.
 *
 * [U] The top-level code 9003 for an SPV with parameter errors is unconfirmed
 * (CWMP-FACTS §5.1); it is what the open-source agents send.
 */
export class SetParameterValuesError extends InvalidArgumentsError {
  /** One entry per rejected parameter, in request order. */
  readonly faults: readonly ParameterFault[];

  /** Creates the error from the collected `faults`. */
  constructor(faults: readonly ParameterFault[]) {
    super(`Cannot set ${faults.length} parameter${faults.length === 1 ? "" : "s"}`);
    this.name = "SetParameterValuesError";
    this.faults = faults;
  }
}
