/**
 * config/openwrt/cwmp-agent.udhcpc under busybox ash, with the environment
 * busybox udhcpc and netifd's dhcp.script give their hooks.
 */

import assert from "node:assert/strict";
import { join } from "node:path";

const HOOK = new URL("../../config/openwrt/cwmp-agent.udhcpc", import.meta.url).pathname;

/** busybox, or why the tests skip. */
const busybox = await (async () => {
  try {
    const out = await new Deno.Command("busybox", { args: ["true"] }).output();
    return out.success ? undefined : "busybox true failed";
  } catch {
    return "busybox is not installed (Debian package busybox)";
  }
})();
if (busybox !== undefined) console.warn(`openwrt_udhcpc_test: skipped: ${busybox}`);

/** What udhcpc exports for a lease on eth0.2 (netifd adds INTERFACE, its own name). */
const LEASE = {
  interface: "eth0.2",
  INTERFACE: "wan",
  ip: "192.0.2.10",
  subnet: "255.255.255.0",
  router: "192.0.2.1",
  dns: "192.0.2.53",
  lease: "3600",
  serverid: "192.0.2.1",
  // Sub-option 1 (ACS URL) "http://acs.example:7547/", as udhcpc -O 43 prints it.
  opt43: "0118687474703a2f2f6163732e6578616d706c653a373534372f",
  // Enterprise 3561 (Broadband Forum), sub-option 1 "00D09E" (DeviceManufacturerOUI).
  opt125: "00000de9080106303044303945",
};

/**
 * Runs the hook in a fresh busybox sh with `env`, as dhcp.script would: `( . hook ACTION )`.
 * `dash` instead runs `logger` from PATH (busybox sh prefers its own applet).
 */
