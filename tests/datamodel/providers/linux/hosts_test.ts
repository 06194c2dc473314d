import assert from "node:assert/strict";
import { bindHosts } from "../../../../src/datamodel/objects/hosts.ts";
import { bindIPInterface } from "../../../../src/datamodel/objects/ip_interface.ts";
import { InstanceNumbers } from "../../../../src/datamodel/providers/linux/instance_numbers.ts";
import { readBindings } from "../../../_helpers/provider_contract.ts";
import { fixture } from "./_fixture.ts";

const H = "Device.Hosts.Host.";

Deno.test("bindHosts() serves the captured neighbour and skips the FAILED one without MAC", async () => {
  assert.deepEqual(await readBindings([bindHosts(fixture("host"))]), {
    [`${H}1.PhysAddress`]: "02:fc:00:00:00:05",
    [`${H}1.IPAddress`]: "192.0.2.1",
    [`${H}1.Active`]: "true",
    [`${H}1.Layer3Interface`]: "Device.IP.Interface.4",
  });
});

Deno.test("bindHosts() merges entries per MAC and derives Active from the NUD state", async () => {
  const values = await readBindings([bindHosts(fixture("router"))]);
  const macs = Object.keys(values).filter((k) => k.endsWith(".PhysAddress")).map((k) => values[k]);
  assert.deepEqual(macs, [
    "02:fc:00:00:00:05",
    "aa:bb:cc:00:00:20",
    "aa:bb:cc:00:00:30",
    "aa:bb:cc:00:00:40",
  ]);
  assert.equal(values[`${H}2.IPAddress`], "192.168.1.20");
  assert.equal(values[`${H}2.Active`], "true");
  assert.equal(values[`${H}3.Active`], "false"); // FAILED
  assert.equal(values[`${H}4.Active`], "false"); // PERMANENT
  assert.equal(values[`${H}2.Layer3Interface`], "Device.IP.Interface.5");
});

Deno.test("bindHosts() Layer3Interface agrees with IP.Interface numbers through shared numbers", async () => {
  const source = fixture("router");
  const numbers = new InstanceNumbers();
  const ip = await readBindings(bindIPInterface(source, { numbers }));
  const hosts = await readBindings([bindHosts(source, { numbers })]);
  const target = hosts[`${H}2.Layer3Interface`];
  assert.equal(ip[`${target}.Name`], "br-lan");
});

Deno.test("bindHosts() prefers a global IPv6 address over link-local without IPv4", async () => {
  const source = fixture("host");
  // Without netlink: no IPv4 neighbour in /proc/net/arp, the IPv6 ones from `ip -6`.
  source.remove("/netlink");
  source.write(
    "/proc/net/arp",
    "IP address       HW type     Flags       HW address            Mask     Device\n",
  );
  source.write(
    "/run/ip -j -6 neigh",
    JSON.stringify([
      { dst: "fe80::1", dev: "eth0", lladdr: "02:00:00:00:00:01", state: ["REACHABLE"] },
      { dst: "2001:db8::1", dev: "eth0", lladdr: "02:00:00:00:00:01", state: ["STALE"] },
    ]),
  );
  const values = await readBindings([bindHosts(source)]);
  assert.equal(values[`${H}1.IPAddress`], "2001:db8::1");
});
