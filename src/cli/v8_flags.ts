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
