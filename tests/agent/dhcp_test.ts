import assert from "node:assert/strict";
import { DhcpDiscovery, dhcpLeaseOf, dhcpUpdateArgs, parseLeaseEnv } from "../../src/agent/dhcp.ts";
import { factorySettings, SettingsStore } from "../../src/agent/settings_store.ts";
import { type AgentConfig, defaultConfig } from "../../src/config/mod.ts";
import { createLogger } from "../../src/log/mod.ts";
import { StateJournal } from "../../src/store/mod.ts";
import { opt125, sub } from "../_helpers/dhcp_options.ts";

const URL_43 = sub(1, "http://acs.example:7547/");

Deno.test("dhcpLeaseOf() reads the KEY=VALUE arguments dhcpUpdateArgs() writes", () => {
  const args = dhcpUpdateArgs({ interface: "wan", device: "eth0.2", opt43: URL_43 });
  assert.deepEqual(args, ["interface=wan", "device=eth0.2", `opt43=${URL_43}`]);
  assert.deepEqual(dhcpLeaseOf(args), {
    interface: "wan",
    device: "eth0.2",
    opt43: URL_43,
    opt125: "",
    opt17: "",
  });
});

Deno.test("dhcpLeaseOf() refuses a missing interface, bad names, bad hex and unknown keys", () => {
  assert.throws(() => dhcpLeaseOf([`opt43=${URL_43}`]), /^TypeError: Invalid interface ""/);
  assert.throws(() => dhcpLeaseOf(["interface=../x"]), /Invalid interface "\.\.\/x"/);
  assert.throws(
    () => dhcpLeaseOf(["interface=wan", "opt43=0g"]),
    new TypeError('Option 43 is not hex bytes: "0g"'),
  );
  assert.throws(
    () => dhcpLeaseOf(["interface=wan", "opt125=abc"]),
    new TypeError('Option 125 is not hex bytes: "abc"'),
  );
  assert.throws(
    () => dhcpLeaseOf(["interface=wan", `opt17=${"00".repeat(5000)}`]),
    new RangeError("Option 17 is longer than 4096 bytes"),
  );
  assert.throws(
    () => dhcpLeaseOf(["interface=wan", "ip=1.2.3.4"]),
    /Unknown dhcp-update argument "ip=1.2.3.4"/,
  );
});

Deno.test("parseLeaseEnv() reads the hooks' file", () => {
  const text =
    `interface=wan\ndevice=eth0.2\nevent=bound\nopt43=${URL_43}\nopt125=\ntime=1733456789\n`;
  assert.deepEqual(parseLeaseEnv(text), {
    interface: "wan",
    device: "eth0.2",
    opt43: URL_43,
    opt125: "",
    opt17: "",
    time: 1733456789,
  });
  assert.throws(() => parseLeaseEnv("opt43=zz\n"), TypeError);
});

function configWith(dir: string, acs: Partial<AgentConfig["acs"]>, iface = ""): AgentConfig {
  const base = defaultConfig();
  return {
    ...base,
    acs: { ...base.acs, url: "", dhcpDiscovery: true, dhcpLeaseDir: `${dir}/run`, ...acs },
    cpe: { ...base.cpe, interface: iface },
    agent: { ...base.agent, stateDir: `${dir}/state` },
  };
}

async function discovery(_dir: string, config: AgentConfig) {
  await Deno.mkdir(config.agent.stateDir, { recursive: true });
  const lines: string[] = [];
  const logger = createLogger({ severity: "DEBUG", console: false, writeConsole: () => {} });
  const journal = new StateJournal(config.agent.stateDir);
  const settings = SettingsStore.open(config.agent.stateDir, factorySettings(config, ""), {
    journal,
    dhcp: config.acs.dhcpDiscovery,
  });
  const changes: string[][] = [];
  settings.onChange((c) => changes.push(Object.keys(c)));
  const d = new DhcpDiscovery({ config, settings, logger, journal });
  return { d, settings, changes, lines, logger };
}

