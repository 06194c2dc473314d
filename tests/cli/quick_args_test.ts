import assert from "node:assert/strict";
import { quickCommand } from "../../src/cli/quick_args.ts";
import { DEFAULT_CONFIG_PATH, parseArgs } from "../../src/cli/args.ts";

Deno.test("quickCommand() answers exactly as the full parser where it answers at all", () => {
  const lines = [
    [],
    ["--version"],
    ["-V"],
    ["run"],
    ["-c", "a.toml"],
    ["--config", "/etc/x.toml"],
    ["--config=b.toml"],
    ["run", "--config", "c.toml"],
    ["run", "-c", "d.toml"],
    ["run", "--config=e.toml"],
    ["warm-cache"],
    // Not quick: left to the full parser.
    ["--help"],
    ["-c"],
    ["-c", "--version"],
    ["--config", "a", "--config", "b"],
    ["status"],
    ["check-config", "-c", "a.toml"],
    ["run", "extra"],
    ["--version", "-c", "a"],
    ["--bogus"],
    ["get", "Device."],
    ["warm-cache", "extra"],
  ];
  let quick = 0;
  for (const argv of lines) {
    const fast = quickCommand(argv);
    if (fast === undefined) continue;
    quick++;
    assert.deepEqual(fast, parseArgs(argv), JSON.stringify(argv));
  }
  assert.equal(quick, 11, "every run, version and warm-cache form is quick");
  assert.deepEqual(quickCommand([]), { kind: "run", configPath: DEFAULT_CONFIG_PATH });
});
