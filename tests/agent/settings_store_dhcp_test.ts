import assert from "node:assert/strict";
import { type AgentConfig, defaultConfig } from "../../src/config/mod.ts";
import {
  factorySettings,
  SettingsStore,
  type StoredSettings,
} from "../../src/agent/settings_store.ts";

function configWith(acs: Partial<AgentConfig["acs"]>): AgentConfig {
  const base = defaultConfig();
  return {
    ...base,
    acs: { ...base.acs, url: "http://file.example/", dhcpDiscovery: true, ...acs },
  };
}

function open(dir: string, config = configWith({}), dhcp = true) {
  const changes: Partial<StoredSettings>[] = [];
  const store = SettingsStore.open(dir, factorySettings(config, ""), {
    now: () => Date.UTC(2026, 0, 1),
    dhcp,
  });
  store.onChange((c) => changes.push(c));
  return { store, changes };
}

const urlRow = (store: SettingsStore) =>
  store.sources().find((r) => r.parameter === "Device.ManagementServer.URL");

async function inTempDir(fn: (dir: string) => void | Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("SettingsStore.applyDhcp() replaces the config file's URL and tells the listeners", () =>
  inTempDir((dir) => {
    const { store, changes } = open(dir);
    assert.deepEqual(
      store.applyDhcp({ url: "http://dhcp.example/", cwmpRetryMinimumWaitInterval: 9 }),
      [
        "url",
        "cwmpRetryMinimumWaitInterval",
      ],
    );
    assert.equal(store.get().url, "http://dhcp.example/");
    assert.equal(store.get().cwmpRetryMinimumWaitInterval, 9);
    assert.deepEqual(changes, [{ url: "http://dhcp.example/", cwmpRetryMinimumWaitInterval: 9 }]);
    assert.deepEqual(urlRow(store), {
      parameter: "Device.ManagementServer.URL",
      key: "acs.url",
      source: "dhcp",
      since: "2026-01-01T00:00:00Z",
    });
    // The same lease again changes nothing and tells nobody.
    assert.deepEqual(store.applyDhcp({ url: "http://dhcp.example/" }), []);
    assert.equal(changes.length, 1);
  }));

Deno.test("SettingsStore.applyDhcp() values persist across a restart", () =>
  inTempDir((dir) => {
    open(dir).store.applyDhcp({ url: "http://dhcp.example/", provisioningCode: "DHCP.1" });
    const again = open(dir).store;
    assert.equal(again.get().url, "http://dhcp.example/");
    assert.equal(again.get().provisioningCode, "DHCP.1");
  }));

Deno.test("SettingsStore.applyDhcp(): an ACS-set URL stands over the same DHCP URL, a different one replaces it", () =>
  inTempDir((dir) => {
    const { store } = open(dir);
    store.applyDhcp({ url: "http://dhcp-1.example/" });
    store.set({ url: "http://moved-by-acs.example/" });
    assert.equal(store.applyDhcp({ url: "http://dhcp-1.example/" }).length, 0);
    assert.equal(store.get().url, "http://moved-by-acs.example/");
    assert.equal(urlRow(store)?.source, "acs");
    // Across a restart too.
    const again = open(dir).store;
    assert.equal(again.applyDhcp({ url: "http://dhcp-1.example/" }).length, 0);
    assert.equal(again.get().url, "http://moved-by-acs.example/");
    // The operator re-points the DHCP server: the new URL wins.
    assert.deepEqual(again.applyDhcp({ url: "http://dhcp-2.example/" }), ["url"]);
    assert.equal(again.get().url, "http://dhcp-2.example/");
    assert.equal(urlRow(again)?.source, "dhcp");
    assert.equal(open(dir).store.get().url, "http://dhcp-2.example/");
  }));

Deno.test("SettingsStore.applyDhcp() does nothing without acs.dhcp_discovery, and a factory reset keeps DHCP values", () =>
  inTempDir((dir) => {
    const off = open(dir, configWith({ dhcpDiscovery: false }), false).store;
    assert.deepEqual(off.applyDhcp({ url: "http://dhcp.example/" }), []);
    assert.equal(off.get().url, "http://file.example/");
    const on = open(dir).store;
    on.applyDhcp({ url: "http://dhcp.example/" });
    on.set({ url: "http://acs.example/" });
    on.reset();
    assert.equal(on.get().url, "http://dhcp.example/");
  }));

Deno.test("factorySettings() starts from acs.dhcp_url when DHCP discovery is on", () => {
  const url = (acs: Partial<AgentConfig["acs"]>) => factorySettings(configWith(acs), "").url;
  assert.equal(url({ dhcpUrl: "http://learnt.example/" }), "http://learnt.example/");
  assert.equal(
    url({ dhcpUrl: "http://learnt.example/", dhcpDiscovery: false }),
    "http://file.example/",
  );
  assert.equal(url({}), "http://file.example/");
});
