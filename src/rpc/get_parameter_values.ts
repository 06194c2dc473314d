/**
 * GetParameterValues (TR-069 A.3.2.2): each name is a parameter or a partial path
 * (ending in ".", every parameter below it; "" = the whole tree). Values carry their
 * xsi:type. All names are resolved first, then read in one batch per provider.
 *
 * The response is bounded by a {@linkcode ResponseBudget}: names and types are charged
 * as the names are resolved (before anything is read), values once read; past the
 * budget the request is a 9004 and no response is built. Repeated and overlapping
 * names: see `_select_parameters.ts` (each parameter is read once).
 *
 * @module
 */

import type { ParameterTree } from "../datamodel/tree.ts";
import { xsiType } from "../datamodel/xsi_type.ts";
import type { ParameterType } from "../datamodel/schema.ts";
import {
  attrBytes,
  MAX_TEXT_BYTES_PER_UNIT,
  textBytes,
  VALUE_STRUCT_BYTES,
} from "../soap/encoded_size.ts";
import type {
  GetParameterValues,
  GetParameterValuesResponse,
  ParameterValueStruct,
} from "../soap/messages.ts";
import { nameBytes, selectParameters } from "./_select_parameters.ts";
import { DEFAULT_RESPONSE_LIMITS, ResponseBudget, type ResponseLimits } from "./response_budget.ts";

/** Options of {@linkcode getParameterValues}. */
export interface GetParameterValuesOptions {
  /** Bounds of the response. Default {@linkcode DEFAULT_RESPONSE_LIMITS}. */
  readonly limits?: ResponseLimits;
}

/**
 * Answers `request` from `model`.
 *
 * @throws {ParameterNameError} (9005) when a name is malformed or unknown.
 * @throws {ResourcesExceededError} (9004) when the response would pass its limits.
 */
export async function getParameterValues(
  model: ParameterTree,
  request: GetParameterValues,
  options: GetParameterValuesOptions = {},
): Promise<GetParameterValuesResponse> {
  const budget = new ResponseBudget(options.limits ?? DEFAULT_RESPONSE_LIMITS);
  const { unique, order } = await selectParameters(
    model,
    request.parameterNames,
    budget,
    (ref) => VALUE_STRUCT_BYTES + nameBytes(ref) + typeBytes(ref.schema.type),
  );
  const values = await model.read(unique);
  const repeats = order.length !== unique.length;
  // Values are measured exactly only when their bound (no scan) does not fit.
  let units = 0;
  if (repeats) { for (const k of order) units += values[k].length; }
  else for (const value of values) units += value.length;
  if (units * MAX_TEXT_BYTES_PER_UNIT > budget.bytesLeft) {
    let valueBytes = 0;
    if (repeats) {
      const bytes = values.map(textBytes);
      for (const k of order) valueBytes += bytes[k];
    } else {
      for (const value of values) valueBytes += textBytes(value);
    }
    budget.charge(valueBytes, 0);
  }
  const items: ParameterValueStruct[] = unique.map((ref, i) => ({
    name: ref.name ?? ref.path,
    value: values[i],
    type: xsiType(ref.schema.type),
  }));
  return {
    kind: "GetParameterValuesResponse",
    // Repeated items share one object.
    parameterList: repeats ? order.map((k) => items[k]) : items,
  };
}

const TYPE_BYTES = new Map<ParameterType, number>();

/** Encoded bytes of the xsi:type of a value of `type`. */
function typeBytes(type: ParameterType): number {
  let bytes = TYPE_BYTES.get(type);
  if (bytes === undefined) TYPE_BYTES.set(type, bytes = attrBytes(xsiType(type)));
  return bytes;
}
