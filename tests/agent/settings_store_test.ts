import assert from "node:assert/strict";
import { defaultConfig } from "../../src/config/mod.ts";
import { factorySettings, SettingsStore } from "../../src/agent/settings_store.ts";
import type { AgentConfig } from "../../src/config/mod.ts";

function configWith(acs: Partial<AgentConfig["acs"]>, crPassword = "cr-secret"): AgentConfig {
  const base = defaultConfig();
  return {
    ...base,
    acs: { ...base.acs, url: "http://127.0.0.1:7557/", ...acs },
    connectionRequest: { ...base.connectionRequest, password: crPassword },
  };
}

interface Opened {
  store: SettingsStore;
  lines: string[];
}

function open(dir: string, config: AgentConfig, at = Date.UTC(2026, 0, 1)): Opened {
  const lines: string[] = [];
  const store = SettingsStore.open(dir, factorySettings(config, ""), {
    onDiffer: (line) => lines.push(line),
    onCorrupt: (line) => lines.push(`corrupt: ${line}`),
    now: () => at,
  });
  return { store, lines };
}

const row = (store: SettingsStore, name: string) =>
  store.sources().find((r) => r.parameter === `Device.ManagementServer.${name}`);

Deno.test("SettingsStore.open() keeps an ACS-set value while the config value is unchanged", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const first = open(dir, configWith({ periodicInformInterval: 300 }));
    first.store.set({ periodicInformInterval: 60 });
    const again = open(dir, configWith({ periodicInformInterval: 300 }), Date.UTC(2026, 0, 2));
    assert.equal(again.store.get().periodicInformInterval, 60);
    assert.deepEqual(again.lines, [
      "Device.ManagementServer.PeriodicInformInterval: the value the ACS set (60) stands over" +
      " the config file's acs.periodic_inform_interval (300) (unchanged since the last start;" +
      " edit it to override)",
    ]);
    assert.deepEqual(row(again.store, "PeriodicInformInterval"), {
      parameter: "Device.ManagementServer.PeriodicInformInterval",
      key: "acs.periodic_inform_interval",
      source: "acs",
      since: "2026-01-01T00:00:00Z",
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SettingsStore.open() lets a config value changed since the last start win", async () => {
  const dir = await Deno.makeTempDir();
  try {
    open(dir, configWith({ periodicInformInterval: 300 })).store.set({
      periodicInformInterval: 60,
    });
    const edited = open(dir, configWith({ periodicInformInterval: 900 }), Date.UTC(2026, 0, 3));
    assert.equal(edited.store.get().periodicInformInterval, 900);
    assert.deepEqual(edited.lines, [
      "Device.ManagementServer.PeriodicInformInterval: the config file's" +
      " acs.periodic_inform_interval (900) changed since the last start and replaces the value" +
      " the ACS set (60)",
    ]);
    assert.deepEqual(row(edited.store, "PeriodicInformInterval"), {
      parameter: "Device.ManagementServer.PeriodicInformInterval",
      key: "acs.periodic_inform_interval",
      source: "config",
      since: "2026-01-03T00:00:00Z",
    });
    // Persisted: the next start with the same file keeps the config value, silently.
    const next = open(dir, configWith({ periodicInformInterval: 900 }));
    assert.equal(next.store.get().periodicInformInterval, 900);
    assert.deepEqual(next.lines, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SettingsStore.open() never logs a password, and keeps only its fingerprint", async () => {
  const dir = await Deno.makeTempDir();
  try {
    open(dir, configWith({}, "old-config-pw")).store.set({
      connectionRequestPassword: "acs-set-pw",
    });
    const kept = open(dir, configWith({}, "old-config-pw"));
    assert.equal(kept.store.get().connectionRequestPassword, "acs-set-pw");
    const edited = open(dir, configWith({}, "new-config-pw"));
    assert.equal(edited.store.get().connectionRequestPassword, "new-config-pw");
    assert.deepEqual(edited.lines, [
      "Device.ManagementServer.ConnectionRequestPassword: the config file's" +
      " connection_request.password changed since the last start and replaces the value the" +
      " ACS set",
    ]);
    const text = [...kept.lines, ...edited.lines].join("\n") +
      await Deno.readTextFile(`${dir}/config_sources.json`);
    for (const secret of ["old-config-pw", "new-config-pw", "acs-set-pw"]) {
      assert.ok(!text.includes(secret), secret);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SettingsStore.open() on a state dir from before the fingerprints lets the ACS value stand", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/settings.json`, '{"periodicInformInterval": 42}\n');
    const { store } = open(dir, configWith({ periodicInformInterval: 300 }));
    assert.equal(store.get().periodicInformInterval, 42);
    assert.deepEqual(row(store, "PeriodicInformInterval")?.since, "0001-01-01T00:00:00Z");
    assert.equal(row(store, "PeriodicInformInterval")?.source, "acs");
    assert.equal(row(store, "URL")?.source, "config");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SettingsStore.reset() returns every setting to the config file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { store } = open(dir, configWith({ periodicInformInterval: 300 }));
    store.set({ periodicInformInterval: 60, parameterKey: "k1" });
    store.reset();
    assert.equal(store.get().periodicInformInterval, 300);
    assert.ok(store.sources().every((r) => r.source === "config"));
    const again = open(dir, configWith({ periodicInformInterval: 300 }));
    assert.ok(again.store.sources().every((r) => r.source === "config"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SettingsStore.applyConfig() applies the same rule on a reload", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { store, lines } = open(dir, configWith({ periodicInformInterval: 300 }));
    store.set({ periodicInformInterval: 60, username: "acs-user" });
    store.applyConfig(factorySettings(configWith({ periodicInformInterval: 120 }), ""));
    assert.equal(store.get().periodicInformInterval, 120);
    assert.equal(store.get().username, "acs-user");
    assert.equal(lines.length, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
