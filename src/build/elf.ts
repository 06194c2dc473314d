/**
 * Just enough of an ELF64 little-endian reader for the release build: the machine a
 * binary is for, its program interpreter (the glibc loader) and the libraries it needs
 * (DT_NEEDED), so `build.ts` can check a runtime it is handed and collect the glibc
 * files a musl-ready tarball carries, for a foreign architecture too (where `ldd`
 * cannot run). ELF-64 Object File Format, version 1.5: header, program headers, dynamic
 * section.
 *
 * @module
 */

/** What `readElf()` found. */
export interface ElfInfo {
  /** `x86_64`, `aarch64`, or `machine 0x…` for others. */
  machine: string;
  /** PT_INTERP, e.g. `/lib/ld-linux-aarch64.so.1`; undefined for a static binary or library. */
  interpreter?: string;
  /** DT_NEEDED entries in order, e.g. `libc.so.6`. */
  needed: string[];
}

const MACHINES: Record<number, string> = { 0x3e: "x86_64", 0xb7: "aarch64" };
const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NEEDED = 1n;
const DT_STRTAB = 5n;

/**
 * Reads the header, program headers and dynamic section of an ELF64 LE file.
 * Throws TypeError when `data` is not one.
 */
export function readElf(data: Uint8Array): ElfInfo {
  const isElf = data.length >= 64 && data[0] === 0x7f && data[1] === 0x45 &&
    data[2] === 0x4c && data[3] === 0x46;
  if (!isElf) throw new TypeError("Not an ELF file");
  if (data[4] !== 2 || data[5] !== 1) throw new TypeError("Not a 64-bit little-endian ELF file");
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const e = view.getUint16(18, true);
  const machine = MACHINES[e] ?? `machine 0x${e.toString(16)}`;
  const phoff = Number(view.getBigUint64(32, true));
  const phentsize = view.getUint16(54, true);
  const phnum = view.getUint16(56, true);
  const loads: { vaddr: bigint; offset: bigint; size: bigint }[] = [];
  let interpreter: string | undefined;
  let dynamic: { offset: number; size: number } | undefined;
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    const type = view.getUint32(at, true);
    const offset = view.getBigUint64(at + 8, true);
    const vaddr = view.getBigUint64(at + 16, true);
    const size = view.getBigUint64(at + 32, true);
    if (type === PT_LOAD) loads.push({ vaddr, offset, size });
    if (type === PT_INTERP) interpreter = cString(data, Number(offset));
    if (type === PT_DYNAMIC) dynamic = { offset: Number(offset), size: Number(size) };
  }
  const needed: string[] = [];
  if (dynamic) {
    const names: bigint[] = [];
    let strtab: bigint | undefined;
    for (let at = dynamic.offset; at + 16 <= dynamic.offset + dynamic.size; at += 16) {
      const tag = view.getBigInt64(at, true);
      const value = view.getBigUint64(at + 8, true);
      if (tag === 0n) break;
      if (tag === DT_NEEDED) names.push(value);
      if (tag === DT_STRTAB) strtab = value;
    }
    const load = strtab === undefined
      ? undefined
      : loads.find((l) => strtab! >= l.vaddr && strtab! < l.vaddr + l.size);
    if (names.length > 0 && !load) throw new TypeError("ELF dynamic string table not found");
    for (const name of names) {
      needed.push(cString(data, Number(strtab! - load!.vaddr + load!.offset + name)));
    }
  }
  return { machine, interpreter, needed };
}

function cString(data: Uint8Array, at: number): string {
  const end = data.indexOf(0, at);
  return new TextDecoder().decode(data.subarray(at, end < 0 ? data.length : end));
}
