import assert from "node:assert/strict";
import { canonicalIp, formatIPv6, parseIpAddress } from "../../../src/services/udp/ip_address.ts";
import {
  decodeSockaddr,
  encodeSockaddr,
  SOCKADDR_IN6_SIZE,
  SOCKADDR_IN_SIZE,
  type SocketAddress,
} from "../../../src/services/udp/sockaddr.ts";
import {
  decodeIovec,
  decodeMmsghdr,
  decodeMsghdr,
  encodeIovec,
  encodeMmsghdr,
  encodeMsghdr,
  IOVEC_SIZE,
  mmsg,
  MMSGHDR_SIZE,
  MSGHDR_SIZE,
} from "../../../src/services/udp/msghdr.ts";
import {
  cmsgLen,
  cmsgSpace,
  type ControlInfo,
  decodeControl,
  encodeControl,
  IP_TTL,
  IPPROTO_IP,
  IPPROTO_IPV6,
  IPV6_HOPLIMIT,
  SCM_TIMESTAMPNS,
  SOL_SOCKET,
} from "../../../src/services/udp/cmsg.ts";

const hex = (u8: Uint8Array) => Array.from(u8, (b) => b.toString(16).padStart(2, "0")).join("");

Deno.test("encodeSockaddr() writes sockaddr_in with the port in network order", () => {
  const u8 = new Uint8Array(SOCKADDR_IN6_SIZE).fill(0xee);
  const len = encodeSockaddr(u8, 0, { family: "IPv4", address: "192.0.2.1", port: 0x1234 });
  assert.equal(len, SOCKADDR_IN_SIZE);
  assert.equal(hex(u8.subarray(0, 16)), "02001234c000020100000000" + "00000000");
  const out: SocketAddress = { family: "IPv6", address: "", port: 0 };
  assert.ok(decodeSockaddr(u8, 0, out));
  assert.deepEqual(out, { family: "IPv4", address: "192.0.2.1", port: 0x1234 });
});

Deno.test("encodeSockaddr() writes sockaddr_in6 (28 bytes) and round-trips", () => {
  const u8 = new Uint8Array(4 + SOCKADDR_IN6_SIZE).fill(0xee);
  const len = encodeSockaddr(u8, 4, { family: "IPv6", address: "2001:db8::1", port: 7 });
  assert.equal(len, 28);
  assert.equal(
    hex(u8.subarray(4, 32)),
    "0a000007" + "00000000" + "20010db8000000000000000000000001" + "00000000",
  );
  assert.equal(u8[0], 0xee);
  const out: SocketAddress = { family: "IPv4", address: "", port: 0 };
  assert.ok(decodeSockaddr(u8, 4, out));
  assert.deepEqual(out, { family: "IPv6", address: "2001:db8::1", port: 7 });
});

Deno.test("decodeSockaddr() reads an IPv4-mapped source as IPv4", () => {
  const u8 = new Uint8Array(SOCKADDR_IN6_SIZE);
  encodeSockaddr(u8, 0, { family: "IPv6", address: "127.0.0.1", port: 9 });
  assert.equal(hex(u8.subarray(8, 24)), "00000000000000000000ffff7f000001");
  const out: SocketAddress = { family: "IPv6", address: "", port: 0 };
  decodeSockaddr(u8, 0, out);
  assert.deepEqual(out, { family: "IPv4", address: "127.0.0.1", port: 9 });
});

Deno.test("decodeSockaddr() refuses an unknown family", () => {
  const u8 = new Uint8Array(SOCKADDR_IN6_SIZE);
  u8[0] = 1; // AF_UNIX
  assert.equal(decodeSockaddr(u8, 0, { family: "IPv4", address: "", port: 0 }), false);
});

Deno.test("encodeSockaddr() rejects a host name and a bad port", () => {
  const u8 = new Uint8Array(SOCKADDR_IN6_SIZE);
  assert.throws(
    () => encodeSockaddr(u8, 0, { family: "IPv4", address: "example.com", port: 1 }),
    { name: "TypeError", message: 'Cannot encode sockaddr: "example.com" is not an IP literal' },
  );
  assert.throws(() => encodeSockaddr(u8, 0, { family: "IPv4", address: "1.2.3.4", port: 70000 }), {
    name: "RangeError",
  });
});

Deno.test("formatIPv6() follows RFC 5952", () => {
  const f = (t: string) => formatIPv6(parseIpAddress(t)!);
  assert.equal(f("2001:0DB8:0:0:0:0:0:1"), "2001:db8::1");
  assert.equal(f("2001:db8:0:1:1:1:1:1"), "2001:db8:0:1:1:1:1:1");
  assert.equal(f("2001:0:0:1:0:0:0:1"), "2001:0:0:1::1");
  assert.equal(f("::"), "::");
  assert.equal(f("::1"), "::1");
  assert.equal(f("fe80::"), "fe80::");
  assert.equal(f("::ffff:10.0.0.1"), "::ffff:10.0.0.1");
  assert.equal(canonicalIp("::ffff:10.0.0.1"), "10.0.0.1");
  assert.equal(canonicalIp("010.0.0.1"), undefined);
  assert.equal(canonicalIp("1:2:3:4:5:6:7:8:9"), undefined);
  assert.equal(parseIpAddress("256.1.1.1"), undefined);
});

