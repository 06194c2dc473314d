import assert from "node:assert/strict";
import { DEFAULT_CONFIG_PATH, parseArgs } from "../../src/cli/mod.ts";

Deno.test("parseArgs() runs the agent with --config or -c", () => {
  assert.deepEqual(parseArgs(["--config", "cwmp.toml"]), { kind: "run", configPath: "cwmp.toml" });
  assert.deepEqual(parseArgs(["-c", "a.toml"]), { kind: "run", configPath: "a.toml" });
  assert.deepEqual(parseArgs(["--config=b.toml"]), { kind: "run", configPath: "b.toml" });
  assert.deepEqual(parseArgs([]), { kind: "run", configPath: DEFAULT_CONFIG_PATH });
});

Deno.test("parseArgs() accepts the run subcommand with the option before or after it", () => {
  assert.deepEqual(parseArgs(["run", "--config", "f"]), { kind: "run", configPath: "f" });
  assert.deepEqual(parseArgs(["-c", "g", "run"]), { kind: "run", configPath: "g" });
});

Deno.test("parseArgs() parses check-config", () => {
  assert.deepEqual(parseArgs(["check-config", "--config", "f"]), {
    kind: "checkConfig",
    configPath: "f",
  });
  assert.deepEqual(parseArgs(["check-config", "-c", "f"]), {
    kind: "checkConfig",
    configPath: "f",
  });
});

Deno.test("parseArgs() parses --version and -V", () => {
  assert.deepEqual(parseArgs(["--version"]), { kind: "version" });
  assert.deepEqual(parseArgs(["-V"]), { kind: "version" });
});

Deno.test("parseArgs() returns help text without printing", () => {
  for (const argv of [["--help"], ["-h"], ["help"]]) {
    const command = parseArgs(argv);
    assert.equal(command.kind, "help");
    assert.match(command.text, /^Usage: cwmp-agent \[options\] \[command\]/);
    assert.match(command.text, /check-config/);
  }
  const run = parseArgs(["help", "run"]);
  assert.equal(run.kind, "help");
  assert.match(run.text, /^Usage: cwmp-agent run \[options\]/);
  assert.equal(parseArgs(["run", "--help"]).kind, "help");
});

Deno.test("parseArgs() parses local data-model operations", () => {
  assert.deepEqual(parseArgs(["get", "Device.DeviceInfo.", "-c", "f"]), {
    kind: "local",
    op: "get",
    args: ["Device.DeviceInfo."],
    configPath: "f",
  });
  assert.deepEqual(parseArgs(["set", "A.B", "1", "C.D", "x y"]), {
    kind: "local",
    op: "set",
    args: ["A.B", "1", "C.D", "x y"],
    configPath: DEFAULT_CONFIG_PATH,
  });
  for (const op of ["add", "del", "names", "attrs"]) {
    assert.equal(parseArgs([op, "Device."]).kind, "local");
  }
});

Deno.test("parseArgs() returns one-line errors with exit code 2", () => {
  const cases: [string[], string][] = [
    [["--bogus"], 'Unknown option "--bogus"'],
    [["frob"], 'Unknown command "frob"'],
    [["--config"], 'Option "-c, --config <file>" argument missing'],
    [["get"], 'Missing required argument "arguments"'],
    [["run", "extra"], 'Too many arguments for "run". Expected 0 arguments but got 1: extra'],
  ];
  for (const [argv, message] of cases) {
    assert.deepEqual(parseArgs(argv), { kind: "error", message, exitCode: 2 });
  }
});

Deno.test("parseArgs() can be called repeatedly", () => {
  assert.deepEqual(parseArgs(["-c", "one"]), { kind: "run", configPath: "one" });
  assert.deepEqual(parseArgs([]), { kind: "run", configPath: DEFAULT_CONFIG_PATH });
});

Deno.test("parseArgs() parses notify without arguments", () => {
  assert.deepEqual(parseArgs(["notify", "-c", "a.toml"]), {
    kind: "local",
    op: "notify",
    args: [],
    configPath: "a.toml",
  });
});
