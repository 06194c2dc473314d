/**
 * DHCP ACS discovery (TR-069 §3.1) and the gateway identity of Annex F: the pure decoder
 * of options 43, 125 (DHCPv4) and 17 (DHCPv6) (`options.ts`), a whole lease's options
 * (`lease.ts`) and their size limit (`limits.ts`, light: what the agent imports at start;
 * importing this module brings the decoders).
 *
 * @module
 */

export * from "./limits.ts";
export * from "./options.ts";
export * from "./lease.ts";
