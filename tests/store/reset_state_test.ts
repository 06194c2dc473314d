import assert from "node:assert/strict";
import { lockStateDir, resetStateDir, StateDirBusyError } from "../../src/store/mod.ts";

Deno.test("resetStateDir() empties the directory but for its lock, the journal first", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/session.json`, "{}");
    await Deno.writeTextFile(`${dir}/journal.json`, "{}");
    await Deno.mkdir(`${dir}/transfers`);
    await Deno.writeTextFile(`${dir}/transfers/1.bin`, "x");
    (await lockStateDir(dir)).release();
    const { removed } = await resetStateDir(dir);
    assert.deepEqual(removed, ["journal.json", "session.json", "transfers"]);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["agent.lock"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("resetStateDir() refuses a directory an agent holds, and accepts a missing one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/session.json`, "{}");
    const lock = await lockStateDir(dir);
    try {
      await assert.rejects(() => resetStateDir(dir), StateDirBusyError);
    } finally {
      lock.release();
    }
    assert.equal(Deno.statSync(`${dir}/session.json`).isFile, true);
    assert.deepEqual(await resetStateDir(`${dir}/none`), { removed: [] });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
