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
 * @module
 */

import { InvalidArgumentsError } from "../datamodel/errors.ts";
import type { ParameterTree } from "../datamodel/tree.ts";
import type { GetParameterNames, GetParameterNamesResponse } from "../soap/messages.ts";

/**
 * Answers `request` from `model`.
 *
 * @throws {ParameterNameError} (9005) when the path is malformed or unknown.
 * @throws {InvalidArgumentsError} (9003) for a parameter name with NextLevel true.
 */
export async function getParameterNames(
  model: ParameterTree,
  request: GetParameterNames,
): Promise<GetParameterNamesResponse> {
  const { parameterPath, nextLevel } = request;
  const self = await model.list(parameterPath, { self: true, depth: 0 });
  if (nextLevel && self[0]?.ref !== undefined) {
    throw new InvalidArgumentsError(
      `NextLevel true needs a partial path, not a parameter: "${parameterPath}"`,
    );
  }
  const items = nextLevel
    ? await model.list(parameterPath, { depth: 1 })
    : await model.list(parameterPath, { self: true });
  return {
    kind: "GetParameterNamesResponse",
    parameterList: items.map((item) => ({ name: item.name ?? item.path, writable: item.writable })),
  };
}
