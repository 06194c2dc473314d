/**
 * The release bundle without its TR-181 schema file (a damaged install): the agent stops at
 * start and `check-config` refuses the same configuration, both with the same one line.
 */

import assert from "node:assert/strict";
import { bundleThisTree } from "../_helpers/bundle_tree.ts";
import { LAUNCHER_ENV, runArguments } from "../../src/build/tarball.ts";

Deno.test("a missing schema file stops the agent and check-config with the same line", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cwmp-schema-file-" });
  try {
    const app = `${dir}/app`;
    await bundleThisTree(app);
    await Deno.remove(`${app}/tr181_schema.txt`);
    const config = `${dir}/cwmp.toml`;
    await Deno.writeTextFile(
      config,
      `[acs]\nurl = "http://127.0.0.1:9/"\n[agent]\nstate_dir = "${dir}/state"\n[connection_request]\nport = 0\n[log]\nconsole = false\n`,
    );
    const run = async (args: string[]) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: [...runArguments(app), ...args],
        env: { ...LAUNCHER_ENV, DENO_DIR: `${dir}/deno` },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
      return { code: out.code, lines: text.trim().split("\n") };
    };
    const expected = `Cannot load the Device:2.17 schema from ${app}/tr181_schema.txt: `;
    const agent = await run(["--config", config]);
    assert.equal(agent.code, 1);
    assert.equal(agent.lines.length, 1, agent.lines.join("\n"));
    assert.ok(agent.lines[0].startsWith(expected), agent.lines[0]);
    const checked = await run(["check-config", "--config", config]);
    assert.equal(checked.code, 1);
    assert.deepEqual(checked.lines, agent.lines);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