async function inTempDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("DhcpDiscovery.update() applies the URL and the gateway, and both survive a restart", () =>
  inTempDir(async (dir) => {
    const config = configWith(dir, {});
    const { d, settings, changes, logger } = await discovery(dir, config);
    const lease = dhcpLeaseOf([
      "interface=wan",
      `opt43=${URL_43}`,
      `opt125=${opt125(sub(4, "00d09e") + sub(5, "GW1") + sub(6, "Box"))}`,
    ]);
    const outcome = await d.update(lease, "hook");
    assert.deepEqual(outcome, {
      interface: "wan",
      used: true,
      changed: ["url"],
      gatewayChanged: true,
      errors: [],
      notes: [],
    });
    assert.equal(settings.get().url, "http://acs.example:7547/");
    assert.deepEqual(changes, [["url"]]);
    assert.deepEqual(d.gateway(), {
      manufacturerOui: "00D09E",
      serialNumber: "GW1",
      productClass: "Box",
    });
    assert.ok(
      logger.recent(10).some((l) =>
        /DHCP \(wan\): ACS URL is now http:\/\/acs\.example:7547\//.test(l)
      ),
    );
    // The same lease again: nothing changes.
    const again = await d.update(lease, "hook");
    assert.deepEqual([again.changed, again.gatewayChanged], [[], false]);
    const restarted = await discovery(dir, config);
    assert.equal(restarted.settings.get().url, "http://acs.example:7547/");
    assert.deepEqual(restarted.d.gateway(), d.gateway());
  }));

Deno.test("DhcpDiscovery.update() without dhcp_discovery keeps the gateway identity only", () =>
  inTempDir(async (dir) => {
    const config = configWith(dir, { dhcpDiscovery: false, url: "http://file.example/" });
    const { d, settings } = await discovery(dir, config);
    const outcome = await d.update(
      dhcpLeaseOf([
        "interface=wan",
        `opt125=${opt125(sub(11, "http://dhcp.example/") + sub(5, "GW2"))}`,
      ]),
      "hook",
    );
    assert.deepEqual(outcome.notes, ["ACS values ignored: acs.dhcp_discovery is false"]);
    assert.equal(settings.get().url, "http://file.example/");
    assert.equal(d.gateway().serialNumber, "GW2");
  }));

Deno.test("DhcpDiscovery.update() ignores leases of other interfaces than cpe.interface", () =>
  inTempDir(async (dir) => {
    const { d, settings } = await discovery(dir, configWith(dir, {}, "eth1"));
    const outcome = await d.update(
      dhcpLeaseOf(["interface=wan", "device=eth0", `opt43=${URL_43}`]),
      "hook",
    );
    assert.equal(outcome.used, false);
    assert.deepEqual(outcome.notes, ['Lease of "wan" ignored: cpe.interface is "eth1"']);
    assert.equal(settings.get().url, "");
    const ok = await d.update(
      dhcpLeaseOf(["interface=lan", "device=eth1", `opt43=${URL_43}`]),
      "hook",
    );
    assert.deepEqual(ok.changed, ["url"]);
  }));

Deno.test("DhcpDiscovery.update() reports an option it cannot decode and changes nothing for it", () =>
  inTempDir(async (dir) => {
    const { d, settings } = await discovery(dir, configWith(dir, {}));
    const outcome = await d.update(
      dhcpLeaseOf(["interface=wan", `opt43=${sub(1, "ftp://x/")}`]),
      "hook",
    );
    assert.deepEqual(outcome.errors, [
      'Cannot decode DHCP option 43 sub-option 1 (URL): "ftp://x/" is not an http or https URL',
    ]);
    assert.equal(settings.get().url, "");
  }));

Deno.test("DhcpDiscovery.readLeaseFile() takes the newest lease file (of cpe.interface when set)", () =>
  inTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/run`);
    const write = (name: string, iface: string, url: string, time: number) =>
      Deno.writeTextFile(
        `${dir}/run/dhcp-${name}.env`,
        `interface=${iface}\ndevice=\nevent=bound\nopt43=${sub(1, url)}\nopt125=\ntime=${time}\n`,
      );
    await write("wan", "wan", "http://new.example/", 200);
    await write("wan6", "wan6", "http://old.example/", 100);
    await Deno.writeTextFile(`${dir}/run/dhcp-bad.env`, "interface=bad\nopt43=zz\n");
    await Deno.writeTextFile(`${dir}/run/other.txt`, "ignored");
    const any = await discovery(dir, configWith(dir, {}));
    assert.equal((await any.d.readLeaseFile())?.interface, "wan");
    const wan6 = await discovery(dir, configWith(dir, {}, "wan6"));
    assert.equal((await wan6.d.readLeaseFile())?.interface, "wan6");
    assert.ok(
      any.logger.recent(5).some((l) =>
        /Cannot read DHCP lease ".*dhcp-bad\.env": Option 43 is not hex/.test(l)
      ),
    );
    const none = await discovery(`${dir}/nowhere`, configWith(`${dir}/nowhere`, {}));
    assert.equal(await none.d.readLeaseFile(), undefined);
  }));
