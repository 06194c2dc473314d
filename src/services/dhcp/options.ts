/**
 * The DHCP options that carry TR-069 ACS discovery (TR-069 §3.1) and the gateway identity
 * of Annex F, decoded from the bytes the DHCP client received. Pure: bytes in, values out;
 * no socket, no clock. Facts: CWMP-FACTS §8.
 *
 * | Value | DHCPv4 43 | DHCPv4 125 (enterprise 3561) | DHCPv6 17 (enterprise 3561) |
 * |---|---|---|---|
 * | URL | 1 | 11 | 1 |
 * | ProvisioningCode | 2 | 12 | 2 |
 * | CWMPRetryMinimumWaitInterval | 3 | 13 | 3 |
 * | CWMPRetryIntervalMultiplier | 4 | 14 | 4 |
 * | gateway ManufacturerOUI / SerialNumber / ProductClass (Annex F) | | 4 / 5 / 6 | |
 *
 * Wire formats:
 * - option 43 (RFC 2132 §8.4, encapsulated): `code(1) len(1) value`…; code 0 is a pad
 *   byte, 255 ends the list. Some servers send the bare URL as the whole option (icwmp
 *   accepts that too): an option that starts with `http` and is a URL is read as one.
 * - option 43, Sangoma Vega format (seed 002, `acs.dhcp_option43_format = "vega"`): the
 *   same `code len value` list, but the length byte is written as two decimal digits
 *   (0x44 = 44 bytes, as the guide's example of a 44-character URL has it), and codes 3
 *   and 4 are PeriodicInformEnable and PeriodicInformInterval.
 * - option 125 (RFC 3925 §4): `enterprise(4) data-len(1) sub-options`…, sub-options as in
 *   option 43; blocks of other enterprises are skipped, two blocks of 3561 are joined.
 * - option 17 (RFC 8415 §21.17): `enterprise(4)` then `code(2) len(2) value`…; another
 *   enterprise's option carries nothing for us.
 *
 * Every value is text (UTF-8); numbers are decimal digits. A repeated sub-option is joined
 * to the one before it (RFC 3396: how a value over 255 bytes is carried). Anything
 * malformed (truncated, a length past the end, not UTF-8, a number out of range, a URL that
 * is not http or https, more than {@linkcode MAX_OPTION_BYTES}) throws a `SyntaxError` or
 * `RangeError` naming the option and sub-option; nothing is half decoded.
 *
 * @module
 */

import { MAX_OPTION_BYTES } from "./limits.ts";

export { MAX_OPTION_BYTES };

/** The Broadband Forum's IANA enterprise number (formerly the DSL Forum). */
export const BBF_ENTERPRISE = 3561;

/** How option 43's sub-options are laid out. */
export type Option43Format = "tr069" | "vega";

/** ManagementServer values DHCP supplied; absent = not in the option. */
export interface DhcpAcsValues {
  url?: string;
  provisioningCode?: string;
  /** Seconds, 1–65535. */
  cwmpRetryMinimumWaitInterval?: number;
  /** Thousandths, 1000–65535. */
  cwmpRetryIntervalMultiplier?: number;
  /** Vega format only. */
  periodicInformEnable?: boolean;
  /** Seconds, ≥ 1; Vega format only. */
  periodicInformInterval?: number;
}

/** The gateway's identity (Annex F, option 125 sub-options 4–6); "" when not supplied. */
export interface GatewayIdentity {
  manufacturerOui: string;
  serialNumber: string;
  productClass: string;
}

/** What option 125 carries. */
export interface Option125Values {
  acs: DhcpAcsValues;
  /** Present when the option had any of sub-options 4–6. */
  gateway?: GatewayIdentity;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });
/** ProvisioningCode, ProductClass and SerialNumber: TR-181 `string(64)`. */
const MAX_TEXT = 64;
/** ManagementServer.URL: TR-181 `URL`, string(2048). */
const MAX_URL = 2048;

