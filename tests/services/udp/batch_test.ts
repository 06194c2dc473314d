/**
 * The FFI loop's batching, driven in this thread: datagrams are queued in the socket
 * first (a loopback send delivers at once), then `run()` handles exactly the batches the
 * test allows, then the clients read the replies. Covers a batch mixing allowed and
 * refused sources, a sendmmsg that takes only part of a batch or fails on one entry,
 * and slots reused by a shorter datagram after a longer one (no stale bytes).
 */

import assert from "node:assert/strict";
import { FfiUdpSocket } from "../../../src/services/udp/ffi_socket.ts";
import type { DatagramHandler } from "../../../src/services/udp/handler.ts";
import { ffiUnavailable, type Libc, openLibc } from "../../../src/services/udp/libc.ts";
import { createHandler as createEchoHandler } from "../../../src/services/udp_echo/handler.ts";
import { TwampReflector } from "../../../src/services/twamp/reflector.ts";
import {
  decodeReflectedPacket,
  encodeTestPacket,
  ntpToUnixNs,
  unixNsToNtp,
} from "../../../src/services/twamp/packet.ts";

const ignore = ffiUnavailable() !== undefined;

/** A client socket on `hostname` (127.0.0.x). */
function client(hostname = "127.0.0.1"): Deno.DatagramConn {
  return Deno.listenDatagram({ transport: "udp", hostname, port: 0 });
}

async function send(from: Deno.DatagramConn, port: number, data: Uint8Array): Promise<void> {
  await from.send(data, { transport: "udp", hostname: "127.0.0.1", port });
}

/** What reaches `conn` within `ms` (then it is closed). */
async function drain(conn: Deno.DatagramConn, ms = 300): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  const receiving = (async () => {
    try {
      for (;;) out.push((await conn.receive())[0]);
    } catch { /* closed */ }
  })();
  await new Promise((r) => setTimeout(r, ms));
  conn.close();
  await receiving;
  return out;
}

/** Runs `batches` receive rounds of `socket` with `handler`. */
function runBatches(socket: FfiUdpSocket, handler: DatagramHandler, batches = 1): void {
  let rounds = 0;
  socket.run(handler, () => rounds++ >= batches);
}

function testPacket(sequenceNumber: number, size: number, fill = 0x5a): Uint8Array {
  return encodeTestPacket({
    sequenceNumber,
    timestamp: unixNsToNtp(1_800_000_000_123_456_789n),
    errorEstimate: 0x0001,
    padding: new Uint8Array(Math.max(0, size - 14)).fill(fill),
  }).slice(0, size);
}

function withSocket(
  fn: (lib: Libc) => Promise<void>,
): () => Promise<void> {
  return async () => {
    const lib = openLibc()!;
    try {
      await fn(lib);
    } finally {
      lib.close();
    }
  };
}

Deno.test({
  name: "FfiUdpSocket.run() answers only the allowed sources of a mixed batch, in order",
  ignore,
  fn: withSocket(async (lib) => {
    const socket = new FfiUdpSocket(lib, { hostname: "127.0.0.1", port: 0, waitMs: 20 });
    const reflector = new TwampReflector({ maximumTtl: 255, ipAllowedList: "127.0.0.1" });
    const allowed = client("127.0.0.1");
    const refused = client("127.0.0.2");
    try {
      // allowed, refused, allowed, refused, malformed (allowed source), allowed
      await send(allowed, socket.port, testPacket(100, 64));
      await send(refused, socket.port, testPacket(200, 64));
      await send(allowed, socket.port, testPacket(101, 80));
      await send(refused, socket.port, testPacket(201, 64));
      await send(allowed, socket.port, new Uint8Array(10));
      await send(allowed, socket.port, testPacket(102, 41));
      runBatches(socket, reflector);
      assert.deepEqual(socket.stats, {
        received: 6,
        sent: 3,
        oversize: 0,
        sendErrors: 0,
        receiveErrors: 0,
        batches: 1,
      });
      const stats = reflector.stats();
      assert.equal(stats.reflected, 3);
      assert.equal(stats.droppedIpNotAllowed, 2);
      assert.equal(stats.droppedMalformed, 1);
      assert.deepEqual(await drain(refused), []);
      const replies = (await drain(allowed)).map((r) => [r.length, decodeReflectedPacket(r)!]);
      assert.deepEqual(replies.map(([n]) => n), [64, 80, 41]);
      const packets = replies.map(([, p]) =>
        p as NonNullable<ReturnType<typeof decodeReflectedPacket>>
      );
      assert.deepEqual(packets.map((p) => p.sequenceNumber), [0, 1, 2]);
      assert.deepEqual(packets.map((p) => p.senderSequenceNumber), [100, 101, 102]);
      // One clock read per batch: every reply of it carries the same send Timestamp, at
      // or after its own receive time.
      assert.equal(new Set(packets.map((p) => p.timestamp)).size, 1);
      for (const p of packets) {
        assert.ok(p.timestamp >= p.receiveTimestamp);
        assert.equal(p.senderTimestamp, unixNsToNtp(1_800_000_000_123_456_789n));
        assert.equal(p.senderTtl, 64);
      }
      const now = BigInt(Date.now()) * 1_000_000n;
      const received = ntpToUnixNs(packets[0].receiveTimestamp, { pivotNs: now });
      assert.ok(received <= now && received > now - 10_000_000_000n, "kernel receive time");
    } finally {
      socket.close();
    }
  }),
});

