/**
 * The agent's lightweight notifications (TR-069 Annex M): the sender of
 * `services/lwn/sender.ts` fed with each poll's lightweight changes (notification 3–6),
 * reading ManagementServer's LightweightNotification* and UDPLightweightNotification*
 * settings anew for every decision. The receiver is UDPLightweightNotificationHost, or the
 * ACS URL's host when that is empty; the port is UDPLightweightNotificationPort (7547, the
 * TR-181 default, when it is 0).
 *
 * The sender (`services/lwn/sender.ts` with the message codec) is imported when the first
 * change is to be sent, so an agent without lightweight notifications never parses it.
 * Calls made while it loads are replayed in order; its trigger keeps the phase of the
 * agent's start, as if it had been built then.
 *
 * @module
 */

import type { DeviceIdentity } from "../datamodel/mod.ts";
import { type Logger, LogThrottle } from "../log/mod.ts";
import type { LwnChange, LwnSender, LwnSettings, SendDatagrams } from "../services/lwn/sender.ts";
import type { StoredSettings } from "./settings_store.ts";

/** TR-181 UDPLightweightNotificationPort when not given. */
export const DEFAULT_LWN_PORT = 7547;

/** What {@linkcode startLightweightNotifications} needs. */
export interface LwnOptions {
  settings(): StoredSettings;
  identity: DeviceIdentity;
  now(): number;
  logger: Logger;
  /** Default: a UDP socket per batch. */
  send?: SendDatagrams;
}

/** The sender's settings from the stored ManagementServer settings. */
export function lwnSettingsOf(s: StoredSettings): LwnSettings {
  return {
    enabled: s.lightweightNotificationProtocolsUsed.split(",").some((p) => p.trim() === "UDP"),
    host: (s.udpLightweightNotificationHost || hostOf(s.url)).replace(/^\[|\]$/g, ""),
    port: s.udpLightweightNotificationPort || DEFAULT_LWN_PORT,
    triggerInterval: s.lightweightNotificationTriggerInterval,
    triggerTime: s.lightweightNotificationTriggerTime,
    username: s.username,
    password: s.password,
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return "";
  }
}

/** The agent's lightweight notifications: {@linkcode LwnSender}'s calls, loaded on use. */
export interface LightweightNotifications {
  /** Takes a poll's lightweight changes: active ones send at once, passive ones wait. */
  changed(changes: readonly LwnChange[]): void;
  /** A LightweightNotification* setting changed: turn off, or re-phase the trigger. */
  settingsChanged(): void;
  /** Resolves when every batch handed out so far has been sent (or failed). */
  idle(): Promise<void>;
  /** Stops the timer; what waits is dropped. */
  close(): void;
}

/** A sender wired to the agent's settings and log, built on the first change to send. */
export function startLightweightNotifications(options: LwnOptions): LightweightNotifications {
  const { logger } = options;
  // The phase of the trigger when TriggerTime gives none, as if the sender started now.
  const startedAt = options.now();
  const throttle = new LogThrottle({ periodMs: 60_000 });
  const warn = (key: string, line: string) => {
    const verdict = throttle.admit(key, options.now());
    if (!verdict.log) return;
    const more = verdict.suppressed > 0 ? `; ${verdict.suppressed} more since the last` : "";
    logger.warning(line + more);
  };
  let sender: LwnSender | undefined;
  let loading: Promise<void> | undefined;
  /** Calls made while the sender loads, replayed in order. */
  let queued: ((sender: LwnSender) => void)[] = [];
  const load = () =>
    loading ??= import("../services/lwn/sender.ts").then(({ LwnSender }) => {
      sender = new LwnSender({
        settings: () => lwnSettingsOf(options.settings()),
        identity: {
          oui: options.identity.manufacturerOui,
          productClass: options.identity.productClass,
          serialNumber: options.identity.serialNumber,
        },
        now: options.now,
        startedAt,
        send: options.send,
        onSent: ({ host, port, datagrams, params }) =>
          logger.info(
            `Lightweight notification to ${host}:${port}: ${params.map((p) => p.name).join(", ")}${
              datagrams > 1 ? ` (${datagrams} datagrams)` : ""
            }`,
          ),
        onTooLarge: (param) =>
          warn(
            `large ${param.name}`,
            `Lightweight notification of "${param.name}" not sent: its value does not fit in one datagram`,
          ),
        onError: (message) => warn("error", message),
      });
      for (const call of queued) call(sender);
      queued = [];
    }, (error) => {
      logger.error(`Cannot load the lightweight notification sender: ${(error as Error).message}`);
      queued = [];
      loading = undefined;
    });
  let closed = false;
  return {
    changed(changes) {
      if (sender !== undefined) return sender.changed(changes);
      // What the sender would drop anyway does not load it.
      if (closed || changes.length === 0) return;
      if (loading === undefined && !lwnSettingsOf(options.settings()).enabled) return;
      queued.push((s) => s.changed(changes));
      load();
    },
    settingsChanged() {
      // Before the first change nothing waits: there is nothing to turn off or re-phase.
      if (sender !== undefined) sender.settingsChanged();
      else if (loading !== undefined) queued.push((s) => s.settingsChanged());
    },
    async idle() {
      await loading;
      await sender?.idle();
    },
    close() {
      closed = true;
      if (sender !== undefined) sender.close();
      else if (loading !== undefined) queued.push((s) => s.close());
    },
  };
}
