// A scripted TFTP server for the TFTP client's tests: each request (RRQ/WRQ) runs the
// test's script with a fresh transfer socket (the server's transfer ID), plus a second
// "foreign" socket to play a stranger. `serveFile` and `takeFile` are the usual sides
// of a transfer, with hooks to misbehave.
import {
  decodeTftpPacket,
  encodeTftpPacket,
  type TftpOptions,
  type TftpPacket,
} from "../../src/transfer/tftp_packet.ts";

/** One request and the sockets to answer it. */
export class TftpPeer {
  readonly request: Extract<TftpPacket, { kind: "RRQ" | "WRQ" }>;
  /** 0 for the first request the server got, 1 for the next… */
  readonly index: number;
  readonly client: Deno.NetAddr;
  readonly socket: Deno.DatagramConn;
  readonly foreign: Deno.DatagramConn;
  #pending = new Map<Deno.DatagramConn, Promise<[Uint8Array, Deno.Addr]>>();

  constructor(request: TftpPeer["request"], index: number, client: Deno.NetAddr) {
    this.request = request;
    this.index = index;
    this.client = client;
    this.socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    this.foreign = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  }

  /** Sends `packet` to the client from the transfer socket (or `from`). */
  async send(packet: TftpPacket, from: Deno.DatagramConn = this.socket): Promise<void> {
    await from.send(encodeTftpPacket(packet), this.client);
  }

