/**
 * The Deno runtimes a release is built on: the full runtime from the npm registry's
 * platform packages (what the tarballs ship), and the check of a `denort` handed to
 * `deno compile` (a full Deno CLI given in its place would make `deno compile` emit a Deno
 * CLI instead of the agent, silently).
 *
 * @module
 */

import { readElf } from "./elf.ts";

/** The Deno version the tarballs ship (the newest one npm has for both architectures). */
export const DENO_RUNTIME_VERSION = "2.9.5";

/** The npm platform package holding the Deno runtime for `arch`. */
export function runtimePackage(arch: string): string {
  if (arch === "x86_64") return "@deno/linux-x64-glibc";
  if (arch === "aarch64") return "@deno/linux-arm64-glibc";
  throw new RangeError(`No Deno runtime package for "${arch}"`);
}

/**
 * The Deno runtime for `arch` from the npm registry (`npm pack`), cached in `cacheDir`;
 * resolves with the path of the `deno` binary.
 */
export async function fetchRuntime(
  arch: string,
  cacheDir: string,
  version: string = DENO_RUNTIME_VERSION,
): Promise<string> {
  const dir = `${cacheDir}/deno-${version}-${arch}`;
  const binary = `${dir}/package/deno`;
  if (await isFile(binary)) return binary;
  await Deno.mkdir(dir, { recursive: true });
  const spec = `${runtimePackage(arch)}@${version}`;
  const pack = await run("npm", ["pack", "--silent", spec, "--pack-destination", dir]);
  const tgz = `${dir}/${pack.trim().split("\n").pop()}`;
  await run("tar", ["-xzf", tgz, "-C", dir, "package/deno"]);
  await Deno.remove(tgz);
  const info = readElf(await Deno.readFile(binary));
  if (info.machine !== arch) {
    throw new Error(`Cannot use ${spec}: its deno is for ${info.machine}, not ${arch}`);
  }
  return binary;
}

/** Texts of the CLI's own subcommands (its `--help`), which the stripped `denort` lacks. */
const CLI_MARKERS = [
  "Compiles the given script into a self contained executable",
  "Run a JavaScript or TypeScript program",
];

/**
 * Rejects a runtime that `deno compile` must not be given for `arch`: a missing file, a
 * non-ELF file, another architecture, or the full Deno CLI instead of `denort`. The
 * message is one line naming the file.
 */
export async function checkDenort(path: string, arch: string): Promise<void> {
  let data: Uint8Array;
  try {
    data = await Deno.readFile(path);
  } catch (error) {
    throw new Error(`Cannot read the denort runtime "${path}": ${(error as Error).message}`);
  }
  let machine: string;
  try {
    machine = readElf(data).machine;
  } catch (error) {
    throw new Error(`"${path}" is no denort runtime: ${(error as Error).message}`);
  }
  if (machine !== arch) {
    throw new Error(`"${path}" is built for ${machine}, not ${arch}`);
  }
  const cli = CLI_MARKERS.find((m) => indexOfBytes(data, new TextEncoder().encode(m)) >= 0);
  if (cli !== undefined) {
    throw new Error(
      `"${path}" is the full Deno CLI, not denort: deno compile would build a Deno CLI instead of the agent; give denort (the denort-<target>.zip of the Deno release)`,
    );
  }
}

/** First index of `needle` in `data`, or -1. */
export function indexOfBytes(data: Uint8Array, needle: Uint8Array): number {
  if (needle.length === 0) return 0;
  for (let i = data.indexOf(needle[0]); i >= 0; i = data.indexOf(needle[0], i + 1)) {
    let j = 1;
    while (j < needle.length && data[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/** Runs `cmd`; resolves with its stdout, or throws one line with its stderr's last line. */
export async function run(cmd: string, args: string[], cwd?: string): Promise<string> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  } catch (error) {
    throw new Error(`Cannot run ${cmd}: ${(error as Error).message}`);
  }
  if (!out.success) {
    const last = new TextDecoder().decode(out.stderr).trim().split("\n").pop() ?? "";
    throw new Error(`${cmd} ${args[0]} failed (exit ${out.code}): ${last}`);
  }
  return new TextDecoder().decode(out.stdout);
}
