/**
 * One suite, run against both loops: the FFI Worker and Deno.listenDatagram must give the
 * same handler the same datagrams and send the same replies.
 */
import assert from "node:assert/strict";
import { ffiUnavailable, startUdpService, type UdpPath } from "../../../src/services/udp/mod.ts";

const META = new URL("./_meta_handler.ts", import.meta.url).href;
const LOOPBACK = "127.0.0.1";
const enc = new TextEncoder();
const dec = new TextDecoder();

/** Receives one datagram or undefined after `ms` (bounded; no timing assertion). */
async function receive(conn: Deno.DatagramConn, ms = 2000): Promise<string | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((r) => timer = setTimeout(() => r(undefined), ms));
  try {
    const got = await Promise.race([conn.receive(), timeout]);
    return got === undefined ? undefined : dec.decode(got[0]);
  } finally {
    clearTimeout(timer);
  }
}

function client(): Deno.DatagramConn {
  return Deno.listenDatagram({ transport: "udp", hostname: LOOPBACK, port: 0 });
}

function to(port: number): Deno.NetAddr {
  return { transport: "udp", hostname: LOOPBACK, port };
}

const paths: UdpPath[] = ["deno", "ffi"];

for (const path of paths) {
  const ignore = path === "ffi" && ffiUnavailable() !== undefined;

  Deno.test({
    name: `startUdpService() ${path}: replies to the sender with the handler's bytes and metadata`,
    ignore,
    async fn() {
      const svc = await startUdpService({
        hostname: LOOPBACK,
        port: 0,
        path,
        spec: { module: META, config: { tag: "a" } },
      });
      const c = client();
      try {
        assert.equal(svc.path, path);
        await c.send(enc.encode("hello"), to(svc.port));
        const reply = await receive(c);
        const ttl = path === "ffi" ? "64" : "-"; // listenDatagram hides the TTL
        assert.equal(reply, `a|IPv4|127.0.0.1|${ttl}|true|hello`);
      } finally {
        c.close();
        await svc.close();
      }
    },
  });

  Deno.test({
    name: `startUdpService() ${path}: answers a burst of 200 datagrams, one reply each`,
    ignore,
    async fn() {
      const svc = await startUdpService({
        hostname: LOOPBACK,
        port: 0,
        path,
        spec: { module: META, config: { tag: "b" } },
      });
      const c = client();
      try {
        const sent = new Set<string>();
        for (let i = 0; i < 200; i++) {
          sent.add(String(i));
          await c.send(enc.encode(String(i)), to(svc.port));
        }
        const got = new Set<string>();
        for (let i = 0; i < 200; i++) {
          const r = await receive(c);
          if (r === undefined) break;
          got.add(r.split("|")[5]);
        }
        assert.deepEqual(got, sent);
        const stats = await svc.stats();
        assert.equal(stats.handled, 200);
        assert.equal(stats["loop.received"], 200);
        assert.equal(stats["loop.sent"], 200);
        assert.equal(stats["loop.path"], path);
      } finally {
        c.close();
        await svc.close();
      }
    },
  });

  Deno.test({
    name: `startUdpService() ${path}: sends nothing for -1 and drops oversize datagrams`,
    ignore,
    async fn() {
      const svc = await startUdpService({
        hostname: LOOPBACK,
        port: 0,
        path,
        maxDatagramSize: 100,
        spec: { module: META, config: { tag: "c" } },
      });
      const c = client();
      try {
        await c.send(enc.encode("drop"), to(svc.port));
        await c.send(new Uint8Array(101), to(svc.port));
        await c.send(enc.encode("x".repeat(50)), to(svc.port)); // fits: reply ends it
        assert.equal((await receive(c))?.endsWith("x".repeat(50)), true);
        const stats = await svc.stats();
        assert.equal(stats["loop.received"], 3);
        assert.equal(stats["loop.oversize"], 1);
        assert.equal(stats["loop.sent"], 1);
        assert.equal(stats.handled, 2);
      } finally {
        c.close();
        await svc.close();
      }
    },
  });

  Deno.test({
    name: `startUdpService() ${path}: reconfigure() reaches the running handler`,
    ignore,
    async fn() {
      const svc = await startUdpService({
        hostname: LOOPBACK,
        port: 0,
        path,
        spec: { module: META, config: { tag: "old" } },
      });
      const c = client();
      try {
        await svc.reconfigure({ tag: "new" });
        await c.send(enc.encode("q"), to(svc.port));
        assert.equal((await receive(c))?.split("|")[0], "new");
        assert.equal((await svc.stats()).tag, "new");
      } finally {
        c.close();
        await svc.close();
      }
    },
  });

  Deno.test({
    name: `startUdpService() ${path}: rejects a port in use and frees its port on close()`,
    ignore,
    async fn() {
      const svc = await startUdpService({
        hostname: LOOPBACK,
        port: 0,
        path,
        spec: { module: META, config: { tag: "d" } },
      });
      await assert.rejects(
        startUdpService({
          hostname: LOOPBACK,
          port: svc.port,
          path,
          spec: { module: META, config: { tag: "e" } },
        }),
      );
      await svc.close();
      await svc.close(); // idempotent
      const again = await startUdpService({
        hostname: LOOPBACK,
        port: svc.port,
        path,
        spec: { module: META, config: { tag: "f" } },
      });
      await again.close();
    },
  });
}

