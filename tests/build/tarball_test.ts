import assert from "node:assert/strict";
import { launcherScript, runArguments, tarballName } from "../../src/build/tarball.ts";
import { v8FlagsArgument } from "../../src/cli/v8_flags.ts";

async function shellSyntaxOk(script: string): Promise<boolean> {
  const child = new Deno.Command("sh", { args: ["-n"], stdin: "piped", stderr: "null" }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(script));
  await writer.close();
  return (await child.status).success;
}

Deno.test("launcherScript() of the musl variant starts deno through its own loader", async () => {
  const text = launcherScript({
    arch: "aarch64",
    variant: "musl",
    version: "0.1.0+abc",
    loader: "ld-linux-aarch64.so.1",
  });
  assert.ok(await shellSyntaxOk(text));
  const exec = text.split("\n").find((l) => l.startsWith("exec "))!;
  assert.ok(
    exec.startsWith(
      'exec "$here/lib/ld-linux-aarch64.so.1" --library-path "$here/lib" ' +
        '"$here/libexec/deno" run ',
    ),
    exec,
  );
  assert.ok(exec.endsWith('"$here/app"/agent.js "$@"'), exec);
  assert.ok(!/^[^#]*LD_LIBRARY_PATH/m.test(text));
  assert.match(text, /^DENO_DIR=\$\{DENO_DIR:-\/tmp\/cwmp-agent-deno\}$/m);
  // One malloc arena unless the system sets its own, exported to the runtime.
  assert.match(text, /^MALLOC_ARENA_MAX=\$\{MALLOC_ARENA_MAX:-1\}$/m);
  // No update check (a DNS query and an HTTPS request to dl.deno.land after each start).
  assert.match(text, /^DENO_NO_UPDATE_CHECK=\$\{DENO_NO_UPDATE_CHECK:-1\}$/m);
  assert.match(text, /^export DENO_DIR MALLOC_ARENA_MAX DENO_NO_UPDATE_CHECK$/m);
});

Deno.test("launcherScript() of the glibc variant runs deno directly", async () => {
  const text = launcherScript({ arch: "x86_64", variant: "glibc", version: "0.1.0" });
  assert.ok(await shellSyntaxOk(text));
  assert.match(text, /^exec "\$here\/libexec\/deno" run --allow-all /m);
});

Deno.test("runArguments() keeps V8's code cache (in DENO_DIR) and passes the agent's V8 flags", () => {
  const args = runArguments("/opt/cwmp-agent/app");
  assert.ok(!args.includes("--no-code-cache"));
  assert.ok(args.includes("--unstable-net"));
  assert.ok(args.includes(v8FlagsArgument()));
  assert.equal(args.at(-1), "/opt/cwmp-agent/app/agent.js");
});

Deno.test("tarballName() names version, architecture and variant", () => {
  assert.equal(tarballName("0.1.0", "aarch64", "musl"), "cwmp-agent-0.1.0-aarch64-linux-musl");
});

/**
 * A release tree in `top` with the glibc launcher and `stub` (sh) as its runtime; returns the
 * launcher's path.
 */
async function installLauncher(top: string, stub: string): Promise<string> {
  for (const dir of ["bin", "libexec", "app"]) await Deno.mkdir(`${top}/${dir}`);
  const launcher = `${top}/bin/cwmp-agent`;
  await Deno.writeTextFile(
    launcher,
    launcherScript({ arch: "x86_64", variant: "glibc", version: "0.1.0" }),
  );
  await Deno.writeTextFile(`${top}/libexec/deno`, stub);
  await Deno.chmod(launcher, 0o755);
  await Deno.chmod(`${top}/libexec/deno`, 0o755);
  return launcher;
}

/**
 * Runs `launcher` with `env` alone (and PATH): a CI's own DENO_NO_UPDATE_CHECK or
 * CWMP_AGENT_V8_FLAGS must not stand in for the launcher's. Fails unless it exits 0.
 */
async function runLauncher(
  launcher: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ stdout: string; stderr: string }> {
  const out = await new Deno.Command(launcher, {
    args,
    env: { PATH: Deno.env.get("PATH")!, ...env },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  assert.equal(out.code, 0, text(out.stderr));
  return { stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("the launcher copies the warm-cache seed into an empty DENO_DIR, and warm-cache fills the seed", async () => {
  const top = await Deno.makeTempDir({ prefix: "cwmp-launcher-" });
  try {
    // A stub runtime: reports the cache directory it was given and the agent's arguments.
    const launcher = await installLauncher(
      top,
      '#!/bin/sh\necho "DENO_DIR=$DENO_DIR MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX"\n' +
        'echo "DENO_NO_UPDATE_CHECK=$DENO_NO_UPDATE_CHECK"\n' +
        'shift $(($# - 1)); echo "last=$1"\n',
    );
    await Deno.mkdir(`${top}/deno-cache`);
    await Deno.writeTextFile(`${top}/deno-cache/dep_analysis_cache_v2`, "analysis");
    const run = async (args: string[], env: Record<string, string>) =>
      (await runLauncher(launcher, args, env)).stdout;
    // A start with an empty DENO_DIR gets the seed, then runs with that DENO_DIR.
    const tmpfs = `${top}/tmpfs/deno`;
    const started = await run(["--config", "/etc/cwmp.toml"], { DENO_DIR: tmpfs });
    assert.match(started, new RegExp(`^DENO_DIR=${tmpfs} MALLOC_ARENA_MAX=1$`, "m"));
    assert.match(started, /^DENO_NO_UPDATE_CHECK=1$/m);
    assert.equal(await Deno.readTextFile(`${tmpfs}/dep_analysis_cache_v2`), "analysis");
    // A DENO_DIR that already holds an analysis is left as it is.
    await Deno.writeTextFile(`${tmpfs}/dep_analysis_cache_v2`, "newer");
    await run([], { DENO_DIR: tmpfs });
    assert.equal(await Deno.readTextFile(`${tmpfs}/dep_analysis_cache_v2`), "newer");
    // warm-cache runs the agent with the seed as its DENO_DIR.
    const warmed = await run(["warm-cache"], { DENO_DIR: tmpfs });
    assert.match(warmed, new RegExp(`^DENO_DIR=${top}/deno-cache `, "m"));
    assert.match(warmed, /^last=warm-cache$/m);
    // It starts from an empty seed: an upgrade leaves no stale analysis behind.
    await assert.rejects(
      Deno.stat(`${top}/deno-cache/dep_analysis_cache_v2`),
      Deno.errors.NotFound,
    );
  } finally {
    await Deno.remove(top, { recursive: true });
  }
});

Deno.test("CWMP_AGENT_V8_FLAGS adds V8 flags after the agent's; warm-cache notes them and a start from a seed made under others says so", async () => {
  const top = await Deno.makeTempDir({ prefix: "cwmp-launcher-" });
  try {
    // A stub runtime: prints its --v8-flags argument; as warm-cache, fills the seed.
    const launcher = await installLauncher(
      top,
      '#!/bin/sh\nfor a; do case $a in --v8-flags=*) echo "$a";; esac; done\n' +
        'shift $(($# - 1)); [ "$1" = warm-cache ] && echo analysis >"$DENO_DIR/dep_analysis_cache_v2"\n' +
        "exit 0\n",
    );
    const run = (args: string[], env: Record<string, string>) => runLauncher(launcher, args, env);
    const base = v8FlagsArgument();
    const tmpfs = (n: number) => ({ DENO_DIR: `${top}/tmpfs${n}` });

    // Unset: the agent's flags alone.
    assert.equal((await run([], tmpfs(0))).stdout, `${base}\n`);
    // Set: appended, so V8 takes them over the agent's.
    const low = { ...tmpfs(1), CWMP_AGENT_V8_FLAGS: "--max-opt=1,--max-old-space-size=64" };
    assert.equal((await run([], low)).stdout, `${base},--max-opt=1,--max-old-space-size=64\n`);

    // warm-cache under the flags notes them in the seed.
    const warmed = await run(["warm-cache"], low);
    assert.equal(warmed.stdout, `${base},--max-opt=1,--max-old-space-size=64\n`);
    assert.equal(
      await Deno.readTextFile(`${top}/deno-cache/v8-flags`),
      "--max-opt=1,--max-old-space-size=64\n",
    );
    // A start under the same flags takes the seed quietly.
    const same = await run([], { ...low, DENO_DIR: `${top}/tmpfs2` });
    assert.equal(same.stderr, "");
    assert.equal(await Deno.readTextFile(`${top}/tmpfs2/dep_analysis_cache_v2`), "analysis\n");
    // A start under other flags still takes it, and says why it will be slow.
    const other = await run([], tmpfs(3));
    assert.equal(await Deno.readTextFile(`${top}/tmpfs3/dep_analysis_cache_v2`), "analysis\n");
    assert.match(
      other.stderr,
      /^cwmp-agent: .*deno-cache was made with CWMP_AGENT_V8_FLAGS='--max-opt=1,--max-old-space-size=64', not '': V8 cannot use its code cache/,
    );
    assert.equal(other.stderr.split("\n").length, 2, other.stderr);
    // A filled DENO_DIR is not a copy of the seed: nothing to say.
    assert.equal((await run([], tmpfs(3))).stderr, "");

    // A seed from a launcher that noted nothing counts as made without extra flags.
    await Deno.remove(`${top}/deno-cache/v8-flags`);
    assert.equal((await run([], tmpfs(4))).stderr, "");
    assert.match(
      (await run([], { ...low, DENO_DIR: `${top}/tmpfs5` })).stderr,
      /made with CWMP_AGENT_V8_FLAGS='', not '--max-opt=1,/,
    );
  } finally {
    await Deno.remove(top, { recursive: true });
  }
});
