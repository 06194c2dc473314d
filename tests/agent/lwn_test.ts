import assert from "node:assert/strict";
import { lwnSettingsOf, startLightweightNotifications } from "../../src/agent/lwn.ts";
import { factorySettings, type StoredSettings } from "../../src/agent/settings_store.ts";
import { loadConfig } from "../../src/config/mod.ts";
import type { DeviceIdentity } from "../../src/datamodel/mod.ts";
import { createLogger } from "../../src/log/mod.ts";
import type { LwnChange } from "../../src/services/lwn/sender.ts";
import { readLwnDatagram } from "../_helpers/lwn_receiver.ts";

const settingsOf = (toml: string) =>
  factorySettings(loadConfig(toml, { file: "cwmp.toml" }), "http://192.0.2.1:7547/");

Deno.test("factorySettings() maps [lwn] onto the LightweightNotification settings", () => {
  const s = settingsOf(
    '[acs]\nurl = "https://acs.example:7547/"\n[lwn]\nenable = true\nhostname = "lwn.example"\n' +
      'port = 9000\ntrigger_interval = 60\ntrigger_time = "2026-01-01T00:00:30Z"\n',
  );
  assert.deepEqual(
    [
      s.lightweightNotificationProtocolsUsed,
      s.udpLightweightNotificationHost,
      s.udpLightweightNotificationPort,
      s.lightweightNotificationTriggerInterval,
      s.lightweightNotificationTriggerTime,
    ],
    ["UDP", "lwn.example", 9000, 60, "2026-01-01T00:00:30Z"],
  );
  const off = settingsOf('[acs]\nurl = "https://acs.example/"\n');
  assert.equal(off.lightweightNotificationProtocolsUsed, "");
  assert.equal(off.udpLightweightNotificationPort, 7547);
  assert.equal(off.lightweightNotificationTriggerInterval, 0);
});

Deno.test("lwnSettingsOf() sends to the ACS URL's host when UDPLightweightNotificationHost is empty", () => {
  const base = settingsOf('[acs]\nurl = "https://[2001:db8::7]:7547/acs"\nusername = "u"\n');
  const s = lwnSettingsOf({
    ...base,
    lightweightNotificationProtocolsUsed: "UDP",
    udpLightweightNotificationPort: 0,
  });
  assert.equal(s.enabled, true);
  assert.equal(s.host, "2001:db8::7");
  assert.equal(s.port, 7547);
  assert.equal(s.username, "u");
  assert.equal(
    lwnSettingsOf({ ...base, udpLightweightNotificationHost: "10.0.0.1" }).host,
    "10.0.0.1",
  );
  assert.equal(lwnSettingsOf(base).enabled, false);
  assert.equal(lwnSettingsOf({ ...base, url: "" }).host, "");
});

const IDENTITY: DeviceIdentity = {
  manufacturer: "Example",
  manufacturerOui: "00D09E",
  modelName: "M",
  description: "",
  productClass: "R",
  serialNumber: "SN1",
  hardwareVersion: "1",
  softwareVersion: "1",
};

/** The agent's sender with UDP on or off, recording the names of each batch. */
function agentLwn(enabled: boolean) {
  let settings: StoredSettings = {
    ...settingsOf('[acs]\nurl = "http://127.0.0.1:7547/"\npassword = "pw"\n'),
    lightweightNotificationProtocolsUsed: enabled ? "UDP" : "",
  };
  const sent: string[][] = [];
  const lwn = startLightweightNotifications({
    settings: () => settings,
    identity: IDENTITY,
    now: () => Date.now(),
    logger: createLogger({ console: false }),
    send: (datagrams) => {
      for (const d of datagrams) sent.push(readLwnDatagram(d, "pw").params.map((p) => p.name));
      return Promise.resolve();
    },
  });
  const set = (next: Partial<StoredSettings>) => {
    settings = { ...settings, ...next };
    lwn.settingsChanged();
  };
  return { lwn, sent, set };
}

const change = (name: string, active: boolean): LwnChange => ({
  name,
  value: "1",
  type: "xsd:string",
  active,
});

Deno.test("startLightweightNotifications() drops changes while UDP is off, then sends once it is on", async () => {
  const { lwn, sent, set } = agentLwn(false);
  lwn.settingsChanged();
  lwn.changed([change("Device.A", true)]);
  await lwn.idle();
  assert.deepEqual(sent, []);
  set({ lightweightNotificationProtocolsUsed: "UDP" });
  lwn.changed([change("Device.B", true)]);
  await lwn.idle();
  assert.deepEqual(sent, [["Device.B"]]);
  lwn.close();
});

Deno.test("startLightweightNotifications() replays the calls made while its sender loads, in order", async () => {
  const { lwn, sent } = agentLwn(true);
  // Back to back, before the sender's module can have loaded for this agent.
  lwn.changed([change("Device.P1", false)]);
  lwn.changed([change("Device.A", true)]);
  lwn.changed([change("Device.P2", false)]);
  lwn.changed([change("Device.A2", true)]);
  lwn.close();
  lwn.changed([change("Device.Late", true)]);
  await lwn.idle();
  assert.deepEqual(sent, [["Device.P1", "Device.A"], ["Device.P2", "Device.A2"]]);
});
