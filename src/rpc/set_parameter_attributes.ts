/**
 * SetParameterAttributes (TR-069 A.3.2.4, CWMP-FACTS §5.1): a list of
 * {Name, NotificationChange, Notification, AccessListChange, AccessList}; a field is
 * applied only when its *Change flag is true. Name may be a partial path ("" = the whole
 * tree): the change applies to every parameter below it. The list is applied in order
 * (a later entry for the same parameter wins) and all or nothing: every entry is checked
 * first, and one fault leaves every attribute as it was.
 *
 * Faults, and the choices made where the spec leaves room:
 *
 * | case | fault |
 * |---|---|
 * | unknown or malformed Name | 9005 |
 * | Notification outside 0–6 | 9003 |
 * | Notification 3–6 (lightweight, CWMP 1.4 Annex M: not implemented) | 9003 [U]: it is an argument value this CPE does not accept; 9009 would claim the parameter is the problem |
 * | Notification 2 on a `canDeny` parameter | 9009: `canDeny` parameters (UpTime, ParameterKey…) change too often or too cheaply to watch actively; passive (1) is accepted |
 * | Notification 0/1 on a `forceEnabled` parameter | 9009 [U]: TR-106 says active notification cannot be turned off for them |
 * | AccessList entry other than `"Subscriber"` | 9007 [U]: the only value TR-069 defines; 9007 (invalid value) over 9003 because the argument is well formed but its value is not allowed |
 *
 * For a partial path, the parameters below it whose notification cannot be changed
 * that way (the two 9009 rows) keep their notification and the others take it [U]: the
 * spec does not say, and refusing `Device.` → 2 because of UpTime would make partial
 * paths useless. Their AccessList still changes.
 *
 * The work is bounded: the parameters the entries select, counted over all entries,
 * may not pass `limits.maxParameters` (9004 beyond, nothing applied), so a list of
 * 10,000 entries named "" cannot walk the tree 10,000 times.
 *
 * @module
 */

import {
  type AttributeStore,
  type AttributeUpdate,
  NotificationRejectedError,
} from "../datamodel/attributes.ts";
import { InvalidArgumentsError, InvalidValueError } from "../datamodel/errors.ts";
import type { ParameterSchema } from "../datamodel/schema.ts";
import type { ParameterTree } from "../datamodel/tree.ts";
import type { SetParameterAttributes, SetParameterAttributesResponse } from "../soap/messages.ts";
import { DEFAULT_RESPONSE_LIMITS, ResponseBudget, type ResponseLimits } from "./response_budget.ts";

/** The only AccessList value TR-069 defines (write access from the LAN side). */
export const SUBSCRIBER = "Subscriber";

/** Highest Notification value this agent accepts (no lightweight notifications). */
export const MAX_SUPPORTED_NOTIFICATION = 2;

/** Options of {@linkcode setParameterAttributes}. */
export interface SetParameterAttributesOptions {
  /** `maxParameters` bounds the parameters selected. Default {@linkcode DEFAULT_RESPONSE_LIMITS}. */
  readonly limits?: ResponseLimits;
}

/**
 * Applies `request` to `store`, all or nothing.
 *
 * @throws {ParameterNameError} (9005) for an unknown or malformed name.
 * @throws {InvalidArgumentsError} (9003) for a Notification outside 0–2.
 * @throws {InvalidValueError} (9007) for an AccessList entry other than "Subscriber".
 * @throws {NotificationRejectedError} (9009) for a refused notification on a named parameter.
 * @throws {ResourcesExceededError} (9004) when the entries select too many parameters.
 */
export async function setParameterAttributes(
  model: ParameterTree,
  store: AttributeStore,
  request: SetParameterAttributes,
  options: SetParameterAttributesOptions = {},
): Promise<SetParameterAttributesResponse> {
  const budget = new ResponseBudget(options.limits ?? DEFAULT_RESPONSE_LIMITS);
  const updates: AttributeUpdate[] = [];
  for (const struct of request.parameterList) {
    const { name, notificationChange, notification, accessListChange } = struct;
    if (notificationChange) checkNotification(notification);
    const accessList = accessListChange ? checkAccessList(struct.accessList) : undefined;
    const partial = name === "" || name.endsWith(".");
    const items = await model.list(name, { objects: false, self: true, limit: budget.itemsLeft });
    budget.charge(0, items.length);
    for (const item of items) {
      const ref = item.ref!;
      let wanted = notificationChange ? notification : undefined;
      const refusal = wanted === undefined ? undefined : notificationRefusal(ref.schema, wanted);
      if (refusal !== undefined) {
        if (!partial) throw new NotificationRejectedError(name, refusal);
        wanted = undefined;
      }
      if (wanted === undefined && accessList === undefined) continue;
      updates.push({ ref, notification: wanted, accessList });
    }
  }
  store.update(updates);
  return { kind: "SetParameterAttributesResponse" };
}

/** Why `schema` cannot take `notification` (a FaultString), or undefined when it can. */
export function notificationRefusal(
  schema: ParameterSchema,
  notification: number,
): string | undefined {
  if (schema.activeNotify === "canDeny" && notification === 2) {
    return `Active notification is not supported for "${schema.path}"`;
  }
  if (schema.activeNotify === "forceEnabled" && notification !== 2) {
    return `Active notification cannot be turned off for "${schema.path}"`;
  }
  return undefined;
}

function checkNotification(notification: number): void {
  if (!Number.isInteger(notification) || notification < 0 || notification > 6) {
    throw new InvalidArgumentsError(`Notification must be 0 to 6: "${notification}"`);
  }
  if (notification > MAX_SUPPORTED_NOTIFICATION) {
    throw new InvalidArgumentsError(
      `Lightweight notification is not supported: "${notification}"`,
    );
  }
}

function checkAccessList(accessList: readonly string[]): string[] {
  for (const entry of accessList) {
    if (entry !== SUBSCRIBER) {
      throw new InvalidValueError(`AccessList entry is not supported: "${entry}"`);
    }
  }
  return [...new Set(accessList)];
}
