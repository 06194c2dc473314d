/**
 * One read of the network state, shared by every Linux network object (Ethernet,
 * IP, Hosts) for a request: STYLE's "cache expensive reads for one session", kept
 * for a very short time rather than a whole session so values stay live.
 *
 * A {@linkcode NetSnapshot} reads each source at most once, when first asked for it;
 * {@linkcode NetSnapshots} hands out the same snapshot until it is `maxAgeMs` old
 * (monotonic clock), so the listing and the reads of one GetParameterValues of
 * `Device.` (a few ms) see one state and cost one read.
 *
 * Sources, no process per request:
 * - links (name, ifindex, flags, operstate, carrier, MTU, MAC): a netlink
 *   `RTM_GETLINK` dump (one round trip instead of seven files per link), else
 *   `/sys/class/net/<if>/`; the directory entries (what makes an Ethernet port) of
 *   ARPHRD_ETHER links, and speed and duplex of Ethernet rows, from sysfs either way,
 *   except that a dump which names links' parent devices (Linux 5.15+) spares the
 *   listing of the links it gives none: without a `device` entry no other entry counts;
 * - whether IPv6 is disabled on a link: the dump's IPv6 settings (the `disable_ipv6`
 *   sysctl's value), else `/proc/sys/net/ipv6/conf/<if>/disable_ipv6`;
 * - addresses: a netlink `RTM_GETADDR` dump (what `ip` reads: flags and lifetimes as
 *   `ip -j addr` shows them); without netlink, `/proc/net/if_inet6` (IPv6) and
 *   `Deno.networkInterfaces()` (IPv4); without those, `ip -j addr`;
 * - neighbours: a netlink `RTM_GETNEIGH` dump; without netlink `/proc/net/arp` (IPv4)
 *   and `ip -j -6 neigh` (IPv6); without `/proc/net/arp`, `ip -j neigh`;
 * - counters: the link dump's IFLA_STATS64 (the same `dev_get_stats()` figures as
 *   sysfs); else `/proc/net/dev`, and `/sys/class/net/<if>/statistics/<name>` for
 *   those it does not carry as such (rx_dropped, rx_nohandler) or an interface it lacks.
 *
 * @module
 */

import type { SystemSource } from "../../../platform/system_source.ts";
import {
  IP_TIMEOUT_MS,
  type IpAddressInfo,
  type IpLink,
  type IpNeighbour,
  readIpLinks,
  readNeighbours,
  readSysfsLink,
  runJson,
  type SysfsLink,
} from "./net.ts";
import {
  type KernelAddress,
  type KernelLink,
  type KernelNeighbour,
  parseAddressDump,
  parseLinkDump,
  parseNeighbourDump,
} from "./netlink_messages.ts";
import { type NetDevCounters, parseArp, parseIfInet6, parseNetDev } from "./proc_net.ts";

const RTM_GETLINK = 18;
const RTM_GETADDR = 22;
const ARPHRD_ETHER = 1;
const IFF_RUNNING = 0x40;
const IFF_LOWER_UP = 0x10000;
const IFF_DORMANT = 0x20000;
const RTM_GETNEIGH = 30;

/** Where a snapshot's addresses or neighbours came from (for tests and logs). */
export type NetSourceKind = "netlink" | "proc" | "ip";

/** Options of {@linkcode NetSnapshots}. */
export interface NetSnapshotsOptions {
  /** How long one snapshot is handed out, ms. 0: a fresh one on every call. Default 0. */
  readonly maxAgeMs?: number;
  /** Monotonic clock in ms. Default `performance.now`. */
  readonly clock?: () => number;
}

/** Hands out the current {@linkcode NetSnapshot}, a new one once it is too old. */
export class NetSnapshots {
  readonly #source: SystemSource;
  readonly #maxAgeMs: number;
  readonly #clock: () => number;
  #current?: NetSnapshot;
  #takenAt = 0;

