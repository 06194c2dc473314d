/**
 * Domain errors RPC handlers throw; `dispatch.ts` maps them to Fault messages. They
 * are defined in `datamodel/errors.ts` (the tree throws them too) and re-exported here
 * so handlers of the agent import them from the RPC layer.
 *
 * @module
 */

export {
  CwmpFault,
  InternalError,
  InvalidArgumentsError,
  InvalidTypeError,
  InvalidValueError,
  MethodNotSupportedError,
  NotWritableError,
  type ParameterFault,
  ParameterNameError,
  RequestDeniedError,
  ResourcesExceededError,
  SetParameterValuesError,
} from "../datamodel/errors.ts";
