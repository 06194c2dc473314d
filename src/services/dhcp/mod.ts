/**
 * DHCP ACS discovery (TR-069 §3.1) and the gateway identity of Annex F: the pure decoder
 * of options 43, 125 (DHCPv4) and 17 (DHCPv6).
 *
 * @module
 */

export * from "./options.ts";
