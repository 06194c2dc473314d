import assert from "node:assert/strict";
import { parseLinkDump } from "../../../../src/datamodel/providers/linux/netlink_messages.ts";
import { concat, cString, linkMessage, rtattr, s32s } from "./_netlink_builder.ts";

const IFLA_ADDRESS = 1;
const IFLA_IFNAME = 3;
const IFLA_AF_SPEC = 26;
const IFLA_PARENT_DEV_NAME = 56;
const AF_INET = 2;
const AF_INET6 = 10;
const IFLA_INET6_CONF = 2;

/** IFLA_AF_SPEC with an AF_INET6 IFLA_INET6_CONF whose DEVCONF_DISABLE_IPV6 (26) is `v`. */
function afSpec(disableIpv6: number, length = 27): Uint8Array {
  const conf = Array.from({ length }, (_, i) => (i === 26 ? disableIpv6 : 1));
  return rtattr(
    IFLA_AF_SPEC,
    concat(
      rtattr(AF_INET, rtattr(1, s32s([1, 1]))),
      rtattr(AF_INET6, concat(rtattr(1, s32s([0])), rtattr(IFLA_INET6_CONF, s32s(conf)))),
    ),
  );
}

Deno.test("parseLinkDump() reads the parent device and disable_ipv6 when the kernel gives them", () => {
  const dump = concat(
    linkMessage(2, 1, [
      rtattr(IFLA_IFNAME, cString("eth0")),
      rtattr(IFLA_ADDRESS, Uint8Array.of(0x02, 0xfc, 0, 0, 0, 0x0a)),
      afSpec(0),
      rtattr(IFLA_PARENT_DEV_NAME, cString("0000:00:03.0")),
    ]),
    linkMessage(3, 1, [rtattr(IFLA_IFNAME, cString("ifb0")), afSpec(1)]),
    linkMessage(4, 1, [rtattr(IFLA_IFNAME, cString("old0")), afSpec(1, 26)]),
  );
  const links = parseLinkDump(dump);
  assert.deepEqual(
    links.map(({ name, address, parent, disableIpv6 }) => ({ name, address, parent, disableIpv6 })),
    [
      { name: "eth0", address: "02:fc:00:00:00:0a", parent: "0000:00:03.0", disableIpv6: 0 },
      { name: "ifb0", address: "", parent: undefined, disableIpv6: 1 },
      // An IFLA_INET6_CONF too short to hold DEVCONF_DISABLE_IPV6 says nothing.
      { name: "old0", address: "", parent: undefined, disableIpv6: undefined },
    ],
  );
  assert.ok(!("parent" in links[1]) && !("disableIpv6" in links[2]));
});
