/**
 * AddObject (TR-069 A.3.2.6, CWMP-FACTS §5.1): creates a row of the writable table
 * `ObjectName` (a partial path ending in "."; with alias-based addressing also
 * `Table.[alias].`) and answers its InstanceNumber and Status. The row and the new
 * ParameterKey are committed in one transaction, so ParameterKey changes only on
 * success. Instance numbers are never reused (see `datamodel/instance_numbers.ts`).
 *
 * Faults: 9005 for a malformed or unknown name, a name that is no table, or a table
 * that does not allow AddObject ([U] code, see `ParameterTree.addObject`); 9004 when
 * the table holds maxEntries rows; 9003 for a ParameterKey over 32 characters or an
 * alias in use.
 *
 * @module
 */

import { InternalError, InvalidArgumentsError } from "../datamodel/errors.ts";
import type { ParameterChange } from "../datamodel/provider.ts";
import type { ParameterTree } from "../datamodel/tree.ts";
import type { AddObject, AddObjectResponse } from "../soap/messages.ts";
import { MAX_PARAMETER_KEY_LENGTH, PARAMETER_KEY_PATH } from "./set_parameter_values.ts";

/** Options of {@linkcode addObject} and `deleteObject()`. */
export interface ObjectRpcOptions {
  /** Parameter that stores ParameterKey; null to not store it. Default {@linkcode PARAMETER_KEY_PATH}. */
  readonly parameterKeyPath?: string | null;
}

/**
 * Applies `request` to `model`.
 *
 * @throws {ParameterNameError} (9005), {ResourcesExceededError} (9004),
 * {InvalidArgumentsError} (9003), {InternalError} (9002) when the model has no
 * ParameterKey parameter.
 */
export async function addObject(
  model: ParameterTree,
  request: AddObject,
  options: ObjectRpcOptions = {},
): Promise<AddObjectResponse> {
  const key = await parameterKeyChange(model, request.parameterKey, options);
  const added = await model.addObject(request.objectName, key);
  return { kind: "AddObjectResponse", instanceNumber: added.instanceNumber, status: added.status };
}

/**
 * The ParameterKey change of an AddObject/DeleteObject request (none when
 * `parameterKeyPath` is null).
 *
 * @throws {InvalidArgumentsError} (9003) for a ParameterKey over 32 characters.
 * @throws {InternalError} (9002) when the model has no ParameterKey parameter.
 */
export async function parameterKeyChange(
  model: ParameterTree,
  parameterKey: string,
  options: ObjectRpcOptions,
): Promise<ParameterChange[]> {
  if (parameterKey.length > MAX_PARAMETER_KEY_LENGTH) {
    throw new InvalidArgumentsError(
      `ParameterKey longer than ${MAX_PARAMETER_KEY_LENGTH} characters: "${parameterKey}"`,
    );
  }
  const keyPath = options.parameterKeyPath === undefined
    ? PARAMETER_KEY_PATH
    : options.parameterKeyPath;
  if (keyPath === null) return [];
  const keyRef = await model.parameter(keyPath);
  if (keyRef === undefined) {
    throw new InternalError(`No parameter stores the ParameterKey: "${keyPath}"`);
  }
  return [{ ...keyRef, value: parameterKey }];
}
