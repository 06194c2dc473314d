/**
 * Builds the release artifacts of cwmp-agent into `dist/`, with a SHA-256 sum file:
 *
 * - per target (x86_64, aarch64 Linux), a tarball of the Deno runtime from the npm
 *   registry, the agent bundled (`deno bundle`) and a `bin/cwmp-agent` launcher, in two
 *   variants: `glibc` (uses the system's) and `musl` (OpenWrt: carries the glibc loader and
 *   libraries and starts through them). Always buildable: it needs npm, and for a foreign
 *   architecture's glibc, Debian's cross packages (`apt-get download`). See
 *   src/build/tarball.ts for the layout.
 * - `deno compile` binaries where a `denort` runtime is given, per target with
 *   `--denort-<arch> PATH` (or `DENORT_BIN_X86_64` / `DENORT_BIN_AARCH64`), or for a
 *   single-target build with `DENORT_BIN` / `--denort PATH`; `--artifact compile` without
 *   one downloads it from dl.deno.land. The runtime is checked first: the full Deno CLI
 *   given as denort is refused.
 *
 * The version stamped into the agent (`cwmp-agent --version`) is deno.json's `version`
 * plus `git describe` as build metadata.
 *
 * Usage: deno task build [--target x86_64|aarch64]... [--artifact glibc|musl|compile]...
 *        [--denort PATH] [--denort-x86_64 PATH] [--denort-aarch64 PATH] [--out DIR]
 *        [--cache DIR] [--no-xz]
 *
 * @module
 */

import { v8FlagsArgument } from "./src/cli/v8_flags.ts";
import {
  AGENT_BUNDLE,
  bundleAgent,
  gitDescribe,
  isBundleFile,
  releaseVersion,
  RUNTIME_MODULES,
} from "./src/build/bundle.ts";
import { collectGlibc } from "./src/build/glibc.ts";
import { checkDenort, fetchRuntime, run } from "./src/build/runtime.ts";
import { buildTarball } from "./src/build/tarball.ts";

/** A router target: Deno's target triple and the `deno compile` output name. */
export interface BuildTarget {
  arch: "x86_64" | "aarch64";
  triple: string;
  output: string;
}

/** The targets this project ships. */
export const TARGETS: readonly BuildTarget[] = [
  { arch: "x86_64", triple: "x86_64-unknown-linux-gnu", output: "cwmp-agent-x86_64-linux" },
  { arch: "aarch64", triple: "aarch64-unknown-linux-gnu", output: "cwmp-agent-aarch64-linux" },
];

/** Modules the code loads by URL at run time, which `deno compile` cannot see statically. */
export const DYNAMIC_MODULES: readonly string[] = RUNTIME_MODULES.map((m) => m.source);

/** What can be built per target. */
export type Artifact = "glibc" | "musl" | "compile";

const ARTIFACTS: readonly Artifact[] = ["glibc", "musl", "compile"];

/** What `parseBuildArgs` understood. */
export interface BuildPlan {
  outDir: string;
  /** Where downloaded runtimes and glibc packages are kept between builds. */
  cacheDir: string;
  /** Also write .tar.xz files. */
  xz: boolean;
  jobs: { target: BuildTarget; denort?: string; artifacts: Artifact[] }[];
}

/**
 * Reads the command line and environment into a build plan. Without `--artifact`: both
 * tarballs, plus `compile` for a target whose denort is given. Throws TypeError on bad input.
 */
