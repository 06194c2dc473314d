/**
 * HTTP Digest authentication, server side, for the connection-request server
 * (TR-069 §3.2.2: Digest MUST; RFC 2617 §3.2.1, §3.2.2). Pure: time and the
 * process secret are passed in.
 *
 * Nonces are stateless: `<timestamp hex>.<random hex>.<HMAC-SHA-256(secret,
 * timestamp.random) hex>`, so any nonce this process issued can be checked
 * without storing it, and it expires after `nonceTtlMs` (then the client gets
 * `stale=true`). The highest nc seen per nonce is kept in a small bounded map
 * to reject replays of the same nonce+nc; a nonce leaves it once expired (it is refused
 * as stale before its nc is looked at), so the map holds the last `nonceTtlMs` of use.
 * When more nonces than the map holds are used within `nonceTtlMs`, the least recently
 * used leave it early; from then on a nonce issued no later than any of those and not in
 * the map is refused as stale too (the client retries at once with a fresh nonce), so a
 * nonce pushed out of the map cannot be replayed.
 *
 * @module
 */

import { constantTimeEqual, hex, hmacSha256Hex } from "./hash.ts";
import { type AuthChallenge, parseAuthHeader, quote } from "./_auth_params.ts";
import { type Credentials, type DigestAlgorithm, digestResponse } from "./digest_auth.ts";

/** Options of {@linkcode DigestVerifier}. */
export interface DigestVerifierOptions {
  realm: string;
  /** Per-process secret (≥16 random bytes) that signs nonces. */
  secret: Uint8Array;
  /** How long a nonce stays valid, in ms; 5 minutes by default. */
  nonceTtlMs?: number;
  /** How many nonces' nc to remember for replay checks; 1024 by default. */
  maxTrackedNonces?: number;
}

/** What the server checks a request against. */
export interface DigestRequest {
  method: string;
  /** The request-target exactly as on the request line: path plus query. */
  requestUri: string;
  /** Expected credentials (may change at run time, so passed per request). */
  credentials: Credentials;
  now: number;
}

/** Outcome of {@linkcode DigestVerifier.verify}. */
export type DigestVerdict =
  | { ok: true }
  | { ok: false; stale: boolean; reason: string };

/** Issues Digest challenges and verifies `Authorization: Digest` headers. */
export class DigestVerifier {
  #realm: string;
  #secret: Uint8Array;
  #ttl: number;
  #maxTracked: number;
  #opaqueText: string | undefined;
  /** Highest nc per nonce, with the nonce's time, least recently used first. */
  #lastNc = new Map<string, { nc: number; issued: number }>();
  /** The latest issue time of a nonce that left `#lastNc` while still valid. */
  #evictedThrough = -Infinity;

  /** Creates a verifier for one realm and secret. */
  constructor(options: DigestVerifierOptions) {
    if (options.secret.length < 16) throw new RangeError("Digest secret must be at least 16 bytes");
    this.#realm = options.realm;
    this.#secret = options.secret;
    this.#ttl = options.nonceTtlMs ?? 5 * 60_000;
    this.#maxTracked = options.maxTrackedNonces ?? 1024;
  }

