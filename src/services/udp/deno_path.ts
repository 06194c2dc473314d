/**
 * The portable path: `Deno.listenDatagram` on the main thread's event loop, the same
 * `DatagramHandler` as the FFI path. It cannot read the TTL (`meta.ttl` is undefined) and
 * stamps `receivedNs` when `receive()` resolves. It has no socket options either, so
 * `options.device` (SO_BINDTODEVICE) is ignored: callers bind the interface's address
 * as `hostname` instead (see `UdpServiceOptions.device`).
 *
 * @module
 */

import { type DatagramMeta, loadHandler } from "./handler.ts";
import { canonicalIp } from "./ip_address.ts";
import type { UdpService, UdpServiceOptions } from "./service.ts";

/** Wall-clock ns since the Unix epoch, µs resolution (performance.now on timeOrigin). */
export function wallClockNs(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
}

/** Starts the `Deno.listenDatagram` path; rejects if the socket cannot be bound. */
export async function startDenoPath(options: UdpServiceOptions): Promise<UdpService> {
  let handler = await loadHandler(options.spec);
  const max = options.maxDatagramSize ?? 9216;
  const conn = Deno.listenDatagram({
    transport: "udp",
    hostname: options.hostname ?? "0.0.0.0",
    port: options.port,
  });
  const stats = { received: 0, sent: 0, oversize: 0, sendErrors: 0, receiveErrors: 0 };
  const buf = new Uint8Array(max + 1); // one byte more: a full buffer means "too large"
  const reply = new Uint8Array(max);
  const meta: DatagramMeta = { address: "", port: 0, family: "IPv4", receivedNs: 0n };
  let closed = false;
  let lastHost = "";

  const loop = (async () => {
    while (!closed) {
      let data: Uint8Array, addr: Deno.Addr;
      try {
        [data, addr] = await conn.receive(buf);
      } catch {
        if (closed) break;
        stats.receiveErrors++;
        continue;
      }
      meta.receivedNs = wallClockNs();
      stats.received++;
      if (data.length > max) {
        stats.oversize++;
        continue;
      }
      const net = addr as Deno.NetAddr;
      if (net.hostname !== lastHost) {
        lastHost = net.hostname;
        meta.address = canonicalIp(net.hostname) ?? net.hostname;
        meta.family = meta.address.includes(":") ? "IPv6" : "IPv4";
      }
      meta.port = net.port;
      const n = handler.handle(data, meta, reply, wallClockNs);
      if (n < 0) continue;
      try {
        await conn.send(reply.subarray(0, n), net);
        stats.sent++;
      } catch {
        if (closed) break;
        stats.sendErrors++;
        handler.sendFailed?.(n);
      }
    }
  })();

  let closing: Promise<void> | undefined;
  return {
    port: (conn.addr as Deno.NetAddr).port,
    path: "deno",
    stats: () =>
      Promise.resolve({
        ...handler.stats(),
        "loop.path": "deno",
        "loop.received": stats.received,
        "loop.sent": stats.sent,
        "loop.oversize": stats.oversize,
        "loop.sendErrors": stats.sendErrors,
        "loop.receiveErrors": stats.receiveErrors,
      }),
    reconfigure: async (config) => {
      if (handler.reconfigure) handler.reconfigure(config);
      else handler = await loadHandler({ module: options.spec.module, config });
    },
    close: () =>
      closing ??= (async () => {
        closed = true;
        conn.close();
        await loop;
      })(),
  };
}
