/**
 * `Device.Ethernet.Interface.{i}.` and `.Stats.` (TR-181 2.17) from
 * `/sys/class/net/<if>/` (sysfs-class-net ABI) and `/proc/net/dev`, read through the
 * network snapshot (`providers/linux/net_snapshot.ts`). Which kernel interfaces count as
 * Ethernet: see `providers/linux/net.ts` (type 1 with a backing device, not wireless,
 * not a bridge) or the configured names. Instance numbers are stable per interface
 * name through the shared {@linkcode InstanceNumbers} (scope `Device.Ethernet.Interface.`).
 *
 * Supported (Interface): Enable (IFF_UP), Status (operstate; a physical port that is
 * down is Down), Name, Upstream (configured names, else false), MACAddress,
 * MaxBitRate (the negotiated `speed` in Mbit/s, -1 = unknown: sysfs has no "maximum
 * supported"), CurrentBitRate (`speed` while up, else 0), DuplexMode (full → Full,
 * half → Half, unknown → Auto).
 * Supported (Stats): BytesSent/Received, PacketsSent/Received, ErrorsSent/Received,
 * DiscardPacketsSent/Received (tx/rx_dropped), MulticastPacketsReceived (`multicast`),
 * UnknownProtoPacketsReceived (`rx_nohandler`). 32-bit counters wrap.
 *
 * Unsupported: Alias (no persistence of aliases yet), LastChange (the kernel keeps no
 * timestamp of the last operstate change), LowerLayers (an Ethernet interface is the
 * lowest layer here), SupportedLinkModes, EEECapability, EEEEnable, EEEStatus; Stats:
 * UnicastPacketsSent/Received, MulticastPacketsSent, BroadcastPacketsSent/Received
 * (the kernel has no such per-interface counters without ethtool).
 *
 * Read-only: Enable, MaxBitRate and DuplexMode are writable in the schema but setting
 * them needs `ip link set`/ethtool, which a later issue will add; until then the
 * provider has no `set`, so the tree reports them not writable (9008).
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
  type SysfsLink,
} from "../providers/linux/net.ts";
import { type NetSnapshot, NetSnapshots } from "../providers/linux/net_snapshot.ts";
import { counter32, tableProvider } from "./_table.ts";

/** Options of {@linkcode bindEthernetInterface}. */
export interface EthernetInterfaceOptions extends EthernetSelection {
  /**
   * The stable numbering; share one with the IP and Hosts bindings so their
   * references agree (and persist it). Default: a fresh, unpersisted one.
   */
  readonly numbers?: InstanceNumbers;
  /** Names of the upstream (WAN) interfaces. Default none. */
  readonly upstream?: readonly string[];
  /** The snapshots shared with the IP and Hosts bindings. Default: unshared, never reused. */
  readonly snapshots?: NetSnapshots;
}

/** Supported parameters of `Device.Ethernet.Interface.{i}.`. */
export const ETHERNET_INTERFACE_PARAMETERS: readonly string[] = [
  "Enable",
  "Status",
  "Name",
  "Upstream",
  "MACAddress",
  "MaxBitRate",
  "CurrentBitRate",
  "DuplexMode",
];

/** Supported parameters of `Device.Ethernet.Interface.{i}.Stats.` → sysfs statistics file. */
export const ETHERNET_STATS_FILES: Readonly<Record<string, string>> = {
  BytesSent: "tx_bytes",
  BytesReceived: "rx_bytes",
  PacketsSent: "tx_packets",
  PacketsReceived: "rx_packets",
  ErrorsSent: "tx_errors",
  ErrorsReceived: "rx_errors",
  DiscardPacketsSent: "tx_dropped",
  DiscardPacketsReceived: "rx_dropped",
  MulticastPacketsReceived: "multicast",
  UnknownProtoPacketsReceived: "rx_nohandler",
};

const DUPLEX: Readonly<Record<string, string>> = { full: "Full", half: "Half" };
const COUNTER32 = new Set([
  "ErrorsSent",
  "ErrorsReceived",
  "DiscardPacketsSent",
  "DiscardPacketsReceived",
  "UnknownProtoPacketsReceived",
]);

/** Binds `Device.Ethernet.Interface.{i}.` and its `Stats.` to `source`. */
export function bindEthernetInterface(
  source: SystemSource,
  options: EthernetInterfaceOptions = {},
): Binding[] {
  const numbers = options.numbers ?? new InstanceNumbers();
  const upstream = new Set(options.upstream ?? []);
  const snapshots = options.snapshots ?? new NetSnapshots(source);
  const files = Object.values(ETHERNET_STATS_FILES);
  const rows = async (snapshot: NetSnapshot): Promise<Map<number, SysfsLink>> =>
    new Map(
      await Promise.all(
        (await ethernetRows(snapshot, numbers, options))
          .map(async (row) => [row.number, await snapshot.withSpeed(row.link)] as const),
      ),
    );
  const stats = async (): Promise<Map<number, Map<string, bigint>>> => {
    const snapshot = snapshots.current();
    const out = new Map<number, Map<string, bigint>>();
    await Promise.all([...(await rows(snapshot))].map(async ([number, link]) => {
      out.set(number, await snapshot.counters(link.name, files));
    }));
    return out;
  };
  const statReaders: Record<string, (c: Map<string, bigint>) => string> = {};
  for (const [name, file] of Object.entries(ETHERNET_STATS_FILES)) {
    statReaders[name] = COUNTER32.has(name)
      ? (c) => counter32(c.get(file) ?? 0n)
      : (c) => (c.get(file) ?? 0n).toString();
  }
  return [
    {
      object: "Device.Ethernet.Interface.{i}.",
      parameters: ETHERNET_INTERFACE_PARAMETERS,
      provider: tableProvider({
        rows: () => rows(snapshots.current()),
        readers: {
          Enable: (l) => String(l.up),
          Status: (l) => interfaceStatus(l.operstate, l.up, l.carrier, true),
          Name: (l) => l.name,
          Upstream: (l) => String(upstream.has(l.name)),
          MACAddress: (l) => l.address,
          MaxBitRate: (l) => String(l.speed ?? -1),
          CurrentBitRate: (l) => String(l.operstate === "up" ? l.speed ?? 0 : 0),
          DuplexMode: (l) => DUPLEX[l.duplex] ?? "Auto",
        },
      }),
    },
    {
      object: "Device.Ethernet.Interface.{i}.Stats.",
      parameters: Object.keys(ETHERNET_STATS_FILES),
      provider: tableProvider({ rows: stats, readers: statReaders }, false),
    },
  ];
}