  /**
   * Derived from the secret on first use, not at construction: the first HMAC compiles the
   * SHA-256 code, which a start has no other use for before the first Inform (about 2 ms).
   */
  get #opaque(): string {
    return this.#opaqueText ??= this.#mac("opaque").slice(0, 32);
  }

  /**
   * A `WWW-Authenticate` value: realm, a fresh nonce made from `now` and
   * `random` (≥8 bytes), opaque, `qop="auth"`, `algorithm=MD5`.
   */
  challenge(now: number, random: Uint8Array, options: { stale?: boolean } = {}): string {
    const nonce = this.makeNonce(now, random);
    return `Digest realm=${quote(this.#realm)}, qop="auth", nonce=${quote(nonce)}, ` +
      `opaque=${quote(this.#opaque)}, algorithm=MD5` + (options.stale ? ", stale=true" : "");
  }

  /** A signed nonce for time `now`. */
  makeNonce(now: number, random: Uint8Array): string {
    const body = `${Math.floor(now).toString(16)}.${hex(random)}`;
    return `${body}.${this.#mac(body)}`;
  }

  /** Checks an `Authorization` header value for the given request. */
  verify(authorization: string, request: DigestRequest): DigestVerdict {
    let parsed: AuthChallenge[];
    try {
      parsed = parseAuthHeader(authorization);
    } catch {
      return fail("malformed Authorization header");
    }
    const d = parsed[0];
    if (parsed.length !== 1 || d.scheme.toLowerCase() !== "digest") return fail("not Digest");
    const p = d.params;
    for (const name of ["username", "realm", "nonce", "uri", "response"]) {
      if (p[name] === undefined) return fail(`missing "${name}"`);
    }
    // Only what challenge() offers (RFC 7616 §3.4: the client uses an offered algorithm).
    const algorithm: DigestAlgorithm = "MD5";
    if ((p.algorithm ?? algorithm).toLowerCase() !== "md5") return fail("algorithm not offered");
    // We offer qop="auth"; RFC 2617 requires the client to use it, and without it there is no nc.
    if (p.qop?.toLowerCase() !== "auth" || !p.cnonce || !/^[0-9a-fA-F]{8}$/.test(p.nc ?? "")) {
      return fail("qop auth with nc and cnonce required");
    }
    if (p.realm !== this.#realm) return fail("wrong realm");
    // RFC 2617 lets the client omit opaque only if none was sent; we always send one.
    if (p.opaque !== undefined && p.opaque !== this.#opaque) return fail("wrong opaque");
    if (!uriMatches(p.uri, request.requestUri)) return fail("uri does not match the request");
    const nonceAge = this.#nonceAge(p.nonce, request.now);
    if (nonceAge === undefined) return fail("unknown nonce");
    const expected = digestResponse({
      algorithm,
      username: request.credentials.username,
      realm: this.#realm,
      password: request.credentials.password,
      method: request.method,
      uri: p.uri,
      nonce: p.nonce,
      qop: "auth",
      nc: p.nc,
      cnonce: p.cnonce,
    });
    const okUser = safeEqual(p.username, request.credentials.username);
    const okResponse = safeEqual(p.response.toLowerCase(), expected);
    if (!okUser || !okResponse) return fail("wrong credentials");
    if (nonceAge > this.#ttl) return { ok: false, stale: true, reason: "nonce expired" };
    const nc = parseInt(p.nc, 16);
    const last = this.#lastNc.get(p.nonce);
    const issued = request.now - nonceAge;
    if (last !== undefined && nc <= last.nc) return fail("nc replayed");
    if (last === undefined && issued <= this.#evictedThrough) {
      return { ok: false, stale: true, reason: "nonce no longer tracked" };
    }
    this.#remember(p.nonce, nc, issued, request.now);
    return { ok: true };
  }

  #nonceAge(nonce: string, now: number): number | undefined {
    const m = /^([0-9a-f]{1,13})\.([0-9a-f]+)\.([0-9a-f]{64})$/.exec(nonce);
    if (!m || !safeEqual(m[3], this.#mac(`${m[1]}.${m[2]}`))) return undefined;
    const age = now - parseInt(m[1], 16);
    return age < 0 ? undefined : age;
  }

  /** Nonces whose nc is remembered (expired ones leave at the next remember). */
  get trackedNonces(): number {
    return this.#lastNc.size;
  }

  #remember(nonce: string, nc: number, issued: number, now: number): void {
    this.#lastNc.delete(nonce);
    this.#lastNc.set(nonce, { nc, issued });
    for (const [key, entry] of this.#lastNc) {
      const valid = now - entry.issued <= this.#ttl;
      if (this.#lastNc.size <= this.#maxTracked && valid) break;
      if (valid) this.#evictedThrough = Math.max(this.#evictedThrough, entry.issued);
      this.#lastNc.delete(key);
    }
  }

  #mac(text: string): string {
    return hmacSha256Hex(this.#secret, text);
  }
}

function fail(reason: string): DigestVerdict {
  return { ok: false, stale: false, reason };
}

function safeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  return constantTimeEqual(x, y);
}

/**
 * The digest-uri must name the request: the exact request-target, or the same
 * after URL normalisation (percent-encoding), or the path alone when the
 * request has a query (clients that drop the query, the case Apache's
 * AuthDigestEnableQueryStringHack tolerates; TR-069 ignores CR query data).
 */
function uriMatches(digestUri: string, requestUri: string): boolean {
  if (digestUri === requestUri) return true;
  try {
    const a = new URL(digestUri, "http://h");
    const b = new URL(requestUri, "http://h");
    if (a.pathname !== b.pathname) return false;
    return a.search === b.search || (a.search === "" && !digestUri.includes("?"));
  } catch {
    return false;
  }
}
