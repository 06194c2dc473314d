/**
 * GetParameterAttributes (TR-069 A.3.2.5, CWMP-FACTS §5.1): each name is a parameter
 * or a partial path (every parameter below it; "" = the whole tree) →
 * ParameterAttributeStruct{Name, Notification, AccessList}, defaults included.
 *
 * @module
 */

import type { AttributeStore } from "../datamodel/attributes.ts";
import type { ParameterTree } from "../datamodel/tree.ts";
import type {
  GetParameterAttributes,
  GetParameterAttributesResponse,
  ParameterAttributeStruct,
} from "../soap/messages.ts";

/**
 * Answers `request` from `model` and `store`.
 *
 * @throws {ParameterNameError} (9005) when a name is malformed or unknown.
 */
export async function getParameterAttributes(
  model: ParameterTree,
  store: AttributeStore,
  request: GetParameterAttributes,
): Promise<GetParameterAttributesResponse> {
  const parameterList: ParameterAttributeStruct[] = [];
  for (const name of request.parameterNames) {
    for (const item of await model.list(name, { objects: false, self: true })) {
      const { notification, accessList } = store.get(item.ref!);
      parameterList.push({ name: item.path, notification, accessList: [...accessList] });
    }
  }
  return { kind: "GetParameterAttributesResponse", parameterList };
}
