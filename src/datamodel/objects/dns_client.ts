/**
 * `Device.DNS.Client.` and `.Server.{i}.` (TR-181 2.17) from resolv.conf(5): one row
 * per distinct `nameserver` line of the configured files (default `/etc/resolv.conf`;
 * on OpenWrt pass `/tmp/resolv.conf.d/resolv.conf.auto`, the upstreams dnsmasq uses).
 * Instance numbers are stable per server address through the shared
 * {@linkcode InstanceNumbers} (scope `Device.DNS.Client.Server.`).
 *
 * Supported (Client): Enable (true: the stub resolver is always on), Status (Enabled).
 * Supported (Server): Enable (true), Status (Enabled), DNSServer (an IPv6 zone suffix
 * `%eth0` dropped), Type ("Static" for every row [U]: resolv.conf does not say whether
 * a DHCP client wrote the line).
 *
 * Unsupported: Server.{i}.Alias, Server.{i}.Interface. ServerNumberOfEntries is
 * derived by the tree.
 *
 * Read-only: Enable and DNSServer are writable in the schema, but rewriting
 * resolv.conf behind the DHCP client's back would not last; no `set`, no AddObject.
 *
 * @module
 */

import { readSmallText, type SystemSource } from "../../platform/system_source.ts";
import type { Binding } from "../provider.ts";
import { InstanceNumbers } from "../providers/linux/instance_numbers.ts";
import { objectProvider, tableProvider } from "./_table.ts";

/** Options of {@linkcode bindDNSClient}. */
export interface DNSClientOptions {
  /** The stable numbering (persisted by the agent). */
  readonly numbers?: InstanceNumbers;
  /** resolv.conf files to read, in order. Default `["/etc/resolv.conf"]`. */
  readonly resolvConf?: readonly string[];
  /**
   * How long one read of the files serves every call (the listing and the values of
   * one request), ms. Default 0: every call reads again.
   */
  readonly maxAgeMs?: number;
  /** Monotonic clock in ms. Default `performance.now`. */
  readonly clock?: () => number;
}

/** Supported parameters of `Device.DNS.Client.`. */
export const DNS_CLIENT_PARAMETERS: readonly string[] = ["Enable", "Status"];

/** Supported parameters of `Device.DNS.Client.Server.{i}.`. */
export const DNS_SERVER_PARAMETERS: readonly string[] = ["Enable", "Status", "DNSServer", "Type"];

/** The `nameserver` addresses of a resolv.conf text, in order, without duplicates. */
export function parseNameservers(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (m === null) continue;
    const address = m[1].replace(/%.*$/, "");
    if (!out.includes(address)) out.push(address);
  }
  return out;
}

/** Binds `Device.DNS.Client.` and `.Server.{i}.` to the resolv.conf files of `source`. */
export function bindDNSClient(source: SystemSource, options: DNSClientOptions = {}): Binding[] {
  const numbers = options.numbers ?? new InstanceNumbers();
  const files = options.resolvConf ?? ["/etc/resolv.conf"];
  const readServers = async (): Promise<string[]> => {
    // Read by every request (maxAgeMs 0).
    const texts = await Promise.all(files.map((f) => readSmallText(source, f)));
    return parseNameservers(texts.map((t) => t ?? "").join("\n"));
  };
  const maxAgeMs = options.maxAgeMs ?? 0;
  const clock = options.clock ?? (() => performance.now());
  let recent: { at: number; servers: Promise<string[]> } | undefined;
  const servers = async (): Promise<Map<number, string>> => {
    const now = clock();
    if (recent === undefined || now - recent.at >= maxAgeMs || now < recent.at) {
      recent = { at: now, servers: readServers() };
    }
    const addresses = await recent.servers;
    const assigned = numbers.assign("Device.DNS.Client.Server.", addresses);
    return new Map(addresses.map((a, i) => [assigned[i], a]));
  };
  return [
    {
      object: "Device.DNS.Client.",
      parameters: DNS_CLIENT_PARAMETERS,
      provider: objectProvider(() => Promise.resolve(), {
        Enable: () => "true",
        Status: () => "Enabled",
      }),
    },
    {
      object: "Device.DNS.Client.Server.{i}.",
      parameters: DNS_SERVER_PARAMETERS,
      provider: tableProvider({
        rows: servers,
        readers: {
          Enable: () => "true",
          Status: () => "Enabled",
          DNSServer: (a) => a,
          Type: () => "Static",
        },
      }),
    },
  ];
}
