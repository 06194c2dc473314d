import assert from "node:assert/strict";
import { CONFIG_SCHEMA, defaultConfig, loadConfig } from "../../src/config/mod.ts";

const examplePath = new URL("../../config/cwmp.example.toml", import.meta.url);
const example = Deno.readTextFileSync(examplePath);

Deno.test("loadConfig() loads config/cwmp.example.toml", () => {
  const cfg = loadConfig(example, { file: "config/cwmp.example.toml" });
  assert.equal(cfg.acs.url, "http://127.0.0.1:7557/");
  assert.equal(cfg.acs.password, "change-me");
  assert.equal(cfg.connectionRequest.password, "change-me-too");
  assert.equal(cfg.device.manufacturerOui, "00D09E");
  assert.equal(cfg.cpe.cwmpVersion, "1.4");
  assert.deepEqual(cfg.agent.factoryResetCommand, ["sh", "-c", "firstboot -y && reboot"]);
});

/** TOML keys per section in `text`, counting commented-out `# key = …` lines. */
function documentedKeys(text: string): Set<string> {
  const keys = new Set<string>();
  let section = "";
  for (const line of text.split("\n")) {
    const header = /^\[([a-z_]+)\]/.exec(line);
    if (header) section = header[1];
    const key = /^(?:#\s*)?([a-z][a-z_0-9]*)\s*=/.exec(line);
    if (key && section !== "") keys.add(`${section}.${key[1]}`);
  }
  return keys;
}

Deno.test("CONFIG_SCHEMA keys are all documented in config/cwmp.example.toml", () => {
  const documented = documentedKeys(example);
  const missing = Object.entries(CONFIG_SCHEMA).flatMap(([section, spec]) =>
    Object.keys(spec.keys).map((key) => `${section}.${key}`).filter((k) => !documented.has(k))
  );
  assert.deepEqual(missing, []);
  for (const key of documented) {
    const [section, name] = key.split(".");
    assert.ok(CONFIG_SCHEMA[section]?.keys[name], `example documents unknown key "${key}"`);
  }
});

Deno.test("CONFIG_SCHEMA fields all exist in defaultConfig()", () => {
  const defaults = defaultConfig() as unknown as Record<string, Record<string, unknown>>;
  for (const [section, spec] of Object.entries(CONFIG_SCHEMA)) {
    for (const [key, keySpec] of Object.entries(spec.keys)) {
      assert.ok(keySpec.field in defaults[spec.field], `${section}.${key} has no default`);
    }
  }
});

Deno.test("CONFIG_SCHEMA sets every defaultConfig() field except derived ones", () => {
  const defaults = defaultConfig() as unknown as Record<string, Record<string, unknown>>;
  const set = new Set(
    Object.values(CONFIG_SCHEMA).flatMap((s) =>
      Object.values(s.keys).map((k) => `${s.field}.${k.field}`)
    ),
  );
  const unset = Object.entries(defaults).flatMap(([section, fields]) =>
    Object.keys(fields).map((f) => `${section}.${f}`).filter((f) => !set.has(f))
  );
  assert.deepEqual(unset, ["cpe.cwmpVersion"]);
});

Deno.test("loadConfig() accepts the [transfer] examples for OpenWrt and Debian", () => {
  for (const name of ["transfer-openwrt.toml", "transfer-debian.toml"]) {
    const text = Deno.readTextFileSync(new URL(`../../config/${name}`, import.meta.url));
    const cfg = loadConfig(`[acs]\nurl = "https://acs.example/"\n${text}`, { file: name });
    assert.ok(cfg.transfer.firmwareCommand.length > 0, name);
    assert.ok(cfg.transfer.verifyCommand.length > 0, name);
  }
  const openwrt = Deno.readTextFileSync(
    new URL("../../config/transfer-openwrt.toml", import.meta.url),
  );
  const cfg = loadConfig(openwrt, { file: "transfer-openwrt.toml" });
  assert.deepEqual(cfg.transfer.firmwareCommand, ["sysupgrade"]);
  assert.equal(cfg.transfer.firmwareReboot, false);
});
