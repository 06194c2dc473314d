import assert from "node:assert/strict";
import { tr181Entries } from "../../../../src/datamodel/generated/tr181.ts";
import { bindEthernetInterface } from "../../../../src/datamodel/objects/ethernet_interface.ts";
import { bindHosts } from "../../../../src/datamodel/objects/hosts.ts";
import { bindIPInterface } from "../../../../src/datamodel/objects/ip_interface.ts";
import {
  bindLinux,
  formatAddress,
  NetSnapshot,
  NetSnapshots,
  parseArp,
  parseIfInet6,
  parseNeighbourDump,
  parseNetDev,
} from "../../../../src/datamodel/providers/linux/mod.ts";
import { Schema } from "../../../../src/datamodel/schema.ts";
import { ParameterTree } from "../../../../src/datamodel/tree.ts";
import { netlinkDump, RTM_GETADDR } from "../../../../src/platform/netlink.ts";
import type { SystemSource } from "../../../../src/platform/system_source.ts";
import { readBindings } from "../../../_helpers/provider_contract.ts";
import { fixture } from "./_fixture.ts";
import { concat, cString, linkMessage, rtattr, s32s } from "./_netlink_builder.ts";

const I = "Device.IP.Interface.";

/** The router fixture with netlink gone (the /proc path) or /proc too (the ip path). */
function router(path: "netlink" | "proc" | "ip") {
  const source = fixture("router");
  if (path !== "netlink") source.remove("/netlink");
  if (path === "ip") {
    source.remove("/proc/net/if_inet6");
    source.remove("/proc/net/arp");
  }
  return source;
}

Deno.test("NetSnapshot.ipLinks() takes netlink, else /proc/net/if_inet6 + networkInterfaces(), else ip", async () => {
  for (const path of ["netlink", "proc", "ip"] as const) {
    assert.equal((await new NetSnapshot(router(path)).ipLinks()).from, path);
    assert.equal((await new NetSnapshot(router(path)).neighbours()).from, path);
  }
});

Deno.test("bindIPInterface() reads the same values from netlink as from ip -j addr", async () => {
  const netlink = await readBindings(bindIPInterface(router("netlink")));
  const ip = await readBindings(bindIPInterface(router("ip")));
  assert.deepEqual(netlink, ip);
  assert.equal(Object.keys(netlink).length, 116);
});

Deno.test("bindIPInterface() on the /proc path differs only where /proc cannot tell", async () => {
  const netlink = await readBindings(bindIPInterface(router("netlink")));
  const proc = await readBindings(bindIPInterface(router("proc")));
  const differ = Object.keys(netlink).filter((k) => netlink[k] !== proc[k])
    .map((k) => `${k}: ${netlink[k]} -> ${proc[k]}`);
  assert.deepEqual(differ, [
    // Deno.networkInterfaces() does not say an address is dynamic.
    `${I}2.IPv4Address.1.AddressingType: DHCP -> Static`,
    // /proc/net/if_inet6 has no lifetimes: Unknown Time for dynamic addresses.
    `${I}2.IPv6Address.1.PreferredLifetime: 2026-11-27T13:00:00Z -> 0001-01-01T00:00:00Z`,
    `${I}2.IPv6Address.1.ValidLifetime: 2026-11-27T14:00:00Z -> 0001-01-01T00:00:00Z`,
    `${I}5.IPv6Address.1.PreferredLifetime: 2026-11-27T16:00:00Z -> 0001-01-01T00:00:00Z`,
    `${I}5.IPv6Address.1.ValidLifetime: 2026-11-28T12:00:00Z -> 0001-01-01T00:00:00Z`,
  ]);
  assert.equal(Object.keys(proc).length, Object.keys(netlink).length);
});

Deno.test("bindHosts() reads the same hosts from netlink, /proc/net/arp + ip -6 and ip -j neigh", async () => {
  const netlink = await readBindings([bindHosts(router("netlink"))]);
  assert.equal(Object.keys(netlink).length, 16);
  assert.deepEqual(await readBindings([bindHosts(router("proc"))]), netlink);
  assert.deepEqual(await readBindings([bindHosts(router("ip"))]), netlink);
});

