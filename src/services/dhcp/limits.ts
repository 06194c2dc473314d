/**
 * The size limit of the DHCP options, apart from their decoders (`options.ts`): the agent
 * checks what a DHCP client's hook hands over with it at once, and loads the decoders
 * only when a lease is applied.
 *
 * @module
 */

/** Longest option accepted, in bytes (a DHCPv4 message holds far less). */
export const MAX_OPTION_BYTES = 4096;
