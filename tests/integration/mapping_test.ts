/**
 * Integrator script mappings (`[agent] mapping_file`) through the real agent: the ACS
 * reads and writes `Device.WiFi.SSID.{i}.` answered by tests/testdata/script/wifi.sh
 * (rows kept as files), and a bad mapping file stops the agent before it does anything,
 * with one `file:line: key: …` line and exit code 1.
 */

import assert from "node:assert/strict";
import { informValues, withRig } from "./_rig.ts";
import { cliOk, crSession, gpnOf, gpvOf, kindAt } from "./_wire.ts";

const WIFI = new URL("../testdata/script/wifi.sh", import.meta.url).pathname;
const SSID = "Device.WiFi.SSID.";

function mapping(stateDir: string, extra = ""): string {
  const wifi = (op: string) => JSON.stringify(["sh", WIFI, op]);
  return [
    "timeout_ms = 5000",
    "",
    "[env]",
    `STATE_DIR = ${JSON.stringify(stateDir)}`,
    "",
    "[[object]]",
    `path = "${SSID}{i}."`,
    'parameters = ["SSID", "Enable"]',
    `instances = ${wifi("list")}`,
    `get = ${wifi("get")}`,
    `set = ${wifi("set")}`,
    extra,
    "",
  ].join("\n");
}

async function makeRows(wifiDir: string, rows: Record<number, [string, string]>) {
  for (const [n, [ssid, enable]] of Object.entries(rows)) {
    await Deno.mkdir(`${wifiDir}/${n}`, { recursive: true });
    await Deno.writeTextFile(`${wifiDir}/${n}/SSID`, ssid);
    await Deno.writeTextFile(`${wifiDir}/${n}/Enable`, enable);
  }
}

Deno.test("mapping_file: GPV, GPN and SPV of mapped parameters reach the integrator script", async () => {
  await withRig(async ({ acs, dir, start, validateAll }) => {
    const wifiDir = `${dir}/wifi`;
    await makeRows(wifiDir, { 1: ["home", "true"], 3: ["guest", "false"] });
    const mapFile = `${dir}/mapping.toml`;
    await Deno.writeTextFile(mapFile, mapping(wifiDir));

    acs.enqueue(
      { kind: "GetParameterNames", parameterPath: SSID, nextLevel: true },
      { kind: "GetParameterValues", parameterNames: [`${SSID}1.SSID`, `${SSID}3.`] },
      {
        kind: "SetParameterValues",
        parameterList: [
          { name: `${SSID}1.SSID`, value: "office", type: "xsd:string" },
          { name: `${SSID}3.Enable`, value: "true", type: "xsd:boolean" },
        ],
        parameterKey: "pk-wifi",
      },
    );
    const agent = await start({ agent: `mapping_file = ${JSON.stringify(mapFile)}` });
    await acs.waitForSessions(1, 15_000);
    const boot = acs.sessions[0];
    assert.deepEqual(gpnOf(boot, 0), [`${SSID}1.`, `${SSID}3.`]);
    assert.deepEqual(gpvOf(boot, 1), {
      [`${SSID}1.SSID`]: "home",
      [`${SSID}3.SSID`]: "guest",
      [`${SSID}3.Enable`]: "false",
    });
    kindAt(boot, 2, "SetParameterValuesResponse");
    assert.equal(await Deno.readTextFile(`${wifiDir}/1/SSID`), "office");
    assert.equal(await Deno.readTextFile(`${wifiDir}/3/Enable`), "true");
    const runs = (await Deno.readTextFile(`${wifiDir}/runs`)).split("\n");
    assert.ok(runs.includes("set"), runs.join());

    // What the script answers now is what the ACS and the local CLI read.
    await agent.waitForLine(/Waiting the next session/);
    await Deno.writeTextFile(`${wifiDir}/3/SSID`, "changed-by-script");
    const next = await crSession(acs, agent, {
      kind: "GetParameterValues",
      parameterNames: [`${SSID}1.SSID`, `${SSID}3.SSID`],
    });
    assert.equal(informValues(next)["Device.ManagementServer.ParameterKey"], "pk-wifi");
    assert.deepEqual(gpvOf(next, 0), {
      [`${SSID}1.SSID`]: "office",
      [`${SSID}3.SSID`]: "changed-by-script",
    });
    const local = await cliOk(`${dir}/cwmp.toml`, "get", `${SSID}1.Enable`);
    assert.deepEqual(local.lines, [
      { parameter: `${SSID}1.Enable`, value: "true", type: "xsd:boolean" },
    ]);
    await validateAll();
  });
});

Deno.test("mapping_file: a bad mapping file stops the agent with one file:line: key: line, exit 1", async () => {
  await withRig(async ({ acs, dir, start }) => {
    const mapFile = `${dir}/mapping.toml`;
    const text = mapping(`${dir}/wifi`, 'colour = "red"');
    await Deno.writeTextFile(mapFile, text);
    const line = text.split("\n").indexOf('colour = "red"') + 1;

    const agent = await start({ agent: `mapping_file = ${JSON.stringify(mapFile)}` });
    const status = await agent.waitForExit(15_000);
    assert.equal(status.code, 1);
    const expected = `${mapFile}:${line}: object[1].colour: unknown key`;
    const errors = agent.lines.filter((l) => l.includes(mapFile));
    assert.ok(errors.length > 0, agent.lines.join("\n"));
    // Printed once (as the log line when console logging is on), ending with the location.
    for (const error of errors) assert.ok(error.endsWith(expected), error);
    assert.equal(acs.requests.length, 0);
  });
});
