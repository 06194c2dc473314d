/**
 * What one DHCP lease says (TR-069 §3.1, Annex F): its options 43, 125 and 17 decoded
 * together (`options.ts`), with the rule for a lease that has several: 125 over 43 (125
 * names the Broadband Forum's enterprise; 43 is whatever the server's vendor-class match
 * gave), 17 likewise over 43. An option that cannot be decoded is reported and the others
 * still count. Pure, like the decoders.
 *
 * @module
 */

import {
  decodeOption125,
  decodeOption17,
  decodeOption43,
  type DhcpAcsValues,
  type GatewayIdentity,
  hexToBytes,
  type Option43Format,
} from "./options.ts";

/** A lease's options as a DHCP client's hook hands them over: hex, "" = not in the lease. */
export interface LeaseOptions {
  opt43: string;
  opt125: string;
  opt17: string;
}

/** What a lease says. */
export interface DecodedLease {
  acs: DhcpAcsValues;
  /** Present when option 125 carried any of sub-options 4–6. */
  gateway?: GatewayIdentity;
  /** One line per option that could not be decoded (the others still count). */
  errors: string[];
}

/**
 * Decodes the options of `lease`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeLease } from "./lease.ts";
 * const lease = { opt43: "0109687474703a2f2f612f", opt125: "zz", opt17: "" };
 * const decoded = decodeLease(lease, "tr069");
 * assert.equal(decoded.acs.url, "http://a/");
 * assert.equal(decoded.errors.length, 1);
 * ```
 */
export function decodeLease(lease: LeaseOptions, format: Option43Format): DecodedLease {
  const out: DecodedLease = { acs: {}, errors: [] };
  const attempt = (hex: string, what: string, decode: (bytes: Uint8Array) => void) => {
    if (hex === "") return;
    try {
      decode(hexToBytes(hex, what));
    } catch (error) {
      if (!(error instanceof SyntaxError || error instanceof RangeError)) throw error;
      out.errors.push(error.message);
    }
  };
  attempt(lease.opt43, "DHCP option 43", (b) => Object.assign(out.acs, decodeOption43(b, format)));
  attempt(lease.opt17, "DHCPv6 option 17", (b) => Object.assign(out.acs, decodeOption17(b)));
  attempt(lease.opt125, "DHCP option 125", (b) => {
    const values = decodeOption125(b);
    Object.assign(out.acs, values.acs);
    if (values.gateway) out.gateway = values.gateway;
  });
  return out;
}