Deno.test("bindEthernetInterface() reads the same from netlink, sysfs + /proc/net/dev and sysfs alone", async () => {
  const netlink = await readBindings(bindEthernetInterface(router("netlink")));
  assert.equal(netlink["Device.Ethernet.Interface.2.Stats.ErrorsSent"], "5");
  assert.equal(netlink["Device.Ethernet.Interface.2.Stats.UnknownProtoPacketsReceived"], "2");
  assert.deepEqual(await readBindings(bindEthernetInterface(router("proc"))), netlink);
  const sysfs = router("proc");
  sysfs.remove("/proc/net/dev");
  assert.deepEqual(await readBindings(bindEthernetInterface(sysfs)), netlink);
});

Deno.test("bindIPInterface() reads the same links from netlink as from sysfs", async () => {
  const links = router("netlink");
  links.remove("/netlink/RTM_GETLINK");
  assert.deepEqual(
    await readBindings(bindIPInterface(links)),
    await readBindings(bindIPInterface(router("netlink"))),
  );
});

/** A fixture that counts what is read. */
function counting(inner: SystemSource) {
  const counts = { netlink: 0, run: 0, sysType: 0, netDev: 0, reads: 0 };
  const source: SystemSource = {
    readText(path) {
      counts.reads++;
      if (/^\/sys\/class\/net\/[^/]+\/type$/.test(path)) counts.sysType++;
      if (path === "/proc/net/dev") counts.netDev++;
      return inner.readText(path);
    },
    listDir: (path) => inner.listDir(path),
    run(argv, timeoutMs) {
      counts.run++;
      return inner.run(argv, timeoutMs);
    },
    netlinkDump(type) {
      counts.netlink++;
      return inner.netlinkDump!(type);
    },
    networkInterfaces: () => inner.networkInterfaces!(),
    now: () => inner.now(),
  };
  return { source, counts };
}

Deno.test("bindLinux() reads the network once for a whole-tree GetParameterValues, with no process", async () => {
  const { source, counts } = counting(fixture("router"));
  const tree = new ParameterTree({
    schema: new Schema(tr181Entries()),
    bindings: bindLinux(source, { snapshotMaxAgeMs: 60_000 }),
  });
  assert.equal(counts.reads, 0); // nothing is read before the first request
  const items = await tree.list("Device.", { objects: false });
  const values = await tree.read(items.map((i) => i.ref!));
  assert.ok(values.includes("br-lan"));
  // Three dumps (links, addresses, neighbours); from sysfs only speed and duplex of the
  // 3 Ethernet rows and disable_ipv6 of the 6 links; then /proc/meminfo, /proc/stat,
  // the 3 processes' stat, resolv.conf and the Time files.
  assert.deepEqual(counts, { netlink: 3, run: 0, sysType: 0, netDev: 0, reads: 20 });
  // Reading the values again soon after: only the one-file objects (MemoryStatus,
  // CPUUsage, Time) read again; the network, the processes and DNS do not.
  await tree.read(items.map((i) => i.ref!));
  assert.deepEqual(counts, { netlink: 3, run: 0, sysType: 0, netDev: 0, reads: 20 + 4 });
});

/** The host fixture with a link dump of eth0 (parent `parent`, IPv6 on) and ifb0. */
function withLinkDump(parent: string | undefined) {
  const source = fixture("host");
  const inet6 = rtattr(26, rtattr(10, rtattr(2, s32s(Array.from({ length: 27 }, () => 0)))));
  const dump = concat(
    linkMessage(2, 1, [
      rtattr(3, cString("eth0")),
      inet6,
      ...(parent === undefined ? [] : [rtattr(56, cString(parent))]),
    ]),
    linkMessage(3, 1, [rtattr(3, cString("ifb0"))]),
  );
  source.write(
    "/netlink/RTM_GETLINK",
    Array.from(dump, (b) => b.toString(16).padStart(2, "0")).join(""),
  );
  const listed: string[] = [];
  const read: string[] = [];
  const counted: SystemSource = {
    readText: (path) => (read.push(path), source.readText(path)),
    listDir: (path) => (listed.push(path), source.listDir(path)),
    run: (argv) => source.run(argv),
    netlinkDump: (type) => source.netlinkDump(type),
    now: () => source.now(),
  };
  return { source: counted, listed, read };
}

