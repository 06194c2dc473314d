// The TWAMP-Control server over real TCP and UDP on 127.0.0.1, driven by a client built
// on the codec (tests/services/twamp/_control_client.ts).
import assert from "node:assert/strict";
import {
  startTwampControl,
  type TwampControlOptions,
  type TwampControlServer,
} from "../../../src/services/twamp/control_server.ts";
import { msToNtpDuration } from "../../../src/services/twamp/control_messages.ts";
import {
  decodeReflectedPacket,
  encodeTestPacket,
  unixNsToNtp,
} from "../../../src/services/twamp/packet.ts";
import { ControlClient, freeUdpPort, udpPortFree } from "./_control_client.ts";
import { exchange } from "./_udp_client.ts";

function testPacket(sequenceNumber: number): Uint8Array {
  return encodeTestPacket({
    sequenceNumber,
    timestamp: unixNsToNtp(BigInt(Date.now()) * 1_000_000n),
    errorEstimate: 0x0001,
    padding: new Uint8Array(64).fill(0xa5),
  });
}

async function withServer(
  options: Partial<TwampControlOptions>,
  test: (server: TwampControlServer, events: string[]) => Promise<void>,
): Promise<void> {
  const events: string[] = [];
  const server = startTwampControl({
    hostname: "127.0.0.1",
    port: 0,
    onEvent: (m) => events.push(m),
    ...options,
  });
  try {
    await test(server, events);
  } finally {
    await server.close();
  }
}

Deno.test("startTwampControl() runs a whole TWAMP session: setup, test packets, stop", async () => {
  await withServer({}, async (server) => {
    const client = await ControlClient.connect(server.port);
    let lastPort = 0;
    try {
      const greeting = await client.read("ServerGreeting");
      assert.equal(greeting.modes, 1);
      assert.equal(greeting.count, 1024);
      await client.send({ kind: "SetUpResponse", mode: 1 });
      const start = await client.read("ServerStart");
      assert.equal(start.accept, 0);
      assert.ok(start.startTime <= unixNsToNtp(BigInt(Date.now()) * 1_000_000n));

      const wanted = freeUdpPort();
      const accepted = await client.requestSession({
        receiverPort: wanted,
        senderPort: 40000,
        timeout: 0n,
      });
      assert.equal(accepted.accept, 0);
      assert.equal(accepted.port, wanted);
      assert.deepEqual([...accepted.sid.subarray(0, 4)], [127, 0, 0, 1]);
      assert.equal(server.stats().sessionsOpen, 1);

      await client.send({ kind: "StartSessions" });
      assert.equal((await client.read("StartAck")).accept, 0);

      const replies = await exchange(wanted, [testPacket(7), testPacket(8), testPacket(9)]);
      assert.equal(replies.length, 3);
      const reflected = replies.map((r) => decodeReflectedPacket(r)!);
      assert.deepEqual(reflected.map((p) => p.sequenceNumber), [0, 1, 2]);
      assert.deepEqual(reflected.map((p) => p.senderSequenceNumber), [7, 8, 9]);
      assert.deepEqual(replies.map((r) => r.length), [78, 78, 78]);

      await client.send({ kind: "StopSessions", accept: 0, numberOfSessions: 1 });
      assert.ok(await udpPortFree(wanted), "the session's port is released after Stop-Sessions");

      // The connection goes on: a new session on the same port.
      const again = await client.requestSession({ receiverPort: wanted });
      assert.equal(again.accept, 0);
      assert.equal(again.port, wanted);
      lastPort = again.port;
    } finally {
      client.close();
    }
    // Closing the control connection stops its sessions.
    assert.ok(await udpPortFree(lastPort));
    const stats = await statsWhen(server, (s) => s.connectionsOpen === 0);
    assert.equal(stats.sessionsOpen, 0);
    assert.equal(stats.sessionsAccepted, 2);
    assert.equal(stats.closedByPeer, 1);
  });
});

Deno.test("startTwampControl() releases a connection's sessions when it closes", async () => {
  await withServer({}, async (server) => {
    const client = await ControlClient.setUp(server.port);
    const accepted = await client.requestSession({ receiverPort: freeUdpPort() });
    assert.equal(accepted.accept, 0);
    client.close();
    assert.ok(await udpPortFree(accepted.port));
    assert.equal((await statsWhen(server, (s) => s.sessionsOpen === 0)).sessionsOpen, 0);
  });
});