/**
 * Bytes of a hex string as DHCP clients print options (udhcpc: lower case, no separators;
 * `:` and spaces between bytes are accepted too).
 *
 * @example
 * ```ts
 * import { hexToBytes } from "./options.ts";
 * console.assert(hexToBytes("01:02").length === 2);
 * ```
 */
export function hexToBytes(hex: string, what = "DHCP option"): Uint8Array {
  const digits = hex.replace(/[:\s]/g, "");
  if (digits.length > MAX_OPTION_BYTES * 2) {
    throw new RangeError(`Cannot decode ${what}: longer than ${MAX_OPTION_BYTES} bytes`);
  }
  if (!/^(?:[0-9A-Fa-f]{2})*$/.test(digits)) {
    throw new SyntaxError(`Cannot decode ${what}: "${clip(hex)}" is not hex bytes`);
  }
  const bytes = new Uint8Array(digits.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/**
 * Decodes DHCPv4 option 43 (vendor-specific information).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeOption43, hexToBytes } from "./options.ts";
 * // Sub-option 1: "http://acs/"
 * assert.deepEqual(decodeOption43(hexToBytes("010b687474703a2f2f6163732f")), {
 *   url: "http://acs/",
 * });
 * ```
 */
export function decodeOption43(bytes: Uint8Array, format: Option43Format = "tr069"): DhcpAcsValues {
  const what = "DHCP option 43";
  checkSize(bytes, what);
  if (format === "tr069" && looksLikeBareUrl(bytes)) {
    return { url: urlOf(bytes, `${what} (a bare URL)`) };
  }
  const subs = format === "vega" ? tlv8(bytes, what, vegaLength) : tlv8(bytes, what, (b) => b);
  if (format === "vega") {
    const values: DhcpAcsValues = {};
    const get = (code: number) => subs.get(code);
    const name = (code: number, label: string) => `${what} sub-option ${code} (${label})`;
    if (get(1)) values.url = urlOf(get(1)!, name(1, "URL"));
    if (get(2)) values.provisioningCode = textOf(get(2)!, name(2, "ProvisioningCode"), MAX_TEXT);
    if (get(3)) values.periodicInformEnable = booleanOf(get(3)!, name(3, "PeriodicInformEnable"));
    if (get(4)) {
      values.periodicInformInterval = numberOf(
        get(4)!,
        name(4, "PeriodicInformInterval"),
        1,
        4294967295,
      );
    }
    return values;
  }
  return acsValuesOf(subs, what, [1, 2, 3, 4]);
}

/**
 * Decodes DHCPv4 option 125 (V-I vendor-specific information): the Broadband Forum's
 * sub-options 11–14 (ACS) and 4–6 (gateway identity).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeOption125, hexToBytes } from "./options.ts";
 * // Enterprise 3561, sub-option 4 (gateway ManufacturerOUI) "00D09E".
 * const values = decodeOption125(hexToBytes("00000de9080406303044303945"));
 * assert.deepEqual(values.gateway, { manufacturerOui: "00D09E", serialNumber: "", productClass: "" });
 * ```
 */
export function decodeOption125(bytes: Uint8Array): Option125Values {
  const what = "DHCP option 125";
  checkSize(bytes, what);
  const chunks: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (bytes.length - at < 5) {
      throw new SyntaxError(
        `Cannot decode ${what}: truncated vendor block at byte ${at} (${
          bytes.length - at
        } bytes left, 5 needed)`,
      );
    }
    const enterprise = new DataView(bytes.buffer, bytes.byteOffset + at, 4).getUint32(0);
    const length = bytes[at + 4];
    const start = at + 5;
    if (start + length > bytes.length) {
      throw new SyntaxError(
        `Cannot decode ${what}: enterprise ${enterprise} claims ${length} bytes, ${
          bytes.length - start
        } left`,
      );
    }
    if (enterprise === BBF_ENTERPRISE) chunks.push(bytes.subarray(start, start + length));
    at = start + length;
  }
  const data = join(chunks);
  const label = `${what} (enterprise ${BBF_ENTERPRISE})`;
  const subs = tlv8(data, label, (b) => b, false);
  const out: Option125Values = { acs: acsValuesOf(subs, label, [11, 12, 13, 14]) };
  if (subs.has(4) || subs.has(5) || subs.has(6)) {
    const text = (code: number, name: string) =>
      subs.has(code)
        ? textOf(subs.get(code)!, `${label} sub-option ${code} (${name})`, MAX_TEXT)
        : "";
    const oui = text(4, "ManufacturerOUI").toUpperCase();
    if (oui !== "" && !/^[0-9A-F]{6}$/.test(oui)) {
      throw new SyntaxError(
        `Cannot decode ${label} sub-option 4 (ManufacturerOUI): "${clip(oui)}" is not 6 hex digits`,
      );
    }
    out.gateway = {
      manufacturerOui: oui,
      serialNumber: text(5, "SerialNumber"),
      productClass: text(6, "ProductClass"),
    };
  }
  return out;
}

/**
 * Decodes DHCPv6 option 17 (vendor-specific information) of enterprise 3561: sub-options
 * 1–4 with 2-byte codes and lengths. Another enterprise's option gives no values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeOption17, hexToBytes } from "./options.ts";
 * // Enterprise 3561, sub-option 2 (ProvisioningCode) "ab".
 * assert.deepEqual(decodeOption17(hexToBytes("00000de9000200026162")), { provisioningCode: "ab" });
 * ```
 */
export function decodeOption17(bytes: Uint8Array): DhcpAcsValues {
  const what = "DHCPv6 option 17";
  checkSize(bytes, what);
  if (bytes.length < 4) {
    throw new SyntaxError(
      `Cannot decode ${what}: ${bytes.length} bytes, the enterprise number needs 4`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0) !== BBF_ENTERPRISE) return {};
  const subs = new Map<number, Uint8Array>();
  let at = 4;
  while (at < bytes.length) {
    if (bytes.length - at < 4) {
      throw new SyntaxError(`Cannot decode ${what}: truncated sub-option header at byte ${at}`);
    }
    const code = view.getUint16(at);
    const length = view.getUint16(at + 2);
    const start = at + 4;
    if (start + length > bytes.length) {
      throw new SyntaxError(
        `Cannot decode ${what}: sub-option ${code} claims ${length} bytes, ${
          bytes.length - start
        } left`,
      );
    }
    add(subs, code, bytes.subarray(start, start + length));
    at = start + length;
  }
  return acsValuesOf(subs, what, [1, 2, 3, 4]);
}

// ------------------------------------------------------------------ helpers

function checkSize(bytes: Uint8Array, what: string): void {
  if (bytes.length > MAX_OPTION_BYTES) {
    throw new RangeError(
      `Cannot decode ${what}: ${bytes.length} bytes, at most ${MAX_OPTION_BYTES}`,
    );
  }
}

/** `code(1) len(1) value` list; `pads` = code 0 pads and 255 ends it (RFC 2132). */
function tlv8(
  bytes: Uint8Array,
  what: string,
  lengthOf: (byte: number, code: number) => number,
  pads = true,
): Map<number, Uint8Array> {
  const subs = new Map<number, Uint8Array>();
  let at = 0;
  while (at < bytes.length) {
    const code = bytes[at];
    if (pads && code === 0) {
      at += 1;
      continue;
    }
    if (pads && code === 255) break;
    if (at + 1 >= bytes.length) {
      throw new SyntaxError(`Cannot decode ${what}: sub-option ${code} has no length byte`);
    }
    const length = lengthOf(bytes[at + 1], code);
    const start = at + 2;
    if (start + length > bytes.length) {
      throw new SyntaxError(
        `Cannot decode ${what}: sub-option ${code} claims ${length} bytes, ${
          bytes.length - start
        } left`,
      );
    }
    add(subs, code, bytes.subarray(start, start + length));
    at = start + length;
  }
  return subs;
}

/** The Vega guide writes the length as two decimal digits: 0x44 is 44 bytes. */
function vegaLength(byte: number, code: number): number {
  const high = byte >> 4, low = byte & 0x0f;
  if (high > 9 || low > 9) {
    throw new SyntaxError(
      `Cannot decode DHCP option 43 (Vega format): sub-option ${code} length byte 0x${
        byte.toString(16).padStart(2, "0")
      } is not two decimal digits`,
    );
  }
  return high * 10 + low;
}

function add(subs: Map<number, Uint8Array>, code: number, value: Uint8Array): void {
  const before = subs.get(code);
  subs.set(code, before === undefined ? value : join([before, value]));
}

function join(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** The four TR-069 values from sub-options `codes` (URL, code, wait, multiplier). */
function acsValuesOf(
  subs: Map<number, Uint8Array>,
  what: string,
  codes: readonly [number, number, number, number],
): DhcpAcsValues {
  const [url, code, wait, multiplier] = codes;
  const name = (c: number, label: string) => `${what} sub-option ${c} (${label})`;
  const values: DhcpAcsValues = {};
  if (subs.has(url)) values.url = urlOf(subs.get(url)!, name(url, "URL"));
  if (subs.has(code)) {
    values.provisioningCode = textOf(subs.get(code)!, name(code, "ProvisioningCode"), MAX_TEXT);
  }
  if (subs.has(wait)) {
    values.cwmpRetryMinimumWaitInterval = numberOf(
      subs.get(wait)!,
      name(wait, "CWMPRetryMinimumWaitInterval"),
      1,
      65535,
    );
  }
  if (subs.has(multiplier)) {
    values.cwmpRetryIntervalMultiplier = numberOf(
      subs.get(multiplier)!,
      name(multiplier, "CWMPRetryIntervalMultiplier"),
      1000,
      65535,
    );
  }
  return values;
}

function textOf(bytes: Uint8Array, what: string, max: number): string {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw new SyntaxError(`Cannot decode ${what}: not UTF-8`);
  }
  // A trailing NUL is what C servers often leave; any other control character is refused.
  text = text.replace(/\0+$/, "");
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(text)) {
    throw new SyntaxError(`Cannot decode ${what}: control characters in "${clip(text)}"`);
  }
  if ([...text].length > max) {
    throw new RangeError(`Cannot decode ${what}: longer than ${max} characters`);
  }
  return text;
}

