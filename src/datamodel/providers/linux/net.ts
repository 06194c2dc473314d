/**
 * Network facts from the system: `/sys/class/net/<if>/…` (sysfs-class-net ABI) and the
 * JSON output of iproute2 (`ip -j addr`, `ip -j neigh`), the fallback when netlink and
 * `/proc` cannot be read (see `net_snapshot.ts`, which picks the source). Reading goes
 * through the injected {@linkcode SystemSource}; the functions here only read and parse.
 *
 * Which kernel interfaces are Ethernet interfaces (`Device.Ethernet.Interface.`): ARP
 * hardware type 1 (`type`), a backing device (`device` link: a real NIC or switch
 * port), and neither wireless (`wireless`, `phy80211`: those belong to WiFi.) nor a
 * bridge (`bridge`). That drops lo, bridges, VLANs, veth, tun/tap, ifb and dummy
 * interfaces. A configured list of names replaces the rule.
 *
 * @module
 */

import type { SystemSource } from "../../../platform/system_source.ts";
import type { InstanceNumbers } from "./instance_numbers.ts";
import type { NetSnapshot } from "./net_snapshot.ts";

/** How long an `ip` command may run. */
export const IP_TIMEOUT_MS = 5000;

/** Scope of `Device.Ethernet.Interface.` in {@linkcode InstanceNumbers}. */
export const ETHERNET_SCOPE = "Device.Ethernet.Interface.";
/** Scope of `Device.IP.Interface.` in {@linkcode InstanceNumbers}. */
export const IP_SCOPE = "Device.IP.Interface.";

/** One address of `ip -j addr` (`addr_info` item). */
export interface IpAddressInfo {
  readonly family: "inet" | "inet6" | string;
  readonly local: string;
  readonly prefixlen: number;
  readonly scope?: string;
  /** Set on addresses with a lease (DHCP, SLAAC). */
  readonly dynamic?: boolean;
  readonly tentative?: boolean;
  readonly deprecated?: boolean;
  readonly dadfailed?: boolean;
  /** Seconds; 4294967295 is forever. */
  readonly valid_life_time?: number;
  readonly preferred_life_time?: number;
}

/** One link of `ip -j addr`. */
export interface IpLink {
  readonly ifindex: number;
  readonly ifname: string;
  readonly flags: readonly string[];
  readonly mtu: number;
  /** RFC 2863 operational state in upper case: UP, DOWN, UNKNOWN, DORMANT… */
  readonly operstate: string;
  readonly link_type?: string;
  readonly address?: string;
  readonly addr_info: readonly IpAddressInfo[];
}

/** One entry of `ip -j neigh`. */
export interface IpNeighbour {
  readonly dst: string;
  readonly dev: string;
  readonly lladdr?: string;
  /** NUD states: REACHABLE, STALE, DELAY, PROBE, FAILED, INCOMPLETE, PERMANENT, NOARP. */
  readonly state: readonly string[];
}

/** Links with their addresses (`ip -j addr`), by ifindex; [] when `ip` fails. */
export async function readIpLinks(source: SystemSource): Promise<IpLink[]> {
  const rows = await runShared(source, ["ip", "-j", "addr"]);
  return rows.filter((r): r is IpLink => typeof r?.ifname === "string")
    .map((r) => ({ ...r, flags: r.flags ?? [], addr_info: r.addr_info ?? [] }))
    .sort((a, b) => a.ifindex - b.ifindex);
}

/** Neighbour table entries (`ip -j neigh`); [] when `ip` fails. */
export async function readNeighbours(source: SystemSource): Promise<IpNeighbour[]> {
  const rows = await runShared(source, ["ip", "-j", "neigh"]);
  return rows.filter((r): r is IpNeighbour =>
    typeof r?.dst === "string" && typeof r?.dev === "string"
  ).map((r) => ({ ...r, state: r.state ?? [] }));
}

/** What sysfs says about one interface. */
export interface SysfsLink {
  readonly name: string;
  /** ARPHRD type (1 = Ethernet, 772 = loopback). */
  readonly type: number;
  readonly ifindex: number;
  /** The IFF_* flags (`flags`, without the volatile IFF_LOWER_UP: see `carrier`). */
  readonly flags: number;
  /** IFF_UP (administratively up). */
  readonly up: boolean;
  /** RFC 2863 state in lower case: up, down, unknown, dormant, notpresent… */
  readonly operstate: string;
  readonly carrier: boolean;
  readonly address: string;
  readonly mtu: number;
  /** Mbit/s; undefined when unknown (-1 or unreadable). */
  readonly speed?: number;
  /** "full", "half" or "unknown". */
  readonly duplex: string;
  /**
   * Entries of the interface directory (device, bridge, wireless…); [] when they cannot
   * make it an Ethernet interface: not ARPHRD_ETHER, or no parent device in a netlink
   * dump that names parents (see `net_snapshot.ts`).
   */
  readonly entries: readonly string[];
}

/** Interface names under `/sys/class/net`. */
export function listLinkNames(source: SystemSource): Promise<string[]> {
  return source.listDir("/sys/class/net");
}

