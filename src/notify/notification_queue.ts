/**
 * Changed parameters waiting for an Inform with `4 VALUE CHANGE` (CWMP-FACTS §2.2,
 * §2.3): the latest value of a parameter replaces an older one; the entries the Inform
 * carried are dropped when its session succeeds and kept when it fails. In memory only:
 * `4 VALUE CHANGE` is dropped at reboot.
 *
 * @module
 */

import type { ChangedParameter, ValueChanges } from "./value_change_detector.ts";

/** The Inform side of a poll (its lightweight changes go elsewhere). */
type InformChanges = Pick<ValueChanges, "passive" | "active">;

/** Changed parameters not yet delivered, in order of first detection. */
export class NotificationQueue {
  readonly #pending = new Map<string, ChangedParameter>();

  /** How many parameters wait. */
  get size(): number {
    return this.#pending.size;
  }

  /** Queues `changes` (a poll's result or a list); a parameter already queued takes the new value. */
  add(changes: InformChanges | readonly ChangedParameter[]): void {
    const list = isList(changes) ? changes : [...changes.passive, ...changes.active];
    for (const change of list) this.#pending.set(change.name, change);
  }

  /** Whether any waiting change has active notification (a reason to open a session). */
  hasActive(): boolean {
    for (const change of this.#pending.values()) if (change.notification === 2) return true;
    return false;
  }

  /** The waiting changes, in order of first detection. */
  pending(): ChangedParameter[] {
    return [...this.#pending.values()];
  }

  /**
   * The Inform carrying `sent` was delivered (session succeeded): drops those entries,
   * except where a newer value arrived after the Inform was built.
   */
  delivered(sent: readonly ChangedParameter[]): void {
    for (const change of sent) {
      if (this.#pending.get(change.name)?.value === change.value) {
        this.#pending.delete(change.name);
      }
    }
  }

  /** Drops everything (factory reset, or the parameters' rows are gone). */
  clear(): void {
    this.#pending.clear();
  }
}

function isList(
  changes: InformChanges | readonly ChangedParameter[],
): changes is readonly ChangedParameter[] {
  return Array.isArray(changes);
}
