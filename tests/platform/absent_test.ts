import assert from "node:assert/strict";
import { listedAbsent } from "../../src/platform/absent.ts";

Deno.test("listedAbsent() is true only for a name its listable directory lacks", async () => {
  const dir = await Deno.makeTempDir();
  try {
    Deno.writeTextFileSync(`${dir}/file`, "x");
    Deno.mkdirSync(`${dir}/sub`);
    assert.equal(listedAbsent(`${dir}/none`), true);
    assert.equal(listedAbsent(`${dir}/none/`), true);
    assert.equal(listedAbsent(`${dir}/file`), false);
    assert.equal(listedAbsent(`${dir}/sub`), false);
    assert.equal(listedAbsent(`${dir}/sub/`), false);
    // Not answerable by a listing: false, and the caller opens the path as before.
    assert.equal(listedAbsent(`${dir}/none/deeper`), false); // No such parent.
    assert.equal(listedAbsent(`${dir}/file/inside`), false); // The parent is a file.
    assert.equal(listedAbsent("relative-name"), false);
    assert.equal(listedAbsent("/"), false);
    assert.equal(listedAbsent(`${dir}/sub/..`), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
