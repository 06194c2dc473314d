/**
 * Hostile datagrams against the UDP echo server and the TWAMP Light reflector, on both
 * UDP loops (FFI Worker and Deno.listenDatagram), 127.0.0.1 only: every size from 0 to
 * 200 bytes, the protocol minimum − 1, the maximum datagram size + 1, sources outside
 * the allow lists, and a flood of distinct senders against the per-sender LRU.
 */

import assert from "node:assert/strict";
import { ffiUnavailable, startUdpService, type UdpPath } from "../../../src/services/udp/mod.ts";
import { createHandler as createEchoHandler } from "../../../src/services/udp_echo/handler.ts";
import { TwampReflector, twampReflectorSpec } from "../../../src/services/twamp/reflector.ts";
import type { DatagramMeta } from "../../../src/services/udp/handler.ts";

const ECHO = new URL("../../../src/services/udp_echo/handler.ts", import.meta.url).href;
const LOOPBACK = "127.0.0.1";

/** A datagram of `size` bytes; from 4 bytes on it starts with `size` (TWAMP sequence number). */
function datagram(size: number): Uint8Array {
  const data = new Uint8Array(size).fill(0xa5);
  if (size >= 4) new DataView(data.buffer).setUint32(0, size);
  if (size >= 14) data[13] = 1; // TWAMP Error Estimate multiplier ≠ 0
  return data;
}

