/**
 * config/openwrt/cwmp-agent.init under busybox ash (OpenWrt's shell), sourced
 * with procd's helpers replaced by recorders: what procd would be told, and
 * what reload does with a good and a bad configuration.
 */

import assert from "node:assert/strict";
import { join } from "node:path";

const INIT = new URL("../../config/openwrt/cwmp-agent.init", import.meta.url).pathname;

/** busybox, or why the tests skip. */
const busybox = await (async () => {
  try {
    const out = await new Deno.Command("busybox", { args: ["true"] }).output();
    return out.success ? undefined : "busybox true failed";
  } catch {
    return "busybox is not installed (Debian package busybox)";
  }
})();

/** Stands in for /etc/rc.common and procd.sh: each call is one line in $LOG. */
const HARNESS = `
LOG=$1; shift
record() { out="$1"; shift; for a in "$@"; do out="$out [$a]"; done; echo "$out" >>"$LOG"; }
procd_open_instance() { record open_instance "$@"; }
procd_set_param() { record set_param "$@"; }
procd_close_instance() { record close_instance "$@"; }
logger() { record logger "$@"; }
start() { record start "$@"; }
. "$INIT"
case "$1" in
defaults) echo "$PROG|$CONFIG|$DENO_DIR_PATH|$START|$USE_PROCD"; exit 0 ;;
esac
PROG=$STUB_PROG
CONFIG=$STUB_CONFIG
DENO_DIR_PATH=$STUB_DENO_DIR
[ -n "$STUB_V8_FLAGS" ] && V8_FLAGS=$STUB_V8_FLAGS
"$1"
echo "rc=$?" >>"$LOG"
`;

/** A stand-in cwmp-agent: records its arguments, answers check-config and reload as told. */
const STUB = `#!/bin/sh
echo "agent $*" >>"$LOG"
case "$1" in
check-config) [ "$CHECK_RC" = 0 ] || echo "cwmp.toml:3: acs.url: expected an http:// or https:// URL, got \\"x\\"" >&2; exit "$CHECK_RC" ;;
reload) exit "$RELOAD_RC" ;;
esac
`;

interface Run {
  readonly log: string[];
  readonly stdout: string;
  readonly stderr: string;
  readonly dir: string;
}