  /** Snapshots of `source`. */
  constructor(source: SystemSource, options: NetSnapshotsOptions = {}) {
    this.#source = source;
    this.#maxAgeMs = options.maxAgeMs ?? 0;
    this.#clock = options.clock ?? (() => performance.now());
  }

  /** The system these snapshots read. */
  get source(): SystemSource {
    return this.#source;
  }

  /** The snapshot to read from now. */
  current(): NetSnapshot {
    const now = this.#clock();
    if (
      this.#current === undefined || now - this.#takenAt >= this.#maxAgeMs || now < this.#takenAt
    ) {
      this.#current = new NetSnapshot(this.#source);
      this.#takenAt = now;
    }
    return this.#current;
  }

  /** Forgets the current snapshot: the next read goes to the system. */
  invalidate(): void {
    this.#current = undefined;
  }
}

/** The network state, each part read once, on first use. */
export class NetSnapshot {
  readonly #source: SystemSource;
  readonly #memo = new Map<string, Promise<unknown>>();
  readonly #kernelCounters = new Map<string, ReadonlyMap<string, bigint>>();
  readonly #kernelIpv6Disabled = new Map<string, string>();
  readonly #speedless = new WeakSet<SysfsLink>();
  /** When the snapshot was taken, wall clock ms (address lifetimes count from it). */
  readonly at: number;

  /** A snapshot of `source`; nothing is read yet. */
  constructor(source: SystemSource) {
    this.#source = source;
    this.at = source.now();
  }

