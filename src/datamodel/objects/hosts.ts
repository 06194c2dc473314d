/**
 * `Device.Hosts.Host.{i}.` (TR-181 2.17) from the kernel neighbour table, read through
 * the network snapshot (`providers/linux/net_snapshot.ts`: a netlink dump, else
 * `/proc/net/arp` and `ip -j -6 neigh`, else `ip -j neigh`). One row per link-layer address (the table's functional
 * unique key), merging its IPv4 and IPv6 entries; entries without a link-layer address
 * (INCOMPLETE, FAILED) are not hosts. Instance numbers are stable per MAC address
 * through the shared {@linkcode InstanceNumbers} (scope `Device.Hosts.Host.`).
 *
 * Supported: PhysAddress (lower-case MAC), IPAddress (the first IPv4 address, else the
 * first global IPv6 one, else the first), Active (some entry is REACHABLE, STALE,
 * DELAY or PROBE; PERMANENT and NOARP entries are configuration, not activity),
 * Layer3Interface (the IP.Interface row of the entry's device).
 *
 * Unsupported: Alias, DHCPClient, AssociatedDevice, Layer1Interface (needs the bridge
 * FDB), InterfaceType, HostName (needs the DHCP leases), ActiveLastChange, the
 * IPv4Address.{i}/IPv6Address.{i}/WANStats sub-objects, AccessControl.
 *
 * Read-only.
 *
 * @module
 */

import type { SystemSource } from "../../platform/system_source.ts";
import type { Binding } from "../provider.ts";
import { InstanceNumbers } from "../providers/linux/instance_numbers.ts";
import { type IpNeighbour, ipRows } from "../providers/linux/net.ts";
import { NetSnapshots } from "../providers/linux/net_snapshot.ts";
import { tableProvider } from "./_table.ts";

/** Options of {@linkcode bindHosts}. */
export interface HostsOptions {
  /** The stable numbering, shared with the IP binding (for Layer3Interface). */
  readonly numbers?: InstanceNumbers;
  /** The snapshots shared with the Ethernet and IP bindings. Default: unshared, never reused. */
  readonly snapshots?: NetSnapshots;
}

/** Supported parameters of `Device.Hosts.Host.{i}.`. */
export const HOST_PARAMETERS: readonly string[] = [
  "PhysAddress",
  "IPAddress",
  "Active",
  "Layer3Interface",
];

/** Neighbour states that count as an active host. */
export const ACTIVE_STATES: readonly string[] = ["REACHABLE", "STALE", "DELAY", "PROBE"];

interface HostRow {
  readonly mac: string;
  readonly entries: readonly IpNeighbour[];
  readonly layer3: string;
}

/** Binds `Device.Hosts.Host.{i}.` to the neighbour table of `source`. */
export function bindHosts(source: SystemSource, options: HostsOptions = {}): Binding {
  const numbers = options.numbers ?? new InstanceNumbers();
  const snapshots = options.snapshots ?? new NetSnapshots(source);
  const rows = async (): Promise<Map<number, HostRow>> => {
    const snapshot = snapshots.current();
    const [{ neighbours }, interfaces] = await Promise.all([
      snapshot.neighbours(),
      ipRows(snapshot, numbers),
    ]);
    const byName = new Map(interfaces.map((r) => [r.link.ifname, r.number]));
    const byMac = new Map<string, IpNeighbour[]>();
    for (const entry of neighbours) {
      const mac = entry.lladdr?.toLowerCase();
      if (mac === undefined || mac === "" || mac === "00:00:00:00:00:00") continue;
      byMac.set(mac, [...(byMac.get(mac) ?? []), entry]);
    }
    const macs = [...byMac.keys()];
    const assigned = numbers.assign("Device.Hosts.Host.", macs);
    return new Map(macs.map((mac, i) => {
      const entries = byMac.get(mac)!;
      const ip = byName.get(entries[0].dev);
      return [assigned[i], {
        mac,
        entries,
        layer3: ip === undefined ? "" : `Device.IP.Interface.${ip}`,
      }];
    }));
  };
  return {
    object: "Device.Hosts.Host.{i}.",
    parameters: HOST_PARAMETERS,
    provider: tableProvider({
      rows,
      readers: {
        PhysAddress: (h) => h.mac,
        IPAddress: (h) => preferredAddress(h.entries),
        Active: (h) =>
          String(h.entries.some((e) => e.state.some((s) => ACTIVE_STATES.includes(s)))),
        Layer3Interface: (h) => h.layer3,
      },
    }),
  };
}

function preferredAddress(entries: readonly IpNeighbour[]): string {
  const v4 = entries.find((e) => !e.dst.includes(":"));
  const global6 = entries.find((e) => e.dst.includes(":") && !/^fe[89ab]/i.test(e.dst));
  return (v4 ?? global6 ?? entries[0]).dst;
}
