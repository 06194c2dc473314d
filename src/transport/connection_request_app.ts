/**
 * The HTTP Connection Request server (TR-069 §3.2.2, FACTS §7.1) as a Hono
 * app.
 *
 * Behaviour: only `GET` on the configured path (other paths 404, other methods
 * 405); body and query are ignored; Digest required (401 with a challenge),
 * Basic only if `allowBasic`; valid credentials → 200 with an empty body and
 * `onConnectionRequest()` fires; wrong credentials never fire it; a valid CR
 * beyond the rate limit → 503; oversized headers → 431, a body announced
 * larger than `maxBodyBytes`, or a chunked one (no announced size) → 413.
 * `agent/cr_server.ts` serves it with `cr_listener.ts` (header timeout, connection cap).
 *
 * @module
 */

import { constantTimeEqual } from "./hash.ts";
import { Hono } from "hono";
import type { Credentials } from "./digest_auth.ts";
import { DigestVerifier } from "./digest_server.ts";
import type { RateLimiter } from "./rate_limit.ts";

/** What the connection-request app needs from the agent. */
export interface ConnectionRequestDeps {
  /** Path of `ConnectionRequestURL`; `/` by default. */
  path?: string;
  /** Current `ConnectionRequestUsername` / `ConnectionRequestPassword` (read per request). */
  credentials(): Credentials;
  /** Digest realm; `cwmp-agent` by default. */
  realm?: string;
  /**
   * False while the agent must not accept connection requests (TR-181 EnableCWMP false):
   * authenticated requests then get 503 and start nothing. Always true if undefined.
   */
  available?: () => boolean;
  /** Called once per accepted connection request, after the response is decided. */
  onConnectionRequest(): void;
  /**
   * Called for a request refused after it presented credentials: wrong ones (`credentials`;
   * a first GET without any, which only fetches the challenge, is not a refusal), the rate
   * limit (`rateLimit`) or EnableCWMP false (`unavailable`). `source` is the client's
   * address when the server passes it (`app.fetch(request, { remoteAddr })`), else "".
   */
  onRefused?(reason: CrRefusal, source: string): void;
  /** Limits accepted CRs; see `rateLimit()`. No limit if undefined. */
  rateLimiter?: RateLimiter;
  /** Clock in ms (nonce timestamps, rate limit). */
  now(): number;
  /** Random source (nonces and the per-process nonce secret). */
  randomBytes(length: number): Uint8Array;
  /** Accept `Authorization: Basic` too (off by default: TR-069 requires Digest). */
  allowBasic?: boolean;
  /** Nonce lifetime in ms; 5 minutes by default. */
  nonceTtlMs?: number;
  /** Largest total size of request headers; 8 KiB by default. */
  maxHeaderBytes?: number;
  /** Largest announced request body (ignored anyway); 4 KiB by default. */
  maxBodyBytes?: number;
}

/** Why an authenticated-looking connection request was refused. */
export type CrRefusal = "credentials" | "rateLimit" | "unavailable";

/** What the server passes to `app.fetch()` as its environment. */
export interface ConnectionRequestEnv {
  /** The client's IP address. */
  remoteAddr?: string;
}

/** Creates the Connection Request app. */
export function createConnectionRequestApp(
  deps: ConnectionRequestDeps,
): Hono<{ Bindings: ConnectionRequestEnv }> {
  const path = deps.path ?? "/";
  const maxHeaderBytes = deps.maxHeaderBytes ?? 8192;
  const maxBodyBytes = deps.maxBodyBytes ?? 4096;
  const verifier = new DigestVerifier({
    realm: deps.realm ?? "cwmp-agent",
    secret: deps.randomBytes(32),
    nonceTtlMs: deps.nonceTtlMs,
  });
  const app = new Hono<{ Bindings: ConnectionRequestEnv }>();

  app.all("*", (c) => {
    const req = c.req.raw;
    const url = new URL(req.url);
    let headerBytes = 0;
    req.headers.forEach((value, name) => (headerBytes += name.length + value.length + 4));
    if (headerBytes > maxHeaderBytes) return c.body(null, 431);
    const length = req.headers.get("content-length") ?? "0";
    if (
      !/^\d+$/.test(length) || !(Number(length) <= maxBodyBytes) ||
      req.headers.has("transfer-encoding")
    ) {
      return c.body(null, 413);
    }
    if (url.pathname !== path) return c.body(null, 404);
    if (req.method !== "GET") return c.body(null, 405, { Allow: "GET" });

    const now = deps.now();
    const authorization = req.headers.get("authorization");
    const credentials = deps.credentials();
    let stale = false;
    let ok = false;
    if (authorization !== null && /^digest\s/i.test(authorization)) {
      const verdict = verifier.verify(authorization, {
        method: "GET",
        requestUri: url.pathname + url.search,
        credentials,
        now,
      });
      ok = verdict.ok;
      stale = !verdict.ok && verdict.stale;
    } else if (authorization !== null && deps.allowBasic && /^basic\s/i.test(authorization)) {
      ok = basicMatches(authorization, credentials);
    }
    const source = (c.env as ConnectionRequestEnv | undefined)?.remoteAddr ?? "";
    if (!ok) {
      // A stale nonce is the normal Digest round trip; no Authorization fetches the challenge.
      if (authorization !== null && !stale) deps.onRefused?.("credentials", source);
      return c.body(null, 401, {
        "WWW-Authenticate": verifier.challenge(now, deps.randomBytes(16), { stale }),
      });
    }
    // TR-069 §3.2.2: refuse with 503 beyond the limit. The text restricts a header on
    // that 503 ("SHOULD NOT include the…", cut off in our source) [U]; most likely
    // Retry-After, so none is sent, as CCSP and icwmp do.
    // Only authenticated requests consume tokens, so strangers cannot starve the ACS.
    if (deps.available && !deps.available()) {
      deps.onRefused?.("unavailable", source);
      return c.body(null, 503);
    }
    if (deps.rateLimiter && !deps.rateLimiter.tryAcquire(now)) {
      deps.onRefused?.("rateLimit", source);
      return c.body(null, 503);
    }
    deps.onConnectionRequest();
    return c.body(null, 200);
  });
  return app;
}

function basicMatches(authorization: string, credentials: Credentials): boolean {
  let decoded: string;
  try {
    const bin = atob(authorization.replace(/^basic\s+/i, "").trim());
    decoded = new TextDecoder().decode(Uint8Array.from(bin, (ch) => ch.charCodeAt(0)));
  } catch {
    return false;
  }
  const expected = `${credentials.username}:${credentials.password}`;
  const a = new TextEncoder().encode(decoded);
  const b = new TextEncoder().encode(expected);
  return constantTimeEqual(a, b);
}
