/**
 * HTTP Digest and Basic authentication, client side, for the CPE → ACS
 * direction (TR-069 §3.4.4, RFC 2617 §3.2.2, RFC 7616): pick a challenge from
 * `WWW-Authenticate`, then build `Authorization` values. Pure: the cnonce is
 * passed in, nothing here reads a clock or a random source.
 *
 * Supported: MD5, MD5-sess, SHA-256, SHA-256-sess; qop `auth` (chosen when
 * `auth-int` is offered too, as GenieACS does with `qop="auth,auth-int"`) and
 * the RFC 2069 form without qop. `auth-int` alone is not supported.
 *
 * @module
 */

import { md5Hex, sha256Hex } from "./hash.ts";
import { type AuthChallenge, parseAuthHeader, quote } from "./_auth_params.ts";

export type { AuthChallenge } from "./_auth_params.ts";

/** Parses a `WWW-Authenticate` value into its challenges (several per header allowed). */
export function parseWwwAuthenticate(value: string): AuthChallenge[] {
  return parseAuthHeader(value);
}

/** Digest hash algorithms this module computes (RFC 7616 §3.2 names). */
export type DigestAlgorithm = "MD5" | "MD5-sess" | "SHA-256" | "SHA-256-sess";

const ALGORITHMS: Record<string, DigestAlgorithm> = {
  "md5": "MD5",
  "md5-sess": "MD5-sess",
  "sha-256": "SHA-256",
  "sha-256-sess": "SHA-256-sess",
};

/** A Digest challenge reduced to what a client needs. */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  /** qop options offered, lower-cased; empty = RFC 2069 (no qop). */
  qop: string[];
  /** The algorithm as the challenge named it; undefined if the challenge had none (= MD5). */
  algorithm?: string;
  opaque?: string;
  /** `stale=true`: the nonce expired but the credentials were right. */
  stale: boolean;
}

/**
 * Reads a Digest challenge, or returns undefined when the challenge is not
 * Digest or is one this client cannot answer (unknown algorithm, only
 * `auth-int`, missing nonce).
 */
export function toDigestChallenge(challenge: AuthChallenge): DigestChallenge | undefined {
  if (challenge.scheme.toLowerCase() !== "digest") return undefined;
  const p = challenge.params;
  if (p.nonce === undefined) return undefined;
  if (p.algorithm !== undefined && ALGORITHMS[p.algorithm.toLowerCase()] === undefined) {
    return undefined;
  }
  const qop = p.qop === undefined
    ? []
    : p.qop.split(",").map((q) => q.trim().toLowerCase()).filter((q) => q !== "");
  if (qop.length > 0 && !qop.includes("auth")) return undefined;
  return {
    realm: p.realm ?? "",
    nonce: p.nonce,
    qop,
    algorithm: p.algorithm,
    opaque: p.opaque,
    stale: p.stale?.toLowerCase() === "true",
  };
}

/** Hex digest of `text` with the hash behind a Digest algorithm. */
export function digestHash(algorithm: DigestAlgorithm, text: string): string {
  return algorithm.startsWith("SHA-256") ? sha256Hex(text) : md5Hex(text);
}

/** Inputs of the Digest `response` computation (RFC 2617 §3.2.2.1, RFC 7616 §3.4.1). */
export interface DigestResponseInput {
  algorithm: DigestAlgorithm;
  username: string;
  realm: string;
  password: string;
  method: string;
  uri: string;
  nonce: string;
  /** `"auth"`, or undefined for the RFC 2069 form. */
  qop?: "auth";
  /** nc as sent: 8 hex digits. */
  nc?: string;
  cnonce?: string;
}

/** Computes the Digest `response` value (lower-case hex). */
export function digestResponse(input: DigestResponseInput): string {
  const h = (s: string) => digestHash(input.algorithm, s);
  let ha1 = h(`${input.username}:${input.realm}:${input.password}`);
  if (input.algorithm.endsWith("-sess")) ha1 = h(`${ha1}:${input.nonce}:${input.cnonce ?? ""}`);
  const ha2 = h(`${input.method}:${input.uri}`);
  return input.qop === undefined
    ? h(`${ha1}:${input.nonce}:${ha2}`)
    : h(`${ha1}:${input.nonce}:${input.nc}:${input.cnonce}:${input.qop}:${ha2}`);
}

