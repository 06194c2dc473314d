import assert from "node:assert/strict";
import type { RunResult, SystemSource } from "../../../src/platform/system_source.ts";
import {
  type DiagnosticName,
  DiagnosticsManager,
  type DiagnosticsManagerOptions,
} from "../../../src/services/diagnostics/manager.ts";
import type { Runner } from "../../../src/services/diagnostics/runner.ts";
import { udpEchoDscpUnavailable } from "../../../src/services/diagnostics/runner_options.ts";
import { tosSocketUnavailable } from "../../../src/services/udp/tos_socket.ts";
import { fixture } from "./_helpers.ts";

// No static import of a runner module here (ping.ts…): the manager imports them itself.

// That they stay out of the agent's start-up graph: tests/agent/startup_graph_test.ts.
const DIAGNOSTICS = new URL("../../../src/services/diagnostics/", import.meta.url);

/** A system whose every `ping` answers with the captured loopback run (3 replies). */
function pingSource(): SystemSource & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    readText: () => Promise.resolve(undefined),
    listDir: () => Promise.resolve([]),
    run(argv): Promise<RunResult> {
      calls.push(argv.join(" "));
      return Promise.resolve(
        argv[0] === "ping"
          ? { code: 0, stdout: fixture("ping_loopback.txt") }
          : { code: 127, stdout: "" },
      );
    },
    now: () => 0,
  };
}

/** A manager with IPPing requested on 127.0.0.1, and what it reports. */
function pingManager(options: Partial<DiagnosticsManagerOptions> = {}) {
  const source = pingSource();
  const errors: [DiagnosticName, unknown][] = [];
  const manager = new DiagnosticsManager({
    source,
    onRunnerError: (name, error) => errors.push([name, error]),
    ...options,
  });
  const completed: DiagnosticName[] = [];
  manager.onComplete((name) => completed.push(name));
  const run = async () => {
    manager.apply("IPPing", { Host: "127.0.0.1", DiagnosticsState: "Requested" });
    manager.sessionEnded();
    await manager.settled();
  };
  return { manager, source, errors, completed, run };
}

Deno.test("DiagnosticsManager runs IPPing through its runner module, imported on the first run", async () => {
  const { manager, source, errors, completed, run } = pingManager();
  await run();
  assert.deepEqual(errors, []);
  assert.deepEqual(completed, ["IPPing"]);
  assert.equal(source.calls.length, 1);
  assert.match(source.calls[0], /^ping .*127\.0\.0\.1$/);
  assert.equal(manager.value("IPPing", "DiagnosticsState"), "Complete");
  assert.equal(manager.value("IPPing", "SuccessCount"), "3");
  assert.equal(manager.value("IPPing", "MinimumResponseTimeDetailed"), "24");
  await run();
  assert.deepEqual(completed, ["IPPing", "IPPing"]);
  assert.equal(manager.value("IPPing", "DiagnosticsState"), "Complete");
});

Deno.test("DiagnosticsManager loads a runner once for all its runs", async () => {
  let loads = 0;
  const { manager, completed, run } = pingManager({
    loaders: {
      IPPing: async () => {
        loads++;
        return (await import(new URL("ping.ts", DIAGNOSTICS).href)).runIPPing as Runner;
      },
    },
  });
  assert.equal(loads, 0, "nothing is loaded before a run");
  await run();
  await run();
  assert.equal(loads, 1);
  assert.deepEqual(completed, ["IPPing", "IPPing"]);
  assert.equal(manager.value("IPPing", "SuccessCount"), "3");
});

Deno.test("DiagnosticsManager ends a run Error_Internal when its runner module fails to load", async () => {
  let loads = 0;
  const { manager, source, errors, completed, run } = pingManager({
    loaders: {
      IPPing: async () => {
        loads++;
        // A real failed import (the module does not exist), then a good one: the
        // failure is not kept.
        const file = loads === 1 ? "no_such_runner.ts" : "ping.ts";
        return (await import(new URL(file, DIAGNOSTICS).href)).runIPPing as Runner;
      },
    },
  });
  await run();
  assert.equal(manager.value("IPPing", "DiagnosticsState"), "Error_Internal");
  assert.deepEqual(completed, ["IPPing"]);
  assert.deepEqual(source.calls, []);
  assert.equal(errors.length, 1);
  assert.equal(errors[0][0], "IPPing");
  assert.match(String(errors[0][1]), /no_such_runner\.ts/);
  await run();
  assert.equal(loads, 2);
  assert.equal(manager.value("IPPing", "DiagnosticsState"), "Complete");
  assert.deepEqual(completed, ["IPPing", "IPPing"]);
  assert.equal(errors.length, 1);
});

Deno.test("DiagnosticsManager keeps a runner override before any loader", async () => {
  let loads = 0;
  const { manager, run } = pingManager({
    runners: {
      IPPing: () => Promise.resolve({ state: "Complete", results: { SuccessCount: "7" } }),
    },
    loaders: {
      IPPing: () => {
        loads++;
        return Promise.reject(new Error("not used"));
      },
    },
  });
  await run();
  assert.equal(loads, 0);
  assert.equal(manager.value("IPPing", "SuccessCount"), "7");
});

Deno.test("udpEchoDscpUnavailable() agrees with the marking socket's tosSocketUnavailable()", () => {
  const why = tosSocketUnavailable();
  assert.equal(
    udpEchoDscpUnavailable(),
    why === undefined ? undefined : `no socket that can set IP_TOS (${why})`,
  );
});