export function parseBuildArgs(
  args: string[],
  env: Record<string, string | undefined>,
): BuildPlan {
  let outDir = "dist";
  let cacheDir: string | undefined;
  let xz = true;
  const archs: string[] = [];
  const artifacts: Artifact[] = [];
  let single: string | undefined = env.DENORT_BIN;
  const perArch: Record<string, string | undefined> = {
    x86_64: env.DENORT_BIN_X86_64,
    aarch64: env.DENORT_BIN_AARCH64,
  };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    const value = args[i + 1];
    const need = () => {
      if (value === undefined || value.startsWith("--")) {
        throw new TypeError(`Option "${flag}" needs a value`);
      }
      i++;
      return value;
    };
    if (flag === "--target") archs.push(need());
    else if (flag === "--out") outDir = need();
    else if (flag === "--cache") cacheDir = need();
    else if (flag === "--no-xz") xz = false;
    else if (flag === "--denort") single = need();
    else if (flag === "--denort-x86_64") perArch.x86_64 = need();
    else if (flag === "--denort-aarch64") perArch.aarch64 = need();
    else if (flag === "--artifact") {
      const a = need();
      if (!ARTIFACTS.includes(a as Artifact)) {
        throw new TypeError(`Unknown artifact "${a}" (use glibc, musl or compile)`);
      }
      artifacts.push(a as Artifact);
    } else throw new TypeError(`Unknown option "${flag}"`);
  }
  const chosen = archs.length === 0 ? TARGETS : archs.map((a) => {
    const t = TARGETS.find((t) => t.arch === a || t.triple === a);
    if (!t) throw new TypeError(`Unknown target "${a}" (use x86_64 or aarch64)`);
    return t;
  });
  if (single !== undefined && chosen.length > 1 && !perArch.x86_64 && !perArch.aarch64) {
    throw new TypeError(
      "DENORT_BIN names one runtime but two targets are selected: add --target or use --denort-<arch>",
    );
  }
  const cache = env.XDG_CACHE_HOME ?? (env.HOME ? `${env.HOME}/.cache` : undefined);
  return {
    outDir,
    cacheDir: cacheDir ?? (cache ? `${cache}/cwmp-agent-build` : `${outDir}/.cache`),
    xz,
    jobs: chosen.map((target) => {
      const denort = perArch[target.arch] ?? single;
      const wanted: Artifact[] = artifacts.length > 0
        ? [...new Set(artifacts)]
        : ["glibc", "musl", ...(denort ? ["compile" as const] : [])];
      return { target, denort, artifacts: wanted };
    }),
  };
}