async function runInit(
  fn: string,
  options: { prog?: boolean; checkRc?: number; reloadRc?: number; v8Flags?: string } = {},
): Promise<Run> {
  const dir = await Deno.makeTempDir();
  const log = join(dir, "log");
  const harness = join(dir, "harness.sh");
  await Deno.writeTextFile(harness, HARNESS);
  await Deno.writeTextFile(log, "");
  const prog = join(dir, "cwmp-agent");
  if (options.prog !== false) await Deno.writeTextFile(prog, STUB, { mode: 0o755 });
  const config = join(dir, "cwmp.toml");
  await Deno.writeTextFile(config, "[acs]\n");
  const out = await new Deno.Command("busybox", {
    args: ["sh", harness, log, fn],
    env: {
      INIT,
      LOG: log,
      STUB_PROG: prog,
      STUB_CONFIG: config,
      STUB_DENO_DIR: join(dir, "deno"),
      STUB_V8_FLAGS: options.v8Flags ?? "",
      CHECK_RC: String(options.checkRc ?? 0),
      RELOAD_RC: String(options.reloadRc ?? 0),
    },
    clearEnv: true,
  }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  const lines = (await Deno.readTextFile(log)).split("\n").filter((l) => l !== "")
    .map((l) => l.replaceAll(dir, "$DIR"));
  await Deno.remove(dir, { recursive: true });
  return { log: lines, stdout: text(out.stdout), stderr: text(out.stderr), dir };
}

Deno.test({
  name: "cwmp-agent.init passes busybox sh -n and dash -n",
  ignore: busybox !== undefined,
  async fn() {
    for (const [shell, args] of [["busybox", ["sh", "-n", INIT]], ["sh", ["-n", INIT]]] as const) {
      const out = await new Deno.Command(shell, { args: [...args], stderr: "piped" }).output();
      assert.ok(out.success, `${shell}: ${new TextDecoder().decode(out.stderr)}`);
    }
    const text = await Deno.readTextFile(INIT);
    assert.match(text, /^#!\/bin\/sh \/etc\/rc\.common\n/);
  },
});

Deno.test({
  name: "cwmp-agent.init runs /usr/bin/cwmp-agent on /etc/cwmp-agent/cwmp.toml, START=99, procd",
  ignore: busybox !== undefined,
  async fn() {
    const run = await runInit("defaults");
    assert.equal(
      run.stdout,
      "/usr/bin/cwmp-agent|/etc/cwmp-agent/cwmp.toml|/tmp/cwmp-agent-deno|99|1\n",
    );
  },
});

Deno.test({
  name: "cwmp-agent.init start_service() gives procd the command, respawn, file and log params",
  ignore: busybox !== undefined,
  async fn() {
    const run = await runInit("start_service");
    assert.deepEqual(run.log, [
      "open_instance",
      "set_param [command] [$DIR/cwmp-agent] [--config] [$DIR/cwmp.toml]",
      "set_param [env] [DENO_DIR=$DIR/deno]",
      "set_param [respawn] [600] [15] [0]",
      "set_param [file] [$DIR/cwmp.toml]",
      "set_param [stdout] [1]",
      "set_param [stderr] [1]",
      "set_param [term_timeout] [15]",
      "close_instance",
      "rc=0",
    ]);
    assert.equal(run.stderr, "");
  },
});

Deno.test({
  name: "cwmp-agent.init start_service() hands V8_FLAGS to the agent as CWMP_AGENT_V8_FLAGS",
  ignore: busybox !== undefined,
  async fn() {
    const run = await runInit("start_service", { v8Flags: "--max-opt=1,--max-old-space-size=64" });
    assert.ok(
      run.log.includes(
        "set_param [env] [DENO_DIR=$DIR/deno] [CWMP_AGENT_V8_FLAGS=--max-opt=1,--max-old-space-size=64]",
      ),
      run.log.join("\n"),
    );
    // Unset (the file as shipped): DENO_DIR alone, as in the test above.
    const text = await Deno.readTextFile(INIT);
    assert.match(text, /^V8_FLAGS=""$/m);
  },
});

Deno.test({
  name: "cwmp-agent.init start_service() refuses to start without the binary",
  ignore: busybox !== undefined,
  async fn() {
    const run = await runInit("start_service", { prog: false });
    assert.deepEqual(run.log, ["rc=1"]);
    assert.match(run.stderr, /^cwmp-agent: .*\/cwmp-agent is missing or not executable\n$/);
  },
});

Deno.test({
  name: "cwmp-agent.init reload_service() checks the file, then asks the running agent",
  ignore: busybox !== undefined,
  async fn() {
    const run = await runInit("reload_service");
    assert.deepEqual(run.log, [
      "agent check-config --config $DIR/cwmp.toml",
      "agent reload --config $DIR/cwmp.toml",
      "rc=0",
    ]);
  },
});

Deno.test({
  name: "cwmp-agent.init reload_service() falls back to procd when the agent cannot reload",
  ignore: busybox !== undefined,
  async fn() {
    const run = await runInit("reload_service", { reloadRc: 1 });
    assert.deepEqual(run.log, [
      "agent check-config --config $DIR/cwmp.toml",
      "agent reload --config $DIR/cwmp.toml",
      "start",
      "rc=0",
    ]);
  },
});

Deno.test({
  name: "cwmp-agent.init reload_service() leaves the agent alone when the file is invalid",
  ignore: busybox !== undefined,
  async fn() {
    const run = await runInit("reload_service", { checkRc: 1 });
    const error = 'cwmp.toml:3: acs.url: expected an http:// or https:// URL, got "x"';
    assert.deepEqual(run.log, [
      "agent check-config --config $DIR/cwmp.toml",
      `logger [-t] [cwmp-agent] [-p] [daemon.err] [not reloaded: ${error}]`,
      "rc=1",
    ]);
    assert.match(run.stderr, /^cwmp-agent: not reloaded, .*cwmp\.toml is invalid: cwmp\.toml:3: /);
  },
});

if (busybox !== undefined) console.warn(`openwrt_init_test: skipped: ${busybox}`);