function urlOf(bytes: Uint8Array, what: string): string {
  const text = textOf(bytes, what, MAX_URL);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SyntaxError(`Cannot decode ${what}: "${clip(text)}" is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new SyntaxError(`Cannot decode ${what}: "${clip(text)}" is not an http or https URL`);
  }
  return text;
}

function numberOf(bytes: Uint8Array, what: string, min: number, max: number): number {
  const text = textOf(bytes, what, 10);
  if (!/^\d{1,10}$/.test(text)) {
    throw new SyntaxError(`Cannot decode ${what}: "${clip(text)}" is not a decimal number`);
  }
  const value = Number(text);
  if (value < min || value > max) {
    throw new RangeError(`Cannot decode ${what}: ${value} is outside ${min}–${max}`);
  }
  return value;
}

function booleanOf(bytes: Uint8Array, what: string): boolean {
  const text = textOf(bytes, what, 5).toLowerCase();
  if (text === "1" || text === "true") return true;
  if (text === "0" || text === "false") return false;
  throw new SyntaxError(`Cannot decode ${what}: "${clip(text)}" is not 0, 1, true or false`);
}

function looksLikeBareUrl(bytes: Uint8Array): boolean {
  // "http" — no encapsulated option list starts with code 0x68 followed by 0x74 ('t')
  // and still parses as TR-069 sub-options (codes 1–4).
  return bytes.length >= 8 && bytes[0] === 0x68 && bytes[1] === 0x74 && bytes[2] === 0x74 &&
    bytes[3] === 0x70;
}

/** At most 64 characters of `text` for an error message. */
function clip(text: string): string {
  const chars = [...text];
  return chars.length > 64 ? `${chars.slice(0, 61).join("")}...` : text;
}
