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
 * | Notification 3–6 (lightweight, Annex M) while the agent speaks CWMP 1.0–1.3 (`lightweight: false`) | 9003 [U]: the values are "reserved" before cwmp-1-4.xsd, an argument value this CPE does not accept; 9009 would claim the parameter is the problem |
 * | Notification 2, 5 or 6 on a `canDeny` parameter | 9009: `canDeny` parameters (UpTime, ParameterKey…) change too often or too cheaply to watch actively; active lightweight (5, 6) is active too [U], a datagram per change; the passive kinds (1, 3, 4) are accepted |
 * | Notification other than 2 on a `forceEnabled` parameter | 9009 [U]: TR-106 says active notification cannot be turned off for them, and 3–6 all replace the active (2) Inform notification |
 *
 * Notification 3–6 are accepted on CWMP 1.4 even while
 * ManagementServer.LightweightNotificationProtocolsUsed is empty: TR-181 says that
 * setting disables the notifications "despite any SetParameterAttributes", so the
 * attribute is kept and takes effect once a protocol is chosen.
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

/** Highest Notification value of CWMP 1.0–1.3 (3–6 are lightweight, CWMP 1.4). */
export const MAX_NOTIFICATION_BEFORE_1_4 = 2;

/** Notification values that are active in some way (an Inform session or an LWN datagram). */
const ACTIVE_KINDS: ReadonlySet<number> = new Set([2, 5, 6]);

/** Options of {@linkcode setParameterAttributes}. */
export interface SetParameterAttributesOptions {
  /** `maxParameters` bounds the parameters selected. Default {@linkcode DEFAULT_RESPONSE_LIMITS}. */
  readonly limits?: ResponseLimits;
  /**
   * Accept the lightweight values 3–6 (TR-069 Annex M): true when the agent speaks
   * CWMP 1.4. Default false.
   */
  readonly lightweight?: boolean;
}

/**
 * Applies `request` to `store`, all or nothing.
 *
 * @throws {ParameterNameError} (9005) for an unknown or malformed name.
 * @throws {InvalidArgumentsError} (9003) for a Notification outside 0–6, or 3–6 without
 *   `options.lightweight`.
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
    if (notificationChange) checkNotification(notification, options.lightweight ?? false);
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
  if (schema.activeNotify === "canDeny" && ACTIVE_KINDS.has(notification)) {
    const kind = notification === 2 ? "Active" : "Active lightweight";
    return `${kind} notification is not supported for "${schema.path}"`;
  }
  if (schema.activeNotify === "forceEnabled" && notification !== 2) {
    return `Active notification cannot be turned off for "${schema.path}"`;
  }
  return undefined;
}

function checkNotification(notification: number, lightweight: boolean): void {
  if (!Number.isInteger(notification) || notification < 0 || notification > 6) {
    throw new InvalidArgumentsError(`Notification must be 0 to 6: "${notification}"`);
  }
  if (!lightweight && notification > MAX_NOTIFICATION_BEFORE_1_4) {
    throw new InvalidArgumentsError(
      `Lightweight notification needs CWMP 1.4: "${notification}"`,
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
