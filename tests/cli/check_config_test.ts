import assert from "node:assert/strict";
import { join } from "node:path";
import { runCheckConfig } from "../../src/cli/mod.ts";
import { SchemaFileError } from "../../src/datamodel/schema_gen/decode.ts";

/** Writes `text` (with a state dir, and an ACS URL unless `[acs]` is there) and runs `body`. */
async function withConfig(text: string, body: (path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "cwmp.toml");
    const acs = text.startsWith("[acs]") ? "" : '[acs]\nurl = "http://127.0.0.1:7557/"\n';
    const state = `[agent]\nstate_dir = ${JSON.stringify(join(dir, "state"))}\n`;
    // The URL goes right after `[acs]`: the keys of the test text are one line further down.
    const withUrl = text.replace(/^\[acs\]\n(?!url)/, `[acs]\nurl = "http://127.0.0.1:7557/"\n`);
    await Deno.writeTextFile(path, `${withUrl}${acs}${state}`);
    await body(path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("runCheckConfig() reports OK with the redacted config", async () => {
  await withConfig(
    '[acs]\nurl = "https://acs.example/"\npassword_file = "acs.pw"\n',
    async (path) => {
      await Deno.writeTextFile(join(path, "..", "acs.pw"), "pw-from-file\n");
      const result = await runCheckConfig(path);
      assert.equal(result.ok, true);
      assert.ok(result.output.startsWith(`${path}: OK\n`));
      const shown = JSON.parse(result.output.slice(result.output.indexOf("\n") + 1));
      assert.equal(shown.acs.url, "https://acs.example/");
      assert.equal(shown.acs.password, "********");
      assert.ok(!result.output.includes("pw-from-file"));
    },
  );
});

Deno.test("runCheckConfig() returns the one-line error", async () => {
  await withConfig("[acs]\nretry_min_wait_interval = 0\n", async (path) => {
    const result = await runCheckConfig(path);
    assert.deepEqual(result, {
      ok: false,
      output:
        `${path}:3: acs.retry_min_wait_interval: expected an integer from 1 to 65535, got 0\n`,
    });
  });
});

Deno.test("runCheckConfig() accepts acs.allow_basic_over_http as a boolean only", async () => {
  await withConfig("[acs]\nallow_basic_over_http = true\n", async (path) => {
    const result = await runCheckConfig(path);
    assert.equal(result.ok, true);
    const shown = JSON.parse(result.output.slice(result.output.indexOf("\n") + 1));
    assert.equal(shown.acs.allow_basic_over_http, true);
  });
  await withConfig('[acs]\nallow_basic_over_http = "yes"\n', async (path) => {
    assert.deepEqual(await runCheckConfig(path), {
      ok: false,
      output: `${path}:3: acs.allow_basic_over_http: expected true or false, got "yes"\n`,
    });
  });
});

Deno.test("runCheckConfig() reports an unreadable file", async () => {
  const result = await runCheckConfig("/nonexistent/cwmp.toml");
  assert.deepEqual(result, {
    ok: false,
    output: "/nonexistent/cwmp.toml: cannot read the file (NotFound)\n",
  });
});

Deno.test("runCheckConfig() reads secrets from the environment", async () => {
  const name = "CWMP_AGENT_TEST_CR_PASSWORD";
  Deno.env.set(name, "from-env");
  try {
    await withConfig(`[connection_request]\npassword_env = "${name}"\n`, async (path) => {
      const result = await runCheckConfig(path);
      assert.equal(result.ok, true);
      assert.ok(!result.output.includes("from-env"));
    });
  } finally {
    Deno.env.delete(name);
  }
});

Deno.test("runCheckConfig() reads the configured model's schema and returns its one-line error", async () => {
  await withConfig('[cpe]\ndatamodel = "tr098"\n', async (path) => {
    const asked: string[] = [];
    const result = await runCheckConfig(path, {
      loadSchema: (root) => {
        asked.push(root);
        return Promise.reject(new SchemaFileError("Cannot load the X:1 schema from /x: gone"));
      },
    });
    assert.deepEqual(asked, ["tr098"]);
    assert.deepEqual(result, { ok: false, output: "Cannot load the X:1 schema from /x: gone\n" });
  });
  await withConfig("", async (path) => {
    assert.equal((await runCheckConfig(path)).ok, true, "the shipped schema loads");
  });
});
