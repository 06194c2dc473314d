/**
 * The connection-request listener: serves the handler of
 * `transport/connection_request_app.ts` on our own HTTP/1.x listener
 * (`transport/cr_listener.ts`) and works out the
 * ConnectionRequestURL to advertise (TR-069 §3.2.2).
 *
 * @module
 */

import type { ConnectionRequestConfig } from "../config/mod.ts";
import { type Logger, LogThrottle } from "../log/mod.ts";
import type { Platform } from "../platform/platform.ts";
import {
  createConnectionRequestHandler,
  type CrRefusal,
  rateLimit,
  type RateLimiter,
} from "../transport/mod.ts";
import { type CrListener, serveConnectionRequests } from "../transport/cr_listener.ts";

/** Options of {@linkcode startConnectionRequestServer}. */
export interface CrServerOptions {
  config: ConnectionRequestConfig;
  /** The current ACS URL (its host picks the local address to advertise). */
  acsUrl(): string;
  credentials(): { username: string; password: string };
  /** False while EnableCWMP is false: requests get 503 and start nothing. */
  available(): boolean;
  platform: Platform;
  logger: Logger;
  onConnectionRequest(): void;
  /** The rate limit shared with the other connection-request paths; default: one of its own. */
  rateLimiter?: RateLimiter;
}

/** The connection-request server; it can be closed and reopened at run time. */
export interface CrServer {
  /** The bound port (0 while closed). */
  readonly port: number;
  /** ConnectionRequestURL: empty while closed (TR-181 HTTPConnectionRequestEnable). */
  readonly url: string;
  /** Opens or closes the listening port; resolves once done. */
  setListening(on: boolean): Promise<void>;
  close(): Promise<void>;
}

const REFUSALS: Record<CrRefusal, string> = {
  credentials: "wrong credentials (HTTP 401)",
  rateLimit: "over the rate limit (HTTP 503)",
  unavailable: "EnableCWMP is false (HTTP 503)",
};

/** The connection-request rate limit of `config`; undefined = unlimited. */
export function connectionRequestLimiter(config: ConnectionRequestConfig): RateLimiter | undefined {
  return config.rateLimitRequests > 0
    ? rateLimit({ limit: config.rateLimitRequests, periodMs: config.rateLimitPeriod * 1000 })
    : undefined;
}

/** Formats the advertised URL; IPv6 literals go in brackets. */
export function connectionRequestUrlOf(host: string, port: number, path: string): string {
  const h = host.includes(":") ? `[${host}]` : host;
  return `http://${h}:${port}${path}`;
}

async function advertisedHost(options: CrServerOptions): Promise<string> {
  const { config, platform } = options;
  if (config.bind !== "0.0.0.0" && config.bind !== "::") return config.bind;
  try {
    const acs = new URL(options.acsUrl());
    const port = Number(acs.port) || (acs.protocol === "https:" ? 443 : 80);
    const local = await platform.localAddressFor(acs.hostname.replace(/^\[|\]$/g, ""), port);
    if (local) return local;
  } catch { /* no usable ACS URL yet */ }
  try {
    const iface = Deno.networkInterfaces().find((i) =>
      i.family === "IPv4" && !i.address.startsWith("127.")
    );
    if (iface) return iface.address;
  } catch { /* no permission */ }
  return "127.0.0.1";
}

/**
 * Creates the server and, when `listen` is true, starts listening; throws a clear error
 * when the port cannot be bound.
 */
export async function startConnectionRequestServer(
  options: CrServerOptions,
  listen = true,
): Promise<CrServer> {
  const { config, platform, logger } = options;
  if (options.credentials().username === "") {
    logger.warning("ConnectionRequestUsername is empty: every connection request will be refused");
  }
  // One line per source and reason a minute, whatever the client's retry rate.
  const throttle = new LogThrottle({ periodMs: 60_000 });
  const refused = (reason: CrRefusal, source: string) => {
    const verdict = throttle.admit(`${reason} ${source}`, platform.now());
    if (!verdict.log) return;
    const more = verdict.suppressed > 0
      ? `; ${verdict.suppressed} more since the last such line`
      : "";
    logger.warning(
      `Connection request from ${source || "an unknown address"} refused: ${
        REFUSALS[reason]
      }${more}`,
    );
  };
  const handler = createConnectionRequestHandler({
    path: config.path,
    credentials: () => {
      const c = options.credentials();
      // An empty username never authenticates (TR-069 requires credentials).
      return c.username === "" ? { username: "\0", password: crypto.randomUUID() } : c;
    },
    available: () => options.available(),
    onConnectionRequest: () => {
      logger.info("Connection request accepted");
      options.onConnectionRequest();
    },
    onRefused: refused,
    rateLimiter: options.rateLimiter ?? connectionRequestLimiter(config),
    now: () => platform.now(),
    randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
  });
  let server: CrListener | undefined;
  let port = 0;
  let url = "";
  // With port 0 (tests) a reopened server keeps the port it got the first time.
  let wanted = config.port;
  const open = async () => {
    try {
      // Not Deno.serve: it has no header timeout nor connection limit (slowloris).
      server = serveConnectionRequests({ hostname: config.bind, port: wanted }, handler);
    } catch (error) {
      throw new Error(
        `Cannot listen for connection requests on ${config.bind}:${wanted}: ${
          (error as Error).message
        }`,
      );
    }
    port = wanted = server.addr.port;
    url = config.url || connectionRequestUrlOf(await advertisedHost(options), port, config.path);
  };
  const shut = async () => {
    const s = server;
    server = undefined;
    port = 0;
    url = "";
    await s?.shutdown();
  };
  if (listen) await open();
  return {
    get port() {
      return port;
    },
    get url() {
      return url;
    },
    async setListening(on) {
      if (on && server === undefined) await open();
      else if (!on && server !== undefined) await shut();
    },
    close: shut,
  };
}
