/**
 * Parameter attributes (TR-069 A.3.2.4/A.3.2.5, CWMP-FACTS §5.1): Notification
 * (0 off, 1 passive, 2 active; 3–6 lightweight, CWMP 1.4) and AccessList (only
 * `"Subscriber"` is defined) for every concrete parameter.
 *
 * Defaults come from the schema's TR-106 `activeNotify`: `forceEnabled` and
 * `forceDefaultEnabled` start at 2 (active), everything else at 0, AccessList empty.
 * A `forceEnabled` parameter always reads 2, whatever was stored.
 *
 * The store holds only parameters whose attributes differ from their default, keyed by
 * concrete path, so a new row's parameters have their defaults without an entry and a
 * deleted row's entries are dropped with {@linkcode AttributeStore.forget}. It is plain
 * data: {@linkcode AttributeStore.serialize} and {@linkcode AttributeStore.restore}
 * (JSON) let the agent write it atomically after each `onChange`.
 *
 * No clock, no I/O.
 *
 * @module
 */

import { CwmpFault } from "./errors.ts";
import type { ParameterRef } from "./provider.ts";
import type { ParameterSchema } from "./schema.ts";
import { FaultCode } from "../soap/messages.ts";

/** Attributes of one parameter. */
export interface ParameterAttributes {
  /**
   * 0 off, 1 passive, 2 active; 3 passive lightweight, 4 passive + passive lightweight,
   * 5 active lightweight, 6 passive + active lightweight (CWMP 1.4, Annex M).
   */
  readonly notification: number;
  /** Entities besides the ACS allowed to write it; `"Subscriber"` is the only one defined. */
  readonly accessList: readonly string[];
}

/** A change to one parameter's attributes; an absent field stays as it is. */
export interface AttributeUpdate {
  readonly ref: ParameterRef;
  readonly notification?: number;
  readonly accessList?: readonly string[];
}

/** Options of {@linkcode AttributeStore}. */
export interface AttributeStoreOptions {
  /**
   * Called after {@linkcode AttributeStore.update} or {@linkcode AttributeStore.forget}
   * changed something, with the concrete paths it touched (persist, then rebaseline).
   */
  readonly onChange?: (paths: readonly string[]) => void;
}

/** 9009: the CPE refuses the requested notification setting. */
export class NotificationRejectedError extends CwmpFault {
  /** The parameter (or partial path) as the ACS named it. */
  readonly path: string;

  /** Creates the error for `path`; `reason` is the FaultString. */
  constructor(path: string, reason: string) {
    super(FaultCode.NotificationRejected, reason);
    this.name = "NotificationRejectedError";
    this.path = path;
  }
}

/** Version tag of {@linkcode AttributeStore.serialize}'s JSON. */
export const ATTRIBUTES_FORMAT = 1;

const EMPTY: readonly string[] = Object.freeze([]);

/**
 * Default attributes of a parameter from its schema entry.
 *
 * @example
 * ```ts
 * import { defaultAttributes } from "./attributes.ts";
 * const schema = {
 *   kind: "parameter", path: "Device.DeviceInfo.SoftwareVersion", type: "string",
 *   access: "readOnly", activeNotify: "forceEnabled",
 * } as const;
 * defaultAttributes(schema); // { notification: 2, accessList: [] }
 * ```
 */
export function defaultAttributes(schema: ParameterSchema): ParameterAttributes {
  const active = schema.activeNotify === "forceEnabled" ||
    schema.activeNotify === "forceDefaultEnabled";
  return { notification: active ? 2 : 0, accessList: EMPTY };
}

/** Attributes of concrete parameters, defaults from the schema, serializable to JSON. */
export class AttributeStore {
  readonly #stored = new Map<string, ParameterAttributes>();
  readonly #onChange?: (paths: readonly string[]) => void;

  /** Creates an empty store (every parameter at its default). */
  constructor(options: AttributeStoreOptions = {}) {
    this.#onChange = options.onChange;
  }

