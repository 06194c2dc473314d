/**
 * DHCP ACS discovery against real peers: dnsmasq serves options 43 and 125 on one end of a
 * veth pair, busybox udhcpc asks for them (option 60 `dslforum.org`, `-O 43 -O 125`) on the
 * other, each end in a network namespace this test creates (addresses exist only inside
 * them). udhcpc runs our Debian script, which sources the OpenWrt hook: the hook writes the
 * lease file and runs `cwmp-agent dhcp-update`, which reaches the agent's control socket
 * through the filesystem (the agent itself runs in the root namespace, its fake ACS on
 * 127.0.0.1). The agent must then open a `0 BOOTSTRAP` session to the URL DHCP gave.
 *
 * Skipped, with the reason, without root, `ip netns`, dnsmasq or busybox. The namespaces
 * and dnsmasq go away even when the test fails.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { eventsOf, withRig } from "./_rig.ts";
import { cliOk } from "./_wire.ts";
import { unavailable } from "../_helpers/needs.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const HOOK = new URL("../../config/openwrt/cwmp-agent.udhcpc", import.meta.url).pathname;
const DEBIAN = new URL("../../config/debian/cwmp-agent.udhcpc", import.meta.url).pathname;
const DNSMASQ = "/usr/sbin/dnsmasq";

const tag = `${Deno.pid % 100000}`;
const NS_SERVER = `cwmp-dhcp-s${tag}`;
const NS_CLIENT = `cwmp-dhcp-c${tag}`;
// Interface names: at most 15 characters.
const IF_SERVER = `cwd${tag}s`;
const IF_CLIENT = `cwd${tag}c`;

async function run(cmd: string, ...args: string[]): Promise<{ ok: boolean; out: string }> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    const text = new TextDecoder().decode(out.stderr).trim() ||
      new TextDecoder().decode(out.stdout).trim();
    return { ok: out.success, out: text };
  } catch (error) {
    return { ok: false, out: (error as Error).message };
  }
}

async function must(cmd: string, ...args: string[]): Promise<void> {
  const result = await run(cmd, ...args);
  if (!result.ok) throw new Error(`${cmd} ${args.join(" ")}: ${result.out}`);
}

/** Why the test cannot run here, or undefined. */
async function whyNot(): Promise<string | undefined> {
  if (Deno.uid() !== 0) return "needs root for ip netns";
  for (const program of ["ip", DNSMASQ, "/bin/busybox"]) {
    const why = unavailable(program);
    if (why !== undefined) return why;
  }
  const probe = `cwmp-dhcp-p${tag}`;
  const made = await run("ip", "netns", "add", probe);
  if (!made.ok) return `cannot create a network namespace: ${made.out}`;
  await run("ip", "netns", "del", probe);
  return undefined;
}

const skip = await whyNot();
if (skip !== undefined) console.warn(`dhcp_netns_test: skipped: ${skip}`);

const hexOf = (text: string) =>
  Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, "0")).join("");
const sub = (code: number, text: string) =>
  code.toString(16).padStart(2, "0") + text.length.toString(16).padStart(2, "0") + hexOf(text);
/** dnsmasq's form of raw option bytes: hex pairs joined by colons. */
const colons = (hex: string) => hex.match(/../g)!.join(":");

/** Two namespaces joined by a veth pair; the server end 192.0.2.1/24; both ends up. */
async function makeLink(): Promise<void> {
  await must("ip", "netns", "add", NS_SERVER);
  await must("ip", "netns", "add", NS_CLIENT);
  await must(
    "ip",
    "link",
    "add",
    IF_SERVER,
    "netns",
    NS_SERVER,
    "type",
    "veth",
    "peer",
    "name",
    IF_CLIENT,
    "netns",
    NS_CLIENT,
  );
  await must("ip", "-n", NS_SERVER, "addr", "add", "192.0.2.1/24", "dev", IF_SERVER);
  for (const [ns, dev] of [[NS_SERVER, IF_SERVER], [NS_CLIENT, IF_CLIENT]]) {
    await must("ip", "-n", ns, "link", "set", "lo", "up");
    await must("ip", "-n", ns, "link", "set", dev, "up");
  }
}

async function removeLink(): Promise<void> {
  // Deleting a namespace deletes the veth end inside it, and with it the pair.
  await run("ip", "netns", "del", NS_SERVER);
  await run("ip", "netns", "del", NS_CLIENT);
  await run("ip", "link", "del", IF_SERVER);
}

