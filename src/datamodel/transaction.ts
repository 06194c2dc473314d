/**
 * All-or-nothing changes across providers (TR-069 A.3.2.1 SetParameterValues; A.3.2.6/7
 * AddObject/DeleteObject with their ParameterKey). A transaction is a list of steps run
 * in order; each applies its part all or nothing and may return an undo. When a step
 * throws, the steps already applied are undone in reverse order and the error
 * propagates.
 *
 * @module
 */

import type { MaybePromise, ParameterChange, Provider, SetOutcome } from "./provider.ts";

/** The changes one provider receives. */
export interface ChangeGroup {
  readonly provider: Provider;
  readonly changes: readonly ParameterChange[];
}

/** One step of a transaction: applies its part, all or nothing, or throws. */
export type TransactionStep = () => MaybePromise<SetOutcome>;

/**
 * Runs `steps` in order and returns the combined Status (1 if any step defers).
 *
 * @throws the first step's error, after undoing what earlier steps applied; an
 * `AggregateError` when an undo fails too (the model may then be inconsistent).
 */
export async function runTransaction(steps: readonly TransactionStep[]): Promise<0 | 1> {
  const done: SetOutcome[] = [];
  let status: 0 | 1 = 0;
  for (const step of steps) {
    let outcome: SetOutcome;
    try {
      outcome = await step();
    } catch (error) {
      await undoAll(done, error);
      throw error;
    }
    done.push(outcome);
    if (outcome.status === 1) status = 1;
  }
  return status;
}

/** The step that hands `group` to its provider's `set`. */
export function setStep(group: ChangeGroup): TransactionStep {
  return () => {
    if (group.provider.set === undefined) {
      throw new TypeError(`Provider of "${group.changes[0].path}" cannot set values`);
    }
    return group.provider.set(group.changes);
  };
}

/**
 * Applies `groups` in order and returns the combined Status (1 if any provider defers).
 *
 * @throws the first provider error, after undoing what earlier providers applied; an
 * `AggregateError` when an undo fails too (the model may then be inconsistent).
 */
export function commitChanges(groups: readonly ChangeGroup[]): Promise<0 | 1> {
  return runTransaction(groups.filter((g) => g.changes.length > 0).map(setStep));
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
