/**
 * TR-181 `TWAMPReflector.{i}.IPAllowedList` and `PortAllowedList`: parsing and matching
 * (FACTS §10.2). IP entries are addresses or CIDR prefixes (RFC 4632), IPv4 (/0–32) or
 * IPv6 (/0–128); a prefix with host bits set (`1.2.3.4/24`) means its network, as in the
 * TR-181 example. Port entries are `n` or `a-b` (inclusive, a ≤ b). An empty list allows
 * everything. An IPv4-mapped IPv6 source (`::ffff:192.0.2.1`, dual-stack sockets) is
 * matched as IPv4; a zone (`fe80::1%eth0`) is ignored. Pure: no I/O.
 *
 * @module
 */

/** One IPAllowedList entry: the prefix bits and their count. */
export interface IpPrefix {
  readonly family: 4 | 6;
  /** The address as a number (32 or 128 bits), host bits cleared. */
  readonly bits: bigint;
  readonly length: number;
}

/** One PortAllowedList entry, inclusive. */
export interface PortRange {
  readonly from: number;
  readonly to: number;
}

/** TR-181 list text (comma-separated) or its items → trimmed, non-empty items. */
export function listItems(list: string | readonly string[]): string[] {
  const items = typeof list === "string" ? list.split(",") : list;
  return items.map((item) => item.trim()).filter((item) => item !== "");
}

/**
 * Parses an IPAllowedList.
 *
 * @throws {RangeError} naming the first invalid entry
 */
export function parseIpAllowedList(list: string | readonly string[]): IpPrefix[] {
  return listItems(list).map((item) => {
    const prefix = parsePrefix(item);
    if (prefix === undefined) throw new RangeError(`Invalid IPAllowedList entry: "${item}"`);
    return prefix;
  });
}

/**
 * Parses a PortAllowedList.
 *
 * @throws {RangeError} naming the first invalid entry
 */
export function parsePortAllowedList(list: string | readonly string[]): PortRange[] {
  return listItems(list).map((item) => {
    const match = /^(\d{1,5})(?:\s*-\s*(\d{1,5}))?$/.exec(item);
    const from = Number(match?.[1]);
    const to = match?.[2] === undefined ? from : Number(match[2]);
    if (match === null || from > 65535 || to > 65535 || from > to) {
      throw new RangeError(`Invalid PortAllowedList entry: "${item}"`);
    }
    return { from, to };
  });
}

/**
 * The first problem of an IPAllowedList/PortAllowedList pair, or undefined when both
 * parse (for `check()` before a set).
 */
export function allowListError(ipList: string, portList: string): string | undefined {
  try {
    parseIpAllowedList(ipList);
    parsePortAllowedList(portList);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Whether `address` falls in one of `prefixes` (any address when there are none). */
export function ipAllowed(prefixes: readonly IpPrefix[], address: string): boolean {
  if (prefixes.length === 0) return true;
  const source = parseAddress(address);
  if (source === undefined) return false;
  return prefixes.some((p) =>
    p.family === source.family && mask(source.bits, p.family, p.length) === p.bits
  );
}

/** Whether `port` falls in one of `ranges` (any port when there are none). */
export function portAllowed(ranges: readonly PortRange[], port: number): boolean {
  return ranges.length === 0 || ranges.some((r) => port >= r.from && port <= r.to);
}

/**
 * A textual address as a number: IPv4 dotted quad, or IPv6 (with `::`, an IPv4 tail, a
 * zone); IPv4-mapped IPv6 comes back as IPv4. Undefined when it is neither.
 */
export function parseAddress(text: string): { family: 4 | 6; bits: bigint } | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { family: 4, bits: v4 };
  const v6 = parseIpv6(text.replace(/%[^%]*$/, ""));
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === 0xffffn) return { family: 4, bits: v6 & 0xffff_ffffn };
  return { family: 6, bits: v6 };
}

function parsePrefix(item: string): IpPrefix | undefined {
  const slash = item.indexOf("/");
  const text = slash < 0 ? item : item.slice(0, slash);
  const v4 = parseIpv4(text);
  const v6 = v4 === undefined ? parseIpv6(text) : undefined;
  if (v4 === undefined && v6 === undefined) return undefined;
  const family = v4 !== undefined ? 4 : 6;
  const width = family === 4 ? 32 : 128;
  let length = width;
  if (slash >= 0) {
    const n = item.slice(slash + 1);
    if (!/^\d{1,3}$/.test(n) || Number(n) > width) return undefined;
    length = Number(n);
  }
  let bits = (v4 ?? v6)!;
  let resultFamily: 4 | 6 = family;
  // An IPv4-mapped IPv6 prefix of /96 or longer is an IPv4 prefix (sources are mapped too).
  if (family === 6 && bits >> 32n === 0xffffn && length >= 96) {
    bits &= 0xffff_ffffn;
    length -= 96;
    resultFamily = 4;
  }
  return { family: resultFamily, bits: mask(bits, resultFamily, length), length };
}

function mask(bits: bigint, family: 4 | 6, length: number): bigint {
  const width = family === 4 ? 32n : 128n;
  const host = width - BigInt(length);
  return (bits >> host) << host;
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let bits = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    bits = (bits << 8n) | BigInt(part);
  }
  return bits;
}

function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9A-Fa-f:.]+$/.test(text)) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (half: string): number[] | undefined => {
    if (half === "") return [];
    const out: number[] = [];
    const parts = half.split(":");
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      if (i === parts.length - 1 && part.includes(".")) {
        const v4 = parseIpv4(part);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(part)) {
        out.push(parseInt(part, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (head === undefined || tail === undefined) return undefined;
  // An IPv4 tail is only allowed at the very end.
  if (halves.length === 2 && halves[0].includes(".")) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return all.reduce((bits, group) => (bits << 16n) | BigInt(group), 0n);
}
