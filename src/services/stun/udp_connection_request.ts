/**
 * UDP connection requests (TR-069 Annex G, TR-111 Part 2): an HTTP `GET` in one
 * datagram whose query carries `ts`, `id`, `un`, `cn` and `sig`. Pure: parse, then
 * judge against the credentials, the clock and what was accepted before. Nothing is ever
 * sent back on the UDP path; a bad message is only counted and dropped.
 *
 * ```
 * GET http://198.51.100.7:7547?ts=1733460000&id=1234&un=cpe&cn=XTGRWIPC6D3&sig=3545F7B5… HTTP/1.1
 * Host: 198.51.100.7:7547
 * ```
 *
 * - `sig` = hex HMAC-SHA1 keyed with ConnectionRequestPassword over ts‖id‖un‖cn
 *   (concatenated, no separator), compared in constant time, either case.
 * - `un` must be ConnectionRequestUsername; an empty username accepts nothing.
 * - Replays: an `id` seen among the last {@linkcode REMEMBERED_IDS} accepted is dropped,
 *   and so is a `ts` older than the newest accepted one (TR-111 leaves the exact rule open;
 *   these are what icwmp and CCSP do).
 * - Freshness [U]: when the device's clock is set (after 2020), a `ts` more than
 *   {@linkcode TS_WINDOW_S} seconds from it is dropped; a device without time yet (no NTP
 *   before its first session) cannot judge it and relies on the replay rules.
 *
 * @module
 */

import { hmac } from "@noble/hashes/hmac.js";
import { sha1 } from "@noble/hashes/legacy.js";

/** The longest datagram considered (a request is a few hundred bytes). */
export const MAX_UDP_CR_BYTES = 1500;
/** Accepted message IDs remembered against replays. */
export const REMEMBERED_IDS = 64;
/** Seconds a `ts` may differ from a set clock. */
export const TS_WINDOW_S = 600;
/** 2020-01-01T00:00:00Z: a clock before it has not been set. */
const CLOCK_SET_AFTER_S = 1_577_836_800;

/** The fields of a UDP connection request. */
export interface UdpConnectionRequest {
  ts: number;
  id: string;
  un: string;
  cn: string;
  sig: string;
}

/** Why a datagram was dropped. */
export type UdpCrDrop =
  | "malformed"
  | "username"
  | "signature"
  | "replayed"
  | "stale";

const FIELD_MAX = 256;
const encoder = new TextEncoder();

/** Parses one datagram; undefined when it is not a well-formed UDP connection request. */
export function parseUdpConnectionRequest(data: Uint8Array): UdpConnectionRequest | undefined {
  if (data.length < 16 || data.length > MAX_UDP_CR_BYTES) return undefined;
  // US-ASCII only (a request line and headers); anything else is not ours.
  for (const byte of data) {
    if (byte > 0x7e || (byte < 0x20 && byte !== 13 && byte !== 10)) {
      return undefined;
    }
  }
  const text = new TextDecoder().decode(data);
  const line = text.split(/\r?\n/, 1)[0];
  const match = /^GET (\S+) HTTP\/1\.[01]$/.exec(line);
  if (match === null) return undefined;
  const uri = match[1];
  const q = uri.indexOf("?");
  if (q < 0 || !/^http:\/\/[^/?#\s]+\/?$/i.test(uri.slice(0, q))) return undefined;
  let query: URLSearchParams;
  try {
    query = new URLSearchParams(uri.slice(q + 1));
  } catch {
    return undefined;
  }
  const fields: Record<string, string> = {};
  for (const name of ["ts", "id", "un", "cn", "sig"]) {
    const values = query.getAll(name);
    if (values.length !== 1 || values[0].length > FIELD_MAX) return undefined;
    fields[name] = values[0];
  }
  if (!/^\d{1,12}$/.test(fields.ts) || fields.id === "" || !/^[0-9a-f]{40}$/i.test(fields.sig)) {
    return undefined;
  }
  return {
    ts: Number(fields.ts),
    id: fields.id,
    un: fields.un,
    cn: fields.cn,
    sig: fields.sig.toLowerCase(),
  };
}

/** The expected `sig` of `request` under `password` (lower-case hex). */
export function udpCrSignature(request: Omit<UdpConnectionRequest, "sig">, password: string) {
  const text = `${request.ts}${request.id}${request.un}${request.cn}`;
  const mac = hmac(sha1, encoder.encode(password), encoder.encode(text));
  return Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
}

function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** What was accepted so far: the replay defence. */
export class UdpCrJudge {
  #newestTs = -1;
  readonly #ids: string[] = [];

  /**
   * Judges `request` at `nowS` (Unix seconds) against the credentials; on acceptance the
   * message is remembered. Returns undefined (accepted) or why it was dropped.
   */
  judge(
    request: UdpConnectionRequest,
    credentials: { username: string; password: string },
    nowS: number,
  ): UdpCrDrop | undefined {
    if (credentials.username === "" || request.un !== credentials.username) return "username";
    if (!constantTimeEqual(request.sig, udpCrSignature(request, credentials.password))) {
      return "signature";
    }
    if (this.#ids.includes(request.id) || request.ts < this.#newestTs) return "replayed";
    if (nowS > CLOCK_SET_AFTER_S && Math.abs(request.ts - nowS) > TS_WINDOW_S) return "stale";
    this.#newestTs = request.ts;
    this.#ids.push(request.id);
    if (this.#ids.length > REMEMBERED_IDS) this.#ids.shift();
    return undefined;
  }
}
