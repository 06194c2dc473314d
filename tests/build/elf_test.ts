import assert from "node:assert/strict";
import { readElf } from "../../src/build/elf.ts";

Deno.test("readElf() reads the machine, loader and needed libraries of the Deno runtime", async () => {
  const info = readElf(await Deno.readFile(Deno.execPath()));
  assert.equal(info.machine, Deno.build.arch);
  assert.match(info.interpreter ?? "", /\/ld-linux-(x86-64\.so\.2|aarch64\.so\.1)$/);
  assert.ok(info.needed.includes("libc.so.6"), info.needed.join(" "));
});

Deno.test("readElf() rejects what is not a 64-bit little-endian ELF file", () => {
  assert.throws(() => readElf(new TextEncoder().encode("#!/bin/sh\n".padEnd(64))), {
    name: "TypeError",
    message: "Not an ELF file",
  });
  const elf32 = new Uint8Array(64);
  elf32.set([0x7f, 0x45, 0x4c, 0x46, 1, 1]);
  assert.throws(() => readElf(elf32), { message: "Not a 64-bit little-endian ELF file" });
});
