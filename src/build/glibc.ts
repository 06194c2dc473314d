/**
 * The glibc a musl-ready tarball carries: the loader named by the runtime's PT_INTERP and
 * every library it needs, transitively (DT_NEEDED, what `ldd` would list), all taken from
 * one directory so that loader and libc come from one glibc build. Looked up in this
 * machine's multiarch and cross directories; when none has them all, Debian's cross
 * packages (`libc6-<arch>-cross`, `libgcc-s1-<arch>-cross`, which need no foreign
 * architecture in dpkg) are fetched with `apt-get download` into the cache.
 *
 * @module
 */

import { readElf } from "./elf.ts";
import { run } from "./runtime.ts";

/** Debian's names for an architecture. */
const DEBIAN: Record<string, { triple: string; cross: string }> = {
  x86_64: { triple: "x86_64-linux-gnu", cross: "amd64" },
  aarch64: { triple: "aarch64-linux-gnu", cross: "arm64" },
};

/** The glibc files for one runtime. */
export interface GlibcFiles {
  /** File name of the loader, e.g. `ld-linux-aarch64.so.1`. */
  loader: string;
  /** Directory they all come from. */
  dir: string;
  /** File names in `dir`, loader included, sorted. */
  files: string[];
}

/** Where the glibc files of `arch` may be found on this machine, best first. */
export function glibcDirs(arch: string, cacheDir: string): string[] {
  const { triple } = DEBIAN[arch];
  return [
    `/lib/${triple}`,
    `/usr/lib/${triple}`,
    `/usr/${triple}/lib`,
    `${cacheDir}/glibc-${arch}/usr/${triple}/lib`,
  ];
}

/**
 * Finds the loader and libraries the ELF binary `runtime` needs; fetches the cross
 * packages into `cacheDir` when no directory here has them all.
 */
export async function collectGlibc(runtime: string, cacheDir: string): Promise<GlibcFiles> {
  const info = readElf(await Deno.readFile(runtime));
  const debian = DEBIAN[info.machine];
  if (!debian) throw new RangeError(`No glibc source known for ${info.machine}`);
  if (!info.interpreter) throw new TypeError(`"${runtime}" names no program interpreter`);
  const loader = basename(info.interpreter);
  const roots = [loader, ...info.needed];
  const dirs = glibcDirs(info.machine, cacheDir);
  for (const dir of dirs) {
    const files = await closure(dir, roots, info.machine);
    if (files) return { loader, dir, files };
  }
  const target = `${cacheDir}/glibc-${info.machine}`;
  await Deno.mkdir(target, { recursive: true });
  const packages = [`libc6-${debian.cross}-cross`, `libgcc-s1-${debian.cross}-cross`];
  await run("apt-get", ["download", ...packages], target);
  for await (const entry of Deno.readDir(target)) {
    if (entry.name.endsWith(".deb")) {
      await run("dpkg-deb", ["-x", `${target}/${entry.name}`, target]);
      await Deno.remove(`${target}/${entry.name}`);
    }
  }
  const dir = dirs[dirs.length - 1];
  const files = await closure(dir, roots, info.machine);
  if (!files) {
    throw new Error(`Cannot find ${roots.join(" ")} for ${info.machine} in ${dir}`);
  }
  return { loader, dir, files };
}

/** The names `roots` and everything they need, if all are in `dir` for `machine`. */
async function closure(
  dir: string,
  roots: string[],
  machine: string,
): Promise<string[] | undefined> {
  const seen = new Set<string>();
  const todo = [...roots];
  while (todo.length > 0) {
    const name = todo.pop()!;
    if (seen.has(name)) continue;
    let data: Uint8Array;
    try {
      data = await Deno.readFile(`${dir}/${name}`);
    } catch {
      return undefined;
    }
    const info = readElf(data);
    if (info.machine !== machine) return undefined;
    seen.add(name);
    todo.push(...info.needed);
  }
  return [...seen].sort();
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
