/**
 * The DiagnosticsState machine of one TR-143 diagnostic (TR-181 2.17 data type
 * `DiagnosticsState`, CWMP-FACTS §9.2). Pure: inputs in, next state and actions out;
 * the {@linkcode DiagnosticsManager} performs the actions.
 *
 * ```text
 *             set Requested                 sessionEnded
 *   idle ─────────────────────▶ pending ─────────────────▶ running
 *    ▲  (None/Complete/Error_*)  (Requested)   (Requested)     │
 *    │                                                         │ finished(runId, outcome)
 *    └──────────── Complete | Error_* + "complete" ◀───────────┘
 *
 *   set Requested while pending/running → stop the run (if any), pending again
 *   set Canceled, or any other input changed → stop the run (if any), idle, None
 * ```
 *
 * Rules, from the data type's description:
 * - only `Requested` and `Canceled` may be written (the binding objects to others);
 * - the test starts after the current ACS session ends (`sessionEnded`);
 * - `Requested` again while pending or running restarts with the current parameters;
 * - `Canceled` stops the test, sets None and raises no completion;
 * - changing any other writable parameter stops the test and sets None, also when idle;
 * - a finished run sets `Complete` or an `Error_*` value and asks for
 *   `8 DIAGNOSTICS COMPLETE`; a finish of a stopped run (stale `runId`) is ignored.
 *
 * @module
 */

/** Where the diagnostic is. */
export type DiagnosticsPhase = "idle" | "pending" | "running";

/** The machine's state. `value` is what DiagnosticsState reads. */
export interface DiagnosticsMachine {
  readonly phase: DiagnosticsPhase;
  /** DiagnosticsState: None, Requested, Complete or an Error_* value. */
  readonly value: string;
  /** Number of the current (or last) run; a new run gets the next number. */
  readonly runId: number;
}

/** What happens to the machine. */
export type DiagnosticsInput =
  /** One SetParameterValues batch on the object. */
  | {
    readonly kind: "set";
    /** The DiagnosticsState written in the batch, if any. */
    readonly diagnosticsState?: "Requested" | "Canceled";
    /** Whether the batch writes any other parameter of the object. */
    readonly inputsChanged: boolean;
  }
  /** The ACS session ended. */
  | { readonly kind: "sessionEnded" }
  /** Run `runId` finished with `value` (Complete or Error_*). */
  | { readonly kind: "finished"; readonly runId: number; readonly value: string };

/** What the manager must do. */
export type DiagnosticsAction =
  | { readonly kind: "start"; readonly runId: number }
  | { readonly kind: "stop"; readonly runId: number }
  /** The run finished: keep its results and raise `8 DIAGNOSTICS COMPLETE`. */
  | { readonly kind: "complete"; readonly runId: number };

/** Result of {@linkcode diagnosticsStep}. */
export interface DiagnosticsStep {
  readonly machine: DiagnosticsMachine;
  readonly actions: readonly DiagnosticsAction[];
}

/** The state after power-on (no results kept across a reboot). */
export const INITIAL_DIAGNOSTICS: DiagnosticsMachine = { phase: "idle", value: "None", runId: 0 };

/** Applies `input` to `machine`. */
export function diagnosticsStep(
  machine: DiagnosticsMachine,
  input: DiagnosticsInput,
): DiagnosticsStep {
  switch (input.kind) {
    case "set": {
      const stop: DiagnosticsAction[] = machine.phase === "running"
        ? [{ kind: "stop", runId: machine.runId }]
        : [];
      if (input.diagnosticsState === "Requested") {
        return {
          machine: { phase: "pending", value: "Requested", runId: machine.runId },
          actions: stop,
        };
      }
      if (input.diagnosticsState === "Canceled" || input.inputsChanged) {
        return { machine: { ...machine, phase: "idle", value: "None" }, actions: stop };
      }
      return { machine, actions: [] };
    }
    case "sessionEnded": {
      if (machine.phase !== "pending") return { machine, actions: [] };
      const runId = machine.runId + 1;
      return {
        machine: { phase: "running", value: "Requested", runId },
        actions: [{ kind: "start", runId }],
      };
    }
    case "finished": {
      if (machine.phase !== "running" || input.runId !== machine.runId) {
        return { machine, actions: [] };
      }
      return {
        machine: { phase: "idle", value: input.value, runId: machine.runId },
        actions: [{ kind: "complete", runId: machine.runId }],
      };
    }
  }
}