/** `lib` whose sendmmsg takes at most `take` datagrams per call; `failCall` fails (EBADF). */
function partialLib(lib: Libc, take: number, failCall = -1): { lib: Libc; calls: number[] } {
  const calls: number[] = [];
  const symbols = {
    ...lib.symbols,
    sendmmsg(fd: number, vec: Uint8Array, n: number, flags: number): number {
      calls.push(n);
      // fd -1: the real call fails with EBADF, so errno is real too.
      if (calls.length - 1 === failCall) return lib.symbols.sendmmsg(-1, vec, n, flags);
      return lib.symbols.sendmmsg(fd, vec, Math.min(n, take), flags);
    },
  };
  return { lib: { ...lib, symbols } as unknown as Libc, calls };
}

Deno.test({
  name: "FfiUdpSocket.run() sends the rest of a batch the kernel took only part of",
  ignore,
  fn: withSocket(async (real) => {
    const { lib, calls } = partialLib(real, 2);
    const socket = new FfiUdpSocket(lib, { hostname: "127.0.0.1", port: 0, waitMs: 20 });
    const echo = createEchoHandler({});
    const peer = client();
    try {
      for (let i = 0; i < 5; i++) await send(peer, socket.port, new Uint8Array([i, i, i]));
      runBatches(socket, echo);
      assert.deepEqual(calls, [5, 3, 1]);
      assert.equal(socket.stats.sent, 5);
      assert.equal(socket.stats.sendErrors, 0);
      const replies = await drain(peer);
      assert.deepEqual(replies.map((r) => [...r]), [0, 1, 2, 3, 4].map((i) => [i, i, i]));
      assert.equal(echo.stats().PacketsResponded, 5);
    } finally {
      socket.close();
    }
  }),
});

Deno.test({
  name: "FfiUdpSocket.run() counts a datagram sendmmsg refuses and sends the ones after it",
  ignore,
  fn: withSocket(async (real) => {
    const { lib, calls } = partialLib(real, 2, 1);
    const socket = new FfiUdpSocket(lib, { hostname: "127.0.0.1", port: 0, waitMs: 20 });
    const echo = createEchoHandler({});
    const peer = client();
    try {
      for (let i = 0; i < 5; i++) await send(peer, socket.port, new Uint8Array(8).fill(i));
      runBatches(socket, echo);
      // 2 sent; the 3rd fails (EBADF, not retried) and is skipped; then 2 more.
      assert.deepEqual(calls, [5, 3, 2]);
      assert.equal(socket.stats.sent, 4);
      assert.equal(socket.stats.sendErrors, 1);
      const replies = await drain(peer);
      assert.deepEqual(replies.map((r) => r[0]), [0, 1, 3, 4]);
      const stats = echo.stats();
      assert.equal(stats.PacketsReceived, 5);
      assert.equal(stats.PacketsResponded, 4);
      assert.equal(stats.BytesResponded, 4 * 16);
      assert.equal(stats.TestRespReplyFailureCount, 1);
    } finally {
      socket.close();
    }
  }),
});

