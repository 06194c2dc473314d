/**
 * Commit of a validated SetParameterValues batch across providers (TR-069 A.3.2.1:
 * all or nothing). Each provider applies its part all or nothing; when one throws,
 * the parts already applied are undone in reverse order and the error propagates.
 *
 * @module
 */

import type { ParameterChange, Provider, SetOutcome } from "./provider.ts";

/** The changes one provider receives. */
export interface ChangeGroup {
  readonly provider: Provider;
  readonly changes: readonly ParameterChange[];
}

/**
 * Applies `groups` in order and returns the combined Status (1 if any provider defers).
 *
 * @throws the first provider error, after undoing what earlier providers applied; an
 * `AggregateError` when an undo fails too (the model may then be inconsistent).
 */
export async function commitChanges(groups: readonly ChangeGroup[]): Promise<0 | 1> {
  const done: SetOutcome[] = [];
  let status: 0 | 1 = 0;
  for (const group of groups) {
    if (group.changes.length === 0) continue;
    if (group.provider.set === undefined) {
      throw new TypeError(`Provider of "${group.changes[0].path}" cannot set values`);
    }
    let outcome: SetOutcome;
    try {
      outcome = await group.provider.set(group.changes);
    } catch (error) {
      await undoAll(done, error);
      throw error;
    }
    done.push(outcome);
    if (outcome.status === 1) status = 1;
  }
  return status;
}

async function undoAll(done: readonly SetOutcome[], cause: unknown): Promise<void> {
  const failures: unknown[] = [];
  for (const outcome of [...done].reverse()) {
    try {
      await outcome.undo?.();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) {
    throw new AggregateError([cause, ...failures], "Cannot undo a partly applied set");
  }
}
