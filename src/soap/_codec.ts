/**
 * Field codecs: one description per structure serves both directions, so encode and
 * decode cannot drift apart. A codec reads an {@linkcode XmlElement} and writes
 * strings into an array that the encoder joins once (no DOM on the encode path).
 *
 * Decoding is lenient where real peers are sloppy and strict where a value matters:
 * - children are matched by local name, in any order and with any (or no) prefix
 *   (GenieACS's simulator sends TransferComplete with FaultStruct last);
 * - array items are taken in order whatever their element name, and the
 *   `soap-enc:arrayType` count is not checked (GenieACS's simulator announces
 *   `ParameterValueStruct[16]` and sends 7);
 * - a missing required element or a malformed number/boolean is a 9003
 *   {@linkcode CwmpDecodeError}: `Cannot decode Inform: missing "DeviceId/OUI"`.
 *
 * @module
 */
import { CwmpDecodeError } from "./decode_error.ts";
import { escapeText, type XmlElement } from "./_xml.ts";
import { formatBoolean, parseBoolean, parseInt32, parseUnsignedInt } from "./xsd_types.ts";

/** What a read needs to word its errors. */
export interface ReadContext {
  /** Name of the message being decoded, e.g. `"Inform"`. */
  method: string;
}

/** Reads one element into a value and writes a value as one element named `tag`. */
export interface Codec<T> {
  read(el: XmlElement, path: string, ctx: ReadContext): T;
  write(out: string[], tag: string, value: T): void;
}

/** Throws the 9003 error for `path` inside the message being decoded. */
export function invalid(ctx: ReadContext, reason: string): never {
  throw new CwmpDecodeError(9003, `Cannot decode ${ctx.method}: ${reason}`, {
    method: ctx.method,
  });
}

/** First child element with this local name. */
export function childNamed(el: XmlElement, local: string): XmlElement | undefined {
  const children = el.children;
  for (let i = 0; i < children.length; i++) {
    if (children[i].local === local) return children[i];
  }
  return undefined;
}

/** Joins a path segment for error messages. */
export function join(path: string, tag: string): string {
  return path === "" ? tag : path + "/" + tag;
}

// ------------------------------------------------------------------ scalars

/** `xsd:string` (also dateTime, anyURI, base64: kept verbatim as on the wire). */
export const str: Codec<string> = {
  read: (el) => el.text,
  write: (out, tag, value) => {
    out.push("<" + tag + ">" + escapeText(value) + "</" + tag + ">");
  },
};

function numeric(
  type: string,
  parse: (text: string) => number | undefined,
): Codec<number> {
  return {
    read(el, path, ctx) {
      const n = parse(el.text);
      if (n === undefined) invalid(ctx, `invalid ${type} "${el.text}" in "${path}"`);
      return n;
    },
    write(out, tag, value) {
      out.push("<" + tag + ">" + String(value) + "</" + tag + ">");
    },
  };
}

/** `xsd:unsignedInt`. */
export const uint: Codec<number> = numeric("unsignedInt", parseUnsignedInt);
/** `xsd:int`. */
export const int: Codec<number> = numeric("int", parseInt32);

/** `xsd:boolean`, read from 0/1/true/false, written as 1/0. */
export const bool: Codec<boolean> = {
  read(el, path, ctx) {
    const b = parseBoolean(el.text);
    if (b === undefined) invalid(ctx, `invalid boolean "${el.text}" in "${path}"`);
    return b;
  },
  write(out, tag, value) {
    out.push("<" + tag + ">" + formatBoolean(value) + "</" + tag + ">");
  },
};

/** The `Status` enumeration 0|1 of the *Response messages. */
export const status: Codec<0 | 1> = {
  read(el, path, ctx) {
    const n = parseInt32(el.text);
    if (n !== 0 && n !== 1) invalid(ctx, `invalid Status "${el.text}" in "${path}"`);
    return n;
  },
  write: (out, tag, value) => {
    out.push("<" + tag + ">" + String(value) + "</" + tag + ">");
  },
};