Deno.test("encodeIovec() lays out base then length (16 bytes)", () => {
  const view = new DataView(new ArrayBuffer(IOVEC_SIZE));
  encodeIovec(view, 0, { base: 0x1122334455667788n, length: 1500 });
  assert.equal(hex(new Uint8Array(view.buffer)), "8877665544332211" + "dc05000000000000");
  assert.deepEqual(decodeIovec(view, 0), { base: 0x1122334455667788n, length: 1500 });
});

Deno.test("encodeMsghdr() puts every field at its LP64 offset (56 bytes)", () => {
  assert.equal(MSGHDR_SIZE, 56);
  const view = new DataView(new ArrayBuffer(MSGHDR_SIZE));
  new Uint8Array(view.buffer).fill(0xee);
  const msg = {
    name: 0x0101010101010101n,
    nameLength: 28,
    iov: 0x0202020202020202n,
    iovLength: 1,
    control: 0x0303030303030303n,
    controlLength: 64,
    flags: 0x20,
  };
  encodeMsghdr(view, 0, msg);
  assert.equal(
    hex(new Uint8Array(view.buffer)),
    "0101010101010101" + "1c000000" + "00000000" + "0202020202020202" + "0100000000000000" +
      "0303030303030303" + "4000000000000000" + "20000000" + "00000000",
  );
  assert.deepEqual(decodeMsghdr(view, 0), msg);
});

Deno.test("encodeMmsghdr() appends msg_len at 56 in a 64-byte entry", () => {
  assert.equal(MMSGHDR_SIZE, 64);
  const view = new DataView(new ArrayBuffer(2 * MMSGHDR_SIZE));
  const msg = {
    name: 1n,
    nameLength: 16,
    iov: 2n,
    iovLength: 1,
    control: 3n,
    controlLength: 0,
    flags: 0,
  };
  encodeMmsghdr(view, MMSGHDR_SIZE, msg, 99);
  assert.equal(view.getUint32(MMSGHDR_SIZE + 56, true), 99);
  assert.deepEqual(decodeMmsghdr(view, MMSGHDR_SIZE), { ...msg, length: 99 });
  assert.equal(mmsg.length(view, 1), 99);
  assert.equal(mmsg.nameLength(view, 1), 16);
  mmsg.reset(view, 1, 28, 64);
  assert.equal(mmsg.nameLength(view, 1), 28);
  assert.equal(mmsg.controlLength(view, 1), 64);
  assert.equal(mmsg.flags(view, 1), 0);
  assert.equal(new Uint8Array(view.buffer, 0, 64).every((b) => b === 0), true);
});

Deno.test("decodeControl() reads the TTL and the kernel timestamp", () => {
  assert.equal(cmsgLen(4), 20);
  assert.equal(cmsgSpace(4), 24);
  assert.equal(cmsgSpace(16), 32);
  const view = new DataView(new ArrayBuffer(64));
  const ts = new DataView(new ArrayBuffer(16));
  ts.setBigInt64(0, 1_700_000_000n, true);
  ts.setBigInt64(8, 123_456_789n, true);
  const used = encodeControl(view, 0, [
    { level: IPPROTO_IP, type: IP_TTL, data: new Uint8Array(new Int32Array([64]).buffer) },
    { level: SOL_SOCKET, type: SCM_TIMESTAMPNS, data: new Uint8Array(ts.buffer) },
  ]);
  assert.equal(used, 56);
  assert.equal(
    hex(new Uint8Array(view.buffer, 0, 16)),
    "1400000000000000" + "00000000" + "02000000",
  );
  const info: ControlInfo = { ttl: 0, sec: 0, nsec: 0 };
  decodeControl(view, 0, used, info);
  assert.deepEqual(info, { ttl: 64, sec: 1_700_000_000, nsec: 123_456_789 });
});

Deno.test("decodeControl() reads the IPv6 hop limit and stops at a truncated header", () => {
  const view = new DataView(new ArrayBuffer(64));
  const used = encodeControl(view, 0, [
    {
      level: IPPROTO_IPV6,
      type: IPV6_HOPLIMIT,
      data: new Uint8Array(new Int32Array([255]).buffer),
    },
  ]);
  const info: ControlInfo = { ttl: 0, sec: 5, nsec: 5 };
  decodeControl(view, 0, used, info);
  assert.deepEqual(info, { ttl: 255, sec: 0, nsec: 0 });
  view.setUint32(0, 200, true); // cmsg_len past the end
  decodeControl(view, 0, used, info);
  assert.equal(info.ttl, -1);
  decodeControl(view, 0, 0, info);
  assert.equal(info.ttl, -1);
});
