/**
 * Private: TLS without certificate verification (`insecure`) through `node:tls` over our own
 * `Deno.connect` socket, for `_socket.ts`, which imports this module only when an insecure
 * connection is opened (node:tls brings Deno's Node compatibility layer: start-up time and
 * memory no verified connection should pay).
 *
 * @module
 */

import type { Socket } from "node:net";
import { Duplex } from "node:stream";
import tls from "node:tls";
import type { ByteSocket } from "./_socket.ts";

/**
 * Decrypted bytes waiting for a read are bounded: past {@linkcode QUEUE_HIGH} no more is
 * read from TCP until a reader has taken the queue below {@linkcode QUEUE_LOW}.
 */
const QUEUE_HIGH = 1024 * 1024;
const QUEUE_LOW = 256 * 1024;
const TCP_READ_BYTES = 64 * 1024;

export function nodeTlsSocket(
  tcp: Deno.Conn,
  host: string,
  pair: { cert?: string; key?: string },
): Promise<ByteSocket> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let queued = 0;
    let closed = false;
    let ended = false;
    let error: Error | undefined;
    let wake: (() => void) | undefined;
    /** A TCP read held back while the queue is full. */
    let held: (() => void) | undefined;
    const notify = () => {
      wake?.();
      wake = undefined;
    };
    const transport = new Duplex({
      read() {
        const go = () => {
          const buf = new Uint8Array(TCP_READ_BYTES);
          tcp.read(buf).then(
            (n) => this.push(n === null ? null : buf.subarray(0, n)),
            (e) => this.destroy(closed ? undefined : e),
          );
        };
        if (queued > QUEUE_HIGH) held = go;
        else go();
      },
      write(chunk: Uint8Array, _encoding, done) {
        (async () => {
          let off = 0;
          while (off < chunk.length) off += await tcp.write(chunk.subarray(off));
        })().then(() => done(), done);
      },
      destroy(e, done) {
        try {
          tcp.close();
        } catch { /* already closed */ }
        done(e);
      },
    });
    const isIp = /^[\d.]+$/.test(host) || host.includes(":");
    const s = tls.connect({
      socket: transport as unknown as Socket,
      servername: isIp ? undefined : host,
      rejectUnauthorized: false,
      ...pair,
    });
    s.on("data", (d: Uint8Array) => {
      chunks.push(new Uint8Array(d));
      queued += d.length;
      notify();
    });
    s.on("end", () => {
      ended = true;
      notify();
    });
    s.on("close", () => {
      ended = true;
      notify();
    });
    let connected = false;
    s.on("error", (e: Error) => {
      error = e;
      notify();
      if (connected) return;
      transport.destroy();
      reject(e);
    });
    /** Waits for data; false at end of stream or once closed. */
    const ready = async (): Promise<boolean> => {
      while (chunks.length === 0 && !ended && !error && !closed) {
        await new Promise<void>((r) => (wake = r));
      }
      if (closed) return false;
      if (chunks.length > 0) return true;
      if (error) throw error;
      return false;
    };
    const consumed = (n: number) => {
      queued -= n;
      if (held !== undefined && queued < QUEUE_LOW) {
        const go = held;
        held = undefined;
        go();
      }
    };
    s.once("secureConnect", () => {
      connected = true;
      resolve({
        localPort: (tcp.localAddr as Deno.NetAddr).port,
        async read() {
          if (!(await ready())) return null;
          const chunk = chunks.shift()!;
          consumed(chunk.length);
          return chunk;
        },
        async readInto(target) {
          if (!(await ready())) return null;
          const chunk = chunks[0];
          const n = Math.min(chunk.length, target.length);
          target.set(chunk.subarray(0, n));
          if (n === chunk.length) chunks.shift();
          else chunks[0] = chunk.subarray(n);
          consumed(n);
          return n;
        },
        write(data) {
          return new Promise((res, rej) => s.write(data, (e) => (e ? rej(e) : res())));
        },
        close() {
          if (closed) return;
          closed = true;
          chunks.length = 0;
          s.destroy();
          transport.destroy();
          notify();
        },
      });
    });
  });
}
