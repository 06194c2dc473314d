/**
 * The agent as bundled JavaScript for a release: `agent.js` (main.ts and everything it
 * imports, npm packages inlined) and one bundle per module the code loads by URL at run
 * time, beside it under the name `runtimeModuleUrl()` looks for
 * (src/services/udp/runtime_module.ts). The release version is stamped into `agent.js`
 * in place of main.ts's `VERSION`, so `cwmp-agent --version` and the start-up log line
 * name the build.
 *
 * @module
 */

import { run } from "./runtime.ts";
import { deferDynamicImports } from "./defer_imports.ts";
import { type ColumnShift, editShifts, releaseSourceMap } from "./source_maps.ts";

/** A module loaded by URL at run time, and the name of its bundle beside `agent.js`. */
export interface RuntimeModule {
  source: string;
  bundle: string;
}

/**
 * Modules the code loads by URL at run time (the UDP Worker and the handlers it imports),
 * which neither `deno bundle` nor `deno compile` can see statically.
 */
export const RUNTIME_MODULES: readonly RuntimeModule[] = [
  { source: "src/services/udp/ffi_worker.ts", bundle: "ffi_worker.js" },
  { source: "src/services/udp_echo/handler.ts", bundle: "udp_echo_handler.js" },
  { source: "src/services/twamp/reflector.ts", bundle: "twamp_reflector.js" },
];

/**
 * The schema data files the generated schema modules read beside themselves
 * (`src/datamodel/generated/*.ts`), copied beside the chunks.
 */
export const SCHEMA_DATA_FILES: readonly string[] = [
  "src/datamodel/generated/tr181_schema.txt",
  "src/datamodel/generated/tr098_schema.txt",
];

/**
 * Whether `name` is a file {@linkcode bundleAgent} writes for the release: a module, a schema
 * data file or a source map.
 */
export function isBundleFile(name: string): boolean {
  return [".js", ".txt", ".map"].some((end) => name.endsWith(end));
}

/** The main bundle's file name. */
export const AGENT_BUNDLE = "agent.js";

/**
 * The release version: deno.json's `version`, plus `git describe` as SemVer build
 * metadata when the tree is a git checkout not exactly at tag `v<version>`
 * (`0.1.0+a61a82c`, `0.1.0+v0.1.0-3-ga61a82c.dirty`).
 */
export function releaseVersion(version: string, describe?: string): string {
  if (!describe || describe === `v${version}` || describe === version) return version;
  const meta = describe.replace(/-dirty$/, ".dirty").replace(/[^0-9A-Za-z.-]/g, "-");
  return `${version}+${meta}`;
}

/** `git describe --tags --always --dirty` in `dir`, or undefined without git. */
export async function gitDescribe(dir: string): Promise<string | undefined> {
  try {
    return (await run("git", ["describe", "--tags", "--always", "--dirty"], dir)).trim() ||
      undefined;
  } catch {
    return undefined;
  }
}

/**
 * Replaces the value of main.ts's `VERSION` (`"<base>"`) in the bundle text by `version`.
 * The bundle is minified, so the constant is found through the entry's export
 * (`export{e as VERSION}`) and its one assignment (`e="<base>"`). Throws when either is not
 * found exactly once (the build must not ship an unstamped agent).
 */
export function stampVersion(bundle: string, base: string, version: string): string {
  const exported = [...bundle.matchAll(/\bexport\s*\{([^}]*)\}/g)]
    .flatMap((m) => m[1].split(","))
    .map((item) => item.trim().split(/\s+as\s+/))
    .filter((parts) => (parts[1] ?? parts[0]) === "VERSION")
    .map((parts) => parts[0]);
  // Without the export (a test's text): esbuild's renamed `VERSION2` counts too.
  const name = exported.length === 1 ? exported[0].replace(/\$/g, "\\$") : "VERSION\\d*";
  const literal = base.replace(/[.+]/g, "\\$&");
  const pattern = new RegExp(`(?<![\\w$.])(${name})(\\s*)=(\\s*)"${literal}"`, "g");
  const found = bundle.match(pattern)?.length ?? 0;
  if (found !== 1) {
    throw new Error(
      `Cannot stamp the version: found VERSION = "${base}" ${found} times in the bundle`,
    );
  }
  return bundle.replace(pattern, (_, id, a, b) => `${id}${a}=${b}${JSON.stringify(version)}`);
}

