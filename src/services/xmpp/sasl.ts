/**
 * SASL for the XMPP client (RFC 6120 §6): PLAIN (RFC 4616) and SCRAM-SHA-1 (RFC 5802,
 * without channel binding: gs2 header `n,,`). Pure: WebCrypto for PBKDF2 and HMAC, no
 * I/O. The client refuses PLAIN without TLS ({@linkcode chooseMechanism}) and checks the
 * server's signature, so a server that does not know the password cannot pass as one.
 *
 * @module
 */

/** The mechanisms we offer, best first. */
export type SaslMechanism = "SCRAM-SHA-1" | "PLAIN";

/** Iteration counts above this are refused: a hostile server could make us spin. */
const MAX_ITERATIONS = 1_000_000;

/**
 * The mechanism to use from those the server `offered`: SCRAM-SHA-1, else PLAIN but only
 * over TLS; undefined when none fits.
 */
export function chooseMechanism(
  offered: readonly string[],
  tls: boolean,
): SaslMechanism | undefined {
  if (offered.includes("SCRAM-SHA-1")) return "SCRAM-SHA-1";
  if (tls && offered.includes("PLAIN")) return "PLAIN";
  return undefined;
}

/** The PLAIN initial response: `\0user\0password`, base64. */
export function plainResponse(username: string, password: string): string {
  return toBase64(new TextEncoder().encode(`\0${username}\0${password}`));
}

/** One SCRAM-SHA-1 exchange: `first()`, then `final(serverFirst)`, then `verify(serverFinal)`. */
export class ScramSha1 {
  readonly #username: string;
  readonly #password: string;
  readonly #nonce: string;
  #clientFirstBare = "";
  #serverSignature: Uint8Array | undefined;

  /** `nonce`: printable, no comma (e.g. base64 of 18 random bytes). */
  constructor(username: string, password: string, nonce: string) {
    this.#username = username;
    this.#password = password;
    this.#nonce = nonce;
  }

  /** The client-first message, base64. */
  first(): string {
    const user = this.#username.replace(/=/g, "=3D").replace(/,/g, "=2C");
    this.#clientFirstBare = `n=${user},r=${this.#nonce}`;
    return toBase64(new TextEncoder().encode(`n,,${this.#clientFirstBare}`));
  }

  /**
   * The client-final message (base64) for the server-first message `challenge` (base64).
   *
   * @throws {SyntaxError} when the challenge is malformed or its nonce does not extend ours.
   * @throws {RangeError} for an iteration count outside 1–1,000,000.
   */
  async final(challenge: string): Promise<string> {
    const serverFirst = new TextDecoder().decode(fromBase64(challenge));
    const fields = attributes(serverFirst);
    const nonce = fields.get("r") ?? "";
    const salt = fields.get("s");
    const iterations = Number(fields.get("i"));
    if (!nonce.startsWith(this.#nonce) || nonce === this.#nonce || salt === undefined) {
      throw new SyntaxError("Malformed SCRAM server-first message");
    }
    if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) {
      throw new RangeError(`SCRAM iteration count out of range: "${fields.get("i")}"`);
    }
    const salted = await pbkdf2(this.#password, fromBase64(salt), iterations);
    const clientKey = await hmac(salted, "Client Key");
    const storedKey = new Uint8Array(await crypto.subtle.digest("SHA-1", clientKey));
    const withoutProof = `c=biws,r=${nonce}`;
    const authMessage = `${this.#clientFirstBare},${serverFirst},${withoutProof}`;
    const signature = await hmac(storedKey, authMessage);
    const proof = clientKey.map((b, i) => b ^ signature[i]);
    this.#serverSignature = await hmac(await hmac(salted, "Server Key"), authMessage);
    return toBase64(new TextEncoder().encode(`${withoutProof},p=${toBase64(proof)}`));
  }

  /** Whether the server-final message (base64, from `<success>`) proves the server knows us. */
  verify(serverFinal: string): boolean {
    if (this.#serverSignature === undefined) return false;
    let text: string;
    try {
      text = new TextDecoder().decode(fromBase64(serverFinal));
    } catch {
      return false;
    }
    const v = attributes(text).get("v");
    return v !== undefined && v === toBase64(this.#serverSignature);
  }
}

function attributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(",")) {
    const eq = part.indexOf("=");
    if (eq === 1) out.set(part[0], part.slice(2));
  }
  return out;
}

async function pbkdf2(
  password: string,
  salt: Uint8Array,
  iterations: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(password),
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-1", salt: salt as Uint8Array<ArrayBuffer>, iterations },
    key,
    160,
  );
  return new Uint8Array(bits);
}

async function hmac(key: Uint8Array, data: string): Promise<Uint8Array<ArrayBuffer>> {
  const k = await crypto.subtle.importKey(
    "raw",
    key as Uint8Array<ArrayBuffer>,
    { name: "HMAC", hash: "SHA-1" },
    false,
    ["sign"],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, new TextEncoder().encode(data)));
}

/** Base64 of `bytes`. */
export function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/**
 * Bytes of base64 `text` ("=" alone is the empty response of RFC 6120 §6.4.2).
 *
 * @throws {SyntaxError} when `text` is not base64.
 */
export function fromBase64(text: string): Uint8Array {
  const t = text.trim();
  if (t === "" || t === "=") return new Uint8Array();
  let bin: string;
  try {
    bin = atob(t);
  } catch {
    throw new SyntaxError("Invalid base64 in a SASL message");
  }
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}