async function hook(dir: string, action: string, env: Record<string, string>, shell = "busybox") {
  const out = await new Deno.Command(shell, {
    args: [
      ...(shell === "busybox" ? ["sh"] : []),
      "-c",
      '( . "$HOOK" "$1" ); echo "after=$?"',
      "sh",
      action,
    ],
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", HOOK, CWMP_AGENT_RUN_DIR: dir, ...env },
    clearEnv: true,
  }).output();
  return {
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

async function files(dir: string): Promise<string[]> {
  try {
    const names = [];
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
    return names.sort();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

/** Parses the KEY=VALUE file; `time` checked against now and dropped. */
async function readEnv(path: string): Promise<Record<string, string>> {
  const text = await Deno.readTextFile(path);
  assert.ok(text.endsWith("\n"));
  const pairs = Object.fromEntries(
    text.trimEnd().split("\n").map((line) => {
      const at = line.indexOf("=");
      return [line.slice(0, at), line.slice(at + 1)];
    }),
  );
  const time = Number(pairs.time);
  assert.ok(Math.abs(time - Date.now() / 1000) < 60, `time=${pairs.time}`);
  delete pairs.time;
  return pairs;
}

async function withDir(fn: (dir: string) => Promise<void>) {
  const root = await Deno.makeTempDir();
  try {
    await fn(join(root, "run"));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test({
  name: "cwmp-agent.udhcpc passes busybox sh -n and dash -n",
  ignore: busybox !== undefined,
  async fn() {
    for (const [shell, args] of [["busybox", ["sh", "-n", HOOK]], ["sh", ["-n", HOOK]]] as const) {
      const out = await new Deno.Command(shell, { args: [...args], stderr: "piped" }).output();
      assert.ok(out.success, `${shell}: ${new TextDecoder().decode(out.stderr)}`);
    }
  },
});

Deno.test({
  name: "cwmp-agent.udhcpc writes options 43 and 125 of a bound lease to dhcp-<interface>.env",
  ignore: busybox !== undefined,
  async fn() {
    await withDir(async (dir) => {
      const run = await hook(dir, "bound", LEASE);
      assert.deepEqual(run, { stdout: "after=0\n", stderr: "" });
      assert.deepEqual(await files(dir), ["dhcp-wan.env"]);
      assert.deepEqual(await readEnv(join(dir, "dhcp-wan.env")), {
        interface: "wan",
        device: "eth0.2",
        event: "bound",
        opt43: LEASE.opt43,
        opt125: LEASE.opt125,
      });
    });
  },
});

Deno.test({
  name: "cwmp-agent.udhcpc replaces the file on renew and removes it on deconfig",
  ignore: busybox !== undefined,
  async fn() {
    await withDir(async (dir) => {
      await hook(dir, "bound", LEASE);
      const { opt43: _, opt125: __, ...withoutOptions } = LEASE;
      await hook(dir, "renew", withoutOptions);
      assert.deepEqual(await files(dir), ["dhcp-wan.env"]);
      assert.deepEqual(await readEnv(join(dir, "dhcp-wan.env")), {
        interface: "wan",
        device: "eth0.2",
        event: "renew",
        opt43: "",
        opt125: "",
      });
      // Other actions leave the file alone.
      for (const action of ["leasefail", "nak"]) await hook(dir, action, LEASE);
      assert.deepEqual(await files(dir), ["dhcp-wan.env"]);
      await hook(dir, "deconfig", { interface: "eth0.2", INTERFACE: "wan" });
      assert.deepEqual(await files(dir), []);
    });
  },
});

Deno.test({
  name: "cwmp-agent.udhcpc names the file after the device when netifd gives no INTERFACE",
  ignore: busybox !== undefined,
  async fn() {
    await withDir(async (dir) => {
      const { INTERFACE: _, ...plain } = LEASE;
      await hook(dir, "bound", plain);
      assert.deepEqual(await files(dir), ["dhcp-eth0.2.env"]);
      const env = await readEnv(join(dir, "dhcp-eth0.2.env"));
      assert.equal(env.interface, "eth0.2");
    });
  },
});

Deno.test({
  name: "cwmp-agent.udhcpc writes nothing for a hostile interface name and empties non-hex options",
  ignore: busybox !== undefined,
  async fn() {
    await withDir(async (dir) => {
      for (const name of ["../x", "..", "a b", "wan;rm", ""]) {
        const run = await hook(dir, "bound", { ...LEASE, INTERFACE: name, interface: name });
        assert.equal(run.stdout, "after=0\n");
      }
      assert.deepEqual(await files(dir), []);
      assert.deepEqual(await files(join(dir, "..")), []);
      await hook(dir, "bound", { ...LEASE, opt43: "01$(reboot)", opt125: "0a\nx=1" });
      const env = await readEnv(join(dir, "dhcp-wan.env"));
      assert.deepEqual([env.opt43, env.opt125, env.x], ["", "", undefined]);
    });
  },
});

Deno.test({
  name: "cwmp-agent.udhcpc sourced in the caller's shell keeps the caller's variables and goes on",
  ignore: busybox !== undefined,
  async fn() {
    await withDir(async (dir) => {
      const out = await new Deno.Command("busybox", {
        args: [
          "sh",
          "-c",
          'file=keep; tmp=keep2; . "$HOOK" bound; echo "$file $tmp $?"',
        ],
        env: {
          PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
          HOOK,
          CWMP_AGENT_RUN_DIR: dir,
          ...LEASE,
        },
        clearEnv: true,
      }).output();
      assert.equal(new TextDecoder().decode(out.stdout), "keep keep2 0\n");
      assert.deepEqual(await files(dir), ["dhcp-wan.env"]);
    });
  },
});

/** A fake `cwmp-agent` (and `logger`) in `bin/` that record their arguments, one per line. */
async function fakeTools(root: string, agentScript: string): Promise<string> {
  const bin = join(root, "bin");
  await Deno.mkdir(bin, { recursive: true });
  await Deno.writeTextFile(join(bin, "cwmp-agent"), `#!/bin/sh\n${agentScript}\n`, { mode: 0o755 });
  await Deno.writeTextFile(
    join(bin, "logger"),
    `#!/bin/sh\nfor a in "$@"; do echo "$a"; done >> "${root}/logger.args"\n`,
    { mode: 0o755 },
  );
  return bin;
}

const RECORD = (root: string) => `for a in "$@"; do echo "$a"; done > "${root}/agent.args"`;

async function lines(path: string): Promise<string[]> {
  try {
    return (await Deno.readTextFile(path)).trimEnd().split("\n");
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

Deno.test({
  name: "cwmp-agent.udhcpc hands a bound lease to the running agent with cwmp-agent dhcp-update",
  ignore: busybox !== undefined,
  async fn() {
    await withDir(async (dir) => {
      const root = join(dir, "..");
      const bin = await fakeTools(root, RECORD(root));
      const run = await hook(dir, "bound", {
        ...LEASE,
        PATH: `${bin}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
        CWMP_AGENT_BIN: join(bin, "cwmp-agent"),
        CWMP_AGENT_CONFIG: "/etc/test/cwmp.toml",
      });
      assert.deepEqual(run, { stdout: "after=0\n", stderr: "" });
      assert.deepEqual(await lines(join(root, "agent.args")), [
        "dhcp-update",
        "--interface",
        "wan",
        "--device",
        "eth0.2",
        "--opt43",
        LEASE.opt43,
        "--opt125",
        LEASE.opt125,
        "--config",
        "/etc/test/cwmp.toml",
      ]);
      // deconfig tells nobody: the URL learnt stays until a new lease says otherwise.
      await Deno.remove(join(root, "agent.args"));
      await hook(dir, "deconfig", { ...LEASE, CWMP_AGENT_BIN: join(bin, "cwmp-agent") });
      assert.deepEqual(await lines(join(root, "agent.args")), []);
    });
  },
});

Deno.test({
  name: "cwmp-agent.udhcpc is silent when the agent is not running and logs any other failure",
  ignore: busybox !== undefined,
  async fn() {
    await withDir(async (dir) => {
      const root = join(dir, "..");
      const env = (bin: string) => ({
        ...LEASE,
        PATH: `${bin}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
        CWMP_AGENT_BIN: join(bin, "cwmp-agent"),
      });
      let bin = await fakeTools(
        root,
        "echo 'cwmp-agent is not running (no control socket at \"/x\")' >&2; exit 1",
      );
      assert.deepEqual(await hook(dir, "bound", env(bin)), { stdout: "after=0\n", stderr: "" });
      assert.deepEqual(await lines(join(root, "logger.args")), []);
      bin = await fakeTools(root, 'echo \'{"status":0,"errors":["bad"]}\'; exit 1');
      assert.deepEqual(await hook(dir, "bound", env(bin), "dash"), {
        stdout: "after=0\n",
        stderr: "",
      });
      assert.deepEqual(await lines(join(root, "logger.args")), [
        "-t",
        "cwmp-agent",
        "-p",
        "daemon.warn",
        'dhcp hook: dhcp-update: {"status":0,"errors":["bad"]}',
      ]);
      // The file is written either way: an agent that starts later reads it.
      assert.deepEqual(await files(dir), ["dhcp-wan.env"]);
    });
  },
});

const DEBIAN = new URL("../../config/debian/cwmp-agent.udhcpc", import.meta.url).pathname;

Deno.test({
  name:
    "config/debian/cwmp-agent.udhcpc runs Debian's default.script, then the hook, and keeps its status",
  ignore: busybox !== undefined,
  async fn() {
    await withDir(async (dir) => {
      const root = join(dir, "..");
      const bin = await fakeTools(root, RECORD(root));
      const fakeDefault = join(root, "default.script");
      await Deno.writeTextFile(
        fakeDefault,
        `#!/bin/sh\necho "$1 $interface" >> "${root}/default.calls"\n[ "$1" = bound ] || exit 3\n`,
        { mode: 0o755 },
      );
      const run = (action: string) =>
        new Deno.Command("busybox", {
          args: ["sh", DEBIAN, action],
          env: {
            ...LEASE,
            PATH: `${bin}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
            CWMP_AGENT_UDHCPC_SCRIPT: fakeDefault,
            CWMP_AGENT_HOOK: HOOK,
            CWMP_AGENT_RUN_DIR: dir,
            CWMP_AGENT_BIN: join(bin, "cwmp-agent"),
          },
          clearEnv: true,
        }).output();
      const bound = await run("bound");
      assert.equal(bound.code, 0, new TextDecoder().decode(bound.stderr));
      assert.deepEqual(await files(dir), ["dhcp-wan.env"]);
      assert.equal((await lines(join(root, "agent.args")))[2], "wan");
      const deconfig = await run("deconfig");
      assert.equal(deconfig.code, 3);
      assert.deepEqual(await files(dir), []);
      assert.deepEqual(await lines(join(root, "default.calls")), [
        "bound eth0.2",
        "deconfig eth0.2",
      ]);
    });
  },
});

Deno.test({
  name: "config/debian/cwmp-agent.udhcpc passes busybox sh -n and dash -n",
  ignore: busybox !== undefined,
  async fn() {
    for (
      const [shell, args] of [["busybox", ["sh", "-n", DEBIAN]], ["sh", ["-n", DEBIAN]]] as const
    ) {
      const out = await new Deno.Command(shell, { args: [...args], stderr: "piped" }).output();
      assert.ok(out.success, `${shell}: ${new TextDecoder().decode(out.stderr)}`);
    }
  },
});
