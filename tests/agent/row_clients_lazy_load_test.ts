/**
 * Start-up guard: the XMPP and MQTT client code is reached from the agent's entry
 * (`src/cli/run_agent.ts`) only through a dynamic `import()` (loaded when the first
 * enabled row needs a client), never by a static import: a release bundle has V8 parse
 * and compile everything in its start-up chunk. Type-only imports do not count (they are
 * erased). Read from `deno info --json`.
 *
 * @module
 */

import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);
const ENTRY = "src/cli/run_agent.ts";

/** Modules the agent must load on demand only. */
const ON_DEMAND = [
  "src/services/xmpp/client.ts",
  "src/services/xmpp/sasl.ts",
  "src/services/xmpp/stanza.ts",
  "src/services/mqtt/client.ts",
  "src/services/mqtt/connection.ts",
  "src/services/mqtt/packet.ts",
];

interface InfoDependency {
  code?: { specifier: string };
  isDynamic?: boolean;
}

interface InfoModule {
  specifier: string;
  dependencies?: InfoDependency[];
}

/** The modules `entry` reaches through static, non-type imports, as paths under ROOT. */
async function staticGraph(entry: string): Promise<Set<string>> {
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
  const seen = new Set(info.roots);
  const stack = [...info.roots];
  while (stack.length > 0) {
    for (const dependency of modules.get(stack.pop()!)?.dependencies ?? []) {
      const next = dependency.code?.specifier;
      if (next === undefined || dependency.isDynamic || seen.has(next)) continue;
      seen.add(next);
      stack.push(next);
    }
  }
  return new Set([...seen].map((s) => s.startsWith(ROOT.href) ? s.slice(ROOT.href.length) : s));
}

Deno.test("run_agent.ts reaches the XMPP and MQTT client code only through import()", async () => {
  const graph = await staticGraph(ENTRY);
  assert.ok(graph.has("src/agent.ts"), "the graph was read");
  assert.deepEqual(ON_DEMAND.filter((path) => graph.has(path)), []);
});
