// Hostile configuration and mapping files: bombs, garbage, wrong kinds of file.
import assert from "node:assert/strict";
import { ConfigError, loadConfig, readConfigFile } from "../../src/config/mod.ts";
import { loadMapping, readMappingFile } from "../../src/config/mapping.ts";

async function withDir(test: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cwmp-cfg-" });
  try {
    await test(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The one-line ConfigError `work` throws, bounded in time. */
async function configError(work: () => unknown, ms = 5_000): Promise<string> {
  const t0 = Date.now();
  try {
    await work();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `not a ConfigError: ${error}`);
    assert.ok(!error.message.includes("\n"), error.message);
    assert.ok(Date.now() - t0 < ms, `took ${Date.now() - t0} ms`);
    return error.message;
  }
  throw new Error("no ConfigError");
}

Deno.test("loadConfig() reports deeply nested TOML on one line", async () => {
  for (
    const text of [
      "[log]\nx = " + "[".repeat(100_000) + "]".repeat(100_000),
      "[log]\nx = " + "{a=".repeat(10_000) + "1" + "}".repeat(10_000),
      "[" + Array.from({ length: 20_000 }, (_, i) => `a${i}`).join(".") + "]\n",
      "[log]\n" + "a.".repeat(20_000) + "b = 1\n",
    ]
  ) {
    assert.match(await configError(() => loadConfig(text, { file: "t.toml" })), /^t\.toml/);
  }
});

Deno.test("loadConfig() reports binary garbage on one line", async () => {
  for (let i = 0; i < 20; i++) {
    const bytes = crypto.getRandomValues(new Uint8Array(4096));
    const text = new TextDecoder().decode(bytes);
    assert.match(await configError(() => loadConfig(text, { file: "t.toml" })), /^t\.toml/);
  }
});

/** A named pipe at `path` (coreutils' mkfifo). */
async function makeFifo(path: string): Promise<string> {
  const made = await new Deno.Command("mkfifo", { args: [path] }).output();
  assert.ok(made.success, "mkfifo failed");
  return path;
}

Deno.test("readConfigFile() refuses a file over 1 MiB, a directory, a device and a FIFO", async () => {
  await withDir(async (dir) => {
    const big = `${dir}/big.toml`;
    await Deno.writeTextFile(big, "[log]\n" + "# padding\n".repeat(120_000));
    assert.equal(
      await configError(() => readConfigFile(big)),
      `${big}: cannot read the file (larger than 1048576 bytes)`,
    );
    assert.equal(
      await configError(() => readConfigFile(dir)),
      `${dir}: cannot read the file (not a regular file)`,
    );
    assert.equal(
      await configError(() => readConfigFile("/dev/zero")),
      "/dev/zero: cannot read the file (not a regular file)",
    );
    // A FIFO is refused before it is opened: opening it would wait for a writer.
    const fifo = await makeFifo(`${dir}/fifo.toml`);
    assert.equal(
      await configError(() => readConfigFile(fifo)),
      `${fifo}: cannot read the file (not a regular file)`,
    );
    const garbage = `${dir}/garbage.toml`;
    await Deno.writeFile(garbage, crypto.getRandomValues(new Uint8Array(50_000)));
    assert.match(await configError(() => readConfigFile(garbage)), /garbage\.toml/);
  });
});

Deno.test("readConfigFile() refuses a password_file that is a directory, a device, a FIFO or too big", async () => {
  await withDir(async (dir) => {
    const big = `${dir}/big.secret`;
    await Deno.writeTextFile(big, "x".repeat(100_000));
    for (
      const [target, reason] of [
        [dir, "not a regular file"],
        ["/dev/zero", "not a regular file"],
        [big, "larger than 65536 bytes"],
        [`${dir}/none`, "NotFound"],
        [await makeFifo(`${dir}/secret.fifo`), "not a regular file"],
      ]
    ) {
      const path = `${dir}/cwmp.toml`;
      await Deno.writeTextFile(path, `[acs]\nurl = "http://a/"\npassword_file = "${target}"\n`);
      assert.equal(
        await configError(() => readConfigFile(path)),
        `${path}:3: acs.password_file: cannot read "${target}": ${reason}`,
      );
    }
  });
});

Deno.test("readMappingFile() refuses over 1 MiB and a FIFO; 1 MiB of objects fails fast on one line", async () => {
  await withDir(async (dir) => {
    const big = `${dir}/big.toml`;
    await Deno.writeTextFile(big, "# padding\n".repeat(120_000));
    assert.equal(
      await configError(() => readMappingFile(big)),
      `${big}: cannot read the file (larger than 1048576 bytes)`,
    );
    assert.equal(
      await configError(() => readMappingFile("/dev/zero")),
      "/dev/zero: cannot read the file (not a regular file)",
    );
    const fifo = await makeFifo(`${dir}/mapping.fifo`);
    assert.equal(
      await configError(() => readMappingFile(fifo)),
      `${fifo}: cannot read the file (not a regular file)`,
    );
  });
  let text = "";
  for (let i = 0; text.length < 1_000_000; i++) {
    text += `[[object]]\npath = "Device.DeviceInfo."\nparameters = ["Manufacturer"]\n` +
      `get = ["/bin/true", "${i}"]\n`;
  }
  assert.match(
    await configError(() => loadMapping(text, { file: "m.toml" })),
    /^m\.toml:\d+: object\[2\]/,
  );
});
