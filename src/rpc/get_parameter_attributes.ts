/**
 * GetParameterAttributes (TR-069 A.3.2.5, CWMP-FACTS §5.1): each name is a parameter
 * or a partial path (every parameter below it; "" = the whole tree) →
 * ParameterAttributeStruct{Name, Notification, AccessList}, defaults included.
 *
 * Bounded like GetParameterValues: each item is charged to a
 * {@linkcode ResponseBudget} as the names are resolved, and past it the request is a
 * 9004. Repeated and overlapping names: see `_select_parameters.ts`.
 *
 * @module
 */

import type { AttributeStore } from "../datamodel/attributes.ts";
import type { ParameterTree } from "../datamodel/tree.ts";
import { attributeStructBytes } from "../soap/encoded_size.ts";
import type {
  GetParameterAttributes,
  GetParameterAttributesResponse,
  ParameterAttributeStruct,
} from "../soap/messages.ts";
import { nameBytes, selectParameters } from "./_select_parameters.ts";
import { DEFAULT_RESPONSE_LIMITS, ResponseBudget, type ResponseLimits } from "./response_budget.ts";

/** Options of {@linkcode getParameterAttributes}. */
export interface GetParameterAttributesOptions {
  /** Bounds of the response. Default {@linkcode DEFAULT_RESPONSE_LIMITS}. */
  readonly limits?: ResponseLimits;
}

/**
 * Answers `request` from `model` and `store`.
 *
 * @throws {ParameterNameError} (9005) when a name is malformed or unknown.
 * @throws {ResourcesExceededError} (9004) when the response would pass its limits.
 */
export async function getParameterAttributes(
  model: ParameterTree,
  store: AttributeStore,
  request: GetParameterAttributes,
  options: GetParameterAttributesOptions = {},
): Promise<GetParameterAttributesResponse> {
  const budget = new ResponseBudget(options.limits ?? DEFAULT_RESPONSE_LIMITS);
  const items: ParameterAttributeStruct[] = [];
  const { unique, order } = await selectParameters(
    model,
    request.parameterNames,
    budget,
    (ref) => {
      const { notification, accessList } = store.get(ref);
      items.push({ name: ref.name ?? ref.path, notification, accessList: [...accessList] });
      return attributeStructBytes(notification, accessList) + nameBytes(ref);
    },
  );
  return {
    kind: "GetParameterAttributesResponse",
    // Repeated items share one object.
    parameterList: order.length === unique.length ? items : order.map((k) => items[k]),
  };
}
