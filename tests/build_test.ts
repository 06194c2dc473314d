import assert from "node:assert/strict";
import { compileCause, DYNAMIC_MODULES, parseBuildArgs, TARGETS } from "../build.ts";
import { v8FlagsArgument } from "../src/cli/v8_flags.ts";
import { LAUNCHER_ENV } from "../src/build/tarball.ts";

Deno.test("parseBuildArgs() builds both router targets by default", () => {
  const plan = parseBuildArgs([], {});
  assert.equal(plan.outDir, "dist");
  assert.deepEqual(plan.jobs.map((j) => j.target.triple), [
    "x86_64-unknown-linux-gnu",
    "aarch64-unknown-linux-gnu",
  ]);
  assert.ok(plan.jobs.every((j) => j.denort === undefined));
  assert.ok(plan.jobs.every((j) => j.artifacts.join() === "glibc,musl"));
  assert.equal(plan.xz, true);
  assert.equal(parseBuildArgs([], { HOME: "/home/u" }).cacheDir, "/home/u/.cache/cwmp-agent-build");
});

Deno.test("parseBuildArgs() takes a local runtime per target or from DENORT_BIN", () => {
  const plan = parseBuildArgs(["--denort-aarch64", "/opt/denort-arm"], {
    DENORT_BIN_X86_64: "/opt/denort-x86",
  });
  assert.deepEqual(plan.jobs.map((j) => j.denort), ["/opt/denort-x86", "/opt/denort-arm"]);
  const one = parseBuildArgs(["--target", "aarch64"], { DENORT_BIN: "/opt/d" });
  assert.deepEqual(one.jobs, [
    { target: TARGETS[1], denort: "/opt/d", artifacts: ["glibc", "musl", "compile"] },
  ]);
  const only = parseBuildArgs(["--artifact", "musl", "--no-xz", "--cache", "/c"], {});
  assert.deepEqual(only.jobs.map((j) => j.artifacts), [["musl"], ["musl"]]);
  assert.equal(only.xz, false);
  assert.equal(only.cacheDir, "/c");
});

Deno.test("parseBuildArgs() rejects one DENORT_BIN for two targets and unknown input", () => {
  assert.throws(() => parseBuildArgs([], { DENORT_BIN: "/opt/d" }), /two targets/);
  assert.throws(() => parseBuildArgs(["--target", "mips"], {}), /Unknown target "mips"/);
  assert.throws(() => parseBuildArgs(["--frob"], {}), /Unknown option "--frob"/);
  assert.throws(() => parseBuildArgs(["--out"], {}), /needs a value/);
  assert.throws(
    () => parseBuildArgs(["--artifact", "deb"], {}),
    /Unknown artifact "deb" \(use glibc, musl or compile\)/,
  );
});

async function buildStderr(env: Record<string, string>): Promise<[number, string[]]> {
  const out = await Deno.makeTempDir();
  try {
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", "build.ts", "--target", "x86_64", "--artifact", "compile"]
        .concat(["--out", out]),
      env,
      stdout: "null",
      stderr: "piped",
    }).output();
    return [code, new TextDecoder().decode(stderr).trim().split("\n")];
  } finally {
    await Deno.remove(out, { recursive: true });
  }
}

Deno.test("build.ts says in one line when the runtime cannot be had", async () => {
  const [code, lines] = await buildStderr({ DENORT_BIN: "/nonexistent/denort" });
  assert.equal(code, 1);
  assert.deepEqual(lines.length, 1, lines.join("\n"));
  assert.match(lines[0], /^build: Cannot read the denort runtime "\/nonexistent\/denort": /);
});

Deno.test("build.ts refuses the full Deno CLI given as denort, in one line", async () => {
  const [code, lines] = await buildStderr({ DENORT_BIN: Deno.execPath() });
  assert.equal(code, 1);
  assert.deepEqual(lines.length, 1, lines.join("\n"));
  assert.match(lines[0], /^build: ".+" is the full Deno CLI, not denort: deno compile would build/);
});

Deno.test("compileCause() joins the causes of a deno compile error, without colours", () => {
  const text = "\x1b[0m\x1b[1m\x1b[31merror\x1b[0m: Writing deno compile executable\n\n" +
    "Caused by:\n    0: Could not find denort at '/x'\n    1: No such file or directory\n\n" +
    "Stack backtrace:\n   0: <unknown>\n";
  assert.equal(compileCause(text), "Could not find denort at '/x': No such file or directory");
  assert.equal(compileCause("error: bad flag\n"), "bad flag");
});

Deno.test("DYNAMIC_MODULES names files that exist", async () => {
  for (const module of DYNAMIC_MODULES) {
    const info = await Deno.stat(new URL(`../${module}`, import.meta.url));
    assert.ok(info.isFile, module);
  }
});

Deno.test("deno task start runs with the heap limits build.ts compiles in and the launcher's environment", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  const words = (config.tasks.start as string).split(" ");
  assert.ok(words.includes(v8FlagsArgument()), `"start" lacks ${v8FlagsArgument()}`);
  for (const [name, value] of Object.entries(LAUNCHER_ENV)) {
    assert.ok(words.includes(`${name}=${value}`), `"start" lacks ${name}=${value}`);
  }
  const build = await Deno.readTextFile(new URL("../build.ts", import.meta.url));
  assert.match(build, /v8FlagsArgument\(\)/);
});
