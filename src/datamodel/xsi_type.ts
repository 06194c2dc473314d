/**
 * xsi:type QNames of TR-069 Annex A Table 4 (ParameterValueStruct/Value) and the
 * rule for accepting the type an ACS declares in SetParameterValues.
 *
 * @module
 */

import type { ParameterType } from "./schema.ts";

const QNAMES: Record<ParameterType, string> = {
  string: "xsd:string",
  int: "xsd:int",
  unsignedInt: "xsd:unsignedInt",
  long: "xsd:long",
  unsignedLong: "xsd:unsignedLong",
  boolean: "xsd:boolean",
  dateTime: "xsd:dateTime",
  // [U] CWMP-FACTS §5.2: the QName ACSs expect for base64 is unconfirmed;
  // xsd:base64Binary is the XML Schema name (cwmp-1-x.xsd uses soapenc:base64).
  base64: "xsd:base64Binary",
  hexBinary: "xsd:hexBinary",
  decimal: "xsd:decimal",
};

const INTEGERS = new Set(["int", "unsignedInt", "long", "unsignedLong"]);

/** The xsi:type to send with a value of `type`, e.g. `"xsd:unsignedInt"`. */
export function xsiType(type: ParameterType): string {
  return QNAMES[type];
}

/**
 * Whether a value declared as `declared` (an xsi:type QName such as `"xsd:int"`) may be
 * set on a parameter of `type`. The value itself is checked separately (9007).
 *
 * Lenient on purpose [U]: an empty type or `string` fits anything (many ACSs send
 * every value as xsd:string), the four integer types fit each other (the range check
 * catches what does not fit), and `base64`/`base64Binary` are the same type.
 */
export function acceptsXsiType(type: ParameterType, declared: string): boolean {
  const local = declared.slice(declared.indexOf(":") + 1);
  if (local === "" || local === "string" || local === type) return true;
  if (INTEGERS.has(type) && INTEGERS.has(local)) return true;
  return type === "base64" && (local === "base64Binary" || local === "base64");
}
