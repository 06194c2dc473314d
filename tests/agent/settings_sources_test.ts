import assert from "node:assert/strict";
import { defaultConfig } from "../../src/config/mod.ts";
import type { AgentConfig } from "../../src/config/mod.ts";
import { factorySettings, SettingsStore } from "../../src/agent/settings_store.ts";
import {
  configText,
  emptySources,
  fingerprintOf,
  parseSources,
  prefetchFingerprints,
  reconcileSettings,
  serializeSources,
} from "../../src/agent/settings_sources.ts";
import { StateJournal } from "../../src/store/mod.ts";
import { sha256Hex } from "../../src/transport/hash.ts";

function configWith(acs: Partial<AgentConfig["acs"]>, crPassword = "cr-secret"): AgentConfig {
  const base = defaultConfig();
  return {
    ...base,
    acs: { ...base.acs, url: "http://127.0.0.1:7557/", ...acs },
    connectionRequest: { ...base.connectionRequest, password: crPassword },
  };
}

/** A journal that counts what it writes, per file name. */
class CountingJournal extends StateJournal {
  writes: string[] = [];
  override write(path: string, content: string | null): void {
    this.writes.push(path.slice(this.dir.length + 1));
    super.write(path, content);
  }
}

interface OpenOptions {
  at?: number;
  mode?: "sync" | "async";
  defer?: boolean;
}

async function open(dir: string, config: AgentConfig, options: OpenOptions = {}) {
  const lines: string[] = [];
  const journal = new CountingJournal(dir);
  const storeOptions = {
    onDiffer: (line: string) => lines.push(line),
    onCorrupt: (line: string) => lines.push(`corrupt: ${line}`),
    now: () => options.at ?? Date.UTC(2026, 0, 1),
    journal,
    deferSourcesWrite: options.defer,
  };
  const factory = factorySettings(config, "");
  const store = options.mode === "async"
    ? await SettingsStore.openAsync(dir, factory, storeOptions)
    : SettingsStore.open(dir, factory, storeOptions);
  return { store, lines, writes: journal.writes };
}

async function inTempDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * config_sources.json as the code before `configSha256` wrote it, for configWith({
 * periodicInformInterval: 300 }) after the ACS set PeriodicInformInterval 60 and
 * ConnectionRequestPassword "acs-pw" on 2026-01-01.
 */