Deno.test({
  name:
    "dnsmasq's option 43 and 125 reach the agent through busybox udhcpc and the hook: 0 BOOTSTRAP to the URL DHCP gave",
  ignore: skip !== undefined,
  async fn() {
    await withRig(async ({ acs, dir, start, validateAll }) => {
      const runDir = join(dir, "run");
      const agent = await start({
        acsUrl: "",
        acs: `dhcp_discovery = true\ndhcp_lease_dir = ${JSON.stringify(runDir)}`,
      });
      await agent.waitForLine(/End session with failure: .*Invalid ACS URL ""/, 15_000);
      const config = join(dir, "cwmp.toml");

      // What the hook runs as cwmp-agent: this checkout's main.ts.
      const bin = join(dir, "cwmp-agent");
      await Deno.writeTextFile(
        bin,
        `#!/bin/sh\nexec ${JSON.stringify(Deno.execPath())} run --allow-all ${
          JSON.stringify(MAIN)
        } "$@"\n`,
        { mode: 0o755 },
      );
      const opt43 = sub(1, acs.url) + sub(2, "DHCP.lab");
      const opt125 = "00000de9" +
        ((sub(4, "00D09E") + sub(5, "GW-NETNS") + sub(6, "TestGateway")).length / 2)
          .toString(16).padStart(2, "0") +
        sub(4, "00D09E") + sub(5, "GW-NETNS") + sub(6, "TestGateway");

      let dnsmasq: Deno.ChildProcess | undefined;
      try {
        await makeLink();
        dnsmasq = new Deno.Command("ip", {
          args: [
            "netns",
            "exec",
            NS_SERVER,
            DNSMASQ,
            "--keep-in-foreground",
            "--log-facility=-",
            "--log-dhcp",
            "--conf-file=/dev/null",
            "--port=0",
            "--user=root",
            `--interface=${IF_SERVER}`,
            "--bind-interfaces",
            "--dhcp-authoritative",
            "--dhcp-range=192.0.2.50,192.0.2.60,255.255.255.0,1h",
            `--dhcp-leasefile=${join(dir, "dnsmasq.leases")}`,
            `--pid-file=${join(dir, "dnsmasq.pid")}`,
            // As an operator would: the TR-069 options only for clients saying dslforum.org.
            "--dhcp-vendorclass=set:tr069,dslforum.org",
            `--dhcp-option=tag:tr069,43,${colons(opt43)}`,
            `--dhcp-option=tag:tr069,125,${colons(opt125)}`,
          ],
          stdout: "piped",
          stderr: "piped",
        }).spawn();
        const dnsmasqLog: string[] = [];
        (async () => {
          for await (const chunk of dnsmasq.stderr.pipeThrough(new TextDecoderStream())) {
            dnsmasqLog.push(chunk);
          }
        })().catch(() => {});
        dnsmasq.stdout.cancel().catch(() => {});

        const udhcpc = await new Deno.Command("ip", {
          args: [
            "netns",
            "exec",
            NS_CLIENT,
            "busybox",
            "udhcpc",
            "-i",
            IF_CLIENT,
            "-V",
            "dslforum.org",
            "-O",
            "43",
            "-O",
            "125",
            "-s",
            DEBIAN,
            "-n",
            "-q",
            "-t",
            "10",
            "-T",
            "1",
          ],
          env: {
            // Debian's default.script would configure the address and /etc/resolv.conf:
            // not here, the lease is only for its options.
            CWMP_AGENT_UDHCPC_SCRIPT: "/bin/true",
            CWMP_AGENT_HOOK: HOOK,
            CWMP_AGENT_RUN_DIR: runDir,
            CWMP_AGENT_BIN: bin,
            CWMP_AGENT_CONFIG: config,
          },
          stdout: "piped",
          stderr: "piped",
        }).output();
        const udhcpcLog = new TextDecoder().decode(udhcpc.stderr) +
          new TextDecoder().decode(udhcpc.stdout);
        assert.ok(udhcpc.success, `udhcpc failed:\n${udhcpcLog}\ndnsmasq:\n${dnsmasqLog.join("")}`);

        // The hook kept the lease for a later start…
        const env = await Deno.readTextFile(join(runDir, `dhcp-${IF_CLIENT}.env`));
        assert.match(env, new RegExp(`^opt43=${opt43}$`, "m"));
        assert.match(env, new RegExp(`^opt125=${opt125}$`, "m"));
        // …and told the running agent, which went to the ACS DHCP named, with BOOTSTRAP.
        const [first] = await acs.waitForSessions(1, 20_000);
        assert.deepEqual(eventsOf(first).slice(0, 2), ["0 BOOTSTRAP|", "1 BOOT|"]);
        assert.ok(
          agent.lines.some((l) => l.includes(`DHCP (${IF_CLIENT}): ACS URL is now ${acs.url}`)),
        );
        const got = await cliOk(
          config,
          "get",
          "Device.GatewayInfo.",
          "Device.DeviceInfo.ProvisioningCode",
        );
        assert.deepEqual(Object.fromEntries(got.lines.map((l) => [l.parameter, l.value])), {
          "Device.GatewayInfo.ManufacturerOUI": "00D09E",
          "Device.GatewayInfo.ProductClass": "TestGateway",
          "Device.GatewayInfo.SerialNumber": "GW-NETNS",
          "Device.DeviceInfo.ProvisioningCode": "DHCP.lab",
        });
        await validateAll();
      } finally {
        try {
          dnsmasq?.kill("SIGTERM");
          await dnsmasq?.status;
        } catch { /* already gone */ }
        await removeLink();
      }
    });
  },
});
