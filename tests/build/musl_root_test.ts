/**
 * The musl-ready release tarball where a router would run it: built by build.ts,
 * unpacked into a root that holds only busybox-static and musl (no glibc but the
 * tarball's own), started with its launcher through chroot in fresh mount and PID
 * namespaces (the network is shared, so the test ACS on 127.0.0.1 is reachable), with
 * procd's bare environment (no HOME). The boot session completes, and a
 * SetParameterValues in it starts the UDP echo server, whose Worker and handler load
 * from their own bundles. x86_64 runs natively; aarch64 under qemu-user through binfmt
 * (registered from Debian's qemu-user-static if missing), start-up ~15 s.
 *
 * Skips with the reason when not root or when qemu-user-static, busybox-static or musl
 * is missing. Prints the start-up time to the first Inform and, natively, the idle RSS.
 */

import assert from "node:assert/strict";
import { type FakeAcs, startFakeAcs } from "../_helpers/fake_acs.ts";
import { writeAgentConfig } from "../_helpers/agent_process.ts";
import {
  BARE_ENV,
  buildMuslTarball,
  fileMissing,
  inRoot,
  makeRoot,
  qemuUnavailable,
  rootUnavailable,
  rssKb,
  run,
} from "../_helpers/musl_root.ts";

const REPO = new URL("../../", import.meta.url).pathname;
const ECHO = "Device.IP.Diagnostics.UDPEchoConfig.";

const rootWhy = await rootUnavailable();
const qemuWhy = rootWhy ?? await qemuUnavailable();
for (const why of new Set([rootWhy, qemuWhy])) {
  if (why) console.warn(`ignored: release tarball tests in a busybox + musl root: ${why}`);
}

/** Paths in `root` of glibc files (libc.so.6, ld-linux-*), outside the tarball's lib/. */
function glibcOutsideTarball(root: string, dir = root): string[] {
  const found: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    const path = `${dir}/${entry.name}`;
    if (path === `${root}/opt/cwmp-agent/lib` || path === `${root}/proc`) continue;
    if (entry.isDirectory) found.push(...glibcOutsideTarball(root, path));
    else if (/^(libc\.so\.6|ld-linux.*)$/.test(entry.name)) found.push(path);
  }
  return found;
}

function freeUdpPort(): number {
  const socket = Deno.listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" });
  const port = (socket.addr as Deno.NetAddr).port;
  socket.close();
  return port;
}

/** Sends `data` to 127.0.0.1:`port` until a reply comes or `ms` pass. */
async function echo(port: number, data: Uint8Array, ms: number): Promise<Uint8Array | undefined> {
  const deadline = Date.now() + ms;
  const socket = Deno.listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" });
  try {
    while (Date.now() < deadline) {
      await socket.send(data, { hostname: "127.0.0.1", port, transport: "udp" });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), 500)));
      const reply = await Promise.race([socket.receive().then(([d]) => d), late]);
      clearTimeout(timer);
      if (reply) return reply;
    }
    return undefined;
  } finally {
    socket.close();
  }
}