Deno.test({
  name: "FfiUdpSocket.run() leaks no byte of a longer datagram into a later, shorter reply",
  ignore,
  fn: withSocket(async (lib) => {
    const socket = new FfiUdpSocket(lib, { hostname: "127.0.0.1", port: 0, waitMs: 20 });
    const reflector = new TwampReflector({ maximumTtl: 255, shortPackets: "pad" });
    const echo = createEchoHandler({ echoPlusEnabled: true });
    const peer = client();
    try {
      // TWAMP: 300 bytes of 0xAA into slot 0, then a bare 14-byte request there: its
      // 41-byte reply must carry only its own fields.
      await send(peer, socket.port, testPacket(1, 300, 0xaa));
      runBatches(socket, reflector);
      // Dropped (Error Estimate Multiplier 0), so left as received: 0xAA from byte 0 on.
      await send(peer, socket.port, new Uint8Array(300).fill(0xaa).fill(0, 13, 14));
      runBatches(socket, reflector);
      await send(peer, socket.port, testPacket(2, 14));
      runBatches(socket, reflector);
      const [long, short] = await drain(peer);
      assert.equal(long.length, 300);
      assert.equal(short.length, 41);
      // Every byte but the three timestamps (4–11, 16–23, 28–35), whose values are the
      // clock's and may hold 0xAA by chance.
      const fields = [...short.subarray(0, 4), ...short.subarray(12, 16), ...short.subarray(24, 28)]
        .concat([...short.subarray(36)]);
      assert.ok(!fields.includes(0xaa), `stale bytes in ${short}`);
      const p = decodeReflectedPacket(short)!;
      assert.equal(p.sequenceNumber, 1);
      assert.equal(p.senderSequenceNumber, 2);
      assert.equal(p.senderErrorEstimate, 0x0001);
      assert.deepEqual([...short.subarray(14, 16)], [0, 0]);
      assert.deepEqual([...short.subarray(38, 40)], [0, 0]);
      assert.equal(short[40], 64);

      // Echo (Echo Plus): 200 bytes, then 25 and 3 bytes through the same slots.
      const peer2 = client();
      await send(peer2, socket.port, new Uint8Array(200).fill(0xbb));
      runBatches(socket, echo);
      await send(peer2, socket.port, new Uint8Array(25).fill(0x11));
      await send(peer2, socket.port, new Uint8Array([7, 8, 9]));
      runBatches(socket, echo);
      const [, plus, tiny] = await drain(peer2);
      assert.equal(plus.length, 25);
      // All but the two timestamps (8–15), which are the clock's.
      assert.ok(![...plus.subarray(0, 8), ...plus.subarray(16)].includes(0xbb), `stale: ${plus}`);
      assert.deepEqual([...plus.subarray(0, 4)], [0x11, 0x11, 0x11, 0x11]); // TestGenSN kept
      assert.equal(new DataView(plus.buffer).getUint32(4), 1); // TestRespSN
      assert.deepEqual([...plus.subarray(20)], [0x11, 0x11, 0x11, 0x11, 0x11]);
      assert.deepEqual([...tiny], [7, 8, 9]);
    } finally {
      socket.close();
    }
  }),
});

Deno.test({
  name: "FfiUdpSocket.run() serves a handler without handleInPlace from reply slots of its own",
  ignore,
  fn: withSocket(async (lib) => {
    const socket = new FfiUdpSocket(lib, { hostname: "127.0.0.1", port: 0, batch: 4, waitMs: 20 });
    const handler: DatagramHandler = {
      handle(data, meta, reply) {
        if (data[0] === 0) return -1;
        reply[0] = data[0] + 1;
        reply[1] = meta.ttl ?? 0;
        return 2;
      },
      stats: () => ({}),
    };
    const peer = client();
    try {
      for (const b of [1, 0, 3, 4, 5, 6]) await send(peer, socket.port, new Uint8Array([b, 0xcc]));
      runBatches(socket, handler, 2); // 6 datagrams in batches of 4: two rounds
      assert.equal(socket.stats.batches, 2);
      assert.equal(socket.stats.received, 6);
      const replies = await drain(peer);
      assert.deepEqual(replies.map((r) => [...r]), [[2, 64], [4, 64], [5, 64], [6, 64], [7, 64]]);
    } finally {
      socket.close();
    }
  }),
});

Deno.test({
  name: "FfiUdpSocket.run() turns the TTL and kernel timestamps on and off as the handler asks",
  ignore,
  fn: withSocket(async (lib) => {
    const socket = new FfiUdpSocket(lib, { hostname: "127.0.0.1", port: 0, waitMs: 20 });
    let needs = { ttl: false, kernelTimestamp: false };
    const seen: [number | undefined, bigint][] = [];
    const handler: DatagramHandler = {
      handle(_data, meta) {
        seen.push([meta.ttl, meta.receivedNs]);
        return -1;
      },
      stats: () => ({}),
      controlNeeds: () => needs,
    };
    const peer = client();
    try {
      const before = BigInt(Date.now() - 1) * 1_000_000n;
      runBatches(socket, handler); // applies the needs (nothing queued: one receive timeout)
      await send(peer, socket.port, new Uint8Array(4));
      runBatches(socket, handler);
      needs = { ttl: true, kernelTimestamp: true };
      runBatches(socket, handler);
      await send(peer, socket.port, new Uint8Array(4));
      runBatches(socket, handler);
      const after = BigInt(Date.now() + 1) * 1_000_000n;
      assert.deepEqual(seen.map(([ttl]) => ttl), [undefined, 64]);
      for (const [, ns] of seen) assert.ok(ns >= before && ns <= after, `${ns}`);
    } finally {
      peer.close();
      socket.close();
    }
  }),
});
