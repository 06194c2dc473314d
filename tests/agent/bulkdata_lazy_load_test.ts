/**
 * Start-up guard for the services the agent builds at every start but uses only when
 * configured: Bulk Data (`agent/bulkdata.ts`), STUN (`agent/udp_cr.ts`), lightweight
 * notifications (`agent/lwn.ts`) and the DHCP option decoders (`agent/dhcp.ts`). Their
 * heavy modules are reached from the agent's entry (`src/cli/run_agent.ts`) only through a
 * dynamic `import()`, never by a static import: a release bundle has V8 parse and compile
 * everything in its start-up chunk. Type-only imports do not count (they are erased). Read
 * from `deno info --json`.
 *
 * @module
 */

import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);
const ENTRY = "src/cli/run_agent.ts";

/** Modules the agent must load on demand only, by the wrapper that imports them. */
const ON_DEMAND = [
  // agent/bulkdata.ts: the first profile that runs (or a Reference count).
  "src/services/bulkdata/mod.ts",
  "src/services/bulkdata/collect.ts",
  "src/services/bulkdata/report.ts",
  "src/services/bulkdata/schedule.ts",
  "src/services/bulkdata/sender.ts",
  "src/services/bulkdata/http_transport.ts",
  // agent/udp_cr.ts: the port opens (STUNEnable).
  "src/services/stun/client.ts",
  "src/services/stun/message.ts",
  "src/services/stun/udp_connection_request.ts",
  // agent/lwn.ts: the first lightweight change to send.
  "src/services/lwn/mod.ts",
  "src/services/lwn/message.ts",
  "src/services/lwn/sender.ts",
  "src/services/lwn/trigger.ts",
  // agent/dhcp.ts: the first lease applied.
  "src/services/dhcp/mod.ts",
  "src/services/dhcp/options.ts",
  "src/services/dhcp/lease.ts",
];

interface InfoDependency {
  code?: { specifier: string };
  isDynamic?: boolean;
}

interface InfoModule {
  specifier: string;
  dependencies?: InfoDependency[];
}

interface Graph {
  /** Reached through static, non-type imports. */
  static: Set<string>;
  /** Named by a dynamic import somewhere in the graph. */
  dynamic: Set<string>;
}

/** What `entry` reaches, as paths under ROOT. */
async function graphOf(entry: string): Promise<Graph> {
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
  const dynamic = new Set<string>();
  const stack = [...info.roots];
  while (stack.length > 0) {
    for (const dependency of modules.get(stack.pop()!)?.dependencies ?? []) {
      const next = dependency.code?.specifier;
      if (next === undefined) continue;
      if (dependency.isDynamic) dynamic.add(next);
      else if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  const relative = (s: string) => s.startsWith(ROOT.href) ? s.slice(ROOT.href.length) : s;
  return { static: new Set([...seen].map(relative)), dynamic: new Set([...dynamic].map(relative)) };
}

Deno.test("run_agent.ts reaches Bulk Data, STUN, LWN and DHCP decoders only through import()", async () => {
  const graph = await graphOf(ENTRY);
  assert.ok(graph.static.has("src/agent.ts"), "the graph was read");
  assert.deepEqual(ON_DEMAND.filter((path) => graph.static.has(path)), []);
  // The wrappers themselves stay in the start-up graph, and import what they load.
  for (
    const path of [
      "src/agent/bulkdata.ts",
      "src/agent/udp_cr.ts",
      "src/agent/lwn.ts",
      "src/agent/dhcp.ts",
      "src/services/bulkdata/transport.ts",
      "src/services/dhcp/limits.ts",
    ]
  ) assert.ok(graph.static.has(path), path);
  for (
    const path of [
      "src/services/bulkdata/sender.ts",
      "src/services/bulkdata/collect.ts",
      "src/services/bulkdata/http_transport.ts",
      "src/services/stun/client.ts",
      "src/services/lwn/sender.ts",
      "src/services/dhcp/lease.ts",
    ]
  ) assert.ok(graph.dynamic.has(path), `${path} is imported on demand`);
});
