/**
 * A small DNS message codec (RFC 1035 §4.1, AAAA from RFC 3596) for NSLookupDiagnostics:
 * header flags, questions and the answer section's A, AAAA, CNAME, NS and PTR records.
 * Pure and symmetric: it encodes responses too, so tests can answer with it. Names are
 * written without compression; decoding follows compression pointers (with a loop
 * guard). Other record types decode with `data` as hex. Authority and additional
 * sections are counted but not decoded.
 *
 * @module
 */

/** Record types the codec names. */
export const DnsType = { A: 1, NS: 2, CNAME: 5, PTR: 12, AAAA: 28 } as const;

/** A question. */
export interface DnsQuestion {
  /** Without the final dot, e.g. `example.com`. */
  readonly name: string;
  readonly type: number;
  /** Default 1 (IN). */
  readonly class?: number;
}

/** A resource record of the answer section. */
export interface DnsRecord {
  readonly name: string;
  readonly type: number;
  readonly class?: number;
  readonly ttl: number;
  /** A/AAAA: the address text; CNAME/NS/PTR: the name; others: hex of RDATA. */
  readonly data: string;
}

/** A DNS message. */
export interface DnsMessage {
  readonly id: number;
  /** true in responses. */
  readonly qr: boolean;
  readonly opcode?: number;
  /** Authoritative Answer. */
  readonly aa?: boolean;
  /** Truncated. */
  readonly tc?: boolean;
  /** Recursion Desired. */
  readonly rd?: boolean;
  /** Recursion Available. */
  readonly ra?: boolean;
  /** 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED… */
  readonly rcode?: number;
  readonly questions: readonly DnsQuestion[];
  readonly answers?: readonly DnsRecord[];
}

/** Encodes `message` (no name compression). @throws {RangeError} on a bad name or address. */
export function encodeDnsMessage(message: DnsMessage): Uint8Array {
  const out: number[] = [];
  const u16 = (v: number) => out.push((v >> 8) & 0xff, v & 0xff);
  u16(message.id);
  u16(
    (message.qr ? 0x8000 : 0) | ((message.opcode ?? 0) & 0xf) << 11 |
      (message.aa ? 0x400 : 0) | (message.tc ? 0x200 : 0) | (message.rd ? 0x100 : 0) |
      (message.ra ? 0x80 : 0) | ((message.rcode ?? 0) & 0xf),
  );
  const answers = message.answers ?? [];
  u16(message.questions.length);
  u16(answers.length);
  u16(0);
  u16(0);
  for (const q of message.questions) {
    out.push(...encodeName(q.name));
    u16(q.type);
    u16(q.class ?? 1);
  }
  for (const r of answers) {
    out.push(...encodeName(r.name));
    u16(r.type);
    u16(r.class ?? 1);
    u16((r.ttl >>> 16) & 0xffff);
    u16(r.ttl & 0xffff);
    const rdata = encodeRdata(r);
    u16(rdata.length);
    out.push(...rdata);
  }
  return new Uint8Array(out);
}

/** Decodes a DNS message. @throws {SyntaxError} when it is truncated or malformed. */
export function decodeDnsMessage(bytes: Uint8Array): DnsMessage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number) => {
    if (at + 2 > bytes.length) throw new SyntaxError("Cannot decode DNS message: truncated");
    return view.getUint16(at);
  };
  const flags = u16(2);
  const qdCount = u16(4);
  const anCount = u16(6);
  let at = 12;
  const questions: DnsQuestion[] = [];
  for (let i = 0; i < qdCount; i++) {
    const [name, next] = decodeName(bytes, at);
    questions.push({ name, type: u16(next), class: u16(next + 2) });
    at = next + 4;
  }
  const answers: DnsRecord[] = [];
  for (let i = 0; i < anCount; i++) {
    const [name, next] = decodeName(bytes, at);
    const type = u16(next);
    const cls = u16(next + 2);
    const ttl = u16(next + 4) * 65536 + u16(next + 6);
    const length = u16(next + 8);
    const start = next + 10;
    if (start + length > bytes.length) {
      throw new SyntaxError("Cannot decode DNS message: truncated record");
    }
    answers.push({ name, type, class: cls, ttl, data: decodeRdata(bytes, type, start, length) });
    at = start + length;
  }
  return {
    id: u16(0),
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    aa: (flags & 0x400) !== 0,
    tc: (flags & 0x200) !== 0,
    rd: (flags & 0x100) !== 0,
    ra: (flags & 0x80) !== 0,
    rcode: flags & 0xf,
    questions,
    answers,
  };
}