/**
 * Minified (V8 parses and keeps less source: 1.0 MB instead of 1.4 MB, and ASCII, which V8
 * stores one byte per character; measured 10–15 ms off the start-up without a code cache
 * and 2–3 MiB off the idle RSS), with a linked source map per file for readable stack traces
 * (`source_maps.ts`). Not `--keep-names`: setting the name of every function and class as the
 * modules load cost 2.4–3.4 ms of the start-up (A/B from the seed, 40 starts each) and
 * 0.7 MiB of idle RSS.
 */
export const MINIFY: readonly string[] = ["--minify", "--sourcemap=linked"];

/** Options of {@linkcode bundleAgent}. */
export interface BundleOptions {
  /** The repository root (main.ts, deno.json). */
  root: string;
  /** The output directory. */
  outDir: string;
  /** deno.json's version (main.ts's VERSION). */
  baseVersion: string;
  /** What to stamp. */
  version: string;
  /** The Deno CLI that bundles. */
  deno: string;
}

/**
 * Writes `agent.js` (with its chunks: the modules main.ts imports on demand, such as the
 * local commands and `node:tls`, stay in chunks of their own, so running the agent neither
 * evaluates them nor loads the Node built-ins they import), the runtime modules' bundles and
 * the schema data files into `outDir`.
 */
export async function bundleAgent(o: BundleOptions): Promise<void> {
  await Deno.mkdir(o.outDir, { recursive: true });
  const split = await Deno.makeTempDir({ prefix: "cwmp-bundle-" });
  try {
    await run(
      o.deno,
      ["bundle", "--quiet", ...MINIFY, "--code-splitting", "--outdir", split, "main.ts"],
      o.root,
    );
    const entries = [...Deno.readDirSync(split)].map((e) => e.name).sort();
    // Chunks first: the version stamp and the dynamic imports' rewrite move columns their
    // maps must follow (each list in the coordinates of the text it edited, applied in turn).
    const edits = new Map<string, ColumnShift[][]>();
    for (const file of entries.filter((n) => n.endsWith(".js"))) {
      const name = file === "main.js" ? AGENT_BUNDLE : file;
      if (RUNTIME_MODULES.some((m) => m.bundle === name)) {
        throw new Error(`A chunk of main.ts is named like a runtime module: ${name}`);
      }
      let code = await Deno.readTextFile(`${split}/${file}`);
      const lists: ColumnShift[][] = [];
      if (file === "main.js") {
        const stamped = stampVersion(code, o.baseVersion, o.version);
        lists.push(editShifts(code, stamped));
        code = stamped.replace(
          /\/\/# sourceMappingURL=main\.js\.map\s*$/,
          `//# sourceMappingURL=${AGENT_BUNDLE}.map\n`,
        );
      }
      const deferred = deferDynamicImports(code);
      lists.push(deferred.shifts);
      edits.set(file, lists);
      await Deno.writeTextFile(`${o.outDir}/${name}`, deferred.code);
    }
    for (const file of entries.filter((n) => n.endsWith(".js.map"))) {
      const text = await Deno.readTextFile(`${split}/${file}`);
      const place = { mapDir: split, root: o.root };
      const name = file === "main.js.map" ? `${AGENT_BUNDLE}.map` : file;
      const lists = edits.get(file.slice(0, -4)) ?? [];
      await Deno.writeTextFile(`${o.outDir}/${name}`, releaseSourceMap(text, place, lists));
    }
  } finally {
    await Deno.remove(split, { recursive: true });
  }
  for (const file of SCHEMA_DATA_FILES) {
    await Deno.copyFile(
      `${o.root}/${file}`,
      `${o.outDir}/${file.slice(file.lastIndexOf("/") + 1)}`,
    );
  }
  for (const { source, bundle } of RUNTIME_MODULES) {
    await run(
      o.deno,
      ["bundle", "--quiet", ...MINIFY, "--output", `${o.outDir}/${bundle}`, source],
      o.root,
    );
    const map = `${o.outDir}/${bundle}.map`;
    const place = { mapDir: o.outDir, root: o.root };
    await Deno.writeTextFile(map, releaseSourceMap(await Deno.readTextFile(map), place));
  }
}
