import { loadMapping } from "../../../src/config/mapping.ts";
import { createScriptBindings } from "../../../src/datamodel/providers/script/mod.ts";
import { createCommandRunner } from "../../../src/datamodel/providers/script/command_runner.ts";
import { runProviderContract } from "../../_helpers/provider_contract.ts";

const dir = new URL("../../testdata/script/", import.meta.url).pathname;
const root = Deno.makeTempDirSync({ prefix: "script_contract_" });
globalThis.addEventListener("unload", () => Deno.removeSync(root, { recursive: true }));
let subjects = 0;

runProviderContract("createScriptBindings() (tests/testdata/script/wifi.sh)", () => {
  const stateDir = `${root}/${++subjects}`;
  for (const [n, ssid, enable] of [[1, "home", "true"], [3, "guest", "false"]]) {
    Deno.mkdirSync(`${stateDir}/${n}`, { recursive: true });
    Deno.writeTextFileSync(`${stateDir}/${n}/SSID`, String(ssid));
    Deno.writeTextFileSync(`${stateDir}/${n}/Enable`, String(enable));
  }
  const wifi = (op: string) => JSON.stringify(["sh", `${dir}wifi.sh`, op]);
  const mapping = loadMapping(
    [
      `[env]\nSTATE_DIR = ${JSON.stringify(stateDir)}`,
      '[[object]]\npath = "Device.WiFi.SSID.{i}."\nparameters = ["SSID", "Enable"]',
      `instances = ${wifi("list")}\nget = ${wifi("get")}\nset = ${wifi("set")}`,
      `add = ${wifi("add")}\ndelete = ${wifi("delete")}`,
    ].join("\n"),
    { file: "map.toml" },
  );
  return {
    bindings: createScriptBindings(mapping, createCommandRunner()),
    validSets: [[
      { path: "Device.WiFi.SSID.1.SSID", value: "changed" },
      { path: "Device.WiFi.SSID.3.Enable", value: "true" },
    ]],
    failingSets: [[
      { path: "Device.WiFi.SSID.1.SSID", value: "fine" },
      { path: "Device.WiFi.SSID.3.SSID", value: "explode" },
    ]],
    mutate: () => Deno.removeSync(`${stateDir}/3`, { recursive: true }),
  };
});