Deno.test("NetSnapshot lists sysfs only for links with a parent device when the dump names parents", async () => {
  const named = withLinkDump("virtio0");
  const links = await new NetSnapshot(named.source).links();
  assert.deepEqual(named.listed, ["/sys/class/net/eth0"]);
  assert.deepEqual(links.map((l) => [l.name, l.entries.includes("device")]), [
    ["eth0", true],
    ["ifb0", false],
  ]);
  // A kernel that names no parent (before 5.15): every Ethernet-type link is listed.
  const unnamed = withLinkDump(undefined);
  await new NetSnapshot(unnamed.source).links();
  assert.deepEqual(unnamed.listed, ["/sys/class/net/eth0", "/sys/class/net/ifb0"]);
});

Deno.test("NetSnapshot.ipv6Disabled() takes the dump's IPv6 settings, else the sysctl file", async () => {
  const { source, read } = withLinkDump("virtio0");
  const snapshot = new NetSnapshot(source);
  assert.equal(await snapshot.ipv6Disabled("eth0"), "0");
  assert.deepEqual(read, []);
  assert.equal(await snapshot.ipv6Disabled("ifb0"), "0");
  assert.deepEqual(read, ["/proc/sys/net/ipv6/conf/ifb0/disable_ipv6"]);
});

Deno.test("NetSnapshots hands out one snapshot until maxAgeMs has passed", () => {
  let now = 1000;
  const snapshots = new NetSnapshots(fixture("host"), { maxAgeMs: 500, clock: () => now });
  const first = snapshots.current();
  now += 499;
  assert.equal(snapshots.current(), first);
  now += 1;
  const second = snapshots.current();
  assert.notEqual(second, first);
  snapshots.invalidate();
  assert.notEqual(snapshots.current(), second);
  const fresh = new NetSnapshots(fixture("host"));
  assert.notEqual(fresh.current(), fresh.current()); // default 0: never reused
});

Deno.test("formatAddress() writes IPv6 addresses as inet_ntop does", () => {
  const v6 = (hex: string) =>
    formatAddress(Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16)));
  assert.equal(v6("00000000000000000000000000000001"), "::1");
  assert.equal(v6("00000000000000000000000000000000"), "::");
  assert.equal(v6("fe8000000000000000fc00fffe000001"), "fe80::fc:ff:fe00:1");
  assert.equal(v6("20010db8000000010000000000000001"), "2001:db8:0:1::1"); // one zero group stays
  assert.equal(v6("20010db8000000000001000000000001"), "2001:db8::1:0:0:1"); // first of a tie
  assert.equal(v6("00000000000000000000ffffc0000201"), "::ffff:192.0.2.1");
  assert.equal(formatAddress(Uint8Array.of(192, 0, 2, 1)), "192.0.2.1");
});

Deno.test("parseNeighbourDump() leaves out NOARP and NONE entries, as ip neigh does", () => {
  const entry = (state: number) => {
    const bytes = new Uint8Array(16 + 12 + 8);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, bytes.length, true);
    view.setUint16(4, 28, true); // RTM_NEWNEIGH
    bytes[16] = 2; // AF_INET
    view.setInt32(20, 3, true);
    view.setUint16(24, state, true);
    view.setUint16(28, 8, true); // NDA_DST, 4 bytes
    view.setUint16(30, 1, true);
    bytes.set([192, 0, 2, 9], 32);
    return bytes;
  };
  const dump = new Uint8Array([...entry(0x02), ...entry(0x40), ...entry(0), ...entry(0x80)]);
  assert.deepEqual(parseNeighbourDump(dump), [
    { ifindex: 3, dst: "192.0.2.9", state: ["REACHABLE"] },
    { ifindex: 3, dst: "192.0.2.9", state: ["PERMANENT"] },
  ]);
});

