/**
 * A release tarball: the Deno runtime, the bundled agent and a POSIX sh launcher, under one
 * top directory `cwmp-agent/`:
 *
 * ```
 * cwmp-agent/bin/cwmp-agent   launcher: `cwmp-agent --config /etc/cwmp-agent/cwmp.toml`
 * cwmp-agent/libexec/deno     the Deno runtime (npm platform package)
 * cwmp-agent/app/*.js         agent.js and the bundles it loads at run time
 * cwmp-agent/app/*.txt        the data-model schemas it reads
 * cwmp-agent/app/*.map        source maps: stack traces name the source file and line
 * cwmp-agent/lib/*            musl variant only: the glibc loader and libraries
 * cwmp-agent/VERSION
 * ```
 *
 * Variant `glibc` needs a glibc system. Variant `musl` (OpenWrt and other musl systems;
 * it runs on glibc systems too) starts the runtime through its own loader with
 * `--library-path`, never LD_LIBRARY_PATH, which the musl programs the agent runs (ip,
 * ping, uci) would inherit. Through the loader `/proc/self/exe` names the loader, so the
 * agent never re-spawns itself. Deno's cache goes to tmpfs (`DENO_DIR`) and the V8 code
 * cache is off: nothing is written to flash at start.
 *
 * @module
 */

import { V8_FLAGS, v8FlagsArgument } from "../cli/v8_flags.ts";
import { AGENT_BUNDLE, isBundleFile } from "./bundle.ts";
import type { GlibcFiles } from "./glibc.ts";
import { run } from "./runtime.ts";

/** `glibc`: uses the system's glibc; `musl`: carries its own. */
export type Variant = "glibc" | "musl";

/** Where Deno's cache goes unless DENO_DIR is set (the init script and systemd unit set it). */
export const DEFAULT_DENO_DIR = "/tmp/cwmp-agent-deno";

/**
 * The environment the launcher sets unless already set. One malloc arena: with one per
 * runtime thread (glibc's default), what Deno's module analysis allocates at a start with an
 * empty `DENO_DIR` (every boot when it is on tmpfs) stays: idle RSS 79.6 MiB instead of
 * 69.1 (measured, x86_64 release bundle; with a filled cache 57.3 both ways). No update
 * check: otherwise the runtime looks up and asks dl.deno.land for a newer Deno half a second
 * after every start (a DNS query, then HTTPS with the system's CA bundle loaded: idle RSS of
 * the release bundle 1.2–2.0 MiB higher, two runs of 5 starts each way), from a router whose
 * runtime only a new release replaces.
 */
export const LAUNCHER_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: "1",
  DENO_NO_UPDATE_CHECK: "1",
};

/**
 * Where `cwmp-agent warm-cache` leaves Deno's analysis of the bundle and V8's code cache of
 * the modules a start loads, under the release tree (the launcher copies it into an empty
 * `DENO_DIR`). Measured on x86_64: a start with an empty `DENO_DIR` takes 60–90 ms and about
 * 20 MiB of RSS more than one with it filled.
 */
export const SEED_DIR = "deno-cache";

/**
 * The environment variable whose V8 flags (comma-separated, e.g. `--max-opt=1`) the launcher
 * adds after the agent's own ({@linkcode V8_FLAGS}), so they win where both set a flag.
 * V8 refuses a code cache made under other flags, so `warm-cache` records the ones it ran
 * with in {@linkcode SEED_FLAGS_FILE}, and a start that copies the seed under other ones says
 * so on stderr. Such a start still works, but V8 compiles every module again (Deno then
 * keeps the new code cache in `DENO_DIR`, so on tmpfs that is every boot): measured on the
 * x86_64 release bundle with `--max-opt=1`, 24 starts each, spawn → BOOT Inform median
 * 115 ms, first quartile 86 ms, from a seed made without it; 55 ms and 48 ms from a matching
 * seed; 90 ms, then 40–57 ms, for starts on one `DENO_DIR` seeded without it.
 */
export const EXTRA_V8_FLAGS_ENV = "CWMP_AGENT_V8_FLAGS";

/** The file in {@linkcode SEED_DIR} naming the {@linkcode EXTRA_V8_FLAGS_ENV} it was made with. */
export const SEED_FLAGS_FILE = "v8-flags";