Deno.test({
  name: "startUdpService() ffi: serves IPv6 on ::1 with the hop limit",
  ignore: ffiUnavailable() !== undefined,
  async fn() {
    let c: Deno.DatagramConn;
    try {
      c = Deno.listenDatagram({ transport: "udp", hostname: "::1", port: 0 });
    } catch {
      return; // no IPv6 loopback on this machine
    }
    const svc = await startUdpService({
      hostname: "::1",
      port: 0,
      path: "ffi",
      spec: { module: META, config: { tag: "v6" } },
    });
    try {
      await c.send(enc.encode("six"), { transport: "udp", hostname: "::1", port: svc.port });
      assert.equal(await receive(c), "v6|IPv6|::1|64|true|six");
    } finally {
      c.close();
      await svc.close();
    }
  },
});

Deno.test("startUdpService() auto: picks ffi when it can run, else deno", async () => {
  const svc = await startUdpService({
    hostname: LOOPBACK,
    port: 0,
    spec: { module: META, config: { tag: "g" } },
  });
  try {
    assert.equal(svc.path, ffiUnavailable() === undefined ? "ffi" : "deno");
  } finally {
    await svc.close();
  }
});

Deno.test({
  name: 'startUdpService() ffi: device "lo" (SO_BINDTODEVICE) answers a datagram to 127.0.0.1',
  ignore: ffiUnavailable() !== undefined,
  async fn() {
    const svc = await startUdpService({
      hostname: "0.0.0.0",
      device: "lo",
      port: 0,
      path: "ffi",
      spec: { module: META, config: { tag: "lo" } },
    });
    const c = client();
    try {
      await c.send(enc.encode("dev"), to(svc.port));
      assert.equal(await receive(c), "lo|IPv4|127.0.0.1|64|true|dev");
    } finally {
      c.close();
      await svc.close();
    }
  },
});

Deno.test({
  name: "startUdpService() ffi: an unknown or impossible device fails the start, naming it",
  ignore: ffiUnavailable() !== undefined,
  async fn() {
    const start = (device: string) =>
      startUdpService({
        hostname: "0.0.0.0",
        device,
        port: 0,
        path: "ffi",
        spec: { module: META, config: { tag: "x" } },
      });
    await assert.rejects(start("nosuchdev0"), {
      message: 'Cannot bind UDP socket to device "nosuchdev0": no such device',
    });
    await assert.rejects(start("sixteen-bytes-xx"), {
      message:
        'Cannot bind UDP socket to device "sixteen-bytes-xx": not an interface name (1–15 bytes)',
    });
  },
});