Deno.test("parseIfInet6() reads scope, prefix and flags", () => {
  const text = "fe8000000000000000fc00fffe000001 04 40 20 80     eth0\n" +
    "20010db8000100000000000000000001 07 40 00 160   br-lan\n";
  assert.deepEqual(parseIfInet6(text), [
    {
      ifindex: 4,
      family: "inet6",
      local: "fe80::fc:ff:fe00:1",
      prefixlen: 64,
      scope: "link",
      valid_life_time: 4294967295,
      preferred_life_time: 4294967295,
    },
    {
      ifindex: 7,
      family: "inet6",
      local: "2001:db8:1::1",
      prefixlen: 64,
      scope: "global",
      dynamic: true,
      tentative: true,
      deprecated: true,
    },
  ]);
});

Deno.test("parseArp() maps the ATF flags to states and skips unknown interfaces", () => {
  const text = "IP address       HW type     Flags       HW address            Mask     Device\n" +
    "192.0.2.1        0x1         0x2         02:FC:00:00:00:05     *        eth0\n" +
    "192.0.2.3        0x1         0x6         02:fc:00:00:00:06     *        eth0\n" +
    "192.0.2.4        0x1         0x0         02:fc:00:00:00:07     *        eth0\n" +
    "192.0.2.5        0x1         0x0         00:00:00:00:00:00     *        eth0\n" +
    "192.0.2.6        0x1         0x2         02:fc:00:00:00:08     *        gone0\n";
  assert.deepEqual(parseArp(text, (n) => n === "eth0" ? 4 : undefined), [
    { ifindex: 4, dst: "192.0.2.1", lladdr: "02:fc:00:00:00:05", state: ["REACHABLE"] },
    { ifindex: 4, dst: "192.0.2.3", lladdr: "02:fc:00:00:00:06", state: ["PERMANENT"] },
    { ifindex: 4, dst: "192.0.2.4", lladdr: "02:fc:00:00:00:07", state: ["FAILED"] },
    { ifindex: 4, dst: "192.0.2.5", state: ["INCOMPLETE"] },
  ]);
});

Deno.test("parseNetDev() keeps only the columns that are one sysfs counter", () => {
  const text = "Inter-|   Receive |  Transmit\n face |bytes ...\n" +
    "  eth0: 10 2 3 4 5 6 7 8 90 10 11 12 13 14 15 16\n";
  const eth0 = parseNetDev(text).get("eth0")!;
  assert.equal(eth0.get("rx_bytes"), 10n);
  assert.equal(eth0.get("multicast"), 8n);
  assert.equal(eth0.get("tx_dropped"), 12n);
  assert.equal(eth0.get("rx_dropped"), undefined); // the column adds rx_missed_errors
});

Deno.test({
  name: "netlinkDump() on the live system finds the addresses ip -j addr lists",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const ip = await new Deno.Command("ip", { args: ["-j", "addr"], stdout: "piped" }).output()
      .catch(() => undefined);
    if (ip === undefined || ip.code !== 0) return; // no iproute2 to compare with
    const expected = (JSON.parse(new TextDecoder().decode(ip.stdout)) as {
      addr_info: { local: string; prefixlen: number }[];
    }[]).flatMap((l) => l.addr_info.map((a) => `${a.local}/${a.prefixlen}`)).sort();
    const dump = netlinkDump(RTM_GETADDR);
    assert.ok(dump !== undefined);
    const snapshot = new NetSnapshot({
      readText: () => Promise.resolve(undefined),
      listDir: () => Promise.resolve([]),
      run: () => Promise.resolve({ code: 127, stdout: "" }),
      now: () => 0,
    });
    assert.equal((await snapshot.ipLinks()).links.length, 0);
    const { parseAddressDump } = await import(
      "../../../../src/datamodel/providers/linux/netlink_messages.ts"
    );
    const got = parseAddressDump(dump).map((a) => `${a.local}/${a.prefixlen}`).sort();
    assert.deepEqual(got, expected);
  },
});
