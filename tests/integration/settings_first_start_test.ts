/**
 * A first start keeps the write of `config_sources.json` (the config values' fingerprints)
 * off the path to the BOOT Inform and makes it once the ACS has answered. Killed in
 * between, the next start works the same out again: checked by what the file holds
 * afterwards and by the ACS's value standing over the config file's at the start after.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseSources } from "../../src/agent/settings_sources.ts";
import { until } from "../_helpers/until.ts";
import { eventsOf, withRig } from "./_rig.ts";
import { gpvOf } from "./_wire.ts";

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);
const INTERVAL = "Device.ManagementServer.PeriodicInformInterval";

Deno.test("a first start writes config_sources.json after the BOOT Inform, and again after a kill before it", async () => {
  let holdInform = true;
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  let atInform: boolean[] = [];
  let atEmpty: boolean[] = [];
  let sourcesPath = "";
  await withRig(async ({ dir, acs, start, validateAll }) => {
    sourcesPath = `${dir}/state/config_sources.json`;
    // First start: the ACS holds its InformResponse; the agent is killed meanwhile.
    const first = await start({ periodicInterval: 3600 });
    await until(() => atInform.length === 1, "the first Inform");
    assert.deepEqual(atInform, [false], "written before the Inform went out");
    await first.kill("SIGKILL");
    holdInform = false;
    release();
    assert.equal(await exists(sourcesPath), false);

    // Second start: written once the ACS answered, while the agent runs on.
    acs.enqueue({
      kind: "SetParameterValues",
      parameterList: [{ name: INTERVAL, value: "77", type: "xsd:unsignedInt" }],
      parameterKey: "k1",
    });
    const second = await start({ periodicInterval: 3600 });
    await until(() => acs.sessions[1]?.ended === true, "the second start's session", 15_000);
    assert.deepEqual(atInform, [false, false]);
    assert.equal(atEmpty[0], true, "written once the InformResponse came, before anything else");
    assert.deepEqual(eventsOf(acs.sessions[1]).sort(), ["0 BOOTSTRAP|", "1 BOOT|"]);
    const sources = parseSources(await Deno.readTextFile(sourcesPath));
    assert.match(sources.configSha256 ?? "", /^[0-9a-f]{64}$/);
    assert.ok(Object.keys(sources.config).length > 20, "every config-backed value's fingerprint");
    assert.ok(sources.acs.periodicInformInterval, "the ACS's change is recorded");
    await second.kill("SIGTERM");

    // Third start, same config: the ACS's value stands (the fingerprints on disk say the
    // config value did not change), and nothing is written before its Inform.
    const before = await Deno.stat(sourcesPath);
    acs.enqueue({ kind: "GetParameterValues", parameterNames: [INTERVAL] });
    await start({ periodicInterval: 3600 });
    await until(() => acs.sessions[2]?.ended === true, "the third start's session", 15_000);
    assert.deepEqual(atInform, [false, false, true]);
    assert.equal(gpvOf(acs.sessions[2], 0)[INTERVAL], "77");
    assert.equal(
      (await Deno.stat(sourcesPath)).ino,
      before.ino,
      "no rewrite at an unchanged start",
    );
    await validateAll();
  }, {
    hook: async (message, session) => {
      if (message.kind === "Empty" && session.messages.length === 0) {
        atEmpty = [...atEmpty, await exists(sourcesPath)];
      }
      if (message.kind !== "Inform") return undefined;
      atInform = [...atInform, await exists(sourcesPath)];
      if (holdInform) {
        await held;
        return { drop: true };
      }
      return undefined;
    },
  });
});
