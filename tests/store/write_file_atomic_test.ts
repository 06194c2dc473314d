import assert from "node:assert/strict";
import { dirnameOf, writeFileAtomic } from "../../src/store/write_file_atomic.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cwmp-store-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function names(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) out.push(e.name);
  return out.sort();
}

Deno.test("writeFileAtomic() creates and replaces a file, leaving no temp file", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/state.json`;
    await writeFileAtomic(path, "one");
    await writeFileAtomic(path, new TextEncoder().encode("two"));
    assert.equal(await Deno.readTextFile(path), "two");
    assert.deepEqual(await names(dir), ["state.json"]);
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
  });
});

Deno.test("writeFileAtomic() leaves the old file when interrupted before the rename", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/state.json`;
    await writeFileAtomic(path, "old");
    await assert.rejects(
      writeFileAtomic(path, "new", {
        beforeRename: () => {
          throw new Error("Simulated crash");
        },
      }),
      { message: "Simulated crash" },
    );
    assert.equal(await Deno.readTextFile(path), "old");
    assert.deepEqual(await names(dir), ["state.json"]);
  });
});

Deno.test("writeFileAtomic() fails without touching anything when the directory is missing", async () => {
  await withDir(async (dir) => {
    await assert.rejects(writeFileAtomic(`${dir}/nope/state.json`, "x"), Deno.errors.NotFound);
    assert.deepEqual(await names(dir), []);
  });
});

Deno.test("dirnameOf() returns the directory part", () => {
  assert.equal(dirnameOf("/var/lib/cwmp/state.json"), "/var/lib/cwmp");
  assert.equal(dirnameOf("state.json"), ".");
  assert.equal(dirnameOf("/state.json"), "/");
});
