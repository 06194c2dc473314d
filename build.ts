/**
 * Cross-compiles cwmp-agent with `deno compile` for the router targets into `dist/`,
 * with a SHA-256 sum file. `deno compile` needs the matching `denort` runtime: it is
 * downloaded from dl.deno.land unless a local copy is given, per target with
 * `--denort-<arch> PATH` (or `DENORT_BIN_X86_64` / `DENORT_BIN_AARCH64`), or for a
 * single-target build with `DENORT_BIN` / `--denort PATH`.
 *
 * Usage: deno task build [--target x86_64|aarch64]... [--denort PATH]
 *        [--denort-x86_64 PATH] [--denort-aarch64 PATH] [--out DIR]
 *
 * @module
 */

import { v8FlagsArgument } from "./src/cli/v8_flags.ts";

/** A router target: Deno's target triple and the output name. */
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
export const DYNAMIC_MODULES: readonly string[] = [
  "src/services/udp/ffi_worker.ts",
  "src/services/udp_echo/handler.ts",
  "src/services/twamp/reflector.ts",
];

/** What `parseBuildArgs` understood. */
export interface BuildPlan {
  outDir: string;
  jobs: { target: BuildTarget; denort?: string }[];
}

/** Reads the command line and environment into a build plan. Throws TypeError on bad input. */
export function parseBuildArgs(
  args: string[],
  env: Record<string, string | undefined>,
): BuildPlan {
  let outDir = "dist";
  const archs: string[] = [];
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
    else if (flag === "--denort") single = need();
    else if (flag === "--denort-x86_64") perArch.x86_64 = need();
    else if (flag === "--denort-aarch64") perArch.aarch64 = need();
    else throw new TypeError(`Unknown option "${flag}"`);
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
  return {
    outDir,
    jobs: chosen.map((target) => ({ target, denort: perArch[target.arch] ?? single })),
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

async function compile(job: BuildPlan["jobs"][number], outDir: string): Promise<string> {
  const out = `${outDir}/${job.target.output}`;
  const env: Record<string, string> = {};
  if (job.denort) env.DENORT_BIN = job.denort;
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "compile",
      "--allow-all",
      "--unstable-net",
      "--no-check",
      // The heap limits the agent is measured and tested with (src/cli/v8_flags.ts).
      v8FlagsArgument(),
      // Modules loaded at run time (the UDP Worker and the handlers it imports by URL).
      ...DYNAMIC_MODULES.flatMap((m) => ["--include", m]),
      "--target",
      job.target.triple,
      "--output",
      out,
      "main.ts",
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

if (import.meta.main) {
  let plan: BuildPlan;
  try {
    plan = parseBuildArgs(Deno.args, Deno.env.toObject());
  } catch (e) {
    console.error(`build: ${(e as Error).message}`);
    Deno.exit(2);
  }
  await Deno.mkdir(plan.outDir, { recursive: true });
  const sums: string[] = [];
  let failed = false;
  for (const job of plan.jobs) {
    try {
      const out = await compile(job, plan.outDir);
      sums.push(`${await sha256(out)}  ${job.target.output}`);
      console.log(`built ${out}`);
    } catch (e) {
      console.error(`build: ${(e as Error).message}`);
      failed = true;
    }
  }
  if (sums.length > 0) {
    await Deno.writeTextFile(`${plan.outDir}/SHA256SUMS`, sums.join("\n") + "\n");
    console.log(`wrote ${plan.outDir}/SHA256SUMS`);
  }
  Deno.exit(failed ? 1 : 0);
}
