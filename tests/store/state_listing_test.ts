import assert from "node:assert/strict";
import {
  forgetStateListing,
  noteStateListing,
  readTextIfPresent,
  recoverStateDir,
  writeFileAtomic,
  writeFileAtomicSync,
} from "../../src/store/mod.ts";

Deno.test("readTextIfPresent() reads a file, answers undefined for an absent one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    Deno.writeTextFileSync(`${dir}/a.json`, "A");
    assert.equal(readTextIfPresent(`${dir}/a.json`), "A");
    assert.equal(readTextIfPresent(`${dir}/none.json`), undefined);
    assert.throws(() => readTextIfPresent(dir)); // A directory is not "absent".
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a noted listing answers absent files without reading, until a write into its directory", async () => {
  const dir = await Deno.makeTempDir();
  const other = await Deno.makeTempDir();
  try {
    Deno.writeTextFileSync(`${dir}/a.json`, "A");
    Deno.writeTextFileSync(`${dir}/late.json`, "L");
    Deno.writeTextFileSync(`${other}/b.json`, "B");
    noteStateListing(dir, ["a.json"]);
    // late.json is on disk but not listed: not read.
    assert.equal(readTextIfPresent(`${dir}/late.json`), undefined);
    assert.equal(readTextIfPresent(`${dir}/a.json`), "A");
    assert.equal(readTextIfPresent(`${other}/b.json`), "B"); // Another directory: read.
    writeFileAtomicSync(`${other}/c.json`, "C"); // A write elsewhere keeps the listing.
    assert.equal(readTextIfPresent(`${dir}/late.json`), undefined);
    writeFileAtomicSync(`${dir}/d.json`, "D"); // A write into it drops the listing.
    assert.equal(readTextIfPresent(`${dir}/late.json`), "L");
    assert.equal(readTextIfPresent(`${dir}/d.json`), "D");

    noteStateListing(`${dir}/`, []);
    await writeFileAtomic(`${dir}/e.json`, "E"); // The async writer too.
    assert.equal(readTextIfPresent(`${dir}/e.json`), "E");

    noteStateListing(dir, []);
    forgetStateListing(other); // Not its directory: kept.
    assert.equal(readTextIfPresent(`${dir}/a.json`), undefined);
    forgetStateListing(dir);
    assert.equal(readTextIfPresent(`${dir}/a.json`), "A");
  } finally {
    forgetStateListing();
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(other, { recursive: true });
  }
});

Deno.test("recoverStateDir() notes the directory's files, and none while a journal is replayed", async () => {
  const dir = await Deno.makeTempDir();
  try {
    Deno.writeTextFileSync(`${dir}/a.json`, "A");
    Deno.writeTextFileSync(`${dir}/a.json.tmp-1234abcd`, "partial");
    recoverStateDir(dir);
    Deno.writeTextFileSync(`${dir}/b.json`, "B"); // Behind the listing's back.
    assert.equal(readTextIfPresent(`${dir}/a.json`), "A");
    assert.equal(readTextIfPresent(`${dir}/b.json`), undefined);
    assert.equal(readTextIfPresent(`${dir}/a.json.tmp-1234abcd`), undefined); // Removed.
    forgetStateListing();

    // A committed journal: its files are rewritten, and every read goes to the disk.
    const files = { "c.json": "C" };
    Deno.writeTextFileSync(`${dir}/journal.json`, JSON.stringify({ version: 1, files }));
    const recovered = recoverStateDir(dir);
    assert.deepEqual(recovered.replayed, [`${dir}/c.json`]);
    Deno.writeTextFileSync(`${dir}/f.json`, "F");
    assert.equal(readTextIfPresent(`${dir}/c.json`), "C");
    assert.equal(readTextIfPresent(`${dir}/f.json`), "F");
  } finally {
    forgetStateListing();
    await Deno.remove(dir, { recursive: true });
  }
});
