/**
 * Parsers of NETLINK_ROUTE dump answers (rtnetlink(7)): `RTM_NEWADDR` messages into the
 * fields `ip -j addr` prints for an address, `RTM_NEWNEIGH` into those of `ip -j neigh`,
 * with iproute2's rules (an address's `local` is IFA_LOCAL, else IFA_ADDRESS; `dynamic`
 * is the absence of IFA_F_PERMANENT; neighbours in state NOARP or NONE are not shown).
 * Pure functions over bytes; the request is `platform/netlink.ts`'s.
 *
 * @module
 */

import type { IpAddressInfo, IpNeighbour } from "./net.ts";

/** An address with the index of its interface. */
export interface KernelAddress extends IpAddressInfo {
  readonly ifindex: number;
}

/** A neighbour with the index of its interface (`dev` is filled in by name later). */
export interface KernelNeighbour extends Omit<IpNeighbour, "dev"> {
  readonly ifindex: number;
}

const RTM_NEWLINK = 16;
const RTM_NEWADDR = 20;
const RTM_NEWNEIGH = 28;
const AF_INET = 2;
const AF_INET6 = 10;
const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
const IFA_CACHEINFO = 6;
const IFA_FLAGS = 8;
const NDA_DST = 1;
const NDA_LLADDR = 2;
const IFA_F_DADFAILED = 0x08;
const IFA_F_DEPRECATED = 0x20;
const IFA_F_TENTATIVE = 0x40;
const IFA_F_PERMANENT = 0x80;
const NUD_NOARP = 0x40;

/** NUD state bits in iproute2's order and spelling. */
export const NUD_STATES: readonly (readonly [number, string])[] = [
  [0x01, "INCOMPLETE"],
  [0x02, "REACHABLE"],
  [0x04, "STALE"],
  [0x08, "DELAY"],
  [0x10, "PROBE"],
  [0x20, "FAILED"],
  [0x40, "NOARP"],
  [0x80, "PERMANENT"],
];

/** iproute2's names of address scopes (rtnetlink `rt_scope`). */
export function scopeName(scope: number): string {
  return ({ 0: "global", 200: "site", 253: "link", 254: "host", 255: "nowhere" } as Record<
    number,
    string
  >)[scope] ?? String(scope);
}

/** An interface of an `RTM_GETLINK` dump, with what sysfs shows of it. */
export interface KernelLink {
  readonly ifindex: number;
  readonly name: string;
  /** ARPHRD type (`ifi_type`). */
  readonly type: number;
  /** `ifi_flags`, IFF_LOWER_UP (0x10000) included. */
  readonly flags: number;
  readonly mtu: number;
  /** RFC 2863 operstate in sysfs's spelling: up, down, unknown… */
  readonly operstate: string;
  /** Lower-case MAC, "" when the interface has none. */
  readonly address: string;
  /** IFLA_STATS64 by sysfs statistics file name; undefined when absent. */
  readonly counters?: ReadonlyMap<string, bigint>;
  /**
   * IFLA_PARENT_DEV_NAME (Linux 5.15+): the device behind the interface, the target of
   * sysfs's `device` link, which exists exactly when this does; undefined when the
   * interface has none or the kernel does not say.
   */
  readonly parent?: string;
  /**
   * What `/proc/sys/net/ipv6/conf/<name>/disable_ipv6` reads (IFLA_AF_SPEC → AF_INET6 →
   * IFLA_INET6_CONF[DEVCONF_DISABLE_IPV6]); undefined when the link has no IPv6 state.
   */
  readonly disableIpv6?: number;
}