const BEFORE_COMBINED: Record<string, string> = {
  url: "e79acafe785e3aef48f05f87abe78a735be9fa68acf8af0d563e65e94ffe60f9",
  username: "12ae32cb1ec02d01eda3581b127c1fee3b0dc53572ed6baf239721a03d82e126",
  password: "12ae32cb1ec02d01eda3581b127c1fee3b0dc53572ed6baf239721a03d82e126",
  periodicInformEnable: "b5bea41b6c623f7c09f1bf24dcae58ebab3c0cdd90ad966bc43a45b44867e12b",
  periodicInformInterval: "983bd614bb5afece5ab3b6023f71147cd7b6bc2314f9d27af7422541c6558389",
  periodicInformTime: "5ff8c2905e56d243596bedd80f6eb9db72fbbd372eff5ce053aa7bfe0e225816",
  parameterKey: "12ae32cb1ec02d01eda3581b127c1fee3b0dc53572ed6baf239721a03d82e126",
  connectionRequestUsername: "12ae32cb1ec02d01eda3581b127c1fee3b0dc53572ed6baf239721a03d82e126",
  connectionRequestPassword: "680147c7357d2ee1d240e14a87eba08109e3d302a3612a1bbcf960bd8e74a4ad",
  cwmpRetryMinimumWaitInterval: "ef2d127de37b942baad06145e54b0c619a1f22327b2ebbcfbec78f5564afe39d",
  cwmpRetryIntervalMultiplier: "81a83544cf93c245178cbc1620030f1123f435af867c79d87135983c52ab39d9",
  instanceMode: "dca85441df64f84a8803d800554159664b379bb89e2c46f696030ac1a5297448",
  provisioningCode: "12ae32cb1ec02d01eda3581b127c1fee3b0dc53572ed6baf239721a03d82e126",
  heartbeatEnable: "fcbcf165908dd18a9e49f7ff27810176db8e9f63b4352213741664245224f8aa",
  heartbeatReportingInterval: "624b60c58c9d8bfb6ff1886c2fd605d2adeb6ea4da576068201b6c6958ce93f4",
  heartbeatInitiationTime: "5ff8c2905e56d243596bedd80f6eb9db72fbbd372eff5ce053aa7bfe0e225816",
  stunEnable: "fcbcf165908dd18a9e49f7ff27810176db8e9f63b4352213741664245224f8aa",
  stunServerAddress: "12ae32cb1ec02d01eda3581b127c1fee3b0dc53572ed6baf239721a03d82e126",
  stunServerPort: "d88e4a72af6b2d5e7c737813df9e499a7acb92c308b62dc0ae7f429b154b4da4",
  stunUsername: "12ae32cb1ec02d01eda3581b127c1fee3b0dc53572ed6baf239721a03d82e126",
  stunPassword: "12ae32cb1ec02d01eda3581b127c1fee3b0dc53572ed6baf239721a03d82e126",
  stunMaximumKeepAlivePeriod: "1bad6b8cf97131fceab8543e81f7757195fbb1d36b376ee994ad1cf17699c464",
  stunMinimumKeepAlivePeriod: "624b60c58c9d8bfb6ff1886c2fd605d2adeb6ea4da576068201b6c6958ce93f4",
  udpConnectionRequestAddressNotificationLimit:
    "5feceb66ffc86f38d952786c6d696c79c2dbc239dd4e91b46729d73a27fb57e9",
  lightweightNotificationProtocolsUsed:
    "12ae32cb1ec02d01eda3581b127c1fee3b0dc53572ed6baf239721a03d82e126",
  lightweightNotificationTriggerInterval:
    "5feceb66ffc86f38d952786c6d696c79c2dbc239dd4e91b46729d73a27fb57e9",
  lightweightNotificationTriggerTime:
    "5ff8c2905e56d243596bedd80f6eb9db72fbbd372eff5ce053aa7bfe0e225816",
  udpLightweightNotificationHost:
    "12ae32cb1ec02d01eda3581b127c1fee3b0dc53572ed6baf239721a03d82e126",
  udpLightweightNotificationPort:
    "f346692204a77ef735940799259ca692ef60d07ff6f56b8132364689b6999b5d",
};

function beforeCombinedText(): string {
  const config = Object.fromEntries(
    Object.entries(BEFORE_COMBINED).map((
      [k, sha256],
    ) => [k, { sha256, since: "2026-01-01T00:00:00Z" }]),
  );
  const acs = {
    periodicInformInterval: "2026-01-01T00:00:00Z",
    connectionRequestPassword: "2026-01-01T00:00:00Z",
  };
  return JSON.stringify({ version: 1, config, acs }, null, 2) + "\n";
}

