/**
 * Builders of DHCP option payloads as the udhcpc hook hands them over (hex text), for the
 * DHCP discovery tests.
 *
 * @module
 */

/** `text` as lower-case hex of its UTF-8 bytes. */
export const hexOf = (text: string): string =>
  Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, "0")).join("");

/** One sub-option (code, length, value) of option 43 or of a 125 vendor block, as hex. */
export const sub = (code: number, text: string): string =>
  code.toString(16).padStart(2, "0") + text.length.toString(16).padStart(2, "0") + hexOf(text);

/** Option 125's payload for the Broadband Forum enterprise (3561) holding `data` (hex). */
export const opt125 = (data: string): string =>
  "00000de9" + (data.length / 2).toString(16).padStart(2, "0") + data;