const IFLA_ADDRESS = 1;
const IFLA_IFNAME = 3;
const IFLA_MTU = 4;
const IFLA_OPERSTATE = 16;
const IFLA_STATS64 = 23;
const IFLA_AF_SPEC = 26;
const IFLA_PARENT_DEV_NAME = 56;
const IFLA_INET6_CONF = 2;
const DEVCONF_DISABLE_IPV6 = 26;
/** IF_OPER_* as sysfs `operstate` spells them. */
export const OPERSTATES: readonly string[] = [
  "unknown",
  "notpresent",
  "down",
  "lowerlayerdown",
  "testing",
  "dormant",
  "up",
];
/** struct rtnl_link_stats64, in order, named as the sysfs statistics files. */
export const STATS64: readonly string[] = [
  "rx_packets",
  "tx_packets",
  "rx_bytes",
  "tx_bytes",
  "rx_errors",
  "tx_errors",
  "rx_dropped",
  "tx_dropped",
  "multicast",
  "collisions",
  "rx_length_errors",
  "rx_over_errors",
  "rx_crc_errors",
  "rx_frame_errors",
  "rx_fifo_errors",
  "rx_missed_errors",
  "tx_aborted_errors",
  "tx_carrier_errors",
  "tx_fifo_errors",
  "tx_heartbeat_errors",
  "tx_window_errors",
  "rx_compressed",
  "tx_compressed",
  "rx_nohandler",
];

/** The interfaces of an `RTM_GETLINK` dump, in the kernel's order. */
export function parseLinkDump(bytes: Uint8Array): KernelLink[] {
  const out: KernelLink[] = [];
  for (const { type, body } of messages(bytes)) {
    if (type !== RTM_NEWLINK || body.length < 16) continue;
    const attrs = attributes(body, 16);
    const name = attrs.get(IFLA_IFNAME);
    if (name === undefined) continue;
    const mtu = attrs.get(IFLA_MTU);
    const operstate = attrs.get(IFLA_OPERSTATE);
    const address = attrs.get(IFLA_ADDRESS);
    const stats = attrs.get(IFLA_STATS64);
    const parent = attrs.get(IFLA_PARENT_DEV_NAME);
    const disableIpv6 = ipv6Conf(attrs.get(IFLA_AF_SPEC), DEVCONF_DISABLE_IPV6);
    let counters: Map<string, bigint> | undefined;
    if (stats !== undefined) {
      counters = new Map();
      const view = new DataView(stats.buffer, stats.byteOffset, stats.byteLength);
      STATS64.forEach((file, i) => {
        if (8 * i + 8 <= stats.length) counters!.set(file, view.getBigUint64(8 * i, true));
      });
    }
    out.push({
      ifindex: u32(body, 4),
      name: cString(name),
      type: body[2] | (body[3] << 8),
      flags: u32(body, 8),
      mtu: mtu === undefined || mtu.length < 4 ? 0 : u32(mtu, 0),
      operstate: OPERSTATES[operstate?.[0] ?? 0] ?? "unknown",
      address: address === undefined ? "" : formatMac(address),
      ...(counters === undefined ? {} : { counters }),
      ...(parent === undefined ? {} : { parent: cString(parent) }),
      ...(disableIpv6 === undefined ? {} : { disableIpv6 }),
    });
  }
  return out;
}

/** Entry `index` of IFLA_INET6_CONF (an array of s32 by DEVCONF_*) inside IFLA_AF_SPEC. */
function ipv6Conf(afSpec: Uint8Array | undefined, index: number): number | undefined {
  const inet6 = afSpec === undefined ? undefined : attributes(afSpec, 0).get(AF_INET6);
  const conf = inet6 === undefined ? undefined : attributes(inet6, 0).get(IFLA_INET6_CONF);
  if (conf === undefined || conf.length < 4 * index + 4) return undefined;
  return u32(conf, 4 * index) | 0;
}