Deno.test("SettingsStore.open() reads a config_sources.json from before configSha256 without flipping a setting", () =>
  inTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/config_sources.json`, beforeCombinedText());
    await Deno.writeTextFile(
      `${dir}/settings.json`,
      '{\n  "periodicInformInterval": 60,\n  "connectionRequestPassword": "acs-pw"\n}\n',
    );
    const upgraded = await open(dir, configWith({ periodicInformInterval: 300 }), {
      at: Date.UTC(2026, 0, 5),
    });
    assert.equal(upgraded.store.get().periodicInformInterval, 60);
    assert.equal(upgraded.store.get().connectionRequestPassword, "acs-pw");
    // Only the combined fingerprint is added; every per-setting entry stays as it was.
    assert.deepEqual(upgraded.writes, ["config_sources.json"]);
    const after = parseSources(await Deno.readTextFile(`${dir}/config_sources.json`));
    assert.deepEqual(
      { ...after, configSha256: undefined },
      { ...parseSources(beforeCombinedText()), configSha256: undefined },
    );
    assert.equal(
      after.configSha256,
      sha256Hex(configText(factorySettings(configWith({ periodicInformInterval: 300 }), ""))),
    );
    // The next start with the file edited still lets the edited value win.
    const edited = await open(dir, configWith({ periodicInformInterval: 900 }));
    assert.equal(edited.store.get().periodicInformInterval, 900);
    assert.equal(edited.store.get().connectionRequestPassword, "acs-pw");
  }));

Deno.test("SettingsStore.open() writes nothing when the config is unchanged", () =>
  inTempDir(async (dir) => {
    const first = await open(dir, configWith({ periodicInformInterval: 300 }));
    assert.deepEqual(first.writes, ["config_sources.json"]);
    first.store.set({ periodicInformInterval: 60 });
    const text = await Deno.readTextFile(`${dir}/config_sources.json`);
    const before = await Deno.stat(`${dir}/config_sources.json`);
    for (const mode of ["sync", "async"] as const) {
      const again = await open(dir, configWith({ periodicInformInterval: 300 }), {
        mode,
        at: Date.UTC(2026, 0, 2),
      });
      assert.deepEqual(again.writes, [], mode);
      assert.equal(again.store.get().periodicInformInterval, 60);
      assert.equal(again.lines.length, 1);
    }
    assert.equal(await Deno.readTextFile(`${dir}/config_sources.json`), text);
    assert.equal((await Deno.stat(`${dir}/config_sources.json`)).ino, before.ino);
  }));

Deno.test("SettingsStore.set() and reset() keep the combined fingerprint", () =>
  inTempDir(async (dir) => {
    const { store } = await open(dir, configWith({}));
    const recorded = parseSources(await Deno.readTextFile(`${dir}/config_sources.json`));
    assert.match(recorded.configSha256 ?? "", /^[0-9a-f]{64}$/);
    store.set({ username: "acs-user" });
    const set = parseSources(await Deno.readTextFile(`${dir}/config_sources.json`));
    assert.equal(set.configSha256, recorded.configSha256);
    store.reset();
    const reset = parseSources(await Deno.readTextFile(`${dir}/config_sources.json`));
    assert.equal(reset.configSha256, recorded.configSha256);
  }));

Deno.test("SettingsStore.openAsync() decides and writes exactly what open() does", () =>
  inTempDir(async (root) => {
    const steps: { config: AgentConfig; at: number; set?: Record<string, unknown> }[] = [
      { config: configWith({ periodicInformInterval: 300 }, "pw1"), at: Date.UTC(2026, 0, 1) },
      {
        config: configWith({ periodicInformInterval: 300 }, "pw1"),
        at: Date.UTC(2026, 0, 2),
        set: { periodicInformInterval: 60, connectionRequestPassword: "acs-pw" },
      },
      { config: configWith({ periodicInformInterval: 300 }, "pw2"), at: Date.UTC(2026, 0, 3) },
      {
        config: configWith({ periodicInformInterval: 300, url: "http://é.example/€" }, "pw2"),
        at: Date.UTC(2026, 0, 4),
      },
    ];
    const results: Record<string, unknown[]> = { sync: [], async: [] };
    for (const mode of ["sync", "async"] as const) {
      const dir = `${root}/${mode}`;
      await Deno.mkdir(dir);
      for (const step of steps) {
        const { store, lines, writes } = await open(dir, step.config, { mode, at: step.at });
        if (step.set) store.set(step.set);
        results[mode].push({
          lines,
          writes,
          settings: store.get(),
          sources: await Deno.readTextFile(`${dir}/config_sources.json`),
        });
      }
    }
    assert.deepEqual(results.async, results.sync);
  }));

Deno.test("prefetchFingerprints() hashes like fingerprintOf(), and only the combined text when it matches", async () => {
  const factory = { url: "http://é.example/𝄞", password: "s3cret", periodicInformInterval: 300 };
  const fresh = await prefetchFingerprints(factory, emptySources());
  assert.equal(fresh.get(JSON.stringify(factory.url)), fingerprintOf(factory.url));
  assert.equal(fresh.get("300"), fingerprintOf(300));
  assert.equal(fresh.get(configText(factory)), sha256Hex(configText(factory)));
  assert.equal(fresh.size, 4);
  const recorded = { ...emptySources(), configSha256: sha256Hex(configText(factory)) };
  assert.deepEqual([...(await prefetchFingerprints(factory, recorded)).keys()], [
    configText(factory),
  ]);
});

Deno.test("reconcileSettings() hashes once when the combined fingerprint matches", () => {
  const factory = { periodicInformInterval: 300, password: "pw" };
  const first = reconcileSettings(factory, {}, {
    sources: emptySources(),
    now: Date.UTC(2026, 0, 1),
  });
  assert.equal(first.sourcesChanged, true);
  assert.equal(first.sources.configSha256, sha256Hex(configText(factory)));
  const hashed: string[] = [];
  const hash = (text: string) => {
    hashed.push(text);
    return sha256Hex(text);
  };
  const again = reconcileSettings(factory, { periodicInformInterval: 60 }, {
    sources: first.sources,
    now: Date.UTC(2026, 0, 2),
    hash,
  });
  assert.deepEqual(hashed, [configText(factory)]);
  assert.equal(again.sourcesChanged, false);
  assert.equal(again.overlay.periodicInformInterval, 60);
  // One value edited: the combined text no longer matches, each value is hashed.
  hashed.length = 0;
  const edited = reconcileSettings(
    { ...factory, password: "pw2" },
    { periodicInformInterval: 60 },
    {
      sources: first.sources,
      now: Date.UTC(2026, 0, 3),
      hash,
    },
  );
  assert.equal(hashed.length, 3);
  assert.equal(edited.sources.config.password.since, "2026-01-03T00:00:00Z");
  assert.equal(edited.sources.config.periodicInformInterval.since, "2026-01-01T00:00:00Z");
  assert.equal(edited.overlay.periodicInformInterval, 60);
  // A recorded combined fingerprint without every setting's own is not trusted.
  const partial = { ...first.sources, config: { password: first.sources.config.password } };
  const filled = reconcileSettings(factory, {}, { sources: partial, now: Date.UTC(2026, 0, 4) });
  assert.equal(filled.sources.config.periodicInformInterval.sha256, fingerprintOf(300));
});

Deno.test("serializeSources() writes the combined fingerprint only when there is one", () => {
  const state = emptySources();
  assert.equal(serializeSources(state), '{\n  "version": 1,\n  "config": {},\n  "acs": {}\n}\n');
  const text = serializeSources({ ...state, configSha256: "ab".repeat(32) });
  assert.equal(parseSources(text).configSha256, "ab".repeat(32));
  assert.ok(!text.includes("cr-secret"));
});

Deno.test("SettingsStore deferSourcesWrite: a first start's sources file waits for flushDeferred(), same content", () =>
  inTempDir(async (root) => {
    const config = configWith({ periodicInformInterval: 300 });
    await Deno.mkdir(`${root}/now`);
    await open(`${root}/now`, config, { mode: "async" });
    const expected = await Deno.readTextFile(`${root}/now/config_sources.json`);

    const dir = `${root}/deferred`;
    await Deno.mkdir(dir);
    for (const mode of ["sync", "async"] as const) {
      const { store, writes } = await open(dir, config, { mode, defer: true });
      assert.deepEqual(writes, [], mode);
      await assert.rejects(Deno.stat(`${dir}/config_sources.json`), Deno.errors.NotFound);
      assert.equal(await store.flushDeferred(), true);
      assert.equal(await store.flushDeferred(), false);
      assert.deepEqual(writes, ["config_sources.json"]);
      assert.equal(await Deno.readTextFile(`${dir}/config_sources.json`), expected);
      await Deno.remove(`${dir}/config_sources.json`);
    }
  }));

Deno.test("SettingsStore deferSourcesWrite: a change before the flush writes the whole file, config fingerprints included", () =>
  inTempDir(async (dir) => {
    const config = configWith({ periodicInformInterval: 300 });
    // A first start opened as the agent does: nothing hashed until needed.
    const { store, writes } = await open(dir, config, { defer: true, mode: "async" });
    store.set({ periodicInformInterval: 60 });
    assert.deepEqual(writes, ["settings.json", "config_sources.json"]);
    assert.equal(await store.flushDeferred(), false);
    const written = parseSources(await Deno.readTextFile(`${dir}/config_sources.json`));
    assert.equal(written.configSha256, sha256Hex(configText(factorySettings(config, ""))));
    assert.equal(written.acs.periodicInformInterval, "2026-01-01T00:00:00Z");
    // The next start keeps the ACS's value: the config is known to be unchanged.
    const again = await open(dir, config, { at: Date.UTC(2026, 0, 2), defer: true });
    assert.equal(again.store.get().periodicInformInterval, 60);
    assert.deepEqual(again.writes, []);
    assert.equal(await again.store.flushDeferred(), false);
  }));

Deno.test("SettingsStore deferSourcesWrite: a start whose config overrides an ACS value writes at once", () =>
  inTempDir(async (dir) => {
    const first = await open(dir, configWith({ periodicInformInterval: 300 }));
    first.store.set({ periodicInformInterval: 60 });
    const edited = await open(dir, configWith({ periodicInformInterval: 900 }), {
      at: Date.UTC(2026, 0, 2),
      defer: true,
    });
    assert.equal(edited.store.get().periodicInformInterval, 900);
    assert.deepEqual(edited.writes, ["settings.json", "config_sources.json"]);
    assert.equal(await edited.store.flushDeferred(), false);
    // An edit of a value the ACS never set changes only the sources: deferred.
    const edited2 = await open(dir, configWith({ periodicInformInterval: 900, username: "u2" }), {
      at: Date.UTC(2026, 0, 3),
      defer: true,
    });
    assert.deepEqual(edited2.writes, []);
    assert.equal(await edited2.store.flushDeferred(), true);
    const restart = await open(dir, configWith({ periodicInformInterval: 900, username: "u2" }), {
      at: Date.UTC(2026, 0, 4),
    });
    assert.deepEqual(restart.writes, []);
  }));

Deno.test("SettingsStore deferSourcesWrite: a reload before the flush compares with the first start's real fingerprints", () =>
  inTempDir(async (root) => {
    const first = configWith({ periodicInformInterval: 300, username: "u1" });
    const edited = configWith({ periodicInformInterval: 300, username: "u2" });
    // Reference: the same two loads, written at once.
    await Deno.mkdir(`${root}/now`);
    const now = await open(`${root}/now`, first, { mode: "async" });
    now.store.applyConfig(factorySettings(edited, ""));
    const expected = await Deno.readTextFile(`${root}/now/config_sources.json`);
    await Deno.mkdir(`${root}/deferred`);
    const deferred = await open(`${root}/deferred`, first, { mode: "async", defer: true });
    assert.deepEqual(deferred.writes, []);
    deferred.store.applyConfig(factorySettings(edited, ""));
    assert.deepEqual(deferred.writes, ["config_sources.json"]);
    assert.equal(await deferred.store.flushDeferred(), false);
    assert.equal(await Deno.readTextFile(`${root}/deferred/config_sources.json`), expected);
    const sources = parseSources(expected);
    assert.equal(sources.config.username?.sha256, sha256Hex(JSON.stringify("u2")));
    assert.equal(sources.config.periodicInformInterval?.sha256, sha256Hex(JSON.stringify(300)));
  }));

Deno.test("SettingsStore deferSourcesWrite: an ACS value from before the fingerprints still stands at a reload before the flush", () =>
  inTempDir(async (dir) => {
    // A state directory from an agent without config_sources.json: the ACS set 60.
    await Deno.writeTextFile(
      `${dir}/settings.json`,
      JSON.stringify({ periodicInformInterval: 60 }),
    );
    const config = configWith({ periodicInformInterval: 300 });
    const { store, writes } = await open(dir, config, { mode: "async", defer: true });
    assert.equal(store.get().periodicInformInterval, 60);
    assert.deepEqual(writes, []);
    // The same config again (SIGHUP): unchanged since this start, so the ACS's value stands.
    store.applyConfig(factorySettings(config, ""));
    assert.equal(store.get().periodicInformInterval, 60);
    assert.deepEqual(writes, []);
    assert.equal(await store.flushDeferred(), true);
    const again = await open(dir, config, { at: Date.UTC(2026, 0, 2) });
    assert.equal(again.store.get().periodicInformInterval, 60);
    assert.deepEqual(again.writes, []);
  }));