async function tarballSession(arch: string, timeoutMs: number): Promise<void> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: `cwmp-root-${arch}-` }));
  const root = `${dir}/root`;
  let acs: FakeAcs | undefined;
  let agent: Deno.ChildProcess | undefined;
  const lines: string[] = [];
  try {
    const tarball = await buildMuslTarball(arch, `${dir}/dist`);
    await makeRoot(root, tarball);
    assert.deepEqual(glibcOutsideTarball(root), []);

    const version = JSON.parse(await Deno.readTextFile(`${REPO}/deno.json`)).version;
    const shown = await run(
      "unshare",
      inRoot(root, "/opt/cwmp-agent/bin/cwmp-agent", "--version"),
      BARE_ENV,
    );
    assert.match(
      shown.trim(),
      new RegExp(`^cwmp-agent ${version.replaceAll(".", "\\.")}(\\+\\S+)?$`),
    );
    if (arch === Deno.build.arch) {
      // The launcher hands CWMP_AGENT_V8_FLAGS to the runtime after the agent's own flags:
      // V8 takes one it knows and refuses, by name, one it does not.
      const versionWith = (flags: string) =>
        new Deno.Command("unshare", {
          args: inRoot(root, "/opt/cwmp-agent/bin/cwmp-agent", "--version"),
          clearEnv: true,
          env: { ...BARE_ENV, CWMP_AGENT_V8_FLAGS: flags },
          stdout: "piped",
          stderr: "piped",
        }).output();
      const baseline = await versionWith("--max-opt=1");
      assert.equal(new TextDecoder().decode(baseline.stdout), shown);
      const bogus = await versionWith("--no-such-v8-flag");
      assert.equal(bogus.success, false);
      assert.match(new TextDecoder().decode(bogus.stderr), /--no-such-v8-flag/);
    }

    acs = startFakeAcs();
    const port = freeUdpPort();
    acs.enqueue({
      kind: "SetParameterValues",
      parameterList: [
        { name: `${ECHO}UDPPort`, value: String(port), type: "xsd:unsignedInt" },
        { name: `${ECHO}Enable`, value: "true", type: "xsd:boolean" },
      ],
      parameterKey: "echo-on",
    });
    await writeAgentConfig(`${root}/etc`, { acsUrl: acs.url, stateDir: "/var/lib/cwmp-agent" });
    const started = Date.now();
    agent = new Deno.Command("unshare", {
      args: inRoot(root, "/opt/cwmp-agent/bin/cwmp-agent", "--config", "/etc/cwmp.toml"),
      clearEnv: true,
      env: BARE_ENV,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    for (const stream of [agent.stdout, agent.stderr]) {
      (async () => {
        for await (const text of stream.pipeThrough(new TextDecoderStream())) {
          lines.push(...text.split("\n").filter((l) => l !== ""));
        }
      })();
    }
    const [session] = await acs.waitForSessions(1, timeoutMs);
    const informMs = acs.requests[0].at - started;
    assert.deepEqual(session.messages[0], { kind: "SetParameterValuesResponse", status: 0 });

    const request = new Uint8Array(20);
    new DataView(request.buffer).setUint32(0, 77);
    const reply = await echo(port, request, timeoutMs);
    assert.ok(reply, "The UDP echo server did not answer");
    assert.equal(new DataView(reply.buffer, reply.byteOffset).getUint32(0), 77);

    await new Promise((r) => setTimeout(r, 2_000));
    const rss = arch === Deno.build.arch ? `, idle RSS ${Math.round(rssKb(root) / 1024)} MiB` : "";
    const sizes = `${((await Deno.stat(tarball)).size / 1e6).toFixed(1)} MB .tar.gz`;
    console.log(`${arch} musl tarball (${sizes}): first Inform after ${informMs} ms${rss}`);

    // Nothing written outside tmpfs and the state dir: no code cache under a HOME.
    for (const path of [`${root}/root/.cache`, `${root}/.cache`, `${root}/.deno`]) {
      assert.equal(fileMissing(path, "") !== undefined, true, `${path} was written`);
    }
  } catch (error) {
    console.error(`--- agent output ---\n${lines.join("\n")}`);
    throw error;
  } finally {
    if (agent) {
      try {
        agent.kill("SIGKILL");
      } catch { /* exited */ }
      await agent.status;
    }
    await acs?.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "the x86_64 musl tarball completes a session in a busybox + musl root",
  ignore: rootWhy !== undefined,
  fn: () => tarballSession("x86_64", 30_000),
});

Deno.test({
  name: "the aarch64 musl tarball completes a session in a busybox + musl root under qemu-user",
  ignore: qemuWhy !== undefined,
  fn: () => tarballSession("aarch64", 120_000),
});