// ------------------------------------------------------------------ structures

/** One element of a structure, in schema order. */
export interface Field {
  tag: string;
  key: string;
  codec: Codec<unknown>;
  /** `"required"` (default), `"optional"` (key left out when absent), `"repeated"` (1..n, not an array). */
  occurs?: "required" | "optional" | "repeated";
  /** Value used when the element is absent (schema-optional, model-required). */
  fallback?: unknown;
}

/** A required field. */
export function field<T>(tag: string, key: string, codec: Codec<T>): Field {
  return { tag, key, codec: codec as Codec<unknown> };
}

/** An optional field; absent on the wire means absent in the value. */
export function optional<T>(tag: string, key: string, codec: Codec<T>): Field {
  return { tag, key, codec: codec as Codec<unknown>, occurs: "optional" };
}

/** A schema-optional field that the model always carries: `fallback` when absent. */
export function withDefault<T>(tag: string, key: string, codec: Codec<T>, fallback: T): Field {
  return { tag, key, codec: codec as Codec<unknown>, occurs: "optional", fallback };
}

/** An element repeated 1..n times directly in the parent (no SOAP array wrapper). */
export function repeated<T>(tag: string, key: string, codec: Codec<T>): Field {
  return { tag, key, codec: codec as Codec<unknown>, occurs: "repeated" };
}

/** Reads `fields` from the children of `el` into a fresh object. */
export function readFields(
  el: XmlElement,
  fields: readonly Field[],
  path: string,
  ctx: ReadContext,
): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  for (const f of fields) {
    const at = join(path, f.tag);
    if (f.occurs === "repeated") {
      const items: unknown[] = [];
      for (const child of el.children) {
        if (child.local === f.tag) items.push(f.codec.read(child, at, ctx));
      }
      if (items.length === 0) invalid(ctx, `missing "${at}"`);
      value[f.key] = items;
      continue;
    }
    const child = childNamed(el, f.tag);
    if (child) value[f.key] = f.codec.read(child, at, ctx);
    else if (f.fallback !== undefined) value[f.key] = f.fallback;
    else if (f.occurs !== "optional") invalid(ctx, `missing "${at}"`);
  }
  return value;
}

/** Writes `fields` of `value` in schema order. */
export function writeFields(
  out: string[],
  fields: readonly Field[],
  value: Record<string, unknown>,
): void {
  for (const f of fields) {
    const v = value[f.key];
    if (f.occurs === "repeated") {
      for (const item of v as unknown[]) f.codec.write(out, f.tag, item);
    } else if (v !== undefined) {
      f.codec.write(out, f.tag, v);
    } else if (f.occurs !== "optional") {
      throw new TypeError(`Cannot encode: missing "${f.key}"`);
    }
  }
}

/** A structure whose elements are `fields`, in order. */
export function struct<T>(fields: readonly Field[]): Codec<T> {
  return {
    read: (el, path, ctx) => readFields(el, fields, path, ctx) as T,
    write(out, tag, value) {
      out.push("<" + tag + ">");
      writeFields(out, fields, value as Record<string, unknown>);
      out.push("</" + tag + ">");
    },
  };
}

/**
 * A SOAP-encoded array: `<tag soap-enc:arrayType="itemType[n]">` holding `itemTag`
 * elements. `itemType` is a QName with our fixed prefixes, e.g. `cwmp:EventStruct`.
 */
export function array<T>(itemTag: string, itemType: string, item: Codec<T>): Codec<T[]> {
  return {
    read(el, path, ctx) {
      const children = el.children;
      const items = new Array<T>(children.length);
      for (let i = 0; i < children.length; i++) {
        items[i] = item.read(children[i], path + "/" + children[i].local, ctx);
      }
      return items;
    },
    write(out, tag, value) {
      out.push("<" + tag + ' soap-enc:arrayType="' + itemType + "[" + value.length + ']">');
      for (let i = 0; i < value.length; i++) item.write(out, itemTag, value[i]);
      out.push("</" + tag + ">");
    },
  };
}
