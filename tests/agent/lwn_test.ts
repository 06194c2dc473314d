import assert from "node:assert/strict";
import { lwnSettingsOf } from "../../src/agent/lwn.ts";
import { factorySettings } from "../../src/agent/settings_store.ts";
import { loadConfig } from "../../src/config/mod.ts";

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
