/**
 * `Device.IP.Interface.{i}.`, `.IPv4Address.{i}.` and `.IPv6Address.{i}.` (TR-181 2.17)
 * from the network snapshot (`providers/linux/net_snapshot.ts`: links from
 * `/sys/class/net`, addresses from netlink, else `/proc/net/if_inet6` and
 * `Deno.networkInterfaces()`, else `ip -j addr`) and
 * `/proc/sys/net/ipv6/conf/<if>/disable_ipv6`. Every kernel link is an IP interface. Instance numbers are stable through the shared
 * {@linkcode InstanceNumbers}: interfaces by name (scope `Device.IP.Interface.`),
 * addresses by address within the interface's name
 * (`Device.IP.Interface.<name>.IPv4Address.`, key `a.b.c.d/len`; `…IPv6Address.`,
 * key the address).
 *
 * Supported (Interface): Enable (UP flag), IPv4Enable (always true: Linux cannot turn
 * IPv4 off per interface), IPv6Enable (`disable_ipv6` = 0), Status (operstate, UP and
 * LOWER_UP flags), Name, Type (Loopback for link type loopback, else Normal),
 * LowerLayers (the Ethernet.Interface row of the same name, else ""), MaxMTUSize (mtu,
 * clamped to the schema's 64–65535: lo's 65536 reads 65535), Loopback.
 * Supported (IPv4Address): Enable (true), Status (Enabled), IPAddress, SubnetMask
 * (from the prefix length), AddressingType (DHCP for a `dynamic` address, AutoIP for
 * 169.254/16, else Static).
 * Supported (IPv6Address): Enable (true), Status (Error after a failed DAD, else
 * Enabled), IPAddressStatus (Duplicate, Tentative, Deprecated or Preferred), IPAddress,
 * Origin (WellKnown for link-local and loopback; for `dynamic` addresses DHCPv6 when
 * the prefix is /128, else AutoConfigured; else Static: a heuristic, the kernel does
 * not record who added an address), PreferredLifetime and ValidLifetime (now + the
 * remaining seconds; forever is Infinite Time 9999-12-31T23:59:59Z; Unknown Time
 * 0001-01-01T00:00:00Z when the source does not tell, as `/proc/net/if_inet6` for a
 * dynamic address). Without netlink an IPv4 address's AddressingType cannot be DHCP
 * (`Deno.networkInterfaces()` does not say which addresses are dynamic).
 *
 * Unsupported: Alias (all three), ULAEnable, LastChange, Router, Reset, AutoIPEnable,
 * Stats., IPv6Prefix., TWAMPReflector., IPv4Address.{i}.Alias,
 * IPv6Address.{i}.Prefix and Anycast. The *NumberOfEntries counters are derived by
 * the tree.
 *
 * Read-only: no `set`, no AddObject/DeleteObject (a later issue may apply them
 * through netlink or UCI).
 *
 * @module
 */

import type { SystemSource } from "../../platform/system_source.ts";
import type { Binding } from "../provider.ts";
import { InstanceNumbers } from "../providers/linux/instance_numbers.ts";
import {
  ethernetRows,
  type EthernetSelection,
  interfaceStatus,
  type IpAddressInfo,
  type IpLink,
  ipRows,
} from "../providers/linux/net.ts";
import { NetSnapshots } from "../providers/linux/net_snapshot.ts";
import { tableProvider, utcDateTime } from "./_table.ts";

/** Options of {@linkcode bindIPInterface}. */
export interface IPInterfaceOptions {
  /** The stable numbering, shared with the Ethernet and Hosts bindings. */
  readonly numbers?: InstanceNumbers;
  /** How the Ethernet binding picks its interfaces (for LowerLayers). */
  readonly ethernet?: EthernetSelection;
  /** The snapshots shared with the Ethernet and Hosts bindings. Default: unshared, never reused. */
  readonly snapshots?: NetSnapshots;
}

/** Supported parameters of `Device.IP.Interface.{i}.`. */
export const IP_INTERFACE_PARAMETERS: readonly string[] = [
  "Enable",
  "IPv4Enable",
  "IPv6Enable",
  "Status",
  "Name",
  "LowerLayers",
  "MaxMTUSize",
  "Type",
  "Loopback",
];

/** Supported parameters of `Device.IP.Interface.{i}.IPv4Address.{i}.`. */
export const IPV4_ADDRESS_PARAMETERS: readonly string[] = [
  "Enable",
  "Status",
  "IPAddress",
  "SubnetMask",
  "AddressingType",
];

/** Supported parameters of `Device.IP.Interface.{i}.IPv6Address.{i}.`. */
export const IPV6_ADDRESS_PARAMETERS: readonly string[] = [
  "Enable",
  "Status",
  "IPAddressStatus",
  "IPAddress",
  "Origin",
  "PreferredLifetime",
  "ValidLifetime",
];

/** Infinite Time (TR-106): an address lifetime of "forever". */
export const INFINITE_TIME = "9999-12-31T23:59:59Z";

/** Unknown Time (TR-106): a lifetime the source does not tell. */
export const UNKNOWN_TIME = "0001-01-01T00:00:00Z";

const FOREVER = 4294967295;

interface InterfaceRow {
  readonly link: IpLink;
  readonly lowerLayers: string;
  readonly ipv6: boolean;
}

interface AddressRow {
  readonly info: IpAddressInfo;
  /** When the list was read, ms since the epoch. */
  readonly at: number;
}

