import assert from "node:assert/strict";
import {
  type DiagnosticsInput,
  type DiagnosticsMachine,
  diagnosticsStep,
  INITIAL_DIAGNOSTICS,
} from "../../../src/services/diagnostics/state_machine.ts";

const idle = (value: string): DiagnosticsMachine => ({ phase: "idle", value, runId: 4 });
const pending: DiagnosticsMachine = { phase: "pending", value: "Requested", runId: 4 };
const running: DiagnosticsMachine = { phase: "running", value: "Requested", runId: 4 };
const requested: DiagnosticsInput = {
  kind: "set",
  diagnosticsState: "Requested",
  inputsChanged: false,
};
const canceled: DiagnosticsInput = {
  kind: "set",
  diagnosticsState: "Canceled",
  inputsChanged: false,
};
const inputs: DiagnosticsInput = { kind: "set", inputsChanged: true };
const same: DiagnosticsInput = { kind: "set", inputsChanged: false };
const ended: DiagnosticsInput = { kind: "sessionEnded" };

// [name, from, input, expected machine, expected actions]
const RULES: [string, DiagnosticsMachine, DiagnosticsInput, DiagnosticsMachine, string[]][] = [
  ["Requested when idle waits for the session end", idle("None"), requested, pending, []],
  [
    "Requested with inputs in the same SPV also waits",
    idle("Complete"),
    {
      ...requested,
      inputsChanged: true,
    },
    pending,
    [],
  ],
  ["session end starts a pending test", pending, ended, {
    phase: "running",
    value: "Requested",
    runId: 5,
  }, ["start 5"]],
  ["session end does nothing when idle", idle("Complete"), ended, idle("Complete"), []],
  ["session end does not restart a running test", running, ended, running, []],
  ["Requested while running stops and waits to restart", running, requested, pending, ["stop 4"]],
  ["Canceled while running stops, None, no completion", running, canceled, idle("None"), [
    "stop 4",
  ]],
  ["Canceled while pending drops the request", pending, canceled, idle("None"), []],
  ["an input change while running stops, None", running, inputs, idle("None"), ["stop 4"]],
  ["an input change while pending drops the request", pending, inputs, idle("None"), []],
  [
    "an input change when idle sets None (results indeterminate)",
    idle("Complete"),
    inputs,
    idle(
      "None",
    ),
    [],
  ],
  ["a batch that changes nothing keeps the state", idle("Complete"), same, idle("Complete"), []],
  [
    "finish of the current run completes",
    running,
    {
      kind: "finished",
      runId: 4,
      value: "Error_CannotResolveHostName",
    },
    idle("Error_CannotResolveHostName"),
    ["complete 4"],
  ],
  [
    "finish of a stopped run is ignored",
    pending,
    {
      kind: "finished",
      runId: 4,
      value: "Complete",
    },
    pending,
    [],
  ],
  [
    "finish of an older run is ignored",
    { ...running, runId: 5 },
    {
      kind: "finished",
      runId: 4,
      value: "Complete",
    },
    { ...running, runId: 5 },
    [],
  ],
];

for (const [name, from, input, machine, actions] of RULES) {
  Deno.test(`diagnosticsStep() ${name}`, () => {
    const step = diagnosticsStep(from, input);
    assert.deepEqual(step.machine, machine);
    assert.deepEqual(step.actions.map((a) => `${a.kind} ${a.runId}`), actions);
  });
}

Deno.test("INITIAL_DIAGNOSTICS reads None and is idle", () => {
  assert.deepEqual(INITIAL_DIAGNOSTICS, { phase: "idle", value: "None", runId: 0 });
});