/** Sends every datagram from one socket; collects what comes back within `ms`. */
async function exchange(
  port: number,
  packets: Uint8Array[],
  ms = 1500,
  socket?: Deno.DatagramConn,
): Promise<Uint8Array[]> {
  const client = socket ?? Deno.listenDatagram({ transport: "udp", hostname: LOOPBACK, port: 0 });
  const replies: Uint8Array[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<void>((r) => timer = setTimeout(r, ms));
  try {
    const target: Deno.NetAddr = { transport: "udp", hostname: LOOPBACK, port };
    for (const p of packets) await client.send(p, target);
    const receiving = (async () => {
      try {
        for (;;) replies.push((await client.receive())[0]);
      } catch { /* closed */ }
    })();
    await deadline;
    client.close();
    await receiving;
  } finally {
    clearTimeout(timer);
    try {
      client.close();
    } catch { /* closed */ }
  }
  return replies;
}

const SIZES = Array.from({ length: 201 }, (_, i) => i);

for (const path of ["deno", "ffi"] as UdpPath[]) {
  const ignore = path === "ffi" && ffiUnavailable() !== undefined;

  Deno.test({
    name: `UDP echo (${path}): every size 0–200 gets one reply of the same size, Echo Plus or not`,
    ignore,
    async fn() {
      for (const echoPlusEnabled of [false, true]) {
        const svc = await startUdpService({
          hostname: LOOPBACK,
          port: 0,
          path,
          spec: { module: ECHO, config: { echoPlusEnabled } },
        });
        try {
          const replies = await exchange(svc.port, SIZES.map(datagram));
          assert.deepEqual(replies.map((r) => r.length).sort((a, b) => a - b), SIZES);
          // Below the Echo Plus minimum (20 − 1 = 19 and less) the echo is byte for byte.
          const r19 = replies.find((r) => r.length === 19)!;
          assert.deepEqual(r19, datagram(19));
          const stats = await svc.stats();
          assert.equal(stats.PacketsReceived, 201);
          assert.equal(stats.PacketsResponded, 201);
        } finally {
          await svc.close();
        }
      }
    },
  });

  Deno.test({
    name: `TWAMP reflector (${path}): sizes 0–200 reflect only from 41 bytes, never larger`,
    ignore,
    async fn() {
      const svc = await startUdpService({
        hostname: LOOPBACK,
        port: 0,
        path,
        spec: twampReflectorSpec({ maximumTtl: 255 }),
      });
      try {
        const replies = await exchange(svc.port, SIZES.map(datagram));
        const sizes = replies.map((r) => {
          const asked = new DataView(r.buffer, r.byteOffset).getUint32(24); // Sender Sequence Number
          assert.ok(r.length <= asked, `reply of ${r.length} bytes to ${asked}`);
          return r.length;
        }).sort((a, b) => a - b);
        assert.deepEqual(sizes, SIZES.filter((s) => s >= 41));
        const stats = await svc.stats();
        assert.equal(stats.droppedMalformed, 14); // 0–13 bytes
        assert.equal(stats.droppedTooShort, 27); // 14–40 bytes (the minimum − 1 included)
        assert.equal(stats.reflected, 160);
      } finally {
        await svc.close();
      }
    },
  });

  Deno.test({
    name: `startUdpService() (${path}): maxDatagramSize + 1 is dropped and counted as oversize`,
    ignore,
    async fn() {
      for (const spec of [{ module: ECHO, config: {} }, twampReflectorSpec({ maximumTtl: 255 })]) {
        const svc = await startUdpService({
          hostname: LOOPBACK,
          port: 0,
          path,
          spec,
          maxDatagramSize: 1000,
        });
        try {
          const replies = await exchange(svc.port, [
            datagram(1001),
            datagram(65_000),
            datagram(1000),
          ]);
          assert.deepEqual(replies.map((r) => r.length), [1000]);
          const stats = await svc.stats();
          assert.equal(stats["loop.oversize"], 2);
          assert.equal(stats["loop.received"], 3);
        } finally {
          await svc.close();
        }
      }
    },
  });

  Deno.test({
    name: `TWAMP reflector (${path}): sources outside IPAllowedList/PortAllowedList get nothing`,
    ignore,
    async fn() {
      const probe = Deno.listenDatagram({ transport: "udp", hostname: LOOPBACK, port: 0 });
      const own = (probe.addr as Deno.NetAddr).port;
      probe.close();
      const other = own === 65535 ? 1 : own + 1;
      for (
        const config of [
          { ipAllowedList: "10.0.0.0/8,::1" },
          { portAllowedList: `${other}` },
          { ipAllowedList: "127.0.0.1/32", portAllowedList: "1-1023" },
        ]
      ) {
        const svc = await startUdpService({
          hostname: LOOPBACK,
          port: 0,
          path,
          spec: twampReflectorSpec({ maximumTtl: 255, ...config }),
        });
        try {
          const sock = Deno.listenDatagram({ transport: "udp", hostname: LOOPBACK, port: own });
          assert.deepEqual(await exchange(svc.port, [datagram(64), datagram(200)], 800, sock), []);
          const stats = await svc.stats();
          assert.equal(stats.reflected, 0);
          assert.equal(stats.senders, 0);
        } finally {
          await svc.close();
        }
      }
    },
  });

  Deno.test({
    name: `TWAMP reflector (${path}): 500 sending sockets keep at most maxSenders counters`,
    ignore,
    async fn() {
      const svc = await startUdpService({
        hostname: LOOPBACK,
        port: 0,
        path,
        spec: twampReflectorSpec({ maximumTtl: 255, maxSenders: 64 }),
      });
      const target: Deno.NetAddr = { transport: "udp", hostname: LOOPBACK, port: svc.port };
      const clients: Deno.DatagramConn[] = []; // all open at once: 500 distinct ports
      try {
        for (let i = 0; i < 500; i++) {
          const c = Deno.listenDatagram({ transport: "udp", hostname: LOOPBACK, port: 0 });
          clients.push(c);
          await c.send(datagram(64), target);
        }
        let stats = await svc.stats();
        for (let i = 0; i < 40 && stats.received !== 500; i++) {
          await new Promise((r) => setTimeout(r, 50));
          stats = await svc.stats();
        }
        assert.equal(stats.received, 500);
        assert.equal(stats.senders, 64);
        assert.equal(stats.sendersEvicted, 500 - 64);
      } finally {
        for (const c of clients) c.close();
        await svc.close();
      }
    },
  });
}

function meta(address: string, port: number): DatagramMeta {
  return { address, port, family: "IPv4", ttl: 255, receivedNs: 1_800_000_000_000_000_000n };
}

Deno.test("TwampReflector.handle() keeps its sender map bounded under 100,000 distinct sources", () => {
  const reflector = new TwampReflector({ maximumTtl: 255 });
  const reply = new Uint8Array(9216);
  const packet = datagram(64);
  const now = () => 1_800_000_000_000_000_000n;
  const before = Deno.memoryUsage().heapUsed;
  for (let i = 0; i < 100_000; i++) {
    const address = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    assert.equal(reflector.handle(packet, meta(address, 1024 + (i % 60_000)), reply, now), 64);
  }
  const stats = reflector.stats();
  assert.equal(stats.senders, 4096);
  assert.equal(stats.sendersEvicted, 100_000 - 4096);
  assert.equal(stats.reflected, 100_000);
  const grown = Deno.memoryUsage().heapUsed - before;
  assert.ok(grown < 64 * 1024 * 1024, `heap grew ${grown} bytes`);
});

Deno.test("UDP echo handler never writes a reply larger than its request (0–200, Echo Plus)", () => {
  const handler = createEchoHandler({ echoPlusEnabled: true });
  const reply = new Uint8Array(300).fill(0xee);
  for (const size of SIZES) {
    reply.fill(0xee);
    const n = handler.handle(datagram(size), meta("127.0.0.1", 9), reply, () => 0n);
    assert.equal(n, size);
    assert.ok(reply.subarray(size).every((b) => b === 0xee), `wrote past ${size}`);
  }
});
