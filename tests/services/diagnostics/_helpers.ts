import type { RunResult, SystemSource } from "../../../src/platform/system_source.ts";
import type { RunContext } from "../../../src/services/diagnostics/runner.ts";

const FIXTURES = new URL("../../testdata/diagnostics/", import.meta.url);

/** A captured output of `tests/testdata/diagnostics/`. */
export function fixture(name: string): string {
  return Deno.readTextFileSync(new URL(name, FIXTURES));
}

/** A system whose commands answer from `outputs` (keyed by argv joined with spaces). */
export function fakeSource(
  outputs: Record<string, RunResult> = {},
  files: Record<string, string> = {},
): SystemSource & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    readText: (path) => Promise.resolve(files[path]),
    listDir: () => Promise.resolve([]),
    run(argv) {
      const key = argv.join(" ");
      calls.push(key);
      return Promise.resolve(outputs[key] ?? { code: 127, stdout: "" });
    },
    now: () => 0,
  };
}

/** A run context on `source` that never aborts. */
export function context(
  source: SystemSource = fakeSource(),
  extra: Partial<RunContext> = {},
): RunContext {
  return {
    signal: new AbortController().signal,
    now: () => performance.timeOrigin + performance.now(),
    source,
    ...extra,
  };
}
