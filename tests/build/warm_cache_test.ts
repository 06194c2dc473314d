/**
 * `cwmp-agent warm-cache` on the real release bundle: the seed it makes holds V8's code
 * cache of every module of the bundle that a start of the agent loads on its way to the
 * first Inform (so a boot from the seed compiles none of them again), and nothing the
 * agent does not load (it runs without the CLI parser and its Node layer); a start reads
 * no module it does not load.
 */

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { bundleThisTree } from "../_helpers/bundle_tree.ts";
import { LAUNCHER_ENV, runArguments } from "../../src/build/tarball.ts";
import { startFakeAcs } from "../_helpers/fake_acs.ts";
import { spawnAgent, writeAgentConfig } from "../_helpers/agent_process.ts";

/** The specifiers a cache database of `denoDir` holds. */
function cached(denoDir: string, database: string, table: string): string[] {
  const db = new DatabaseSync(`${denoDir}/${database}`, { readOnly: true });
  try {
    return db.prepare(`SELECT specifier FROM ${table}`).all().map((r) => String(r.specifier));
  } finally {
    db.close();
  }
}

/** The specifiers V8's code cache in `denoDir` holds. */
function codeCached(denoDir: string): string[] {
  return cached(denoDir, "v8_code_cache_v2", "codecache");
}

Deno.test("warm-cache seeds V8's code cache of every bundle module a start loads", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cwmp-warm-" });
  const acs = startFakeAcs();
  try {
    const app = `${dir}/app`;
    await bundleThisTree(app);
    const seed = `${dir}/seed`;
    const warmed = await new Deno.Command(Deno.execPath(), {
      args: [...runArguments(app), "warm-cache"],
      env: { ...LAUNCHER_ENV, DENO_DIR: seed },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(warmed.code, 0, new TextDecoder().decode(warmed.stderr));

    // A start with an empty DENO_DIR: what it caches is what a start loads.
    const booted = `${dir}/boot`;
    const config = await writeAgentConfig(dir, { acsUrl: acs.url, stateDir: `${dir}/state` });
    const agent = spawnAgent(config, {
      runArgs: runArguments(app),
      env: { ...LAUNCHER_ENV, DENO_DIR: booted },
    });
    try {
      await acs.waitForSessions(1, 20_000);
    } finally {
      await agent.kill("SIGKILL");
    }
    const appUrl = `file://${app}/`;
    const ours = (list: string[]) => list.filter((s) => s.startsWith(appUrl)).sort();
    const loaded = ours(codeCached(booted));
    assert.ok(loaded.includes(`${appUrl}agent.js`), loaded.join("\n"));
    assert.ok(loaded.length >= 10, `only ${loaded.length} modules cached at a start`);
    const seeded = codeCached(seed);
    assert.deepEqual(ours(seeded).filter((s) => !loaded.includes(s)), [], "seeded, not loaded");
    assert.deepEqual(loaded.filter((s) => !seeded.includes(s)), [], "loaded, not seeded");
    assert.deepEqual(seeded.filter((s) => s.startsWith("ext:deno_node/")), [], "no Node layer");
    // Deno reads and analyses a module's dynamic imports of literal specifiers with it: the
    // bundle's are not literals, so a start reads only what it loads.
    const analysed = ours(cached(booted, "dep_analysis_cache_v2", "moduleinfocache"));
    assert.deepEqual(analysed.filter((s) => !loaded.includes(s)), [], "read, not loaded");
    const bundled = [...Deno.readDirSync(app)].filter((e) => e.name.endsWith(".js")).length;
    assert.ok(bundled > loaded.length + 10, `${bundled} modules bundled, ${loaded.length} loaded`);
  } finally {
    await acs.close();
    await Deno.remove(dir, { recursive: true });
  }
});
