/**
 * The idle trim: V8's last-resort collection and glibc's malloc_trim give a dropped heap's
 * pages back (measured on RSS in a child process with the agent's V8 flags), and the quiet
 * period restarts with each schedule and ends with close. The agent's own trim after a
 * session is driven through a real session in tests/integration/memory_trim_test.ts.
 */

import assert from "node:assert/strict";
import { v8FlagsArgument } from "../../src/cli/v8_flags.ts";
import { IdleTrim } from "../../src/platform/memory_trim.ts";

const TRIM = new URL("../../src/platform/memory_trim.ts", import.meta.url).href;

Deno.test("trimMemory() gives a dropped heap's pages back to the system", async () => {
  const script = `
    import { trimMemory } from ${JSON.stringify(TRIM)};
    let held = [];
    for (let i = 0; i < 400000; i++) held.push({ i, s: "x" + i, o: [i] });
    const grown = Deno.memoryUsage().rss;
    held = null;
    const result = trimMemory();
    console.log(JSON.stringify({ grown, ...result }));
  `;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", v8FlagsArgument(), script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const r = JSON.parse(new TextDecoder().decode(out.stdout));
  assert.equal(r.heap, true, "the agent's V8 flags expose the collection");
  assert.equal(r.malloc, true, "glibc's malloc_trim ran");
  const MiB = 1048576;
  // ~60 MB of objects dropped: the pages go back (a plain gc() keeps them all).
  assert.ok(r.grown - r.rssAfter > 30 * MiB, `RSS ${r.grown / MiB} -> ${r.rssAfter / MiB} MiB`);
  assert.ok(r.rssBefore >= r.rssAfter);
});

const trimmed = (rssAfter: number) => ({ heap: true, malloc: true, rssBefore: 0, rssAfter });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("IdleTrim trims once after a quiet period that each schedule restarts", async () => {
  let trims = 0;
  const idle = new IdleTrim({
    delayMs: 60,
    growthBytes: 0,
    trim: () => (trims++, trimmed(0)),
  });
  idle.schedule();
  await sleep(30);
  idle.schedule(); // pushes it back
  await sleep(40);
  assert.equal(trims, 0, "a schedule within the quiet period restarts it");
  await sleep(60);
  assert.equal(trims, 1);
  idle.schedule();
  idle.cancel();
  await sleep(90);
  assert.equal(trims, 1, "cancelled");
  idle.close();
  idle.schedule();
  await sleep(90);
  assert.equal(trims, 1, "nothing after close");
});

Deno.test("IdleTrim trims the first time, then only after RSS grew by growthBytes", async () => {
  let rss = 100;
  const seen: number[] = [];
  const idle = new IdleTrim({
    delayMs: 5,
    growthBytes: 10,
    rss: () => rss,
    trim: () => (rss -= 5, trimmed(rss)),
    onTrim: (r) => seen.push(r.rssAfter),
  });
  const quiet = async () => (idle.schedule(), await sleep(30));
  await quiet();
  assert.deepEqual(seen, [95], "the first quiet spell trims");
  rss = 104; // grew 9 since the trim
  await quiet();
  assert.deepEqual(seen, [95], "under growthBytes: left alone");
  rss = 105;
  await quiet();
  assert.deepEqual(seen, [95, 100], "growthBytes reached: trimmed");
  idle.close();
});