  /** The next packet the client sends to `on` (the transfer socket), or undefined after `ms`. */
  async receive(ms: number, on: Deno.DatagramConn = this.socket): Promise<TftpPacket | undefined> {
    let pending = this.#pending.get(on);
    if (pending === undefined) {
      pending = on.receive();
      pending.catch(() => {});
      this.#pending.set(on, pending);
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const got = await Promise.race([
      pending,
      new Promise<undefined>((r) => timer = setTimeout(() => r(undefined), ms)),
    ]);
    clearTimeout(timer);
    if (got === undefined) return undefined;
    this.#pending.delete(on);
    return decodeTftpPacket(got[0]);
  }

  close(): void {
    this.socket.close();
    this.foreign.close();
  }
}

/** A running scripted server. */
export interface ScriptedTftp {
  port: number;
  /** Every request received, in order. */
  requests: TftpPacket[];
  /** Resolves when every script has ended; rejects with a script's error. */
  done(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1 that runs `script` for each request. */
export function startScriptedTftp(script: (peer: TftpPeer) => Promise<void>): ScriptedTftp {
  const main = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const requests: TftpPacket[] = [];
  const runs: Promise<void>[] = [];
  const peers = new Set<TftpPeer>();
  const loop = (async () => {
    while (true) {
      const [bytes, from] = await main.receive();
      const packet = decodeTftpPacket(bytes);
      if (packet.kind !== "RRQ" && packet.kind !== "WRQ") continue;
      requests.push(packet);
      const peer = new TftpPeer(packet, requests.length - 1, from as Deno.NetAddr);
      peers.add(peer);
      runs.push(
        script(peer).finally(() => {
          peers.delete(peer);
          peer.close();
        }),
      );
    }
  })().catch(() => {});
  return {
    port: (main.addr as Deno.NetAddr).port,
    requests,
    async done() {
      await Promise.all(runs);
    },
    async close() {
      main.close();
      await loop;
      await Promise.allSettled(runs);
      for (const peer of peers) {
        try {
          peer.close();
        } catch { /* closed */ }
      }
    },
  };
}

/** Hooks of {@linkcode serveFile}. */
export interface ServeOptions {
  /** Answer the options with this OACK (undefined: no OACK, DATA 1 at once). */
  oack?: TftpOptions;
  /** Block size used (default: the OACK's blksize, else 512). */
  blockSize?: number;
  /** Send each DATA block this many times (default 1). */
  copies?: number;
  /** Called before DATA `block` (the count from 1, not wrapped) goes out; "stop" ends silently. */
  before?: (block: number, peer: TftpPeer) => Promise<void | "stop"> | void | "stop";
  /** The number on the wire of block `n` (default n mod 65536). */
  number?: (n: number) => number;
  /** Wait for an ACK before sending again, ms (default 200); retries 5. */
  timeoutMs?: number;
}

/** What the serving side saw. */
export interface ServeResult {
  /** ACK block numbers received, in order. */
  acks: number[];
  /** Blocks sent, counting copies and retransmissions. */
  sent: number;
  /** An ERROR the client sent, if any. */
  error?: { code: number; message: string };
}

/** The sending side of a download: OACK or not, then DATA/ACK lockstep. */
export async function serveFile(
  peer: TftpPeer,
  file: Uint8Array,
  options: ServeOptions = {},
): Promise<ServeResult> {
  const result: ServeResult = { acks: [], sent: 0 };
  const timeout = options.timeoutMs ?? 200;
  const blockSize = options.blockSize ?? Number(options.oack?.blksize ?? 512);
  const number = options.number ?? ((n: number) => n & 0xffff);
  const waitAck = async (want: number, resend: () => Promise<void>): Promise<boolean> => {
    for (let tries = 0; tries <= 5;) {
      const packet = await peer.receive(timeout);
      if (packet === undefined) {
        tries++;
        await resend();
        continue;
      }
      if (packet.kind === "ERROR") {
        result.error = { code: packet.code, message: packet.message };
        return false;
      }
      if (packet.kind === "ACK") {
        result.acks.push(packet.block);
        if (packet.block === want) return true;
      }
    }
    return false;
  };
  if (options.oack !== undefined) {
    const oack = options.oack;
    await peer.send({ kind: "OACK", options: oack });
    if (!await waitAck(0, () => peer.send({ kind: "OACK", options: oack }))) return result;
  }
  for (let n = 1;; n++) {
    if (await options.before?.(n, peer) === "stop") return result;
    const data = file.subarray((n - 1) * blockSize, n * blockSize);
    const packet: TftpPacket = { kind: "DATA", block: number(n), data };
    const send = async () => {
      for (let c = 0; c < (options.copies ?? 1); c++) {
        await peer.send(packet);
        result.sent++;
      }
    };
    await send();
    if (!await waitAck(number(n), send)) return result;
    if (data.length < blockSize) return result;
  }
}

/** What the receiving side of an upload got. */
export interface TakeResult {
  file: Uint8Array;
  /** DATA packets received per block count (1 = never sent twice). */
  dataPerBlock: number[];
  error?: { code: number; message: string };
}

/** Hooks of {@linkcode takeFile}. */
export interface TakeOptions {
  oack?: TftpOptions;
  blockSize?: number;
  /** Send each ACK this many times (default 1): a Sorcerer's Apprentice trap. */
  ackCopies?: number;
  /** Called before the ACK of DATA `n` (count from 1); "stop" ends silently. */
  before?: (block: number, peer: TftpPeer) => Promise<void | "stop"> | void | "stop";
  /** Time to wait for DATA before giving up, ms (default 1000). */
  timeoutMs?: number;
}

/** The receiving side of an upload: OACK or ACK 0, then ACK each DATA. */
export async function takeFile(peer: TftpPeer, options: TakeOptions = {}): Promise<TakeResult> {
  const blockSize = options.blockSize ?? Number(options.oack?.blksize ?? 512);
  const chunks: Uint8Array[] = [];
  const result: TakeResult = { file: new Uint8Array(0), dataPerBlock: [] };
  await peer.send(
    options.oack ? { kind: "OACK", options: options.oack } : { kind: "ACK", block: 0 },
  );
  let expected = 1;
  while (true) {
    const packet = await peer.receive(options.timeoutMs ?? 1000);
    if (packet === undefined) break;
    if (packet.kind === "ERROR") {
      result.error = { code: packet.code, message: packet.message };
      break;
    }
    if (packet.kind !== "DATA") continue;
    const n = packet.block === (expected & 0xffff) ? expected : expected - 1;
    result.dataPerBlock[n - 1] = (result.dataPerBlock[n - 1] ?? 0) + 1;
    if (n !== expected) {
      continue; // a retransmission: the client timed out (no duplicate ACK from us here)
    }
    if (await options.before?.(n, peer) === "stop") break;
    chunks.push(packet.data.slice());
    for (let c = 0; c < (options.ackCopies ?? 1); c++) {
      await peer.send({ kind: "ACK", block: packet.block });
    }
    expected++;
    if (packet.data.length < blockSize) break;
  }
  const total = chunks.reduce((a, c) => a + c.length, 0);
  result.file = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    result.file.set(c, at);
    at += c.length;
  }
  // Linger a moment: a retransmitted final DATA is counted.
  const late = await peer.receive(100);
  if (late?.kind === "DATA") {
    const n = expected - 1;
    result.dataPerBlock[n - 1] = (result.dataPerBlock[n - 1] ?? 0) + 1;
  }
  return result;
}
