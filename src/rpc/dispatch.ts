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
 * Every handler gets the same {@linkcode ResponseLimits} (`[acs] max_response_bytes`,
 * `max_response_parameters`): a request that would pass them is a 9004 from the
 * handler's `ResourcesExceededError`, like any other domain error.
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
import { faultFor } from "../soap/fault.ts";
import { getParameterNames } from "./get_parameter_names.ts";
import { getParameterValues } from "./get_parameter_values.ts";
import { setParameterValues } from "./set_parameter_values.ts";
import { DEFAULT_RESPONSE_LIMITS, type ResponseLimits } from "./response_budget.ts";

/** Method names a CPE answers, as on the wire. */
export type CpeMethod = CpeRequest["kind"];

/** What every handler receives besides its request. */
export interface HandlerContext {
  readonly model: ParameterTree;
  /** What one response may cost; handlers that list parameters pass it on. */
  readonly limits: ResponseLimits;
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
  /** What one response may cost. Default {@linkcode DEFAULT_RESPONSE_LIMITS}. */
  readonly limits?: ResponseLimits;
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

const BUILT_IN: Handlers = {
  GetParameterValues: (request, { model, limits }) =>
    getParameterValues(model, request, { limits }),
  GetParameterNames: (request, { model, limits }) => getParameterNames(model, request, { limits }),
  SetParameterValues: (request, { model }) => setParameterValues(model, request),
};

/** Creates a dispatcher over `options.model` with the built-in and given handlers. */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const handlers: Handlers = { ...BUILT_IN, ...options.handlers };
  const context: HandlerContext = {
    model: options.model,
    limits: options.limits ?? DEFAULT_RESPONSE_LIMITS,
  };
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
        return toFault(new CwmpFault(FaultCode.InternalError, ""));
      }
    },
  };
}

/** The Fault message for `error` (the SPV fault list included). */
export function toFault(error: CwmpFault): Fault {
  return faultFor({
    faultCode: error.faultCode,
    faultString: error.message || undefined,
    setParameterValuesFault: error instanceof SetParameterValuesError
      ? error.faults.map((f) => ({
        parameterName: f.parameterName,
        faultCode: f.error.faultCode,
        faultString: faultFor({
          faultCode: f.error.faultCode,
          faultString: f.error.message || undefined,
        }).faultString,
      }))
      : undefined,
  });
}