/** Sysfs facts of interface `name`, or undefined when it is gone. */
export async function readSysfsLink(
  source: SystemSource,
  name: string,
): Promise<SysfsLink | undefined> {
  const dir = `/sys/class/net/${name}`;
  const read = async (file: string) => (await source.readText(`${dir}/${file}`))?.trim();
  const [type, ifindex, flags, operstate, carrier, address, mtu, speed, duplex] = await Promise
    .all(
      ["type", "ifindex", "flags", "operstate", "carrier", "address", "mtu", "speed", "duplex"]
        .map(read),
    );
  if (type === undefined) return undefined;
  const speedValue = Number(speed);
  const flagBits = Number.parseInt(flags ?? "0", 16) || 0;
  return {
    name,
    type: Number(type),
    ifindex: Number(ifindex ?? 0),
    flags: flagBits,
    up: (flagBits & 1) === 1,
    operstate: operstate ?? "unknown",
    carrier: carrier === "1",
    address: address ?? "",
    mtu: Number(mtu ?? 0),
    speed: speed !== undefined && Number.isSafeInteger(speedValue) && speedValue >= 0
      ? speedValue
      : undefined,
    duplex: duplex ?? "unknown",
    entries: await source.listDir(dir),
  };
}

/** Whether `link` counts as an Ethernet interface (see the module comment). */
export function isEthernetLink(link: SysfsLink): boolean {
  const has = (entry: string) => link.entries.includes(entry);
  return link.type === 1 && has("device") && !has("wireless") && !has("phy80211") &&
    !has("bridge");
}

/** Options that pick the Ethernet interfaces. */
export interface EthernetSelection {
  /** Exactly these interface names (when present) instead of the sysfs rule. */
  readonly names?: readonly string[];
}

/** An Ethernet interface with its instance number. */
export interface EthernetRow {
  readonly number: number;
  readonly link: SysfsLink;
}

/**
 * The Ethernet interfaces of `snapshot`, ascending by instance number; new names are
 * numbered in ifindex order.
 */
export async function ethernetRows(
  snapshot: NetSnapshot,
  numbers: InstanceNumbers,
  selection: EthernetSelection = {},
): Promise<EthernetRow[]> {
  const links = (await snapshot.links())
    .filter((l) => selection.names ? selection.names.includes(l.name) : isEthernetLink(l));
  const assigned = numbers.assign(ETHERNET_SCOPE, links.map((l) => l.name));
  return links.map((link, i) => ({ number: assigned[i], link }))
    .sort((a, b) => a.number - b.number);
}

/** An IP interface (any kernel link) with its instance number. */
export interface IpRow {
  readonly number: number;
  readonly link: IpLink;
}

/**
 * Every kernel link as an IP interface, ascending by instance number; new names are
 * numbered in ifindex order (scope `Device.IP.Interface.`).
 */
export async function ipRows(snapshot: NetSnapshot, numbers: InstanceNumbers): Promise<IpRow[]> {
  const { links } = await snapshot.ipLinks();
  const assigned = numbers.assign(IP_SCOPE, links.map((l) => l.ifname));
  return links.map((link, i) => ({ number: assigned[i], link }))
    .sort((a, b) => a.number - b.number);
}

/**
 * TR-181 interface Status from an RFC 2863 operstate (any case), the admin flag and
 * the carrier: an interface that is up but reports "unknown" (loopback, many virtual
 * ones) is Up when it has a carrier. An administratively up interface that is down is
 * LowerLayerDown, except a `physical` one (nothing below it), which is Down.
 */
export function interfaceStatus(
  operstate: string,
  up: boolean,
  carrier: boolean,
  physical = false,
): string {
  switch (operstate.toLowerCase()) {
    case "up":
      return "Up";
    case "dormant":
      return "Dormant";
    case "notpresent":
      return "NotPresent";
    case "lowerlayerdown":
      return "LowerLayerDown";
    case "down":
      return up && !physical ? "LowerLayerDown" : "Down";
    case "testing":
      return "Unknown";
    default:
      if (!up) return "Down";
      return carrier ? "Up" : physical ? "Down" : "LowerLayerDown";
  }
}

// Concurrent identical commands on one source share one run (a batch asks for the
// same `ip -j addr` once per parent row).
// deno-lint-ignore no-explicit-any
const inFlight = new WeakMap<SystemSource, Map<string, Promise<any[]>>>();

// deno-lint-ignore no-explicit-any
function runShared(source: SystemSource, argv: string[]): Promise<any[]> {
  let running = inFlight.get(source);
  if (running === undefined) inFlight.set(source, running = new Map());
  const key = argv.join(" ");
  let promise = running.get(key);
  if (promise === undefined) {
    promise = runJson(source, argv, IP_TIMEOUT_MS).finally(() => running.delete(key));
    running.set(key, promise);
  }
  return promise;
}

/** The JSON array `argv` prints; [] when it fails or prints something else. */
export async function runJson(
  source: SystemSource,
  argv: readonly string[],
  timeoutMs: number,
  // deno-lint-ignore no-explicit-any
): Promise<any[]> {
  const result = await source.run(argv, timeoutMs);
  if (result.code !== 0) return [];
  try {
    const parsed = JSON.parse(result.stdout);
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}
