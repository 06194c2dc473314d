/**
 * The RPC dispatcher: routes a CpeRequest to its handler and is the one place where
 * errors become Fault messages (TR-069 §3.5, Annex A fault table).
 *
 * - A kind with no handler → 9000.
 * - A {@linkcode CwmpFault} → its code; FaultString is its message (no stack), and a
 *   {@linkcode SetParameterValuesError} adds the SetParameterValuesFault list.
 * - Anything else → 9002 "Internal error"; the error goes to `onError` for logging and
 *   never into the FaultString.
 *
 * Built-in handlers: GetParameterValues, GetParameterNames, SetParameterValues and
 * GetRPCMethods (which answers {@linkcode Dispatcher.methods}). The agent adds Reboot,
 * FactoryReset, ScheduleInform… through `handlers`, which may also replace built-ins.
 *
 * @module
 */

import {
  CwmpFault,
  MethodNotSupportedError,
  SetParameterValuesError,
} from "../datamodel/errors.ts";
import type { MaybePromise } from "../datamodel/provider.ts";
import type { ParameterTree } from "../datamodel/tree.ts";
import {
  CPE_METHODS,
  type CpeRequest,
  type CpeResponse,
  type Fault,
  FaultCode,
} from "../soap/messages.ts";
import { getParameterNames } from "./get_parameter_names.ts";
import { getParameterValues } from "./get_parameter_values.ts";
import { setParameterValues } from "./set_parameter_values.ts";

/** Method names a CPE answers, as on the wire. */
export type CpeMethod = CpeRequest["kind"];

/** What every handler receives besides its request. */
export interface HandlerContext {
  readonly model: ParameterTree;
}

/** Answers one request kind; throws a {@linkcode CwmpFault} to fault it. */
export type Handler<K extends CpeMethod = CpeMethod> = (
  request: Extract<CpeRequest, { kind: K }>,
  context: HandlerContext,
) => MaybePromise<CpeResponse>;

/** Handlers by request kind. */
export type Handlers = { [K in CpeMethod]?: Handler<K> };

/** Options of {@linkcode createDispatcher}. */
export interface DispatcherOptions {
  readonly model: ParameterTree;
  /** Extra handlers, or replacements for the built-in ones. */
  readonly handlers?: Handlers;
  /** Receives errors that were not CwmpFaults (answered with 9002), for logging. */
  readonly onError?: (error: unknown, request: CpeRequest) => void;
}

/** Routes requests to handlers. */
export interface Dispatcher {
  /** The response to `request`, or the Fault to send instead. Never rejects. */
  dispatch(request: CpeRequest): Promise<CpeResponse | Fault>;
  /** Methods with a handler, in TR-069 Table 5 order (GetRPCMethodsResponse MethodList). */
  methods(): string[];
}

/** TR-069 Annex A fault texts, used when an error has no message of its own. */
export const FAULT_STRINGS: Readonly<Record<number, string>> = {
  9000: "Method not supported",
  9001: "Request denied",
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
};

// [U] CWMP-FACTS §6: Server for 9000–9002 and 9004, Client for the rest (the
// per-code assignment is not confirmed against the A6 fault table).
const SERVER_CODES = new Set<number>([
  FaultCode.MethodNotSupported,
  FaultCode.RequestDenied,
  FaultCode.InternalError,
  FaultCode.ResourcesExceeded,
]);
const MAX_FAULT_STRING = 256;

const BUILT_IN: Handlers = {
  GetParameterValues: (request, { model }) => getParameterValues(model, request),
  GetParameterNames: (request, { model }) => getParameterNames(model, request),
  SetParameterValues: (request, { model }) => setParameterValues(model, request),
};

/** Creates a dispatcher over `options.model` with the built-in and given handlers. */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const handlers: Handlers = { ...BUILT_IN, ...options.handlers };
  const context: HandlerContext = { model: options.model };
  const methods = () =>
    CPE_METHODS.filter((m) => m === "GetRPCMethods" || handlers[m] !== undefined);
  handlers.GetRPCMethods ??= () => ({ kind: "GetRPCMethodsResponse", methodList: methods() });

  return {
    methods,
    async dispatch(request: CpeRequest): Promise<CpeResponse | Fault> {
      try {
        const handler = handlers[request.kind] as Handler | undefined;
        if (handler === undefined) throw new MethodNotSupportedError(request.kind);
        return await handler(request, context);
      } catch (error) {
        if (error instanceof CwmpFault) return toFault(error);
        options.onError?.(error, request);
        return toFault(new CwmpFault(FaultCode.InternalError, FAULT_STRINGS[9002]));
      }
    },
  };
}

/** The Fault message for `error` (the SPV fault list included). */
export function toFault(error: CwmpFault): Fault {
  const fault: Fault = {
    kind: "Fault",
    faultcode: SERVER_CODES.has(error.faultCode) ? "Server" : "Client",
    faultstring: "CWMP fault",
    faultCode: error.faultCode,
    faultString: faultString(error),
  };
  if (error instanceof SetParameterValuesError) {
    fault.setParameterValuesFault = error.faults.map((f) => ({
      parameterName: f.parameterName,
      faultCode: f.error.faultCode,
      faultString: faultString(f.error),
    }));
  }
  return fault;
}

function faultString(error: CwmpFault): string {
  const text = error.message || FAULT_STRINGS[error.faultCode] || "Fault";
  return text.length > MAX_FAULT_STRING ? `${text.slice(0, MAX_FAULT_STRING - 1)}…` : text;
}