/** RFC 5952 text of a 16-byte IPv6 address. */
export function formatIPv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes[i] << 8 | bytes[i + 1]);
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

function encodeName(name: string): number[] {
  const out: number[] = [];
  const trimmed = name.replace(/\.$/, "");
  if (trimmed !== "") {
    for (const label of trimmed.split(".")) {
      const bytes = new TextEncoder().encode(label);
      if (bytes.length === 0 || bytes.length > 63) {
        throw new RangeError(`Cannot encode DNS name: bad label in "${name}"`);
      }
      out.push(bytes.length, ...bytes);
    }
  }
  out.push(0);
  if (out.length > 255) throw new RangeError(`Cannot encode DNS name: too long "${name}"`);
  return out;
}

function decodeName(bytes: Uint8Array, start: number): [string, number] {
  const labels: string[] = [];
  let at = start;
  let end = -1;
  for (let jumps = 0;; jumps++) {
    if (at >= bytes.length || jumps > 127) {
      throw new SyntaxError("Cannot decode DNS message: bad name");
    }
    const length = bytes[at];
    if (length === 0) {
      if (end < 0) end = at + 1;
      break;
    }
    if ((length & 0xc0) === 0xc0) {
      if (at + 1 >= bytes.length) throw new SyntaxError("Cannot decode DNS message: bad pointer");
      if (end < 0) end = at + 2;
      at = (length & 0x3f) << 8 | bytes[at + 1];
      continue;
    }
    if (length > 63 || at + 1 + length > bytes.length) {
      throw new SyntaxError("Cannot decode DNS message: bad label");
    }
    labels.push(new TextDecoder().decode(bytes.subarray(at + 1, at + 1 + length)));
    at += 1 + length;
  }
  return [labels.join("."), end];
}

function encodeRdata(record: DnsRecord): number[] {
  switch (record.type) {
    case DnsType.A: {
      const parts = record.data.split(".").map(Number);
      if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255))) {
        throw new RangeError(`Cannot encode DNS A record: "${record.data}"`);
      }
      return parts;
    }
    case DnsType.AAAA:
      return [...parseIPv6(record.data)];
    case DnsType.CNAME:
    case DnsType.NS:
    case DnsType.PTR:
      return encodeName(record.data);
    default:
      return (record.data.match(/../g) ?? []).map((h) => parseInt(h, 16));
  }
}

function decodeRdata(bytes: Uint8Array, type: number, start: number, length: number): string {
  const data = bytes.subarray(start, start + length);
  if (type === DnsType.A && length === 4) return [...data].join(".");
  if (type === DnsType.AAAA && length === 16) return formatIPv6(data);
  if (type === DnsType.CNAME || type === DnsType.NS || type === DnsType.PTR) {
    return decodeName(bytes, start)[0];
  }
  return [...data].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function parseIPv6(text: string): Uint8Array {
  const halves = text.split("::");
  if (halves.length > 2) throw new RangeError(`Cannot encode DNS AAAA record: "${text}"`);
  const head = halves[0] === "" ? [] : halves[0].split(":");
  const tail = halves.length === 2 && halves[1] !== "" ? halves[1].split(":") : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  const groups = [...head, ...Array(fill).fill("0"), ...tail];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) {
    throw new RangeError(`Cannot encode DNS AAAA record: "${text}"`);
  }
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  });
  return out;
}