  /** Attributes of `ref`: stored ones, else its schema defaults. */
  get(ref: ParameterRef): ParameterAttributes {
    const stored = this.#stored.get(ref.path);
    const attributes = stored ?? defaultAttributes(ref.schema);
    if (ref.schema.activeNotify === "forceEnabled" && attributes.notification !== 2) {
      return { notification: 2, accessList: attributes.accessList };
    }
    return attributes;
  }

  /** Paths with attributes that differ from their defaults, sorted. */
  paths(): string[] {
    return [...this.#stored.keys()].sort();
  }

  /**
   * Applies `updates` together, in order (a later update of the same path wins), then
   * calls `onChange` once with the touched paths. Checks nothing: the RPC does.
   */
  update(updates: readonly AttributeUpdate[]): void {
    const touched = new Set<string>();
    for (const { ref, notification, accessList } of updates) {
      const current = this.get(ref);
      const next: ParameterAttributes = {
        notification: notification ?? current.notification,
        accessList: accessList === undefined ? current.accessList : Object.freeze([...accessList]),
      };
      const fallback = defaultAttributes(ref.schema);
      if (sameAttributes(next, fallback)) this.#stored.delete(ref.path);
      else this.#stored.set(ref.path, next);
      touched.add(ref.path);
    }
    if (touched.size > 0) this.#onChange?.([...touched]);
  }

  /**
   * Drops the attributes of `prefix` and everything below it (a deleted row:
   * `Device.IP.Interface.2.`); a row created later with that number starts at the
   * defaults. Returns the dropped paths; `onChange` is called when there are any.
   */
  forget(prefix: string): string[] {
    const dropped = [...this.#stored.keys()].filter((path) =>
      prefix.endsWith(".") || prefix === "" ? path.startsWith(prefix) : path === prefix
    );
    for (const path of dropped) this.#stored.delete(path);
    if (dropped.length > 0) this.#onChange?.(dropped);
    return dropped.sort();
  }

  /** The stored attributes as JSON text (keys sorted, so equal stores give equal text). */
  serialize(): string {
    const parameters: Record<string, ParameterAttributes> = {};
    for (const path of this.paths()) parameters[path] = this.#stored.get(path)!;
    return JSON.stringify({ format: ATTRIBUTES_FORMAT, parameters });
  }

  /**
   * Replaces the contents with those of `text` from {@linkcode serialize}. Does not
   * call `onChange`. On an error the store is unchanged.
   *
   * @throws {SyntaxError} when `text` is not JSON.
   * @throws {TypeError} when the JSON does not have the shape `serialize()` writes.
   */
  restore(text: string): void {
    const data: unknown = JSON.parse(text);
    if (!isRecord(data) || data.format !== ATTRIBUTES_FORMAT || !isRecord(data.parameters)) {
      throw new TypeError(`Cannot restore attributes: expected format ${ATTRIBUTES_FORMAT}`);
    }
    const entries: [string, ParameterAttributes][] = [];
    for (const [path, value] of Object.entries(data.parameters)) {
      if (
        !isRecord(value) || !Number.isInteger(value.notification) ||
        (value.notification as number) < 0 || (value.notification as number) > 6 ||
        !Array.isArray(value.accessList) || !value.accessList.every((s) => typeof s === "string")
      ) {
        throw new TypeError(`Cannot restore attributes: bad entry for "${path}"`);
      }
      entries.push([path, {
        notification: value.notification as number,
        accessList: Object.freeze([...value.accessList as string[]]),
      }]);
    }
    this.#stored.clear();
    for (const [path, attributes] of entries) this.#stored.set(path, attributes);
  }
}

function sameAttributes(a: ParameterAttributes, b: ParameterAttributes): boolean {
  return a.notification === b.notification && a.accessList.length === b.accessList.length &&
    a.accessList.every((item, i) => item === b.accessList[i]);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
