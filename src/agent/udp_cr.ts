/**
 * The agent's UDP connection requests with STUN (TR-069 Annex G, TR-111 Part 2): the
 * port of `services/stun/client.ts` opened while ManagementServer.STUNEnable is true,
 * reconfigured at once when the ACS changes a STUN* setting, its binding published as
 * UDPConnectionRequestAddress and NATDetected. A valid request takes a token from the
 * same rate limiter as HTTP connection requests.
 *
 * The client (`services/stun/client.ts` with the STUN and UDP connection-request codecs)
 * is imported when the port first opens, so an agent with STUNEnable false never parses
 * it; a STUNEnable set at run time still opens the port before `settingsChanged()`
 * resolves.
 *
 * @module
 */

import { type Logger, LogThrottle } from "../log/mod.ts";
import type { Platform } from "../platform/platform.ts";
// Types only: the STUN client and its codecs are imported when the port first opens.
import type { StunConnectionRequests, StunSettings } from "../services/stun/client.ts";
import type { StoredSettings } from "./settings_store.ts";

/** What {@linkcode startUdpConnectionRequests} needs. */
export interface UdpCrOptions {
  /** Listen address (connection_request.bind) and UDP port (stun.udp_port). */
  hostname: string;
  port: number;
  settings(): StoredSettings;
  publish(state: { udpConnectionRequestAddress: string; natDetected: boolean }): void;
  /** A token of the connection-request rate limit; false = over it. */
  admit(now: number): boolean;
  /** EnableCWMP: false = requests start nothing. */
  available(): boolean;
  onConnectionRequest(): void;
  platform: Platform;
  logger: Logger;
}

/** The running UDP connection-request side. */
export interface UdpConnectionRequests {
  /** The bound UDP port (0 while STUN is off). */
  readonly port: number;
  /** A STUN* setting or EnableCWMP changed. */
  settingsChanged(): Promise<void>;
  close(): void;
}

const DROPS: Record<string, string> = {
  malformed: "not a valid UDP connection request",
  username: "wrong username",
  signature: "wrong signature",
  replayed: "replayed",
  stale: "timestamp out of range",
  rateLimit: "over the rate limit",
  wrongSource: "not from the STUN server the request went to",
};

function stunSettingsOf(s: StoredSettings): StunSettings {
  return {
    enable: s.stunEnable,
    serverAddress: s.stunServerAddress,
    serverPort: s.stunServerPort,
    username: s.stunUsername,
    password: s.stunPassword,
    maximumKeepAlivePeriod: s.stunMaximumKeepAlivePeriod,
    minimumKeepAlivePeriod: s.stunMinimumKeepAlivePeriod,
    notificationLimit: s.udpConnectionRequestAddressNotificationLimit,
  };
}

function acsHostOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, "");
  } catch {
    return "";
  }
}

/** Opens the port when STUNEnable is true; follows the setting from then on. */
export async function startUdpConnectionRequests(
  options: UdpCrOptions,
): Promise<UdpConnectionRequests> {
  const { platform, logger } = options;
  const throttle = new LogThrottle({ periodMs: 60_000 });
  let client: StunConnectionRequests | undefined;
  // With port 0 (tests) a reopened port keeps the number it got the first time.
  let wanted = options.port;

  const open = async () => {
    const { StunConnectionRequests } = await import("../services/stun/client.ts");
    const next = new StunConnectionRequests({
      hostname: options.hostname,
      port: wanted,
      settings: () => stunSettingsOf(options.settings()),
      acsHost: () => acsHostOf(options.settings().url),
      credentials: () => ({
        username: options.settings().connectionRequestUsername,
        password: options.settings().connectionRequestPassword,
      }),
      localAddressFor: (host, port) => platform.localAddressFor(host, port),
      admit: (now) => options.admit(now),
      onConnectionRequest: (source) => {
        if (!options.available()) {
          logger.info(`UDP connection request from ${source} ignored: EnableCWMP is false`);
          return;
        }
        logger.info(`UDP connection request from ${source} accepted`);
        options.onConnectionRequest();
      },
      onDropped: (reason, source) => {
        const verdict = throttle.admit(`${reason} ${source}`, platform.now());
        if (!verdict.log) return;
        const more = verdict.suppressed > 0
          ? `; ${verdict.suppressed} more since the last such line`
          : "";
        const what = reason === "wrongSource" ? "STUN message" : "UDP connection request";
        logger.warning(`${what} from ${source} dropped: ${DROPS[reason]}${more}`);
      },
      onState: (state) => options.publish(state),
      log: (line) => logger.info(line),
      now: () => platform.now(),
    });
    await next.start();
    wanted = next.port;
    client = next;
    logger.info(`UDP connection requests (STUN) on port ${next.port}`);
  };
  const shut = () => {
    client?.close();
    client = undefined;
    options.publish({ udpConnectionRequestAddress: "", natDetected: false });
  };

  if (options.settings().stunEnable) await open();
  return {
    get port() {
      return client?.port ?? 0;
    },
    async settingsChanged() {
      const on = options.settings().stunEnable;
      if (on && client === undefined) await open();
      else if (!on && client !== undefined) shut();
      else client?.reconfigure();
    },
    close: shut,
  };
}
