/**
 * Test helper: a UDP Lightweight Notification receiver on 127.0.0.1, as an ACS would run
 * one. Every datagram is parsed (framing, Content-Length, signature with the ACS password)
 * and its XML read; {@linkcode validateLwnXml} checks the XML against the lwnotif schema
 * with xmllint (the BBF file when the shared `bbf` folder has it, else
 * `tests/testdata/lwn/lwnotif-1-0.xsd`).
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { lwnSignature, parseLwnDatagram } from "../../src/services/lwn/mod.ts";
import { sharedDir } from "./validate_envelope.ts";

/** One received notification. */
export interface ReceivedLwn {
  readonly at: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly xml: string;
  readonly ts: number;
  readonly un: string;
  readonly cn: string;
  readonly oui: string;
  readonly productClass: string;
  readonly serialNumber: string;
  readonly params: { name: string; type: string; value: string }[];
  /** True when the Signature header is the HMAC-SHA1 of the body under the password. */
  readonly signed: boolean;
}

const ENTITY: Record<string, string> = {
  "&amp;": "&",
  "&lt;": "<",
  "&gt;": ">",
  "&quot;": '"',
  "&apos;": "'",
  "&#xD;": "\r",
};
const unescape = (text: string) =>
  text.replace(/&(amp|lt|gt|quot|apos|#xD);/g, (entity) => ENTITY[entity]);

function field(xml: string, name: string): string {
  const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  if (match === null) throw new SyntaxError(`No <${name}> in ${xml}`);
  return unescape(match[1]);
}

/** Reads one datagram; throws SyntaxError when it is not a well-framed notification. */
export function readLwnDatagram(data: Uint8Array, password: string, at = Date.now()): ReceivedLwn {
  const parsed = parseLwnDatagram(data);
  const xml = parsed.body;
  const params = [
    ...xml.matchAll(
      /<Param><Name>([^<]*)<\/Name><Value xsi:type="([^"]*)">([^<]*)<\/Value><\/Param>/g,
    ),
  ].map((m) => ({ name: unescape(m[1]), type: m[2], value: unescape(m[3]) }));
  return {
    at,
    headers: parsed.headers,
    xml,
    ts: Number(field(xml, "TS")),
    un: field(xml, "UN"),
    cn: field(xml, "CN"),
    oui: field(xml, "OUI"),
    productClass: field(xml, "ProductClass"),
    serialNumber: field(xml, "SerialNumber"),
    params,
    signed: password !== "" &&
      parsed.headers["signature"] === lwnSignature(parsed.bodyBytes, password),
  };
}

/** A receiver on 127.0.0.1 collecting every datagram. */
export class LwnReceiver {
  readonly #socket: Deno.DatagramConn;
  readonly #password: string;
  readonly received: ReceivedLwn[] = [];
  /** Datagrams that were not well-framed notifications, with the reason. */
  readonly malformed: string[] = [];
  readonly sizes: number[] = [];
  #loop: Promise<void>;
  #waiters: (() => void)[] = [];

  /** Opens the socket; `password` is the ACS password the signatures are checked with. */
  constructor(password: string) {
    this.#password = password;
    this.#socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    this.#loop = this.#run();
  }

  /** The bound port. */
  get port(): number {
    return (this.#socket.addr as Deno.NetAddr).port;
  }

  async #run(): Promise<void> {
    try {
      for await (const [data] of this.#socket) {
        this.sizes.push(data.length);
        try {
          this.received.push(readLwnDatagram(data, this.#password));
        } catch (error) {
          this.malformed.push((error as Error).message);
        }
        for (const wake of this.#waiters.splice(0)) wake();
      }
    } catch {
      // closed
    }
  }

  /** Resolves once `count` notifications arrived; rejects after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 10_000): Promise<ReceivedLwn[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`Got ${this.received.length} lightweight notification(s), wanted ${count}`);
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
    }
    return this.received.slice(0, count);
  }

  /** Closes the socket. */
  async close(): Promise<void> {
    this.#socket.close();
    await this.#loop;
  }
}

/** The schema used: the BBF file when shared/bbf has it, else the project's restatement. */
export function lwnSchemaPath(): string {
  const bbf = join(sharedDir(), "bbf", "cwmp-UDPLightweightNotification-1-0.xsd");
  try {
    Deno.statSync(bbf);
    return bbf;
  } catch {
    return fileURLToPath(new URL("../testdata/lwn/lwnotif-1-0.xsd", import.meta.url));
  }
}

/** Validates each XML text against the lwnotif schema with xmllint; throws with its output. */
export async function validateLwnXml(xmls: readonly string[]): Promise<void> {
  if (xmls.length === 0) return;
  const dir = await Deno.makeTempDir({ prefix: "cwmp-lwn-" });
  try {
    const files: string[] = [];
    for (let i = 0; i < xmls.length; i++) {
      const file = join(dir, `lwn-${i}.xml`);
      await Deno.writeTextFile(file, xmls[i]);
      files.push(file);
    }
    const catalog = join(sharedDir(), "bbf", "validate", "catalog.xml");
    const result = await new Deno.Command("xmllint", {
      args: ["--nonet", "--noout", "--schema", lwnSchemaPath(), ...files],
      env: { XML_CATALOG_FILES: catalog },
    }).output();
    if (result.code !== 0) {
      const text = new TextDecoder().decode(result.stderr);
      throw new Error(`lwnotif validation failed (exit ${result.code}):\n${text}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
