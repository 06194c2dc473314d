/**
 * Where a module that is loaded by URL at run time lives (the FFI Worker, the handler
 * modules a `HandlerSpec` names). Two layouts exist:
 *
 * - source (`deno run main.ts`, `deno compile`): `import.meta.url` is the `.ts` file
 *   itself, so the module sits at its path relative to the caller;
 * - bundle (the release tarball, `build.ts`): every module's `import.meta.url` is the
 *   bundle's, and each runtime module ships as a bundle of its own beside it, under the
 *   name `build.ts` gives it (`RUNTIME_MODULES` there).
 *
 * @module
 */

/**
 * The URL of a runtime-loaded module: `relative` to `base` when `base` is a source file,
 * else the sibling bundle `bundle`.
 *
 * @example
 * ```ts
 * const src = "file:///opt/agent/src/services/udp/ffi_path.ts";
 * const bundle = "file:///opt/cwmp-agent/app/agent.js";
 * console.assert(
 *   runtimeModuleUrl("./ffi_worker.ts", src, "ffi_worker.js") ===
 *     "file:///opt/agent/src/services/udp/ffi_worker.ts",
 * );
 * console.assert(
 *   runtimeModuleUrl("./ffi_worker.ts", bundle, "ffi_worker.js") ===
 *     "file:///opt/cwmp-agent/app/ffi_worker.js",
 * );
 * ```
 */
export function runtimeModuleUrl(relative: string, base: string, bundle: string): string {
  const bundled = !new URL(base).pathname.endsWith(".ts");
  return new URL(bundled ? `./${bundle}` : relative, base).href;
}
