import assert from "node:assert/strict";
import { bindEthernetInterface } from "../../../../src/datamodel/objects/ethernet_interface.ts";
import { InstanceNumbers } from "../../../../src/datamodel/providers/linux/instance_numbers.ts";
import { readBindings } from "../../../_helpers/provider_contract.ts";
import { fixture } from "./_fixture.ts";

const E = "Device.Ethernet.Interface.";

Deno.test("bindEthernetInterface() serves the captured eth0 and skips lo and ifb", async () => {
  const values = await readBindings(bindEthernetInterface(fixture("host")));
  assert.deepEqual(
    Object.fromEntries(Object.entries(values).filter(([k]) => !k.includes(".Stats."))),
    {
      [`${E}1.Enable`]: "true",
      [`${E}1.Status`]: "Up",
      [`${E}1.Name`]: "eth0",
      [`${E}1.Upstream`]: "false",
      [`${E}1.MACAddress`]: "02:fc:00:00:00:01",
      [`${E}1.MaxBitRate`]: "-1",
      [`${E}1.CurrentBitRate`]: "0",
      [`${E}1.DuplexMode`]: "Auto",
    },
  );
  assert.equal(values[`${E}1.Stats.BytesReceived`], "64769058");
  assert.equal(values[`${E}1.Stats.BytesSent`], "153565");
  assert.equal(values[`${E}1.Stats.PacketsReceived`], "2364");
  assert.equal(values[`${E}1.Stats.PacketsSent`], "1792");
});

Deno.test("bindEthernetInterface() takes ports, not bridges or radios, and wraps 32-bit counters", async () => {
  const values = await readBindings(
    bindEthernetInterface(fixture("router"), { upstream: ["eth0"] }),
  );
  const names = Object.keys(values).filter((k) => k.endsWith(".Name")).map((k) => values[k]);
  assert.deepEqual(names, ["eth0", "lan1", "lan2"]);
  assert.equal(values[`${E}1.Upstream`], "true");
  assert.equal(values[`${E}2.MaxBitRate`], "1000");
  assert.equal(values[`${E}2.CurrentBitRate`], "1000");
  assert.equal(values[`${E}2.DuplexMode`], "Full");
  assert.equal(values[`${E}3.Status`], "Down");
  assert.equal(values[`${E}3.CurrentBitRate`], "0");
  assert.equal(values[`${E}2.Stats.BytesReceived`], "123456789012");
  assert.equal(values[`${E}2.Stats.BytesSent`], "9876543210");
  assert.equal(values[`${E}2.Stats.ErrorsSent`], "5"); // 4294967301 mod 2^32
  assert.equal(values[`${E}2.Stats.ErrorsReceived`], "3");
  assert.equal(values[`${E}2.Stats.DiscardPacketsReceived`], "7");
  assert.equal(values[`${E}2.Stats.DiscardPacketsSent`], "8");
  assert.equal(values[`${E}2.Stats.MulticastPacketsReceived`], "55");
  assert.equal(values[`${E}2.Stats.UnknownProtoPacketsReceived`], "2");
});

Deno.test("bindEthernetInterface() keeps instance numbers per name when interfaces come and go", async () => {
  const source = fixture("router");
  source.remove("/netlink"); // links from sysfs, which the test edits
  const numbers = new InstanceNumbers();
  const bindings = bindEthernetInterface(source, { numbers });
  await readBindings(bindings);
  source.remove("/sys/class/net/lan1");
  let values = await readBindings(bindings);
  assert.equal(values[`${E}1.Name`], "eth0");
  assert.equal(values[`${E}3.Name`], "lan2");
  assert.equal(values[`${E}2.Name`], undefined);
  source.write("/sys/class/net/lan3/type", "1");
  source.write("/sys/class/net/lan3/ifindex", "9");
  source.write("/sys/class/net/lan3/device", "x");
  values = await readBindings(bindEthernetInterface(source, { numbers }));
  assert.equal(values[`${E}4.Name`], "lan3");
  assert.deepEqual(numbers.serialize()["Device.Ethernet.Interface."].keys, {
    eth0: 1,
    lan1: 2,
    lan2: 3,
    lan3: 4,
  });
});

Deno.test("bindEthernetInterface() with names serves exactly those interfaces", async () => {
  const values = await readBindings(bindEthernetInterface(fixture("host"), { names: ["ifb1"] }));
  assert.equal(values[`${E}1.Name`], "ifb1");
  assert.equal(values[`${E}1.Enable`], "false");
  assert.equal(values[`${E}1.Status`], "Down");
  assert.equal(Object.keys(values).filter((k) => k.endsWith(".Name")).length, 1);
});

Deno.test("bindEthernetInterface() has no set(): the interfaces are read-only", () => {
  for (const binding of bindEthernetInterface(fixture("host"))) {
    assert.equal(binding.provider.set, undefined);
  }
});
