/**
 * GetParameterValues (TR-069 A.3.2.2): each name is a parameter or a partial path
 * (ending in ".", every parameter below it; "" = the whole tree). Values carry their
 * xsi:type. All names are resolved first, then read in one batch per provider.
 *
 * @module
 */

import type { ParameterRef } from "../datamodel/provider.ts";
import type { ParameterTree } from "../datamodel/tree.ts";
import { xsiType } from "../datamodel/xsi_type.ts";
import type { GetParameterValues, GetParameterValuesResponse } from "../soap/messages.ts";

/**
 * Answers `request` from `model`.
 *
 * @throws {ParameterNameError} (9005) when a name is malformed or unknown.
 */
export async function getParameterValues(
  model: ParameterTree,
  request: GetParameterValues,
): Promise<GetParameterValuesResponse> {
  const refs: ParameterRef[] = [];
  for (const name of request.parameterNames) {
    for (const item of await model.list(name, { objects: false, self: true })) {
      refs.push(item.ref!);
    }
  }
  const values = await model.read(refs);
  return {
    kind: "GetParameterValuesResponse",
    parameterList: refs.map((ref, i) => ({
      name: ref.name ?? ref.path,
      value: values[i],
      type: xsiType(ref.schema.type),
    })),
  };
}
