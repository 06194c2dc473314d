/**
 * Parsers of the `/proc/net` files the network objects read when netlink cannot be
 * used (proc(5)): `if_inet6` (IPv6 addresses), `arp` (IPv4 neighbours) and `dev`
 * (interface counters). Pure functions over text; reading is the caller's job.
 *
 * What these files do not carry, and so what the `/proc` path cannot report the way
 * `ip` or netlink do: address lifetimes (a dynamic IPv6 address's lifetimes are
 * unknown), whether an IPv4 address is dynamic (Deno.networkInterfaces() neither), and
 * the exact NUD state of an IPv4 neighbour (`arp` has only "complete" and "permanent";
 * complete reads REACHABLE, neither reads FAILED when a MAC is kept, else INCOMPLETE).
 *
 * @module
 */

import { formatAddress, type KernelAddress, type KernelNeighbour } from "./netlink_messages.ts";

const IFA_F_DADFAILED = 0x08;
const IFA_F_DEPRECATED = 0x20;
const IFA_F_TENTATIVE = 0x40;
const IFA_F_PERMANENT = 0x80;
const ATF_COM = 0x02;
const ATF_PERM = 0x04;

/** `/proc/net/if_inet6`: address, ifindex, prefix length, scope, flags, name (hex fields). */
export function parseIfInet6(text: string): KernelAddress[] {
  const out: KernelAddress[] = [];
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6 || !/^[0-9a-f]{32}$/i.test(f[0])) continue;
    const raw = new Uint8Array(16);
    for (let i = 0; i < 16; i++) raw[i] = Number.parseInt(f[0].slice(2 * i, 2 * i + 2), 16);
    const flags = Number.parseInt(f[4], 16);
    const scope = Number.parseInt(f[3], 16) & 0xf0;
    const info: Record<string, unknown> = {
      ifindex: Number.parseInt(f[1], 16),
      family: "inet6",
      local: formatAddress(raw),
      prefixlen: Number.parseInt(f[2], 16),
      // ipv6_addr_scope(): 0x10 loopback, 0x20 link-local, 0x40 site-local.
      scope: scope === 0x10 ? "host" : scope === 0x20 ? "link" : scope === 0x40 ? "site" : "global",
    };
    if ((flags & IFA_F_PERMANENT) === 0) info.dynamic = true;
    if (flags & IFA_F_TENTATIVE) info.tentative = true;
    if (flags & IFA_F_DEPRECATED) info.deprecated = true;
    if (flags & IFA_F_DADFAILED) info.dadfailed = true;
    // Lifetimes are not in the file: a permanent address is valid forever.
    if (flags & IFA_F_PERMANENT) info.valid_life_time = info.preferred_life_time = 4294967295;
    out.push(info as unknown as KernelAddress);
  }
  return out;
}

/**
 * `/proc/net/arp` with interface names turned into indexes by `ifindexOf` (entries of
 * an unknown interface are skipped). See the module comment for the states.
 */
export function parseArp(
  text: string,
  ifindexOf: (name: string) => number | undefined,
): KernelNeighbour[] {
  const out: KernelNeighbour[] = [];
  for (const line of text.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6) continue;
    const ifindex = ifindexOf(f[5]);
    if (ifindex === undefined) continue;
    const flags = Number.parseInt(f[2], 16);
    const mac = f[3].toLowerCase();
    const zero = /^(00:)*00$/.test(mac);
    const state = flags & ATF_PERM
      ? "PERMANENT"
      : flags & ATF_COM
      ? "REACHABLE"
      : zero
      ? "INCOMPLETE"
      : "FAILED";
    out.push({ ifindex, dst: f[0], ...(zero ? {} : { lladdr: mac }), state: [state] });
  }
  return out;
}

/** The counters of one interface in `/proc/net/dev`, named as the sysfs statistics files. */
export type NetDevCounters = ReadonlyMap<string, bigint>;

// dev_seq_printf_stats(): the columns that are a single sysfs counter (rx "drop" adds
// rx_missed_errors and "frame" is a sum, so they are not here).
const COLUMNS: Readonly<Record<number, string>> = {
  0: "rx_bytes",
  1: "rx_packets",
  2: "rx_errors",
  4: "rx_fifo_errors",
  6: "rx_compressed",
  7: "multicast",
  8: "tx_bytes",
  9: "tx_packets",
  10: "tx_errors",
  11: "tx_dropped",
  12: "tx_fifo_errors",
  13: "collisions",
  15: "tx_compressed",
};

/** `/proc/net/dev`: interface name → counters (sysfs file names). */
export function parseNetDev(text: string): Map<string, NetDevCounters> {
  const out = new Map<string, NetDevCounters>();
  for (const line of text.split("\n").slice(2)) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const fields = line.slice(colon + 1).trim().split(/\s+/);
    if (fields.length < 16 || !fields.every((f) => /^\d+$/.test(f))) continue;
    const counters = new Map<string, bigint>();
    for (const [column, name] of Object.entries(COLUMNS)) {
      counters.set(name, BigInt(fields[Number(column)]));
    }
    out.set(line.slice(0, colon).trim(), counters);
  }
  return out;
}