  /**
   * Every link, in ifindex order: from a netlink `RTM_GETLINK` dump completed by
   * sysfs (entries, speed, duplex), else all from `/sys/class/net`.
   */
  links(): Promise<SysfsLink[]> {
    return this.#once("links", async () => {
      const dump = await this.#source.netlinkDump?.(RTM_GETLINK);
      if (dump !== undefined) {
        const kernel = parseLinkDump(dump);
        for (const k of kernel) {
          if (k.counters) this.#kernelCounters.set(k.name, k.counters);
          if (k.disableIpv6 !== undefined) {
            this.#kernelIpv6Disabled.set(k.name, String(k.disableIpv6));
          }
        }
        const namesParents = kernel.some((k) => k.parent !== undefined);
        const links = await Promise.all(kernel.map((k) => this.#completeLink(k, namesParents)));
        return links.sort((a, b) => a.ifindex - b.ifindex);
      }
      const names = await this.#source.listDir("/sys/class/net");
      const links = await Promise.all(names.map((name) => readSysfsLink(this.#source, name)));
      return links.filter((l): l is SysfsLink => l !== undefined)
        .sort((a, b) => a.ifindex - b.ifindex);
    });
  }

  /** Links with their addresses, as `ip -j addr` lists them, and where they came from. */
  ipLinks(): Promise<{ links: IpLink[]; from: NetSourceKind }> {
    return this.#once("ipLinks", async () => {
      const links = await this.links();
      const addresses = links.length === 0 ? undefined : await this.#addresses(links);
      if (addresses === undefined) return { links: await readIpLinks(this.#source), from: "ip" };
      const byIndex = new Map<number, IpAddressInfo[]>();
      for (const { ifindex, ...info } of addresses.list) {
        const list = byIndex.get(ifindex);
        if (list === undefined) byIndex.set(ifindex, [info]);
        else list.push(info);
      }
      return {
        links: links.map((link) => ipLinkOf(link, byIndex.get(link.ifindex) ?? [])),
        from: addresses.from,
      };
    });
  }

  /** Neighbour table entries, as `ip -j neigh` lists them, and where they came from. */
  neighbours(): Promise<{ neighbours: IpNeighbour[]; from: NetSourceKind }> {
    return this.#once("neighbours", async () => {
      const links = await this.links();
      const nameOf = new Map(links.map((l) => [l.ifindex, l.name]));
      const indexOf = new Map(links.map((l) => [l.name, l.ifindex]));
      const named = (list: KernelNeighbour[]) =>
        list.flatMap(({ ifindex, ...entry }) => {
          const dev = nameOf.get(ifindex);
          return dev === undefined ? [] : [{ ...entry, dev }];
        });
      const dump = links.length === 0 ? undefined : await this.#source.netlinkDump?.(RTM_GETNEIGH);
      if (dump !== undefined) {
        return { neighbours: named(parseNeighbourDump(dump)), from: "netlink" };
      }
      const arp = links.length === 0 ? undefined : await this.#source.readText("/proc/net/arp");
      if (arp === undefined) return { neighbours: await readNeighbours(this.#source), from: "ip" };
      const v6 = (await runJson(this.#source, ["ip", "-j", "-6", "neigh"], IP_TIMEOUT_MS))
        .filter((r): r is IpNeighbour => typeof r?.dst === "string" && typeof r?.dev === "string")
        .map((r) => ({ ...r, state: r.state ?? [] }));
      return {
        neighbours: [...named(parseArp(arp, (name) => indexOf.get(name))), ...v6],
        from: "proc",
      };
    });
  }

  /**
   * Counters `files` (sysfs statistics names) of interface `name`: from
   * `/proc/net/dev` where it carries them, else from sysfs; 0 when unreadable.
   */
  async counters(name: string, files: readonly string[]): Promise<Map<string, bigint>> {
    await this.links();
    const kernel = this.#kernelCounters.get(name);
    if (kernel !== undefined && files.every((f) => kernel.has(f))) {
      return new Map(files.map((f) => [f, kernel.get(f)!]));
    }
    const netDev = await this.#once("netDev", async () => {
      const text = await this.#source.readText("/proc/net/dev");
      return text === undefined ? new Map<string, NetDevCounters>() : parseNetDev(text);
    });
    const known = netDev.get(name);
    const out = new Map<string, bigint>();
    await Promise.all(files.map(async (file) => {
      let value = known?.get(file);
      if (value === undefined) {
        const text = (await this.#source.readText(`/sys/class/net/${name}/statistics/${file}`))
          ?.trim() ?? "";
        value = /^\d+$/.test(text) ? BigInt(text) : 0n;
      }
      out.set(file, value);
    }));
    return out;
  }

  /**
   * `/proc/sys/net/ipv6/conf/<name>/disable_ipv6`, trimmed (from the link dump when it
   * carries the link's IPv6 settings); undefined when absent.
   */
  ipv6Disabled(name: string): Promise<string | undefined> {
    return this.#once(`disable_ipv6 ${name}`, async () => {
      await this.links();
      return this.#kernelIpv6Disabled.get(name) ??
        (await this.#source.readText(`/proc/sys/net/ipv6/conf/${name}/disable_ipv6`))?.trim();
    });
  }

  async #addresses(
    links: readonly SysfsLink[],
  ): Promise<{ list: KernelAddress[]; from: NetSourceKind } | undefined> {
    const dump = await this.#source.netlinkDump?.(RTM_GETADDR);
    if (dump !== undefined) return { list: parseAddressDump(dump), from: "netlink" };
    const [inet6, interfaces] = await Promise.all([
      this.#source.readText("/proc/net/if_inet6"),
      this.#source.networkInterfaces?.(),
    ]);
    if (inet6 === undefined || interfaces === undefined) return undefined;
    const indexOf = new Map(links.map((l) => [l.name, l.ifindex]));
    const v4: KernelAddress[] = [];
    for (const a of interfaces) {
      // IPv4 aliases carry their label (eth0:1); the interface is the part before ":".
      const ifindex = indexOf.get(a.name.split(":")[0]);
      const prefixlen = Number(a.cidr?.split("/")[1] ?? NaN);
      if (a.family !== "IPv4" || ifindex === undefined || !Number.isInteger(prefixlen)) continue;
      v4.push({ ifindex, family: "inet", local: a.address, prefixlen });
    }
    return { list: [...v4, ...parseIfInet6(inet6)], from: "proc" };
  }

  /**
   * `link` with its speed and duplex (sysfs), which a link from the netlink dump lacks
   * until asked: only Ethernet rows need them.
   */
  withSpeed(link: SysfsLink): Promise<SysfsLink> {
    if (!this.#speedless.has(link)) return Promise.resolve(link);
    return this.#once(`speed ${link.name}`, async () => {
      const dir = `/sys/class/net/${link.name}`;
      const [speed, duplex] = await Promise.all([
        this.#source.readText(`${dir}/speed`),
        this.#source.readText(`${dir}/duplex`),
      ]);
      const speedValue = Number(speed?.trim());
      return {
        ...link,
        speed: speed !== undefined && Number.isSafeInteger(speedValue) && speedValue >= 0
          ? speedValue
          : undefined,
        duplex: duplex?.trim() ?? "unknown",
      };
    });
  }

  /**
   * What netlink does not say about a link: its sysfs entries (what makes an Ethernet
   * port; only ARPHRD_ETHER links with a `device` entry can be one: when the dump
   * `namesParents`, those it gives a parent), and speed and duplex (see
   * {@linkcode withSpeed}).
   */
  async #completeLink(k: KernelLink, namesParents: boolean): Promise<SysfsLink> {
    const entries = k.type === ARPHRD_ETHER && (!namesParents || k.parent !== undefined)
      ? await this.#source.listDir(`/sys/class/net/${k.name}`)
      : [];
    const link: SysfsLink = {
      name: k.name,
      type: k.type,
      ifindex: k.ifindex,
      // As the sysfs `flags` file: without the volatile RUNNING, LOWER_UP, DORMANT.
      flags: k.flags & ~(IFF_RUNNING | IFF_LOWER_UP | IFF_DORMANT),
      up: (k.flags & 1) === 1,
      operstate: k.operstate,
      carrier: (k.flags & IFF_LOWER_UP) !== 0,
      address: k.address,
      mtu: k.mtu,
      duplex: "unknown",
      entries,
    };
    this.#speedless.add(link);
    return link;
  }

