/**
 * Every Linux-backed object binding at once, sharing one {@linkcode InstanceNumbers} so
 * that references between tables agree (IP.Interface LowerLayers → Ethernet.Interface,
 * Hosts Layer3Interface → IP.Interface).
 *
 * @module
 */

import type { SystemSource } from "../../../platform/system_source.ts";
import { bindDNSClient } from "../../objects/dns_client.ts";
import { bindEthernetInterface } from "../../objects/ethernet_interface.ts";
import { bindHosts } from "../../objects/hosts.ts";
import { bindIPInterface } from "../../objects/ip_interface.ts";
import { bindMemoryStatus } from "../../objects/memory_status.ts";
import { bindProcessStatus } from "../../objects/process_status.ts";
import { bindTime, type TimeOptions } from "../../objects/time.ts";
import type { Binding } from "../../provider.ts";
import { InstanceNumbers } from "./instance_numbers.ts";
import { NetSnapshots } from "./net_snapshot.ts";

/** How long the network and process objects share one read of the system by default, ms. */
export const NET_SNAPSHOT_MAX_AGE_MS = 500;

/** Options of {@linkcode bindLinux}. */
export interface LinuxBindingsOptions {
  /** The numbering to share; restore it from the state directory and persist it on change. */
  readonly numbers?: InstanceNumbers;
  /** Ethernet interface names instead of the sysfs rule (see `net.ts`). */
  readonly ethernetNames?: readonly string[];
  /** Upstream (WAN) Ethernet interface names. */
  readonly upstream?: readonly string[];
  /** resolv.conf files (default `/etc/resolv.conf`). */
  readonly resolvConf?: readonly string[];
  /** Device.Time options (NTP servers, TZ). */
  readonly time?: TimeOptions;
  /** USER_HZ (default 100). */
  readonly clockTicks?: number;
  /**
   * How long Ethernet, IP and Hosts share one read of the network state, ProcessStatus
   * one read of the process list and DNS one of resolv.conf, ms (default
   * {@linkcode NET_SNAPSHOT_MAX_AGE_MS}; 0: every provider call reads again).
   */
  readonly snapshotMaxAgeMs?: number;
}

/**
 * Bindings of DeviceInfo.MemoryStatus, DeviceInfo.ProcessStatus(.Process),
 * Ethernet.Interface(.Stats), IP.Interface(.IPv4Address, .IPv6Address), Hosts.Host,
 * DNS.Client(.Server) and Time over `source`.
 */
export function bindLinux(source: SystemSource, options: LinuxBindingsOptions = {}): Binding[] {
  const numbers = options.numbers ?? new InstanceNumbers();
  const ethernet = options.ethernetNames ? { names: options.ethernetNames } : {};
  // One read of the network state per request, shared by the three objects.
  const maxAgeMs = options.snapshotMaxAgeMs ?? NET_SNAPSHOT_MAX_AGE_MS;
  const snapshots = new NetSnapshots(source, { maxAgeMs });
  return [
    bindMemoryStatus(source),
    ...bindProcessStatus(source, { clockTicks: options.clockTicks, maxAgeMs }),
    ...bindEthernetInterface(source, {
      numbers,
      upstream: options.upstream,
      snapshots,
      ...ethernet,
    }),
    ...bindIPInterface(source, { numbers, ethernet, snapshots }),
    bindHosts(source, { numbers, snapshots }),
    ...bindDNSClient(source, { numbers, resolvConf: options.resolvConf, maxAgeMs }),
    bindTime(source, options.time),
  ];
}
