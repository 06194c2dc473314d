import assert from "node:assert/strict";
import { bindTime, localDateTime } from "../../../../src/datamodel/objects/time.ts";
import { readBindings } from "../../../_helpers/provider_contract.ts";
import { asyncOnly, fixture } from "./_fixture.ts";

const T = "Device.Time.";

Deno.test("bindTime() reads the clock, /etc/TZ and the configured NTP servers", async () => {
  const values = await readBindings([
    bindTime(fixture("router", 60), {
      ntpServers: () => ["0.openwrt.pool.ntp.org", "1.openwrt.pool.ntp.org"],
    }),
  ]);
  assert.deepEqual(values, {
    [`${T}Enable`]: "true",
    [`${T}Status`]: "Unsynchronized",
    [`${T}NTPServer1`]: "0.openwrt.pool.ntp.org",
    [`${T}NTPServer2`]: "1.openwrt.pool.ntp.org",
    [`${T}NTPServer3`]: "",
    [`${T}NTPServer4`]: "",
    [`${T}NTPServer5`]: "",
    [`${T}CurrentLocalTime`]: "2026-11-27T13:00:00+01:00",
    [`${T}LocalTimeZone`]: "CET-1CEST,M3.5.0,M10.5.0/3",
  });
});

Deno.test("bindTime() is Disabled without NTP servers and Synchronized with the sync file", async () => {
  const source = fixture("host");
  let values = await readBindings([bindTime(source)]);
  assert.equal(values[`${T}Enable`], "false");
  assert.equal(values[`${T}Status`], "Disabled");
  assert.equal(values[`${T}LocalTimeZone`], "");
  assert.equal(values[`${T}CurrentLocalTime`], "2026-11-27T16:36:44Z");
  source.write("/run/systemd/timesync/synchronized", "");
  values = await readBindings([bindTime(source, { ntpEnabled: true, tz: "UTC0" })]);
  assert.equal(values[`${T}Status`], "Synchronized");
  assert.equal(values[`${T}LocalTimeZone`], "UTC0");
});

Deno.test("bindTime() reads the same files through a source without readTextSync", async () => {
  for (const synchronized of [false, true]) {
    const source = fixture("router", 60);
    if (synchronized) source.write("/run/systemd/timesync/synchronized", "");
    const options = { ntpServers: () => ["192.0.2.123"] };
    const values = await readBindings([bindTime(asyncOnly(source), options)]);
    assert.deepEqual(values, await readBindings([bindTime(source, options)]));
    assert.equal(values[`${T}Status`], synchronized ? "Synchronized" : "Unsynchronized");
    assert.equal(values[`${T}LocalTimeZone`], "CET-1CEST,M3.5.0,M10.5.0/3");
  }
});

Deno.test("localDateTime() writes the zone offset", () => {
  assert.equal(localDateTime(0, 0), "1970-01-01T00:00:00Z");
  assert.equal(localDateTime(0, -330), "1969-12-31T18:30:00-05:30");
  assert.equal(localDateTime(1500, 120), "1970-01-01T02:00:01+02:00");
});