/**
 * The `deno run` arguments of the launcher, before the agent's own. V8's code cache stays on:
 * it goes to `DENO_DIR` with the rest of Deno's cache (tmpfs unless an init script says
 * otherwise), and spares V8 compiling the start-up chunks' functions again at every start
 * (measured on x86_64: 12–15 ms of the 65–80 ms to the first Inform, 1.1 MB in `DENO_DIR`).
 */
export function runArguments(appDir: string, v8Flags: readonly string[] = V8_FLAGS): string[] {
  return [
    "run",
    "--allow-all",
    "--unstable-net",
    "--no-config",
    "--no-lock",
    "--no-remote",
    "--no-npm",
    ...(v8Flags.length > 0 ? [v8FlagsArgument(v8Flags)] : []),
    `${appDir}/${AGENT_BUNDLE}`,
  ];
}

/** Options of {@linkcode launcherScript}. */
export interface LauncherOptions {
  arch: string;
  variant: Variant;
  version: string;
  /** The loader's file name in lib/ (musl variant). */
  loader?: string;
}

/** The `bin/cwmp-agent` POSIX sh launcher. */
export function launcherScript(o: LauncherOptions): string {
  const extra = `\${${EXTRA_V8_FLAGS_ENV}:+,\$${EXTRA_V8_FLAGS_ENV}}`;
  const deno = [
    '"$here/libexec/deno"',
    ...runArguments('"$here/app"').map((word) =>
      word.startsWith("--v8-flags=") ? `"${word}${extra}"` : shellWord(word)
    ),
  ];
  const command = o.variant === "musl"
    ? [`"$here/lib/${o.loader}"`, "--library-path", '"$here/lib"', ...deno]
    : deno;
  const how = o.variant === "musl"
    ? "# through the glibc loader and libraries in lib/, so the system needs no glibc\n" +
      "# (--library-path, not LD_LIBRARY_PATH, which the programs the agent runs would inherit)."
    : "# with the system's glibc.";
  return `#!/bin/sh
# cwmp-agent ${o.version} for ${o.arch} Linux (${o.variant}), made by build.ts.
# Runs the bundled agent (app/) on the Deno runtime in libexec/,
${how}
# Deno's cache and V8's code cache go to $DENO_DIR (default on tmpfs): nothing goes to flash.
self=$(readlink -f "$0") || exit 1
here=\${self%/bin/*}
DENO_DIR=\${DENO_DIR:-${DEFAULT_DENO_DIR}}
${Object.entries(LAUNCHER_ENV).map(([k, v]) => `${k}=\${${k}:-${v}}\n`).join("")}export DENO_DIR ${
    Object.keys(LAUNCHER_ENV).join(" ")
  }
# Deno's analysis of the bundle and V8's code cache, made once per installed version by
# \`cwmp-agent warm-cache\` into ${SEED_DIR}/: copied into an empty $DENO_DIR (a tmpfs at boot),
# so a start reads them instead of analysing and compiling the bundle again; nothing is
# written to flash at start.
# V8 takes a code cache only from a run with the same flags: warm-cache notes the
# ${EXTRA_V8_FLAGS_ENV} it ran with, and a start under other ones says so.
if [ "$1" = warm-cache ]; then
	rm -rf "$here/${SEED_DIR}"
	DENO_DIR="$here/${SEED_DIR}"
	mkdir -p "$DENO_DIR" && printf '%s\\n' "\$${EXTRA_V8_FLAGS_ENV}" >"$DENO_DIR/${SEED_FLAGS_FILE}" || exit 1
elif [ -d "$here/${SEED_DIR}" ] && [ ! -e "$DENO_DIR/dep_analysis_cache_v2" ]; then
	mkdir -p "$DENO_DIR" && cp -a "$here/${SEED_DIR}/." "$DENO_DIR/" 2>/dev/null
	seeded=
	[ -f "$here/${SEED_DIR}/${SEED_FLAGS_FILE}" ] && read -r seeded <"$here/${SEED_DIR}/${SEED_FLAGS_FILE}"
	[ "$seeded" = "\$${EXTRA_V8_FLAGS_ENV}" ] ||
		echo "cwmp-agent: $here/${SEED_DIR} was made with ${EXTRA_V8_FLAGS_ENV}='$seeded', not '\$${EXTRA_V8_FLAGS_ENV}': V8 cannot use its code cache and compiles the agent again (run cwmp-agent warm-cache with the same value)" >&2
fi
exec ${command.join(" ")} "$@"
`;
}

