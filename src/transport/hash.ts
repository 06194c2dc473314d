/**
 * The hashes the agent needs (Digest's MD5 and SHA-256, the nonce HMAC, fingerprints) from
 * @noble/hashes, a small audited pure-JS library: loading `node:crypto` would pull Deno's
 * Node compatibility layer onto the start-up path (about 15 ms and 10 MB). Sync, pure.
 *
 * @module
 */

import { hmac } from "@noble/hashes/hmac.js";
import { md5 } from "@noble/hashes/legacy.js";
import { sha256 } from "@noble/hashes/sha2.js";

const encoder = new TextEncoder();

/** Lower-case hex of `bytes`. */
export function hex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

const bytesOf = (data: string | Uint8Array) =>
  typeof data === "string" ? encoder.encode(data) : data;

/** Lower-case hex MD5 of `data` (text as UTF-8). */
export function md5Hex(data: string | Uint8Array): string {
  return hex(md5(bytesOf(data)));
}

/** Lower-case hex SHA-256 of `data` (text as UTF-8). */
export function sha256Hex(data: string | Uint8Array): string {
  return hex(sha256(bytesOf(data)));
}

/** Lower-case hex HMAC-SHA-256 of `data` keyed with `key`. */
export function hmacSha256Hex(key: Uint8Array, data: string | Uint8Array): string {
  return hex(hmac(sha256, key, bytesOf(data)));
}

/** `a` and `b` are equal, in time that depends only on their lengths. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