/** Binds `Device.IP.Interface.{i}.` and its IPv4Address and IPv6Address tables to `source`. */
export function bindIPInterface(source: SystemSource, options: IPInterfaceOptions = {}): Binding[] {
  const numbers = options.numbers ?? new InstanceNumbers();
  const snapshots = options.snapshots ?? new NetSnapshots(source);
  const interfaces = async (): Promise<Map<number, InterfaceRow>> => {
    const snapshot = snapshots.current();
    const [rows, ethernet] = await Promise.all([
      ipRows(snapshot, numbers),
      ethernetRows(snapshot, numbers, options.ethernet),
    ]);
    const ethernetByName = new Map(ethernet.map((e) => [e.link.name, e.number]));
    return new Map(
      await Promise.all(rows.map(async ({ number, link }) => {
        const eth = ethernetByName.get(link.ifname);
        const disabled = await snapshot.ipv6Disabled(link.ifname);
        return [number, {
          link,
          lowerLayers: eth === undefined ? "" : `Device.Ethernet.Interface.${eth}`,
          ipv6: disabled === undefined
            ? link.addr_info.some((a) => a.family === "inet6")
            : disabled === "0",
        }] as const;
      })),
    );
  };
  const addresses =
    (family: "inet" | "inet6", table: string) =>
    async (parent: readonly number[]): Promise<Map<number, AddressRow>> => {
      const snapshot = snapshots.current();
      const row = (await ipRows(snapshot, numbers)).find((r) => r.number === parent[0]);
      if (row === undefined) return new Map();
      const infos = row.link.addr_info.filter((a) => a.family === family);
      const keys = infos.map((a) => family === "inet" ? `${a.local}/${a.prefixlen}` : a.local);
      const assigned = numbers.assign(`Device.IP.Interface.${row.link.ifname}.${table}.`, keys);
      const at = snapshot.at;
      return new Map(infos.map((info, i) => [assigned[i], { info, at }]));
    };
  return [
    {
      object: "Device.IP.Interface.{i}.",
      parameters: IP_INTERFACE_PARAMETERS,
      provider: tableProvider({
        rows: () => interfaces(),
        readers: {
          Enable: (r) => String(r.link.flags.includes("UP")),
          IPv4Enable: () => "true",
          IPv6Enable: (r) => String(r.ipv6),
          Status: (r) =>
            interfaceStatus(
              r.link.operstate,
              r.link.flags.includes("UP"),
              r.link.flags.includes("LOWER_UP"),
            ),
          Name: (r) => r.link.ifname,
          LowerLayers: (r) => r.lowerLayers,
          MaxMTUSize: (r) => String(Math.min(Math.max(r.link.mtu, 64), 65535)),
          Type: (r) => isLoopback(r.link) ? "Loopback" : "Normal",
          Loopback: (r) => String(isLoopback(r.link)),
        },
      }),
    },
    {
      object: "Device.IP.Interface.{i}.IPv4Address.{i}.",
      parameters: IPV4_ADDRESS_PARAMETERS,
      provider: tableProvider({
        rows: addresses("inet", "IPv4Address"),
        readers: {
          Enable: () => "true",
          Status: () => "Enabled",
          IPAddress: (a) => a.info.local,
          SubnetMask: (a) => subnetMask(a.info.prefixlen),
          AddressingType: (a) =>
            a.info.dynamic ? "DHCP" : a.info.local.startsWith("169.254.") ? "AutoIP" : "Static",
        },
      }),
    },
    {
      object: "Device.IP.Interface.{i}.IPv6Address.{i}.",
      parameters: IPV6_ADDRESS_PARAMETERS,
      provider: tableProvider({
        rows: addresses("inet6", "IPv6Address"),
        readers: {
          Enable: () => "true",
          Status: (a) => a.info.dadfailed ? "Error" : "Enabled",
          IPAddressStatus: (a) =>
            a.info.dadfailed
              ? "Duplicate"
              : a.info.tentative
              ? "Tentative"
              : a.info.deprecated
              ? "Deprecated"
              : "Preferred",
          IPAddress: (a) => a.info.local,
          Origin: (a) => ipv6Origin(a.info),
          PreferredLifetime: (a) => lifetime(a.at, a.info.preferred_life_time),
          ValidLifetime: (a) => lifetime(a.at, a.info.valid_life_time),
        },
      }),
    },
  ];
}

/** Dotted-quad mask of an IPv4 prefix length: 24 → `255.255.255.0`. */
export function subnetMask(prefixLength: number): string {
  const bits = Math.min(Math.max(Math.trunc(prefixLength), 0), 32);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return [24, 16, 8, 0].map((shift) => (mask >>> shift) & 0xff).join(".");
}

function isLoopback(link: IpLink): boolean {
  return link.link_type === "loopback" || link.flags.includes("LOOPBACK");
}

function ipv6Origin(info: IpAddressInfo): string {
  if (info.scope === "link" || info.scope === "host") return "WellKnown";
  if (info.dynamic) return info.prefixlen === 128 ? "DHCPv6" : "AutoConfigured";
  return "Static";
}

function lifetime(at: number, seconds: number | undefined): string {
  // Not known (a dynamic address read from /proc/net/if_inet6): Unknown Time.
  if (seconds === undefined) return UNKNOWN_TIME;
  if (seconds >= FOREVER) return INFINITE_TIME;
  return utcDateTime(at + seconds * 1000);
}
