/**
 * The connection-request listener: serves the Hono app of
 * `transport/connection_request_app.ts` with Deno.serve and works out the
 * ConnectionRequestURL to advertise (TR-069 §3.2.2).
 *
 * @module
 */

import type { ConnectionRequestConfig } from "../config/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { Platform } from "../platform/platform.ts";
import { createConnectionRequestApp, rateLimit } from "../transport/mod.ts";

/** Options of {@linkcode startConnectionRequestServer}. */
export interface CrServerOptions {
  config: ConnectionRequestConfig;
  /** The current ACS URL (its host picks the local address to advertise). */
  acsUrl(): string;
  credentials(): { username: string; password: string };
  platform: Platform;
  logger: Logger;
  onConnectionRequest(): void;
}

/** A listening connection-request server. */
export interface CrServer {
  port: number;
  /** ConnectionRequestURL. */
  url: string;
  close(): Promise<void>;
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

/** Starts listening; throws a clear error when the port cannot be bound. */
export async function startConnectionRequestServer(options: CrServerOptions): Promise<CrServer> {
  const { config, platform, logger } = options;
  const { username } = options.credentials();
  if (username === "") {
    logger.warning("ConnectionRequestUsername is empty: every connection request will be refused");
  }
  const app = createConnectionRequestApp({
    path: config.path,
    credentials: () => {
      const c = options.credentials();
      // An empty username never authenticates (TR-069 requires credentials).
      return c.username === "" ? { username: "\0", password: crypto.randomUUID() } : c;
    },
    onConnectionRequest: () => {
      logger.info("Connection request accepted");
      options.onConnectionRequest();
    },
    rateLimiter: config.rateLimitRequests > 0
      ? rateLimit({ limit: config.rateLimitRequests, periodMs: config.rateLimitPeriod * 1000 })
      : undefined,
    now: () => platform.now(),
    randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
  });
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve(
      { hostname: config.bind, port: config.port, onListen: () => {} },
      app.fetch,
    );
  } catch (error) {
    throw new Error(
      `Cannot listen for connection requests on ${config.bind}:${config.port}: ${
        (error as Error).message
      }`,
    );
  }
  const port = server.addr.port;
  const url = config.url ||
    connectionRequestUrlOf(await advertisedHost(options), port, config.path);
  return { port, url, close: () => server.shutdown() };
}
