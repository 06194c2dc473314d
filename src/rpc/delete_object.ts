/**
 * DeleteObject (TR-069 A.3.2.7, CWMP-FACTS §5.1): deletes the row `ObjectName` (an
 * instance path ending in ".", numeric or `[alias]`) and everything below it. The new
 * ParameterKey is committed in the same transaction, before the deletion (which cannot
 * be undone), so a faulted call leaves both unchanged.
 *
 * Faults: 9005 for a malformed or unknown name, a name that is no row, or a row that
 * does not allow DeleteObject ([U] code); 9003 for a ParameterKey over 32 characters.
 *
 * @module
 */

import type { ParameterTree } from "../datamodel/tree.ts";
import type { DeleteObject, DeleteObjectResponse } from "../soap/messages.ts";
import { type ObjectRpcOptions, parameterKeyChange } from "./add_object.ts";

/**
 * Applies `request` to `model`.
 *
 * @throws {ParameterNameError} (9005), {InvalidArgumentsError} (9003),
 * {InternalError} (9002) when the model has no ParameterKey parameter.
 */
export async function deleteObject(
  model: ParameterTree,
  request: DeleteObject,
  options: ObjectRpcOptions = {},
): Promise<DeleteObjectResponse> {
  const key = await parameterKeyChange(model, request.parameterKey, options);
  return {
    kind: "DeleteObjectResponse",
    status: await model.deleteObject(request.objectName, key),
  };
}
