import assert from "node:assert/strict";
import { bindIPInterface, subnetMask } from "../../../../src/datamodel/objects/ip_interface.ts";
import { InstanceNumbers } from "../../../../src/datamodel/providers/linux/instance_numbers.ts";
import { readBindings } from "../../../_helpers/provider_contract.ts";
import { fixture } from "./_fixture.ts";

const I = "Device.IP.Interface.";

Deno.test("bindIPInterface() serves every captured link with its addresses", async () => {
  const values = await readBindings(bindIPInterface(fixture("host")));
  const names = Object.keys(values).filter((k) => k.endsWith(".Name")).map((k) => values[k]);
  assert.deepEqual(names, ["lo", "ifb0", "ifb1", "eth0"]);
  assert.equal(values[`${I}1.Type`], "Loopback");
  assert.equal(values[`${I}1.Loopback`], "true");
  assert.equal(values[`${I}1.MaxMTUSize`], "65535"); // 65536 clamped to the schema range
  assert.equal(values[`${I}2.Enable`], "false");
  assert.equal(values[`${I}2.Status`], "Down");
  assert.equal(values[`${I}4.Status`], "Up");
  assert.equal(values[`${I}4.MaxMTUSize`], "1400");
  assert.equal(values[`${I}4.LowerLayers`], "Device.Ethernet.Interface.1");
  assert.equal(values[`${I}1.LowerLayers`], "");
  assert.equal(values[`${I}4.IPv4Address.1.IPAddress`], "192.0.2.2");
  assert.equal(values[`${I}4.IPv4Address.1.SubnetMask`], "255.255.255.0");
  assert.equal(values[`${I}4.IPv4Address.1.AddressingType`], "Static");
  assert.equal(values[`${I}1.IPv4Address.1.SubnetMask`], "255.0.0.0");
  assert.equal(values[`${I}4.IPv6Address.1.IPAddress`], "fd00::2");
  assert.equal(values[`${I}4.IPv6Address.1.ValidLifetime`], "9999-12-31T23:59:59Z");
  assert.equal(values[`${I}4.IPv6Address.2.Origin`], "WellKnown");
  assert.equal(values[`${I}2.IPv4Address.1.IPAddress`], undefined);
});

Deno.test("bindIPInterface() reads DHCP, AutoIP, SLAAC, DHCPv6 and DAD states", async () => {
  const values = await readBindings(bindIPInterface(fixture("router")));
  // eth0 is 2, br-lan 5 (ifindex order).
  assert.equal(values[`${I}2.IPv4Address.1.IPAddress`], "198.51.100.7");
  assert.equal(values[`${I}2.IPv4Address.1.SubnetMask`], "255.255.252.0");
  assert.equal(values[`${I}2.IPv4Address.1.AddressingType`], "DHCP");
  assert.equal(values[`${I}2.IPv6Address.1.Origin`], "DHCPv6");
  assert.equal(values[`${I}2.IPv6Address.1.PreferredLifetime`], "2026-11-27T13:00:00Z");
  assert.equal(values[`${I}2.IPv6Address.1.ValidLifetime`], "2026-11-27T14:00:00Z");
  assert.equal(values[`${I}5.Name`], "br-lan");
  assert.equal(values[`${I}5.LowerLayers`], "");
  assert.equal(values[`${I}5.IPv4Address.2.AddressingType`], "AutoIP");
  assert.equal(values[`${I}5.IPv4Address.2.SubnetMask`], "255.255.0.0");
  assert.equal(values[`${I}5.IPv6Address.1.Origin`], "AutoConfigured");
  assert.equal(values[`${I}5.IPv6Address.2.IPAddressStatus`], "Tentative");
  assert.equal(values[`${I}5.IPv6Address.3.IPAddressStatus`], "Duplicate");
  assert.equal(values[`${I}5.IPv6Address.3.Status`], "Error");
  assert.equal(values[`${I}4.Name`], "lan2");
  assert.equal(values[`${I}4.Status`], "LowerLayerDown");
  assert.equal(values[`${I}4.IPv6Enable`], "false"); // disable_ipv6 = 1
  assert.equal(values[`${I}4.LowerLayers`], "Device.Ethernet.Interface.3");
});

Deno.test("bindIPInterface() keeps address numbers when an earlier address goes away", async () => {
  const source = fixture("router");
  const numbers = new InstanceNumbers();
  const bindings = bindIPInterface(source, { numbers });
  await readBindings(bindings);
  // 192.168.1.1/24 goes: its message (the line after its comment) leaves the dump.
  const dump = (await source.readText("/netlink/RTM_GETADDR"))!.split("\n");
  const at = dump.indexOf("# br-lan 192.168.1.1/24");
  dump.splice(at, 2);
  source.write("/netlink/RTM_GETADDR", dump.join("\n"));
  const values = await readBindings(bindings);
  assert.equal(values[`${I}5.IPv4Address.1.IPAddress`], undefined);
  assert.equal(values[`${I}5.IPv4Address.2.IPAddress`], "169.254.10.1");
});

Deno.test("bindIPInterface() serves no rows when neither netlink, /proc nor ip answers", async () => {
  const source = fixture("host");
  source.remove("/netlink");
  source.remove("/proc/net/if_inet6");
  source.remove("/run/ip -j addr");
  const values = await readBindings(bindIPInterface(source));
  assert.deepEqual(values, {});
});

Deno.test("subnetMask() converts prefix lengths", () => {
  assert.equal(subnetMask(0), "0.0.0.0");
  assert.equal(subnetMask(22), "255.255.252.0");
  assert.equal(subnetMask(32), "255.255.255.255");
});