Deno.test("startTwampControl() keeps reflecting for the session Timeout after Stop-Sessions", async () => {
  await withServer({}, async (server) => {
    const client = await ControlClient.setUp(server.port);
    try {
      const accepted = await client.requestSession({ timeout: msToNtpDuration(60_000) });
      await client.send({ kind: "StartSessions" });
      await client.read("StartAck");
      await client.send({ kind: "StopSessions", accept: 0, numberOfSessions: 1 });
      // Still reflecting (Timeout 60 s, capped at 30 s: far beyond this test).
      assert.equal((await exchange(accepted.port, [testPacket(1)])).length, 1);
      assert.equal(server.stats().sessionsOpen, 1);
    } finally {
      client.close();
    }
  });
});

Deno.test("startTwampControl() proposes another port when the requested one is busy or low", async () => {
  await withServer({}, async (server) => {
    const busy = Deno.listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" });
    const client = await ControlClient.setUp(server.port);
    try {
      const port = (busy.addr as Deno.NetAddr).port;
      const moved = await client.requestSession({ receiverPort: port });
      assert.equal(moved.accept, 0);
      assert.notEqual(moved.port, port);
      assert.equal((await exchange(moved.port, [testPacket(1)])).length, 1);
      const low = await client.requestSession({ receiverPort: 9 });
      assert.equal(low.accept, 0);
      assert.ok(low.port >= 1024);
    } finally {
      client.close();
      busy.close();
    }
  });
});

Deno.test("startTwampControl() refuses sessions with the RFC 4656 Accept codes", async () => {
  await withServer(
    { alternatePorts: false, limits: { maxSessionsPerConnection: 1 } },
    async (server, events) => {
      const busy = Deno.listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" });
      const client = await ControlClient.setUp(server.port);
      try {
        const port = (busy.addr as Deno.NetAddr).port;
        const refused = await client.requestSession({ receiverPort: port });
        assert.deepEqual({ accept: refused.accept, port: refused.port }, { accept: 5, port: 0 });
        assert.deepEqual(refused.sid, new Uint8Array(16));
        const v6 = await client.requestSession({
          ipvn: 6,
          senderAddress: "::1",
          receiverAddress: "::1",
        });
        assert.equal(v6.accept, 3);
        const typeP = await client.requestSession({ typePDescriptor: 0x4000_0000 });
        assert.equal(typeP.accept, 3);
        const first = await client.requestSession({ receiverPort: freeUdpPort() });
        assert.equal(first.accept, 0);
        const second = await client.requestSession({ receiverPort: freeUdpPort() });
        assert.equal(second.accept, 4);
        assert.equal(server.stats().sessionsRefused, 4);
        assert.match(events.join("\n"), /refuses a session of 127\.0\.0\.1:\d+: too many sessions/);
      } finally {
        client.close();
        busy.close();
      }
    },
  );
});

Deno.test("startTwampControl() disconnects misbehaving clients and keeps serving others", async () => {
  await withServer({ limits: { setupTimeoutMs: 300 } }, async (server, events) => {
    const good = await ControlClient.setUp(server.port);
    try {
      const accepted = await good.requestSession({ receiverPort: freeUdpPort() });
      assert.equal(accepted.accept, 0);

      // Wrong mode.
      const wrongMode = await ControlClient.connect(server.port);
      await wrongMode.read("ServerGreeting");
      await wrongMode.send({ kind: "SetUpResponse", mode: 2 });
      assert.ok(await wrongMode.closedByServer());
      wrongMode.close();

      // Garbage command after a good setup.
      const garbage = await ControlClient.setUp(server.port);
      await garbage.send(new Uint8Array(32).fill(9));
      assert.ok(await garbage.closedByServer());
      garbage.close();

      // A malformed Request-TW-Session (IPVN 7).
      const malformed = await ControlClient.setUp(server.port);
      const bad = new Uint8Array(112);
      bad[0] = 5;
      bad[1] = 7;
      await malformed.send(bad);
      assert.ok(await malformed.closedByServer());
      malformed.close();

      // A short Set-Up-Response, then EOF.
      const short = await ControlClient.connect(server.port);
      await short.read("ServerGreeting");
      await short.send(new Uint8Array(100));
      await short.conn.closeWrite();
      assert.ok(await short.closedByServer());
      short.close();

      // Silence past the setup timeout.
      const silent = await ControlClient.connect(server.port);
      await silent.read("ServerGreeting");
      assert.ok(await silent.closedByServer());
      silent.close();

      // The good connection still works.
      await good.send({ kind: "StartSessions" });
      assert.equal((await good.read("StartAck")).accept, 0);
      const replies = await exchange(accepted.port, [testPacket(1), testPacket(2)]);
      assert.equal(replies.length, 2);

      const stats = await statsWhen(server, (s) => s.connectionsOpen === 1);
      assert.deepEqual(
        {
          closedWrongMode: stats.closedWrongMode,
          closedMalformed: stats.closedMalformed,
          closedTimeout: stats.closedTimeout,
          sessionsOpen: stats.sessionsOpen,
        },
        { closedWrongMode: 1, closedMalformed: 3, closedTimeout: 1, sessionsOpen: 1 },
      );
      const text = events.join("\n");
      assert.match(text, /Set-Up-Response Mode "2" is not 1/);
      assert.match(text, /unknown command "9"/);
      assert.match(text, /IPVN "7" is neither 4 nor 6/);
      assert.match(text, /EOF after 100 of 164 bytes/);
      assert.match(text, /no Set-Up-Response within 300 ms/);
    } finally {
      good.close();
    }
  });
});

