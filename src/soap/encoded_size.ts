/**
 * The exact size, in UTF-8 bytes, of what {@linkcode encodeEnvelope} writes for the
 * items of the large responses (GetParameterValues/Names/Attributes), computed
 * without building the text. The RPC layer charges them against its response budget
 * as it collects, so a request that would need a huge response is refused (9004)
 * before the response exists.
 *
 * The fixed parts of each item are measured once through the codec itself, so they
 * cannot drift from what the encoder writes; the variable parts follow the escaping
 * of `_xml.ts` (`&` `<` `>` and CR as references, characters XML cannot carry as
 * U+FFFD; in attributes also `"` `'` tab and LF). Tests check every function against
 * `encodeEnvelope()`.
 *
 * [encodeEnvelope]: ./encode.ts
 *
 * @module
 */

import type {
  ParameterAttributeStruct,
  ParameterInfoStruct,
  ParameterValueStruct,
} from "./messages.ts";
import { parameterAttributeList, parameterInfoList, parameterValueStruct } from "./_structs.ts";

/** Strings that encode as themselves, one byte per character, in element content. */
const PLAIN_TEXT = /^[\t\n\x20-\x25\x27-\x3B\x3D\x3F-\x7E]*$/;
/** The same in a double-quoted attribute. */
const PLAIN_ATTR = /^[\x20\x21\x23-\x25\x28-\x3B\x3D\x3F-\x7E]*$/;

/**
 * No UTF-16 code unit of element content encodes to more than this many bytes
 * (`&amp;`, `&#xD;`; a BMP character 3, a surrogate pair 4 for two units): five times a
 * string's length bounds its {@linkcode textBytes} without scanning it.
 */
export const MAX_TEXT_BYTES_PER_UNIT = 5;

/** UTF-8 bytes of `value` as element content (after escaping). */
export function textBytes(value: string): number {
  return PLAIN_TEXT.test(value) ? value.length : escapedBytes(value, false);
}

/** UTF-8 bytes of `value` as a double-quoted attribute value (after escaping). */
export function attrBytes(value: string): number {
  return PLAIN_ATTR.test(value) ? value.length : escapedBytes(value, true);
}

function escapedBytes(value: string, attr: boolean): number {
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x80) {
      if (c === 0x26) n += 5; // &amp;
      else if (c === 0x3C || c === 0x3E) n += 4; // &lt; &gt;
      else if (c === 0x0D) n += 5; // &#xD;
      else if (c === 0x09 || c === 0x0A) n += attr ? 5 : 1; // &#x9; &#xA;
      else if (c === 0x22 || c === 0x27) n += attr ? 6 : 1; // &quot; &apos;
      else if (c < 0x20) n += 3; // U+FFFD
      else n += 1;
    } else if (c < 0x800) {
      n += 2;
    } else if (c >= 0xD800 && c <= 0xDBFF && isLowSurrogate(value.charCodeAt(i + 1))) {
      n += 4;
      i++;
    } else {
      n += 3; // The rest of the BMP; U+FFFE, U+FFFF and lone surrogates become U+FFFD.
    }
  }
  return n;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xDC00 && c <= 0xDFFF;
}

/** Length of what `write` pushes (ASCII only: the fixed parts of an item). */
function written(write: (out: string[]) => void): number {
  const out: string[] = [];
  write(out);
  return out.join("").length;
}

/** What one item adds to a list written by `list` (the count's digits aside). */
function itemOf<T>(list: { write(out: string[], tag: string, value: T[]): void }, item: T): number {
  return written((out) => list.write(out, "L", [item])) -
    written((out) => list.write(out, "L", []));
}

/** Bytes of a ParameterValueStruct besides its Name, type and Value. */
export const VALUE_STRUCT_BYTES: number = written((out) =>
  parameterValueStruct.write(out, "ParameterValueStruct", { name: "", value: "", type: "" })
);

/** Bytes of one ParameterValueStruct of a ParameterList. */
export function parameterValueStructBytes(item: ParameterValueStruct): number {
  return VALUE_STRUCT_BYTES + textBytes(item.name) + attrBytes(item.type) +
    textBytes(item.value);
}

/** Bytes of a ParameterInfoStruct besides its Name. */
export const INFO_STRUCT_BYTES: number = itemOf(parameterInfoList, { name: "", writable: true });

/** Bytes of one ParameterInfoStruct of a ParameterList. */
export function parameterInfoStructBytes(item: ParameterInfoStruct): number {
  return INFO_STRUCT_BYTES + textBytes(item.name);
}

const UTF8 = new TextEncoder();

/** Bytes of an attribute struct with an empty AccessList besides its Name, by Notification. */
const ATTRIBUTE_STRUCT = new Map<number, number>();

/** Bytes of a ParameterAttributeStruct besides its Name. */
export function attributeStructBytes(
  notification: number,
  accessList: readonly string[],
): number {
  if (accessList.length > 0) {
    // Rare (AccessList "Subscriber"): the rest of the item encoded and measured.
    const out: string[] = [];
    parameterAttributeList.write(out, "L", [{
      name: "",
      notification,
      accessList: [...accessList],
    }]);
    return UTF8.encode(out.join("")).length -
      written((empty) => parameterAttributeList.write(empty, "L", []));
  }
  let fixed = ATTRIBUTE_STRUCT.get(notification);
  if (fixed === undefined) {
    fixed = itemOf(parameterAttributeList, { name: "", notification, accessList: [] });
    ATTRIBUTE_STRUCT.set(notification, fixed);
  }
  return fixed;
}

/** Bytes of one ParameterAttributeStruct of a ParameterList. */
export function parameterAttributeStructBytes(item: ParameterAttributeStruct): number {
  return attributeStructBytes(item.notification, item.accessList) + textBytes(item.name);
}
