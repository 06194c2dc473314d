/**
 * `Device.Time.` (TR-181 2.17): the clock and time zone as the system has them.
 *
 * Supported: Enable (NTP configured: the `ntpEnabled` option, else whether
 * `ntpServers` lists any), Status (Disabled when not enabled; Synchronized when one of
 * `syncFiles` exists, e.g. systemd-timesyncd's `/run/systemd/timesync/synchronized`;
 * else Unsynchronized), NTPServer1–5 (from the `ntpServers` option, "" beyond),
 * CurrentLocalTime (the source's clock with its UTC offset), LocalTimeZone (the `tz`
 * option, i.e. the TZ environment variable, else `/etc/TZ` as on OpenWrt, else "";
 * POSIX TZ format, cut to 256 characters).
 *
 * Unsupported: Client.{i}, Server.{i} and their counters (TR-181 2.15 NTP objects).
 *
 * Read-only: Enable, NTPServer1–5 and LocalTimeZone are writable in the schema;
 * applying them needs the NTP daemon's configuration (UCI `system.ntp` on OpenWrt), a
 * later issue.
 *
 * @module
 */

import { readSmallText, type SystemSource } from "../../platform/system_source.ts";
import type { Binding, MaybePromise } from "../provider.ts";
import { objectProvider } from "./_table.ts";

/** Options of {@linkcode bindTime}. */
export interface TimeOptions {
  /** NTP servers configured on the device, in order. Default none. */
  ntpServers?(): MaybePromise<readonly string[]>;
  /** Whether NTP is on. Default: whether `ntpServers` lists any. */
  readonly ntpEnabled?: boolean;
  /** The TZ environment variable, when set. */
  readonly tz?: string;
  /** Files whose existence means "synchronized". Default systemd-timesyncd's. */
  readonly syncFiles?: readonly string[];
}

/** Supported parameters of `Device.Time.`. */
export const TIME_PARAMETERS: readonly string[] = [
  "Enable",
  "Status",
  "NTPServer1",
  "NTPServer2",
  "NTPServer3",
  "NTPServer4",
  "NTPServer5",
  "CurrentLocalTime",
  "LocalTimeZone",
];

interface TimeSnapshot {
  readonly enabled: boolean;
  readonly synchronized: boolean;
  readonly servers: readonly string[];
  readonly now: number;
  readonly offset: number;
  readonly zone: string;
}

/** Binds `Device.Time.` to `source`. */
export function bindTime(source: SystemSource, options: TimeOptions = {}): Binding {
  const syncFiles = options.syncFiles ?? ["/run/systemd/timesync/synchronized"];
  const load = async (): Promise<TimeSnapshot> => {
    const servers = [...(await options.ntpServers?.() ?? [])];
    const enabled = options.ntpEnabled ?? servers.length > 0;
    const synced = await Promise.all(syncFiles.map((f) => readSmallText(source, f)));
    const now = source.now();
    const zone = options.tz || (await readSmallText(source, "/etc/TZ"))?.trim() || "";
    return {
      enabled,
      synchronized: synced.some((t) => t !== undefined),
      servers,
      now,
      offset: source.utcOffsetMinutes?.(now) ?? 0,
      zone: zone.slice(0, 256),
    };
  };
  const server = (n: number) => (t: TimeSnapshot) => t.servers[n - 1] ?? "";
  return {
    object: "Device.Time.",
    parameters: TIME_PARAMETERS,
    provider: objectProvider(load, {
      Enable: (t) => String(t.enabled),
      Status: (t) => !t.enabled ? "Disabled" : t.synchronized ? "Synchronized" : "Unsynchronized",
      NTPServer1: server(1),
      NTPServer2: server(2),
      NTPServer3: server(3),
      NTPServer4: server(4),
      NTPServer5: server(5),
      CurrentLocalTime: (t) => localDateTime(t.now, t.offset),
      LocalTimeZone: (t) => t.zone,
    }),
  };
}

/** TR-106 dateTime of `ms` in a zone `offsetMinutes` east of UTC: `2026-11-27T10:00:00+01:00`. */
export function localDateTime(ms: number, offsetMinutes: number): string {
  const local = new Date(Math.floor(ms / 1000) * 1000 + offsetMinutes * 60_000);
  const text = local.toISOString().slice(0, 19);
  if (offsetMinutes === 0) return `${text}Z`;
  const abs = Math.abs(offsetMinutes);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${text}${offsetMinutes < 0 ? "-" : "+"}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