function shellWord(word: string): string {
  return word.startsWith('"') || /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word}'`;
}

/** Options of {@linkcode buildTarball}. */
export interface TarballOptions {
  arch: string;
  variant: Variant;
  /** The stamped version (launcher, VERSION file). */
  version: string;
  /** The file name's version (deno.json's). */
  baseVersion: string;
  /** The `deno` binary to ship. */
  runtime: string;
  /** Directory holding agent.js and the runtime modules' bundles. */
  bundleDir: string;
  /** The glibc files (musl variant). */
  glibc?: GlibcFiles;
  outDir: string;
  /** Also write .tar.xz. */
  xz: boolean;
  /** Modification time of every entry (seconds since the epoch). */
  mtime: number;
}

/** What {@linkcode buildTarball} wrote. */
export interface TarballResult {
  /** Archive file names in `outDir`. */
  archives: string[];
  /** Bytes of the unpacked tree. */
  unpackedBytes: number;
}

/** The archive's base name, e.g. `cwmp-agent-0.1.0-aarch64-linux-musl`. */
export function tarballName(baseVersion: string, arch: string, variant: Variant): string {
  return `cwmp-agent-${baseVersion}-${arch}-linux-${variant}`;
}

/** Stages the tree and writes `<name>.tar.gz` (and `.tar.xz`) into `outDir`. */
export async function buildTarball(o: TarballOptions): Promise<TarballResult> {
  const name = tarballName(o.baseVersion, o.arch, o.variant);
  const stage = `${o.outDir}/.stage-${name}`;
  const top = `${stage}/cwmp-agent`;
  await Deno.remove(stage, { recursive: true }).catch(() => {});
  for (const dir of ["bin", "libexec", "app"]) {
    await Deno.mkdir(`${top}/${dir}`, { recursive: true });
  }
  const launcher = launcherScript({
    arch: o.arch,
    variant: o.variant,
    version: o.version,
    loader: o.glibc?.loader,
  });
  await Deno.writeTextFile(`${top}/bin/cwmp-agent`, launcher, { mode: 0o755 });
  await copy(o.runtime, `${top}/libexec/deno`, 0o755);
  for await (const entry of Deno.readDir(o.bundleDir)) {
    if (entry.isFile && isBundleFile(entry.name)) {
      await copy(`${o.bundleDir}/${entry.name}`, `${top}/app/${entry.name}`, 0o644);
    }
  }
  if (o.variant === "musl") {
    if (!o.glibc) throw new TypeError("The musl variant needs the glibc files");
    await Deno.mkdir(`${top}/lib`);
    // Real files, mode 0755: the loader is executed and the libraries mapped.
    for (const file of o.glibc.files) {
      await copy(`${o.glibc.dir}/${file}`, `${top}/lib/${file}`, 0o755);
    }
  }
  await Deno.writeTextFile(`${top}/VERSION`, `${o.version}\n`);
  const unpackedBytes = await treeBytes(top);
  const tar = [
    "--sort=name",
    "--owner=0",
    "--group=0",
    "--numeric-owner",
    `--mtime=@${o.mtime}`,
    "-C",
    stage,
  ];
  const archives = [`${name}.tar.gz`];
  await run("tar", [...tar, "-I", "gzip -n", "-cf", `${o.outDir}/${name}.tar.gz`, "cwmp-agent"]);
  if (o.xz) {
    // CRC32: the check busybox's unxz always supports.
    await run("tar", [
      ...tar,
      "-I",
      "xz -6 --check=crc32",
      "-cf",
      `${o.outDir}/${name}.tar.xz`,
      "cwmp-agent",
    ]);
    archives.push(`${name}.tar.xz`);
  }
  await Deno.remove(stage, { recursive: true });
  return { archives, unpackedBytes };
}

async function copy(from: string, to: string, mode: number): Promise<void> {
  await Deno.copyFile(from, to);
  await Deno.chmod(to, mode);
}

async function treeBytes(dir: string): Promise<number> {
  let total = 0;
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) total += await treeBytes(path);
    else total += (await Deno.lstat(path)).size;
  }
  return total;
}
