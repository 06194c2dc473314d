/**
 * DHCP ACS discovery end to end on loopback: the real agent, started with
 * `acs.dhcp_discovery` and no URL, gets its ACS URL and the gateway identity from
 * `cwmp-agent dhcp-update` (what the DHCP hooks run) or from the hook's lease file at
 * start, and opens a `0 BOOTSTRAP` session to it. The DHCP server and client themselves
 * are in `dhcp_netns_test.ts`.
 */

import assert from "node:assert/strict";
import { eventsOf, informValues, withRig } from "./_rig.ts";
import { cli, cliOk } from "./_wire.ts";
import { until } from "../_helpers/until.ts";
import { opt125, sub } from "../_helpers/dhcp_options.ts";

Deno.test("dhcp-update hands the running agent its ACS URL: a 0 BOOTSTRAP session there, kept across a restart", async () => {
  await withRig(async ({ acs, dir, start, validateAll }) => {
    const acsArgs = `dhcp_discovery = true\ndhcp_lease_dir = "${dir}/run"`;
    const agent = await start({ acsUrl: "", acs: acsArgs });
    await agent.waitForLine(/End session with failure: .*Invalid ACS URL ""/, 15_000);
    const config = `${dir}/cwmp.toml`;

    const gateway = opt125(sub(4, "00d09e") + sub(5, "GW-0001") + sub(6, "HomeGateway"));
    const update = await cliOk(
      config,
      "dhcp-update",
      "--interface",
      "wan",
      "--device",
      "eth0.2",
      "--opt43",
      sub(1, acs.url) + sub(3, "2"),
      "--opt125",
      gateway,
    );
    assert.deepEqual(update.lines, [{
      status: 0,
      interface: "wan",
      used: true,
      changed: ["url", "cwmpRetryMinimumWaitInterval"],
      gatewayChanged: true,
      errors: [],
      notes: [],
    }]);
    const [first] = await acs.waitForSessions(1, 15_000);
    assert.deepEqual(eventsOf(first).slice(0, 2), ["0 BOOTSTRAP|", "1 BOOT|"]);
    assert.ok(agent.lines.some((l) => l.includes(`DHCP (wan): ACS URL is now ${acs.url}`)));

    // The gateway identity reads through the data model.
    const got = await cliOk(config, "get", "Device.GatewayInfo.");
    assert.deepEqual(
      Object.fromEntries(got.lines.map((l) => [l.parameter, l.value])),
      {
        "Device.GatewayInfo.ManufacturerOUI": "00D09E",
        "Device.GatewayInfo.ProductClass": "HomeGateway",
        "Device.GatewayInfo.SerialNumber": "GW-0001",
      },
    );
    const [status] = (await cliOk(config, "status", "--json")).lines;
    assert.equal(status.acsUrl, acs.url);
    const urlRow = (status.settingSources as { parameter: string; source: string }[])
      .find((r) => r.parameter === "Device.ManagementServer.URL");
    assert.equal(urlRow?.source, "dhcp");

    // A new gateway is a value change like any other (active by default, TR-181).
    await until(() => acs.sessions.every((s) => s.ended), "the sessions so far");
    const before = acs.sessions.length;
    await cliOk(
      config,
      "dhcp-update",
      "--interface",
      "wan",
      "--opt43",
      sub(1, acs.url),
      "--opt125",
      opt125(sub(4, "00D09E") + sub(5, "GW-0002") + sub(6, "HomeGateway")),
    );
    await until(
      () => acs.sessions.slice(before).some((s) => eventsOf(s).includes("4 VALUE CHANGE|")),
      "a 4 VALUE CHANGE session",
    );
    const change = acs.sessions.slice(before).find((s) => eventsOf(s).includes("4 VALUE CHANGE|"))!;
    assert.equal(informValues(change)["Device.GatewayInfo.SerialNumber"], "GW-0002");
    await until(() => acs.sessions.every((s) => s.ended), "the value change session");

    // The learnt URL is in the state directory: a restart goes there without BOOTSTRAP.
    await agent.kill("SIGTERM");
    const count = acs.sessions.length;
    await start({ acsUrl: "", acs: acsArgs });
    await acs.waitForSessions(count + 1, 15_000);
    assert.deepEqual(eventsOf(acs.sessions[count]), ["1 BOOT|"]);
    await validateAll();
  });
});

Deno.test("the agent reads the hook's lease file at start", async () => {
  await withRig(async ({ acs, dir, start }) => {
    await Deno.mkdir(`${dir}/run`);
    await Deno.writeTextFile(
      `${dir}/run/dhcp-wan.env`,
      `interface=wan\ndevice=eth0.2\nevent=bound\nopt43=${sub(1, acs.url)}\nopt125=\ntime=${
        Math.floor(Date.now() / 1000)
      }\n`,
    );
    const agent = await start({
      acsUrl: "",
      acs: `dhcp_discovery = true\ndhcp_lease_dir = "${dir}/run"`,
    });
    const [first] = await acs.waitForSessions(1, 15_000);
    assert.deepEqual(eventsOf(first), ["0 BOOTSTRAP|", "1 BOOT|"]);
    assert.ok(agent.lines.some((l) => l.includes("DHCP (wan, lease file): ACS URL is now")));
    assert.equal(agent.lines.some((l) => /Invalid ACS URL/.test(l)), false);
  });
});

Deno.test("dhcp-update refuses bad arguments before any I/O and reports options it cannot decode", async () => {
  await withRig(async ({ acs, dir, start }) => {
    const agent = await start({ acs: `dhcp_discovery = true\ndhcp_lease_dir = "${dir}/run"` });
    await acs.waitForSessions(1, 15_000);
    const config = `${dir}/cwmp.toml`;
    const usage = await cli(config, "dhcp-update", "--interface", "wan", "--opt43", "0g");
    assert.equal(usage.code, 2);
    assert.equal(usage.stderr, 'Option 43 is not hex bytes: "0g"');
    const missing = await cli(config, "dhcp-update", "--opt43", "00");
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /required option "--interface <name>" not specified/i);

    // Hex that is not a valid option: the agent says why and changes nothing.
    const bad = await cli(config, "dhcp-update", "--interface", "wan", "--opt43", "01ff6874");
    assert.equal(bad.code, 1);
    assert.deepEqual(bad.lines[0].errors, [
      "Cannot decode DHCP option 43: sub-option 1 claims 255 bytes, 2 left",
    ]);
    assert.ok(agent.lines.some((l) => /DHCP \(wan\): Cannot decode DHCP option 43/.test(l)));
    const [status] = (await cliOk(config, "status", "--json")).lines;
    assert.equal(status.acsUrl, acs.url);
  });
});
