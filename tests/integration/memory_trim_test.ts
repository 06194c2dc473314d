/**
 * The agent gives memory back once it is quiet after a session: a BOOT session with a GPV
 * of the whole tree, then, IDLE_TRIM_DELAY_MS later and not before, the trim's debug line
 * (V8's last-resort collection and malloc_trim, RSS before and after).
 */

import assert from "node:assert/strict";
import { IDLE_TRIM_DELAY_MS } from "../../src/platform/memory_trim.ts";
import { withRig } from "./_rig.ts";

const TRIMMED = /Memory trimmed \(V8 heap, malloc\): RSS ([\d.]+) -> ([\d.]+) MiB$/;

Deno.test("the agent trims its memory once quiet after a session", async () => {
  await withRig(async ({ acs, start, validateAll }) => {
    acs.enqueue({ kind: "GetParameterValues", parameterNames: ["Device."] });
    const agent = await start({ periodicInterval: 3600 });
    const [boot] = await acs.waitForSessions(1, 15_000);
    assert.equal(boot.messages[0]?.kind, "GetParameterValuesResponse");
    const ended = await agent.waitForLine(/End session$/);
    const endedAt = performance.now();
    const line = await agent.waitForLine(TRIMMED, IDLE_TRIM_DELAY_MS + 10_000);
    const waited = performance.now() - endedAt;
    // Not before the quiet period (less a margin for the log line's own delivery).
    assert.ok(waited > IDLE_TRIM_DELAY_MS - 500, `trimmed ${waited} ms after the session`);
    assert.ok(agent.lines.indexOf(line) > agent.lines.indexOf(ended));
    const [, before, after] = line.match(TRIMMED)!.map(Number);
    assert.ok(after <= before, line);
    // Once: nothing more happened, so nothing more to trim.
    await new Promise((r) => setTimeout(r, IDLE_TRIM_DELAY_MS + 500));
    assert.equal(agent.lines.filter((l) => TRIMMED.test(l)).length, 1);
    await validateAll();
  });
});