/** Formats a nonce count as 8 lower-case hex digits. */
export function formatNc(count: number): string {
  return count.toString(16).padStart(8, "0");
}

/** Username and password for HTTP authentication. */
export interface Credentials {
  username: string;
  password: string;
}

/** Options of {@linkcode DigestAuthorizer}. */
export interface DigestAuthorizerOptions {
  /** Client nonce, fixed for this challenge (TR-069: a new cnonce per TCP connection). */
  cnonce: string;
}

/**
 * Answers one Digest challenge for as many requests as the server accepts the
 * nonce: each {@linkcode DigestAuthorizer.authorize} call increments nc
 * (00000001, 00000002, …). Echoes `opaque` and `algorithm` only if the
 * challenge carried them.
 */
export class DigestAuthorizer {
  #challenge: DigestChallenge;
  #credentials: Credentials;
  #cnonce: string;
  #nc = 0;

  /** Binds a challenge to credentials and a client nonce. */
  constructor(
    challenge: DigestChallenge,
    credentials: Credentials,
    options: DigestAuthorizerOptions,
  ) {
    this.#challenge = challenge;
    this.#credentials = credentials;
    this.#cnonce = options.cnonce;
  }

  /** The challenge this authorizer answers. */
  get challenge(): DigestChallenge {
    return this.#challenge;
  }

  /** Builds the next `Authorization` value for `method` on `uri` (request-target, e.g. `/acs?x=1`). */
  authorize(method: string, uri: string): string {
    const c = this.#challenge;
    const algorithm = ALGORITHMS[(c.algorithm ?? "MD5").toLowerCase()];
    const qop = c.qop.length > 0 ? "auth" as const : undefined;
    const nc = qop ? formatNc(++this.#nc) : undefined;
    const cnonce = qop || algorithm.endsWith("-sess") ? this.#cnonce : undefined;
    const response = digestResponse({
      algorithm,
      username: this.#credentials.username,
      realm: c.realm,
      password: this.#credentials.password,
      method,
      uri,
      nonce: c.nonce,
      qop,
      nc,
      cnonce,
    });
    const parts = [
      `username=${quote(this.#credentials.username)}`,
      `realm=${quote(c.realm)}`,
      `nonce=${quote(c.nonce)}`,
      `uri=${quote(uri)}`,
    ];
    if (c.algorithm !== undefined) parts.push(`algorithm=${c.algorithm}`);
    if (qop) parts.push(`qop=${qop}`, `nc=${nc}`);
    if (cnonce !== undefined) parts.push(`cnonce=${quote(cnonce)}`);
    parts.push(`response=${quote(response)}`);
    if (c.opaque !== undefined) parts.push(`opaque=${quote(c.opaque)}`);
    return `Digest ${parts.join(", ")}`;
  }
}

/** Builds a `Basic` `Authorization` value (RFC 7617; UTF-8 user-pass). */
export function basicAuthorization(credentials: Credentials): string {
  const bytes = new TextEncoder().encode(`${credentials.username}:${credentials.password}`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}

/** The challenge a client should answer: the first usable Digest one, else Basic. */
export type ChosenChallenge =
  | { scheme: "digest"; challenge: DigestChallenge }
  | { scheme: "basic"; realm: string };

/**
 * Picks which challenge of a `WWW-Authenticate` value to answer: the first
 * Digest challenge this module supports (servers list their preferred one
 * first, RFC 7616 §3.7), otherwise Basic; undefined if neither is usable.
 */
export function chooseChallenge(wwwAuthenticate: string): ChosenChallenge | undefined {
  let challenges: AuthChallenge[];
  try {
    challenges = parseAuthHeader(wwwAuthenticate);
  } catch {
    return undefined;
  }
  for (const c of challenges) {
    const digest = toDigestChallenge(c);
    if (digest) return { scheme: "digest", challenge: digest };
  }
  const basic = challenges.find((c) => c.scheme.toLowerCase() === "basic");
  return basic ? { scheme: "basic", realm: basic.params.realm ?? "" } : undefined;
}
