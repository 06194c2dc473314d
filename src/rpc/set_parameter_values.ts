/**
 * SetParameterValues (TR-069 A.3.2.1, CWMP-FACTS §5.1): all or nothing. Every
 * parameter is validated first (9005 unknown, 9008 read-only, 9006 type, 9007 value);
 * any fault rejects the whole request with 9003 and the list of per-parameter faults,
 * and nothing changes. Otherwise the changes and the new ParameterKey are committed in
 * one transaction, so ParameterKey changes only on success.
 *
 * AutoCreateInstances (TR-069 §3.6.1, TR-181 ManagementServer): when it is true (and
 * alias-based addressing is on), a name under a `[alias]` row that does not exist yet
 * creates that row in the same transaction; otherwise such a name is a 9005. The
 * setting is read from `<root>.ManagementServer.AutoCreateInstances` of the model,
 * as it stands before this request.
 *
 * The same name twice is a 9003 for the request as a whole (the order of the list
 * must not matter, so two values for one parameter are ambiguous).
 *
 * @module
 */

import {
  InternalError,
  InvalidArgumentsError,
  ParameterNameError,
  SetParameterValuesError,
} from "../datamodel/errors.ts";
import type { ParameterTree } from "../datamodel/tree.ts";
import type { SetParameterValues, SetParameterValuesResponse } from "../soap/messages.ts";

/** Where the ParameterKey argument is stored (TR-181). */
export const PARAMETER_KEY_PATH = "Device.ManagementServer.ParameterKey";

/** Longest ParameterKey (TR-069 Annex A: string(32)). */
export const MAX_PARAMETER_KEY_LENGTH = 32;

/** Options of {@linkcode setParameterValues}. */
export interface SetParameterValuesOptions {
  /** Parameter that stores ParameterKey; null to not store it. Default {@linkcode PARAMETER_KEY_PATH}. */
  readonly parameterKeyPath?: string | null;
}

/**
 * Applies `request` to `model`. Status is 1 when a provider applies its part only at
 * the end of the session or after a reboot.
 *
 * @throws {InvalidArgumentsError} (9003) for a duplicate name or a too long ParameterKey.
 * @throws {SetParameterValuesError} (9003 + per-parameter faults) when any value is rejected.
 * @throws {InternalError} (9002) when the model has no ParameterKey parameter.
 */
export async function setParameterValues(
  model: ParameterTree,
  request: SetParameterValues,
  options: SetParameterValuesOptions = {},
): Promise<SetParameterValuesResponse> {
  const { parameterList, parameterKey } = request;
  if (parameterKey.length > MAX_PARAMETER_KEY_LENGTH) {
    throw new InvalidArgumentsError(
      `ParameterKey longer than ${MAX_PARAMETER_KEY_LENGTH} characters: "${parameterKey}"`,
    );
  }
  const seen = new Set<string>();
  for (const { name } of parameterList) {
    if (seen.has(name)) {
      throw new InvalidArgumentsError(`Parameter appears more than once: "${name}"`);
    }
    seen.add(name);
  }
  const autoCreate = await autoCreateInstances(model, parameterList.map((p) => p.name));
  const { changes, faults, rows } = await model.prepare(parameterList, { autoCreate });
  if (faults.length > 0) throw new SetParameterValuesError(faults);

  const keyPath = options.parameterKeyPath === undefined
    ? PARAMETER_KEY_PATH
    : options.parameterKeyPath;
  if (keyPath === null) {
    return { kind: "SetParameterValuesResponse", status: await model.commit(changes, rows) };
  }
  const keyRef = await model.parameter(keyPath);
  if (keyRef === undefined) {
    throw new InternalError(`No parameter stores the ParameterKey: "${keyPath}"`);
  }
  const status = await model.commit([...changes, { ...keyRef, value: parameterKey }], rows);
  return { kind: "SetParameterValuesResponse", status };
}

/**
 * ManagementServer.AutoCreateInstances under the root of `names`; false when no name
 * has an `[alias]` segment (nothing to create, nothing to read) or the model lacks it.
 */
async function autoCreateInstances(
  model: ParameterTree,
  names: readonly string[],
): Promise<boolean> {
  const aliased = names.find((name) => name.includes("["));
  if (aliased === undefined) return false;
  const root = aliased.slice(0, aliased.indexOf(".") + 1);
  let ref;
  try {
    ref = await model.parameter(`${root}ManagementServer.AutoCreateInstances`);
  } catch (error) {
    // A malformed root: prepare() reports the name itself.
    if (error instanceof ParameterNameError) return false;
    throw error;
  }
  if (ref === undefined) return false;
  const [value] = await model.read([ref]);
  return value === "true" || value === "1";
}