Deno.test("startTwampControl() greets with Modes 0 beyond maxConnections", async () => {
  await withServer({ limits: { maxConnections: 1 } }, async (server) => {
    const first = await ControlClient.setUp(server.port);
    const second = await ControlClient.connect(server.port);
    try {
      assert.equal((await second.read("ServerGreeting")).modes, 0);
      assert.ok(await second.closedByServer());
      assert.equal(server.stats().connectionsRefused, 1);
      // The first one is unaffected.
      assert.equal((await first.requestSession({})).accept, 0);
    } finally {
      first.close();
      second.close();
    }
  });
});

Deno.test("startTwampControl() refuses peers outside IPAllowedList", async () => {
  await withServer({ reflector: { ipAllowedList: "192.0.2.0/24" } }, async (server) => {
    const client = await ControlClient.connect(server.port);
    try {
      assert.equal((await client.read("ServerGreeting")).modes, 0);
      assert.ok(await client.closedByServer());
    } finally {
      client.close();
    }
  });
});

Deno.test("startTwampControl() close() ends connections and their sessions", async () => {
  const server = startTwampControl({ hostname: "127.0.0.1", port: 0 });
  const client = await ControlClient.setUp(server.port);
  const accepted = await client.requestSession({ receiverPort: freeUdpPort() });
  await server.close();
  assert.ok(await client.closedByServer());
  assert.ok(await udpPortFree(accepted.port));
  client.close();
});

/** The server's counters once `ready` holds (polled, at most 2 s). */
async function statsWhen(
  server: TwampControlServer,
  ready: (stats: Record<string, number>) => boolean,
): Promise<Record<string, number>> {
  for (let i = 0; i < 200 && !ready(server.stats()); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  return server.stats();
}

Deno.test("startTwampControl() closes idle connections (SERVWAIT)", async () => {
  await withServer({ limits: { idleTimeoutMs: 200 } }, async (server, events) => {
    const idle = await ControlClient.setUp(server.port);
    try {
      assert.ok(await idle.closedByServer());
      assert.match(events.join("\n"), /no command within 200 ms/);
    } finally {
      idle.close();
    }
  });
});

Deno.test("startTwampControl() ends a test no packet reaches for REFWAIT", async () => {
  await withServer({ limits: { refWaitMs: 200 } }, async (server, events) => {
    const testing = await ControlClient.setUp(server.port);
    try {
      const accepted = await testing.requestSession({ receiverPort: freeUdpPort() });
      await testing.send({ kind: "StartSessions" });
      await testing.read("StartAck");
      assert.ok(await testing.closedByServer());
      assert.ok(await udpPortFree(accepted.port));
      assert.match(events.join("\n"), /no test packet for 200 ms/);
    } finally {
      testing.close();
    }
  });
});

Deno.test("startTwampControl() sessions reflect on the listenDatagram path too", async () => {
  await withServer({ path: "deno" }, async (server) => {
    const client = await ControlClient.setUp(server.port);
    try {
      const accepted = await client.requestSession({ receiverPort: freeUdpPort() });
      const [reply] = await exchange(accepted.port, [testPacket(3)]);
      assert.equal(decodeReflectedPacket(reply)!.senderTtl, 255); // TTL unread, MaximumTTL 255
      assert.equal(decodeReflectedPacket(reply)!.senderSequenceNumber, 3);
    } finally {
      client.close();
    }
  });
});
