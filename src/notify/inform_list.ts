/**
 * The Inform ParameterList (TR-069 A.3.3.1, CWMP-FACTS §4.1), pure:
 *
 * 1. every forced-inform parameter;
 * 2. the queued changed parameters (notification 1 or 2): they come only with
 *    `4 VALUE CHANGE`, so an Inform carrying them must carry that event;
 * 3. `ManagementServer.InformParameter.{i}` entries with Enable true whose EventList
 *    names one of the Inform's events. An empty EventList means every event except
 *    `4 VALUE CHANGE` (TR-181); a `4 VALUE CHANGE` item in the list is not allowed and
 *    is ignored here.
 *
 * A parameter appears once, at its first place in that order (a forced parameter that
 * also changed, like ProvisioningCode, comes with its forced, freshly read value).
 *
 * @module
 */

import type { ParameterValueStruct } from "../soap/messages.ts";
import type { ChangedParameter } from "./value_change_detector.ts";

/** The event code that carries changed parameters. */
export const VALUE_CHANGE = "4 VALUE CHANGE";

/** One row of `Device.ManagementServer.InformParameter.{i}.`. */
export interface InformParameterEntry {
  readonly enable: boolean;
  /** Parameter name, partial path, or pattern with `*` for instance numbers. */
  readonly parameterName: string;
  /** Comma-separated event codes; "" = every event but `4 VALUE CHANGE`. */
  readonly eventList: string;
}

/** What {@linkcode assembleInformList} puts together. */
export interface InformListInput {
  /** Forced-inform parameters, read for this Inform. */
  readonly forced: readonly ParameterValueStruct[];
  /** Changed parameters to deliver (the `NotificationQueue`'s pending ones). */
  readonly changed: readonly ChangedParameter[];
  /** Parameters of the InformParameter entries that apply to this Inform, read. */
  readonly informParameters?: readonly ParameterValueStruct[];
}

/** Result of {@linkcode assembleInformList}. */
export interface InformList {
  readonly parameterList: ParameterValueStruct[];
  /** The Inform must carry `4 VALUE CHANGE` (it holds changed parameters). */
  readonly valueChange: boolean;
  /** The changes it delivers: `NotificationQueue.delivered()` them when the session succeeds. */
  readonly delivered: readonly ChangedParameter[];
}

/**
 * The items of an EventList value, trimmed, empty ones dropped.
 *
 * @example
 * ```ts
 * import { parseEventList } from "./inform_list.ts";
 * parseEventList("1 BOOT, 2 PERIODIC"); // ["1 BOOT", "2 PERIODIC"]
 * ```
 */
export function parseEventList(text: string): string[] {
  return text.split(",").map((item) => item.trim()).filter((item) => item !== "");
}

/** Whether `entry` applies to an Inform carrying `eventCodes`. */
export function informParameterApplies(
  entry: InformParameterEntry,
  eventCodes: readonly string[],
): boolean {
  if (!entry.enable || entry.parameterName === "") return false;
  const items = parseEventList(entry.eventList);
  if (items.length === 0) return eventCodes.some((code) => code !== VALUE_CHANGE);
  return items.some((item) => item !== VALUE_CHANGE && eventCodes.includes(item));
}

/**
 * The event codes of an Inform with `changed` parameters: `eventCodes`, plus
 * `4 VALUE CHANGE` when there are changes and it is missing.
 */
export function informEventCodes(
  eventCodes: readonly string[],
  changed: readonly ChangedParameter[],
): string[] {
  const codes = [...eventCodes];
  if (changed.length > 0 && !codes.includes(VALUE_CHANGE)) codes.push(VALUE_CHANGE);
  return codes;
}

/**
 * The ParameterList from forced, changed and InformParameter parameters, each once.
 *
 * @example
 * ```ts
 * import { assembleInformList } from "./inform_list.ts";
 * const code = { name: "Device.DeviceInfo.ProvisioningCode", value: "A", type: "xsd:string" };
 * const list = assembleInformList({
 *   forced: [code],
 *   changed: [{ ...code, value: "B", notification: 2 }],
 * });
 * list.parameterList.length; // 1, the forced value "A"
 * list.valueChange; // true
 * ```
 */
export function assembleInformList(input: InformListInput): InformList {
  const byName = new Map<string, ParameterValueStruct>();
  const put = (p: ParameterValueStruct) => {
    if (!byName.has(p.name)) byName.set(p.name, { name: p.name, value: p.value, type: p.type });
  };
  input.forced.forEach(put);
  input.changed.forEach(put);
  (input.informParameters ?? []).forEach(put);
  return {
    parameterList: [...byName.values()],
    valueChange: input.changed.length > 0,
    delivered: [...input.changed],
  };
}