/** The IPv4 and IPv6 addresses of an `RTM_GETADDR` dump, in the kernel's order. */
export function parseAddressDump(bytes: Uint8Array): KernelAddress[] {
  const out: KernelAddress[] = [];
  for (const { type, body } of messages(bytes)) {
    if (type !== RTM_NEWADDR || body.length < 8) continue;
    const family = body[0];
    if (family !== AF_INET && family !== AF_INET6) continue;
    const attrs = attributes(body, 8);
    const raw = attrs.get(IFA_LOCAL) ?? attrs.get(IFA_ADDRESS);
    if (raw === undefined) continue;
    const flagsAttr = attrs.get(IFA_FLAGS);
    const flags = flagsAttr !== undefined && flagsAttr.length >= 4 ? u32(flagsAttr, 0) : body[2];
    const cache = attrs.get(IFA_CACHEINFO);
    const info: Record<string, unknown> = {
      ifindex: u32(body, 4),
      family: family === AF_INET ? "inet" : "inet6",
      local: formatAddress(raw),
      prefixlen: body[1],
      scope: scopeName(body[3]),
    };
    if ((flags & IFA_F_PERMANENT) === 0) info.dynamic = true;
    if (flags & IFA_F_TENTATIVE) info.tentative = true;
    if (flags & IFA_F_DEPRECATED) info.deprecated = true;
    if (flags & IFA_F_DADFAILED) info.dadfailed = true;
    if (cache !== undefined && cache.length >= 8) {
      info.valid_life_time = u32(cache, 4);
      info.preferred_life_time = u32(cache, 0);
    }
    out.push(info as unknown as KernelAddress);
  }
  return out;
}

/** The neighbour entries of an `RTM_GETNEIGH` dump `ip neigh` would show, in order. */
export function parseNeighbourDump(bytes: Uint8Array): KernelNeighbour[] {
  const out: KernelNeighbour[] = [];
  for (const { type, body } of messages(bytes)) {
    if (type !== RTM_NEWNEIGH || body.length < 12) continue;
    const family = body[0];
    if (family !== AF_INET && family !== AF_INET6) continue;
    const state = body[8] | (body[9] << 8);
    if (state === 0 || (state & NUD_NOARP) !== 0) continue;
    const attrs = attributes(body, 12);
    const dst = attrs.get(NDA_DST);
    if (dst === undefined) continue;
    const lladdr = attrs.get(NDA_LLADDR);
    out.push({
      ifindex: u32(body, 4),
      dst: formatAddress(dst),
      ...(lladdr === undefined ? {} : { lladdr: formatMac(lladdr) }),
      state: NUD_STATES.filter(([bit]) => (state & bit) !== 0).map(([, name]) => name),
    });
  }
  return out;
}

/** An IPv4 (4 bytes) or IPv6 (16 bytes) address in inet_ntop(3)'s text form. */
export function formatAddress(raw: Uint8Array): string {
  if (raw.length === 4) return raw.join(".");
  if (raw.length !== 16) return formatMac(raw);
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((raw[i] << 8) | raw[i + 1]);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${raw.slice(12).join(".")}`;
  }
  // RFC 5952: the longest run of two or more zero groups (the first on a tie) is "::".
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLength).join(":")}`;
}

/** Link-layer address bytes as lower-case colon-separated hex. */
export function formatMac(raw: Uint8Array): string {
  // join() gives a flat string; `+=` would leave a rope that every later read flattens.
  const parts = new Array<string>(raw.length);
  for (let i = 0; i < raw.length; i++) parts[i] = HEX_BYTES[raw[i]];
  return parts.join(":");
}

const HEX_BYTES = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));
const decoder = new TextDecoder();

/** A NUL-terminated string attribute (IFLA_IFNAME…): the text before the first NUL. */
function cString(raw: Uint8Array): string {
  const nul = raw.indexOf(0);
  return decoder.decode(nul < 0 ? raw : raw.subarray(0, nul));
}

function* messages(bytes: Uint8Array): Generator<{ type: number; body: Uint8Array }> {
  for (let at = 0; at + 16 <= bytes.length;) {
    const length = u32(bytes, at);
    if (length < 16 || at + length > bytes.length) return;
    yield {
      type: bytes[at + 4] | (bytes[at + 5] << 8),
      body: bytes.subarray(at + 16, at + length),
    };
    at += (length + 3) & ~3;
  }
}

function attributes(body: Uint8Array, start: number): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  for (let at = start; at + 4 <= body.length;) {
    const length = body[at] | (body[at + 1] << 8);
    if (length < 4 || at + length > body.length) break;
    const type = (body[at + 2] | (body[at + 3] << 8)) & 0x3fff;
    if (!out.has(type)) out.set(type, body.subarray(at + 4, at + length));
    at += (length + 3) & ~3;
  }
  return out;
}

function u32(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}
