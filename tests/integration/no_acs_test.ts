/**
 * An agent without a usable ACS URL (empty: DHCP has not supplied one yet) keeps
 * running: each session fails like a connection error and is retried with backoff.
 */

import assert from "node:assert/strict";
import { withRig } from "./_rig.ts";

Deno.test("agent with an empty ACS URL fails sessions cleanly and retries them", async () => {
  await withRig(async ({ start }) => {
    // An empty URL is refused at start unless DHCP discovery may supply one.
    const agent = await start({ acsUrl: "", acs: "dhcp_discovery = true" });
    await agent.waitForLine(
      /End session with failure: (Transport error: )?Invalid ACS URL ""; retry 1 in/,
      10_000,
    );
    const retriesBefore = agent.lines.filter((l) => /Start session/.test(l)).length;
    // retry_min_wait_interval 1 s, multiplier 1000 (helper config): the next try comes soon.
    await agent.waitForLine(/Start session/, 5_000, agent.lines.length);
    assert.ok(agent.lines.filter((l) => /Start session/.test(l)).length > retriesBefore);
    assert.equal(agent.lines.some((l) => /Session engine error/.test(l)), false);
  });
});
