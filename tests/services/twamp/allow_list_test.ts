import assert from "node:assert/strict";
import {
  allowListError,
  ipAllowed,
  parseAddress,
  parseIpAllowedList,
  parsePortAllowedList,
  portAllowed,
} from "../../../src/services/twamp/allow_list.ts";

Deno.test("ipAllowed() allows any source when the list is empty", () => {
  assert.equal(ipAllowed(parseIpAllowedList(""), "203.0.113.9"), true);
  assert.equal(ipAllowed(parseIpAllowedList(" , "), "2001:db8::1"), true);
});

Deno.test("ipAllowed() matches IPv4 addresses and CIDR prefixes", () => {
  const list = parseIpAllowedList("192.0.2.7, 1.2.3.4/24,10.0.0.0/8");
  assert.equal(ipAllowed(list, "192.0.2.7"), true);
  assert.equal(ipAllowed(list, "192.0.2.8"), false);
  assert.equal(ipAllowed(list, "1.2.3.255"), true); // host bits of 1.2.3.4/24 ignored
  assert.equal(ipAllowed(list, "1.2.4.0"), false);
  assert.equal(ipAllowed(list, "10.255.0.1"), true);
  assert.equal(ipAllowed(list, "11.0.0.1"), false);
  assert.equal(ipAllowed(parseIpAllowedList("1.2.0.0/22"), "1.2.3.255"), true);
  assert.equal(ipAllowed(parseIpAllowedList("1.2.0.0/22"), "1.2.4.0"), false);
  assert.equal(ipAllowed(parseIpAllowedList("0.0.0.0/0"), "198.51.100.1"), true);
  assert.equal(ipAllowed(parseIpAllowedList("0.0.0.0/0"), "::1"), false);
});

Deno.test("ipAllowed() matches IPv6 addresses and prefixes, mapped IPv4 and zones", () => {
  const list = parseIpAllowedList(["fec0::220:edff:fe6a:f76", "2001:edff:fe6a:f76::/64"]);
  assert.equal(ipAllowed(list, "fec0:0:0:0:220:edff:fe6a:f76"), true);
  assert.equal(ipAllowed(list, "fec0::220:edff:fe6a:f77"), false);
  assert.equal(ipAllowed(list, "2001:edff:fe6a:f76:ffff:ffff:ffff:ffff"), true);
  assert.equal(ipAllowed(list, "2001:edff:fe6a:f77::"), false);
  assert.equal(ipAllowed(list, "192.0.2.1"), false);
  assert.equal(ipAllowed(parseIpAllowedList("127.0.0.0/8"), "::ffff:127.0.0.1"), true);
  assert.equal(ipAllowed(parseIpAllowedList("::ffff:10.0.0.0/104"), "10.9.9.9"), true);
  assert.equal(ipAllowed(parseIpAllowedList("fe80::/10"), "fe80::1%eth0"), true);
  assert.equal(ipAllowed(parseIpAllowedList("::/0"), "::1"), true);
  assert.equal(ipAllowed(parseIpAllowedList("::/0"), "not an address"), false);
});

Deno.test("parseAddress() reads IPv6 forms with :: and an IPv4 tail", () => {
  assert.deepEqual(parseAddress("::"), { family: 6, bits: 0n });
  assert.deepEqual(parseAddress("::1"), { family: 6, bits: 1n });
  assert.deepEqual(parseAddress("1::"), { family: 6, bits: 1n << 112n });
  assert.deepEqual(parseAddress("64:ff9b::192.0.2.1"), {
    family: 6,
    bits: (0x64n << 112n) | (0xff9bn << 96n) | 0xc0000201n,
  });
  assert.deepEqual(parseAddress("::ffff:192.0.2.1"), { family: 4, bits: 0xc0000201n });
  for (
    const bad of [
      "1:2:3:4:5:6:7",
      "1::2::3",
      "1:2:3:4:5:6:7:8:9",
      "::12345",
      "1.2.3",
      "::1.2.3.4:5",
    ]
  ) {
    assert.equal(parseAddress(bad), undefined, bad);
  }
});

Deno.test("parseIpAllowedList() names the first invalid entry", () => {
  assert.throws(() => parseIpAllowedList("192.0.2.1, 192.0.2.256"), {
    name: "RangeError",
    message: 'Invalid IPAllowedList entry: "192.0.2.256"',
  });
  assert.throws(() => parseIpAllowedList("10.0.0.0/33"), RangeError);
  assert.throws(() => parseIpAllowedList("2001:db8::/129"), RangeError);
  assert.throws(() => parseIpAllowedList("10.0.0.0/"), RangeError);
  assert.throws(() => parseIpAllowedList("host.example"), RangeError);
});

Deno.test("portAllowed() matches ports and inclusive ranges", () => {
  const ranges = parsePortAllowedList("2-40, 862,50000 - 50010");
  assert.equal(portAllowed(ranges, 2), true);
  assert.equal(portAllowed(ranges, 40), true);
  assert.equal(portAllowed(ranges, 41), false);
  assert.equal(portAllowed(ranges, 1), false);
  assert.equal(portAllowed(ranges, 862), true);
  assert.equal(portAllowed(ranges, 50010), true);
  assert.equal(portAllowed(parsePortAllowedList(""), 12345), true);
});

Deno.test("parsePortAllowedList() refuses reversed ranges and ports above 65535", () => {
  assert.throws(() => parsePortAllowedList("40-2"), {
    name: "RangeError",
    message: 'Invalid PortAllowedList entry: "40-2"',
  });
  assert.throws(() => parsePortAllowedList("65536"), RangeError);
  assert.throws(() => parsePortAllowedList("1-"), RangeError);
  assert.throws(() => parsePortAllowedList("-5"), RangeError);
});

Deno.test("allowListError() returns the first problem or undefined", () => {
  assert.equal(allowListError("10.0.0.0/8", "1-1024"), undefined);
  assert.equal(allowListError("10.0.0.0/8", "x"), 'Invalid PortAllowedList entry: "x"');
  assert.equal(allowListError("10.0.0.0/99", ""), 'Invalid IPAllowedList entry: "10.0.0.0/99"');
});
