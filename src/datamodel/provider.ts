/**
 * The Provider interface: where parameter values come from and where sets go.
 * Implementations sit in `providers/` (memory today; file, script, UCI later) and in
 * `objects/` (one TR-181 object each).
 *
 * Every call takes a batch so a 10,000-parameter GetParameterValues costs one call
 * per provider, not one per parameter. Calls may answer synchronously; the tree only
 * awaits when a promise comes back.
 *
 * @module
 */

import type { ParameterSchema } from "./schema.ts";

/** A value or a promise of one. */
export type MaybePromise<T> = T | Promise<T>;

/** A concrete parameter, resolved against the schema. */
export interface ParameterRef {
  /** Concrete path, e.g. `Device.IP.Interface.2.Name`. */
  readonly path: string;
  /** Its schema entry. */
  readonly schema: ParameterSchema;
  /** Instance numbers along the path, outermost first (`[2]` above). */
  readonly instances: readonly number[];
  /**
   * The name the ACS sees when it differs from `path`: rows written `[alias]`
   * (InstanceMode InstanceAlias, TR-069 §3.6.1). Absent otherwise.
   */
  readonly name?: string;
}

/** A validated change: `value` is already canonical (see `validate.ts`). */
export interface ParameterChange extends ParameterRef {
  readonly value: string;
}

/** A provider's objection to one change, found before anything is applied. */
export interface ChangeObjection {
  /** Concrete path of the change. */
  readonly path: string;
  /** Why (becomes a 9007 FaultString): sentence case, quoted values, no final period. */
  readonly message: string;
}

/** What a provider did with a batch. */
export interface SetOutcome {
  /**
   * 0: applied. 1: committed, but applied only at the end of the session or after a
   * reboot (SetParameterValuesResponse Status).
   */
  readonly status: 0 | 1;
  /** Restores the previous values; called when a later provider in the transaction fails. */
  readonly undo?: () => MaybePromise<void>;
}

/** Source and sink of parameter values for the objects it is bound to. */
export interface Provider {
  /** Canonical values of `refs`, one per ref, in order. */
  get(refs: readonly ParameterRef[]): MaybePromise<readonly string[]>;
  /**
   * Extra checks on a validated batch before anything is applied (e.g. "URL must be
   * HTTP or HTTPS"). Must not change anything.
   */
  check?(changes: readonly ParameterChange[]): MaybePromise<readonly ChangeObjection[]>;
  /**
   * Applies a validated batch all or nothing: on a throw nothing of the batch changed.
   * Parameters of a provider with no `set` are read-only whatever the schema says.
   */
  set?(changes: readonly ParameterChange[]): MaybePromise<SetOutcome>;
  /**
   * Instance numbers of the table at `tablePath` (e.g. `Device.IP.Interface.`),
   * ascending. `instances` are those of the enclosing rows.
   */
  instances?(tablePath: string, instances: readonly number[]): MaybePromise<readonly number[]>;
  /**
   * Creates a row of the table (AddObject). Its presence makes the table writable.
   * `instanceNumber` is the number the tree allocated (never used before in this
   * table); use it when the system allows and return the number actually used.
   */
  addInstance?(
    tablePath: string,
    instances: readonly number[],
    instanceNumber?: number,
  ): MaybePromise<number>;
  /** Deletes a row (DeleteObject, issue #3). Its presence makes rows writable. */
  deleteInstance?(rowPath: string, instances: readonly number[]): MaybePromise<void>;
}

/** Binds a provider to the supported parameters of one schema object. */
export interface Binding {
  /** Object pattern, e.g. `Device.DeviceInfo.` or `Device.IP.Interface.{i}.`. */
  readonly object: string;
  /** Names of the parameters it serves; the object's other parameters are unsupported. */
  readonly parameters: readonly string[];
  readonly provider: Provider;
  /**
   * Whether the tree keeps this table's instance list for the rest of a session once
   * listed (see `ParameterTree.beginSession()`). Default true; false for providers
   * whose listing is cheap and should always be fresh.
   */
  readonly snapshot?: boolean;
  /**
   * Tables: the most rows the device keeps, below the schema's maxEntries (most tables
   * are "unbounded" there). AddObject beyond it is answered 9004.
   */
  readonly maxEntries?: number;
}