  #once<T>(key: string, read: () => Promise<T>): Promise<T> {
    let promise = this.#memo.get(key) as Promise<T> | undefined;
    if (promise === undefined) this.#memo.set(key, promise = read());
    return promise;
  }
}

// iproute2's flag names, in its order (print_link_flags); only UP, LOWER_UP and
// LOOPBACK are read by the objects.
const IFF_NAMES: readonly (readonly [number, string])[] = [
  [0x8, "LOOPBACK"],
  [0x2, "BROADCAST"],
  [0x10, "POINTOPOINT"],
  [0x1000, "MULTICAST"],
  [0x80, "NOARP"],
  [0x200, "ALLMULTI"],
  [0x100, "PROMISC"],
  [0x400, "MASTER"],
  [0x800, "SLAVE"],
  [0x1, "UP"],
];

/** The `ip -j addr` view of a sysfs link: LOWER_UP is the carrier (IFF_LOWER_UP). */
function ipLinkOf(link: SysfsLink, addresses: IpAddressInfo[]): IpLink {
  const flags = IFF_NAMES.filter(([bit]) => (link.flags & bit) !== 0).map(([, name]) => name);
  if (link.carrier) flags.push("LOWER_UP");
  else if (link.up) flags.unshift("NO-CARRIER");
  return {
    ifindex: link.ifindex,
    ifname: link.name,
    flags,
    mtu: link.mtu,
    operstate: link.operstate.toUpperCase(),
    link_type: link.type === 772 ? "loopback" : link.type === 1 ? "ether" : String(link.type),
    address: link.address,
    addr_info: addresses,
  };
}