async function sha256(path: string): Promise<string> {
  const data = await Deno.readFile(path);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Picks the most specific cause out of `deno compile`'s error report. */
export function compileCause(stderr: string): string {
  // deno-lint-ignore no-control-regex
  const plain = stderr.replace(/\x1b\[[0-9;]*m/g, "");
  const body = plain.split("Stack backtrace:")[0];
  const causes = [...body.matchAll(/^\s+\d+: (.+)$/gm)].map((m) => m[1].trim());
  if (causes.length > 0) return causes.join(": ");
  const error = body.match(/^error: (.+)$/m);
  return error ? error[1].trim() : "unknown error";
}

/** `deno compile` of the stamped bundle, with the runtime modules' bundles included. */
async function compile(
  job: BuildPlan["jobs"][number],
  outDir: string,
  bundleDir: string,
): Promise<string> {
  const out = `${outDir}/${job.target.output}`;
  const env: Record<string, string> = {};
  if (job.denort) env.DENORT_BIN = job.denort;
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "compile",
      "--allow-all",
      "--unstable-net",
      "--no-check",
      "--no-config",
      // The heap limits the agent is measured and tested with (src/cli/v8_flags.ts).
      v8FlagsArgument(),
      // Modules loaded at run time: the UDP Worker and the handlers it imports by URL, and
      // agent.js's chunks (the modules it imports on demand); the schema data files; the
      // source maps (read only when a stack trace is formatted).
      ...[...Deno.readDirSync(bundleDir)]
        .filter((e) => e.isFile && isBundleFile(e.name) && e.name !== AGENT_BUNDLE)
        .flatMap((e) => ["--include", `${bundleDir}/${e.name}`]),
      "--target",
      job.target.triple,
      "--output",
      out,
      `${bundleDir}/${AGENT_BUNDLE}`,
    ],
    env,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    const text = new TextDecoder().decode(stderr);
    if (/dl\.deno\.land|error sending request|dns error/i.test(text)) {
      throw new Error(
        `Cannot download the Deno runtime (denort) for ${job.target.triple}: no network route to dl.deno.land; give a local copy with --denort-${job.target.arch} PATH or DENORT_BIN`,
      );
    }
    throw new Error(`deno compile failed for ${job.target.triple}: ${compileCause(text)}`);
  }
  return out;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

async function sourceEpoch(env: Record<string, string | undefined>): Promise<number> {
  if (env.SOURCE_DATE_EPOCH && /^\d+$/.test(env.SOURCE_DATE_EPOCH)) {
    return Number(env.SOURCE_DATE_EPOCH);
  }
  try {
    return Number((await run("git", ["log", "-1", "--format=%ct"])).trim());
  } catch {
    return Math.floor(Date.now() / 1000);
  }
}

/** Runs the plan; resolves with the exit code. Progress and errors go to the console. */
export async function build(plan: BuildPlan, env: Record<string, string | undefined>) {
  // Refuse a wrong runtime before any work.
  for (const job of plan.jobs) {
    if (job.denort && job.artifacts.includes("compile")) {
      await checkDenort(job.denort, job.target.arch);
    }
  }
  await Deno.mkdir(plan.outDir, { recursive: true });
  const config = JSON.parse(await Deno.readTextFile("deno.json"));
  const baseVersion = String(config.version);
  const version = releaseVersion(baseVersion, await gitDescribe("."));
  const mtime = await sourceEpoch(env);
  const bundleDir = `${plan.outDir}/.bundle`;
  await bundleAgent({ root: ".", outDir: bundleDir, baseVersion, version, deno: Deno.execPath() });
  console.log(`bundled cwmp-agent ${version}`);
  const built: string[] = [];
  let failed = false;
  for (const job of plan.jobs) {
    for (const artifact of job.artifacts) {
      try {
        if (artifact === "compile") {
          const out = await compile(job, plan.outDir, bundleDir);
          built.push(out);
          console.log(`built ${out}`);
          continue;
        }
        const runtime = await fetchRuntime(job.target.arch, plan.cacheDir);
        const glibc = artifact === "musl" ? await collectGlibc(runtime, plan.cacheDir) : undefined;
        const result = await buildTarball({
          arch: job.target.arch,
          variant: artifact,
          version,
          baseVersion,
          runtime,
          bundleDir,
          glibc,
          outDir: plan.outDir,
          xz: plan.xz,
          mtime,
        });
        for (const name of result.archives) {
          const path = `${plan.outDir}/${name}`;
          built.push(path);
          const { size } = await Deno.stat(path);
          console.log(
            `built ${path} (${megabytes(size)}; unpacked ${megabytes(result.unpackedBytes)})`,
          );
        }
      } catch (e) {
        console.error(`build: ${(e as Error).message}`);
        failed = true;
      }
    }
  }
  await Deno.remove(bundleDir, { recursive: true });
  if (built.length > 0) {
    const sums = [];
    for (const path of built) sums.push(`${await sha256(path)}  ${path.split("/").pop()}`);
    await Deno.writeTextFile(`${plan.outDir}/SHA256SUMS`, sums.join("\n") + "\n");
    console.log(`wrote ${plan.outDir}/SHA256SUMS`);
  }
  return failed ? 1 : 0;
}

if (import.meta.main) {
  const env = Deno.env.toObject();
  let plan: BuildPlan;
  try {
    plan = parseBuildArgs(Deno.args, env);
  } catch (e) {
    console.error(`build: ${(e as Error).message}`);
    Deno.exit(2);
  }
  // Paths from the command line are the caller's; the build runs in the repository.
  const here = Deno.cwd();
  const absolute = (p: string) => (p.startsWith("/") ? p : `${here}/${p}`);
  plan = { ...plan, outDir: absolute(plan.outDir), cacheDir: absolute(plan.cacheDir) };
  Deno.chdir(new URL(".", import.meta.url));
  try {
    Deno.exit(await build(plan, env));
  } catch (e) {
    console.error(`build: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
