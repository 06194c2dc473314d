/**
 * The module graph of an entry as `deno info --json` reports it, split into what is
 * reached through static imports (parsed and compiled at start: a release bundle puts it
 * in the start-up chunk) and what is named by a dynamic `import()` somewhere in that static
 * part (loaded on demand). Type-only imports are erased and do not count.
 *
 * @module
 */

import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);

/** What an entry reaches, as paths relative to the repository root. */
export interface ImportGraph {
  /** Reached through static, non-type imports. */
  readonly static: ReadonlySet<string>;
  /** Named by a dynamic `import()` in a statically reached module. */
  readonly dynamic: ReadonlySet<string>;
}

interface InfoModule {
  specifier: string;
  dependencies?: { isDynamic?: boolean; code?: { specifier?: string } }[];
}

/** The graph of `entry` (a path relative to the repository root). */
export async function importGraph(entry: string): Promise<ImportGraph> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(output.success, new TextDecoder().decode(output.stderr));
  const info = JSON.parse(new TextDecoder().decode(output.stdout)) as {
    roots: string[];
    modules: InfoModule[];
  };
  const modules = new Map(info.modules.map((m) => [m.specifier, m]));
  const reached = new Set(info.roots);
  const dynamic = new Set<string>();
  const stack = [...info.roots];
  while (stack.length > 0) {
    for (const dependency of modules.get(stack.pop()!)?.dependencies ?? []) {
      const next = dependency.code?.specifier;
      if (next === undefined) continue;
      if (dependency.isDynamic) dynamic.add(next);
      else if (!reached.has(next)) {
        reached.add(next);
        stack.push(next);
      }
    }
  }
  const relative = (s: string) => s.startsWith(ROOT.href) ? s.slice(ROOT.href.length) : s;
  return {
    static: new Set([...reached].map(relative)),
    dynamic: new Set([...dynamic].map(relative)),
  };
}
