/**
 * XSD scalar types on the wire (TR-106 §3.2, TR-069 Annex A): strict parsing of
 * unsignedInt, int and boolean, and the text form the encoder writes.
 *
 * @module
 */

const UNSIGNED = /^\s*\+?[0-9]+\s*$/;
const SIGNED = /^\s*[+-]?[0-9]+\s*$/;

/** Parses an `xsd:unsignedInt`; `undefined` when `text` is not one. */
export function parseUnsignedInt(text: string): number | undefined {
  if (!UNSIGNED.test(text)) return undefined;
  const n = Number(text);
  return n <= 0xffffffff ? n : undefined;
}

/** Parses an `xsd:int`; `undefined` when `text` is not one. */
export function parseInt32(text: string): number | undefined {
  if (!SIGNED.test(text)) return undefined;
  const n = Number(text);
  return n >= -0x80000000 && n <= 0x7fffffff ? n : undefined;
}

/** Parses an `xsd:boolean`: `0`, `1`, `true`, `false` (TR-106 §3.2); `undefined` otherwise. */
export function parseBoolean(text: string): boolean | undefined {
  switch (text.trim()) {
    case "1":
    case "true":
      return true;
    case "0":
    case "false":
      return false;
    default:
      return undefined;
  }
}

/**
 * Formats an `xsd:boolean` as `1`/`0`. [U] TR-069 allows both spellings; `1`/`0` is
 * what GenieACS sends for NextLevel and what icwmp/easycwmp send for Writable, and
 * every ACS and CPE parser we know accepts it.
 */
export function formatBoolean(value: boolean): string {
  return value ? "1" : "0";
}
