/**
 * GetParameterNames (TR-069 A.3.2.3, CWMP-FACTS §5.1):
 *
 * | ParameterPath | NextLevel false | NextLevel true |
 * |---|---|---|
 * | "" | the whole tree, `Device.` included | `Device.` only |
 * | partial path `X.` | `X.` and everything below | items one level below `X.` |
 * | parameter name | that parameter | fault 9003 |
 * | unknown path | fault 9005 | fault 9005 |
 *
 * Object names end in "."; Writable of an object means AddObject (tables) or
 * DeleteObject (rows) is allowed.
 *
 * The response is bounded by a {@linkcode ResponseBudget} like GetParameterValues'
 * (9004 past it): the walk stops once it has found more items than the budget allows.
 *
 * @module
 */

import { InvalidArgumentsError } from "../datamodel/errors.ts";
import type { ParameterTree } from "../datamodel/tree.ts";
import { INFO_STRUCT_BYTES } from "../soap/encoded_size.ts";
import type {
  GetParameterNames,
  GetParameterNamesResponse,
  ParameterInfoStruct,
} from "../soap/messages.ts";
import { DEFAULT_RESPONSE_LIMITS, ResponseBudget, type ResponseLimits } from "./response_budget.ts";
import { nameBytes } from "./_select_parameters.ts";

/** Options of {@linkcode getParameterNames}. */
export interface GetParameterNamesOptions {
  /** Bounds of the response. Default {@linkcode DEFAULT_RESPONSE_LIMITS}. */
  readonly limits?: ResponseLimits;
}

/**
 * Answers `request` from `model`.
 *
 * @throws {ParameterNameError} (9005) when the path is malformed or unknown.
 * @throws {InvalidArgumentsError} (9003) for a parameter name with NextLevel true.
 * @throws {ResourcesExceededError} (9004) when the response would pass its limits.
 */
export async function getParameterNames(
  model: ParameterTree,
  request: GetParameterNames,
  options: GetParameterNamesOptions = {},
): Promise<GetParameterNamesResponse> {
  const budget = new ResponseBudget(options.limits ?? DEFAULT_RESPONSE_LIMITS);
  const { parameterPath, nextLevel } = request;
  const self = await model.list(parameterPath, { self: true, depth: 0 });
  if (nextLevel && self[0]?.ref !== undefined) {
    throw new InvalidArgumentsError(
      `NextLevel true needs a partial path, not a parameter: "${parameterPath}"`,
    );
  }
  const limit = budget.itemsLeft;
  const items = nextLevel
    ? await model.list(parameterPath, { depth: 1, limit })
    : await model.list(parameterPath, { self: true, limit });
  let bytes = items.length * INFO_STRUCT_BYTES;
  for (const item of items) bytes += nameBytes(item);
  budget.charge(bytes, items.length);
  const parameterList = items.map((item): ParameterInfoStruct => ({
    name: item.name ?? item.path,
    writable: item.writable,
  }));
  return { kind: "GetParameterNamesResponse", parameterList };
}
