import assert from "node:assert/strict";
import { checkDenort, indexOfBytes, runtimePackage } from "../../src/build/runtime.ts";

Deno.test("runtimePackage() names the npm platform package of each target", () => {
  assert.equal(runtimePackage("x86_64"), "@deno/linux-x64-glibc");
  assert.equal(runtimePackage("aarch64"), "@deno/linux-arm64-glibc");
  assert.throws(() => runtimePackage("mips"), /No Deno runtime package for "mips"/);
});

Deno.test("checkDenort() refuses the full Deno CLI", async () => {
  await assert.rejects(
    checkDenort(Deno.execPath(), Deno.build.arch),
    /is the full Deno CLI, not denort: deno compile would build a Deno CLI instead of the agent/,
  );
});

Deno.test("checkDenort() refuses another architecture, a non-ELF file and a missing file", async () => {
  const other = Deno.build.arch === "x86_64" ? "aarch64" : "x86_64";
  await assert.rejects(
    checkDenort(Deno.execPath(), other),
    new RegExp(`is built for ${Deno.build.arch}, not ${other}$`),
  );
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/denort`, "#!/bin/sh\n");
    await assert.rejects(
      checkDenort(`${dir}/denort`, "x86_64"),
      /is no denort runtime: Not an ELF/,
    );
    await assert.rejects(checkDenort(`${dir}/none`, "x86_64"), /^Error: Cannot read the denort/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("indexOfBytes() finds a byte string", () => {
  const data = new TextEncoder().encode("aab abc abd");
  assert.equal(indexOfBytes(data, new TextEncoder().encode("abd")), 8);
  assert.equal(indexOfBytes(data, new TextEncoder().encode("abe")), -1);
  assert.equal(indexOfBytes(data, new Uint8Array()), 0);
});
