/**
 * The V8 flags the agent runs with on a router, heap limits and compilation: embedded by `deno compile`
 * (`build.ts`), passed by `deno task start`, used by the benchmarks and the tests' agent.
 *
 * Measured (`bench/memory_bench.ts`, 10,000 sessions, live heap 15–17 MB): without limits RSS
 * grows from ~87 MiB at idle to ~200 MiB as V8 grows its heap; with these it stays near
 * 100 MiB for +0.5–0.9 ms CPU per session. The old-space cap alone is a trap (64 MB without a
 * semi-space cap ran 3–4 full GCs per session), hence both. The largest response a request may
 * build (`acs.max_response_bytes`, 8 MiB by default, about 6× that in heap while encoding)
 * fits under the cap, so an oversized request is a 9004 fault, not an out-of-memory death;
 * lower `max_response_bytes` with any smaller cap.
 *
 * `--expose-gc` lets the agent run V8's last-resort collection once it is quiet after a
 * session (src/platform/memory_trim.ts): the heap pages a busy stretch grew go back to the
 * system instead of staying in V8's pool.
 *
 * `--no-lazy` compiles every function of a module when the module is compiled, so V8's code
 * cache (made by Deno right after that compile, before the module runs; seeded at install by
 * `cwmp-agent warm-cache`) holds the bytecode of every function a start calls. Lazily, V8
 * compiled about 630 functions again at every start on the way to the first Inform.
 * Measured on the release bundle from the seed, same run, flags taking turns: spawn → BOOT
 * Inform median 82.9 → 67.3 ms (p25 73.9 → 60.5; another run 73.8 → 65.1); idle RSS
 * +0.6–1.9 MiB (the bytecode of functions a start does not call, until V8 flushes it). A
 * start without any cache (no seed, empty `DENO_DIR`) compiles more: 137 → 158 ms.
 *
 * @module
 */

/** `--v8-flags` of the agent process. */
export const V8_FLAGS: readonly string[] = [
  "--max-old-space-size=96",
  "--max-semi-space-size=2",
  "--expose-gc",
  "--no-lazy",
];

/** The flags as one `--v8-flags=…` argument of `deno run` / `deno compile`. */
export function v8FlagsArgument(flags: readonly string[] = V8_FLAGS): string {
  return `--v8-flags=${flags.join(",")}`;
}

/**
 * The flags a device short of memory adds through the release launcher's
 * `CWMP_AGENT_V8_FLAGS` (`src/build/tarball.ts`): V8 stops at its baseline compiler
 * (Sparkplug), so neither Maglev nor TurboFan ever runs, and neither their code pages in the
 * runtime nor the code they make are ever resident.
 *
 * Measured on x86_64, three runs each way within two hours (README, Benchmarks): RSS of the
 * release bundle 3 s after 10,000 sessions +3.7 to +3.8 MiB over idle instead of +10.6 to
 * +11.5 (the runtime's code pages +1.0 to +1.1 instead of +6.0 to +6.6), idle the same
 * (49–52 MiB); agent CPU per session 6.4–8.0 instead of 4.2–5.0 ms; the whole-tree GPV asked
 * by the ACS 4.7–7.4 instead of 4.2–5.0 ms; the TWAMP reflector 0.67× a C server's rate
 * instead of 1.11×, p99 +92 µs instead of +28 (UDP echo 1.09× instead of 1.07×, p99 +25
 * instead of +12 µs; one run). `--max-opt=0` (no baseline compiler either) kept +3.2 MiB for a
 * little more CPU (3,000 sessions).
 */
export const SMALL_MEMORY_V8_FLAGS: readonly string[] = ["--max-opt=1"];
