// config/cwmp.dev.toml, the README's quick-start config: safe on a developer machine.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { readConfigFile } from "../../src/config/mod.ts";
import { runCheckConfig } from "../../src/cli/mod.ts";

const DEV = fileURLToPath(new URL("../../config/cwmp.dev.toml", import.meta.url));

Deno.test("config/cwmp.dev.toml passes check-config", async () => {
  const result = await runCheckConfig(DEV);
  assert.equal(result.ok, true, result.output);
});

Deno.test("config/cwmp.dev.toml stays on loopback and runs only harmless commands", async () => {
  const config = await readConfigFile(DEV);
  assert.equal(new URL(config.acs.url).hostname, "127.0.0.1");
  assert.equal(config.connectionRequest.bind, "127.0.0.1");
  assert.ok(config.agent.stateDir.startsWith("/tmp/"));
  const commands = [
    config.agent.rebootCommand,
    config.agent.factoryResetCommand,
    config.transfer.firmwareCommand,
    config.transfer.webContentCommand,
    config.transfer.vendorConfigCommand,
    config.transfer.toneFileCommand,
    config.transfer.ringerFileCommand,
    config.transfer.verifyCommand,
    config.transfer.configBackupCommand,
    config.transfer.logCommand,
  ];
  for (const argv of commands) assert.ok(argv.length === 0 || argv[0] === "echo", argv.join(" "));
  assert.equal(config.log.file, false);
});
