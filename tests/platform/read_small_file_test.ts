import assert from "node:assert/strict";
import { readSmallFile } from "../../src/platform/read_small_file.ts";

async function withTempFile(text: string, fn: (path: string) => void): Promise<void> {
  const path = await Deno.makeTempFile({ prefix: "cwmp-small-file-" });
  try {
    await Deno.writeTextFile(path, text);
    fn(path);
  } finally {
    await Deno.remove(path);
  }
}

Deno.test("readSmallFile() reads an existing file as Deno.readTextFileSync does", async () => {
  await withTempFile("nameserver 192.0.2.53\nsearch lan\n", (path) => {
    assert.equal(readSmallFile(path), "nameserver 192.0.2.53\nsearch lan\n");
    assert.equal(readSmallFile(path), Deno.readTextFileSync(path));
  });
});

Deno.test("readSmallFile() reads an empty file as an empty string", async () => {
  await withTempFile("", (path) => assert.equal(readSmallFile(path), ""));
});

Deno.test("readSmallFile() answers undefined for a missing file or a directory", () => {
  assert.equal(readSmallFile("/proc/no-such-file"), undefined);
  assert.equal(readSmallFile("/nonexistent/dir/file"), undefined);
  assert.equal(readSmallFile("/proc"), undefined);
  assert.equal(readSmallFile("/etc/\0passwd"), undefined);
});

Deno.test("readSmallFile() reads files longer than its buffer whole", async () => {
  // 4096 bytes is the buffer; a two-byte character straddles each chunk boundary.
  for (const length of [4095, 4096, 4097, 10_000, 100_000]) {
    const text = "é".repeat(Math.floor(length / 2)) + "x".repeat(length % 2);
    await withTempFile(text, (path) => assert.equal(readSmallFile(path), text));
  }
});

Deno.test("readSmallFile() reads /proc/self/stat of this process", () => {
  const text = readSmallFile("/proc/self/stat") ?? "";
  assert.match(text, new RegExp(`^${Deno.pid} \\(.+\\) [A-Za-z] `));
  assert.ok(text.endsWith("\n"));
});

Deno.test("readSmallFile() reads /proc files larger than its buffer", () => {
  // /proc reports size 0; its seq files hand out at most a page per read.
  const maps = readSmallFile("/proc/self/maps") ?? "";
  assert.ok(maps.length > 4096, `only ${maps.length} bytes`);
  assert.ok(maps.endsWith("\n"));
  assert.equal(maps.split("\n")[0], Deno.readTextFileSync("/proc/self/maps").split("\n")[0]);
});

Deno.test("readSmallFile() sees a file change between reads", async () => {
  await withTempFile("UTC0\n", (path) => {
    assert.equal(readSmallFile(path), "UTC0\n");
    Deno.writeTextFileSync(path, "CET-1CEST,M3.5.0,M10.5.0/3\n");
    assert.equal(readSmallFile(path), "CET-1CEST,M3.5.0,M10.5.0/3\n");
    Deno.removeSync(path);
    assert.equal(readSmallFile(path), undefined);
    Deno.writeTextFileSync(path, "");
  });
});
