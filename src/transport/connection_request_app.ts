/**
 * The HTTP Connection Request server (TR-069 §3.2.2, FACTS §7.1): what to answer a
 * request head.
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
import type { Credentials } from "./digest_auth.ts";
import { DigestVerifier } from "./digest_server.ts";
import type { RateLimiter } from "./rate_limit.ts";

/** What the connection-request handler needs from the agent. */
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
   * address when the listener passes it (`CrRequest.remoteAddr`), else "".
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

/** One request as the listener read it: no body (a connection request has none). */
export interface CrRequest {
  /** The method as sent (a token). */
  readonly method: string;
  /** The request-target exactly as on the request line (path and query). */
  readonly target: string;
  /** Header lines in order, names as sent, values trimmed. */
  readonly headers: readonly (readonly [string, string])[];
  /** The client's IP address, when the listener knows it. */
  readonly remoteAddr?: string;
}

/** The answer: a status and its headers; the body is always empty. */
export interface CrResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Answers one connection request (synchronously: nothing in it waits). */
export type ConnectionRequestHandler = (request: CrRequest) => CrResponse;

/**
 * Creates the Connection Request handler. Plain objects in and out: a connection request is
 * a head and an empty answer, so no `Request`/`Response` (whose body machinery the runtime
 * would load and keep for the first one) is built for it.
 */
export function createConnectionRequestHandler(
  deps: ConnectionRequestDeps,
): ConnectionRequestHandler {
  const path = deps.path ?? "/";
  const maxHeaderBytes = deps.maxHeaderBytes ?? 8192;
  const maxBodyBytes = deps.maxBodyBytes ?? 4096;
  const verifier = new DigestVerifier({
    realm: deps.realm ?? "cwmp-agent",
    secret: deps.randomBytes(32),
    nonceTtlMs: deps.nonceTtlMs,
  });

  return (req): CrResponse => {
    let headerBytes = 0;
    for (const [name, value] of req.headers) headerBytes += name.length + value.length + 4;
    if (headerBytes > maxHeaderBytes) return { status: 431 };
    const length = headerValue(req.headers, "content-length") ?? "0";
    if (
      !/^\d+$/.test(length) || !(Number(length) <= maxBodyBytes) ||
      headerValue(req.headers, "transfer-encoding") !== null
    ) {
      return { status: 413 };
    }
    let url: URL;
    try {
      // Appended, not resolved: a target such as "//x/y" is a path here, not a host.
      url = new URL(`http://cr.invalid${req.target}`);
    } catch {
      return { status: 400 };
    }
    if (url.pathname !== path) return { status: 404 };
    if (req.method !== "GET") return { status: 405, headers: { Allow: "GET" } };

    const now = deps.now();
    const authorization = headerValue(req.headers, "authorization");
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
    const source = req.remoteAddr ?? "";
    if (!ok) {
      // A stale nonce is the normal Digest round trip; no Authorization fetches the challenge.
      if (authorization !== null && !stale) deps.onRefused?.("credentials", source);
      return {
        status: 401,
        headers: { "WWW-Authenticate": verifier.challenge(now, deps.randomBytes(16), { stale }) },
      };
    }
    // TR-069 §3.2.2: refuse with 503 beyond the limit. The text restricts a header on
    // that 503 ("SHOULD NOT include the…", cut off in our source) [U]; most likely
    // Retry-After, so none is sent, as CCSP and icwmp do.
    // Only authenticated requests consume tokens, so strangers cannot starve the ACS.
    if (deps.available && !deps.available()) {
      deps.onRefused?.("unavailable", source);
      return { status: 503 };
    }
    if (deps.rateLimiter && !deps.rateLimiter.tryAcquire(now)) {
      deps.onRefused?.("rateLimit", source);
      return { status: 503 };
    }
    deps.onConnectionRequest();
    return { status: 200 };
  };
}

/**
 * The value of header `name` (lower case) as `Headers.get` gives it: every line of that name,
 * joined with ", "; null when there is none.
 */
function headerValue(
  headers: readonly (readonly [string, string])[],
  name: string,
): string | null {
  let value: string | null = null;
  for (const [n, v] of headers) {
    if (n.length === name.length && n.toLowerCase() === name) {
      value = value === null ? v : `${value}, ${v}`;
    }
  }
  return value;
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
