// Hostile TWAMP-Control clients on 127.0.0.1: silent, slow, too many, greedy, garbage.
import assert from "node:assert/strict";
import {
  startTwampControl,
  type TwampControlOptions,
  type TwampControlServer,
} from "../../../src/services/twamp/control_server.ts";
import { ControlClient, freeUdpPort } from "./_control_client.ts";

async function withServer(
  options: Partial<TwampControlOptions>,
  test: (server: TwampControlServer) => Promise<void>,
): Promise<void> {
  const server = startTwampControl({ hostname: "127.0.0.1", port: 0, ...options });
  try {
    await test(server);
  } finally {
    await server.close();
  }
}

async function statsWhen(
  server: TwampControlServer,
  ok: (s: Record<string, number>) => boolean,
): Promise<Record<string, number>> {
  for (let i = 0; i < 100 && !ok(server.stats()); i++) await new Promise((r) => setTimeout(r, 50));
  return server.stats();
}

Deno.test("startTwampControl() closes silent and byte-by-byte clients at the setup timeout", async () => {
  await withServer({ limits: { setupTimeoutMs: 400 } }, async (server) => {
    // Connects and never reads nor writes.
    const mute = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
    // Reads the greeting, then drips the Set-Up-Response one byte every 100 ms.
    const drip = await ControlClient.connect(server.port);
    await drip.read("ServerGreeting");
    const t0 = Date.now();
    let dripping = true;
    const dripper = (async () => {
      while (dripping) {
        await drip.conn.write(new Uint8Array([1])).catch(() => (dripping = false));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      assert.ok(await drip.closedByServer());
      const took = Date.now() - t0;
      assert.ok(took < 3_000, `closed after ${took} ms`);
      dripping = false;
      await dripper;
      const stats = await statsWhen(server, (s) => s.closedTimeout === 2);
      assert.equal(stats.closedTimeout, 2);
      assert.equal(stats.connectionsOpen, 0);
    } finally {
      dripping = false;
      mute.close();
      drip.close();
    }
  });
});

Deno.test("startTwampControl() serves 16 parallel connections and greets the 17th with Modes 0", async () => {
  await withServer({}, async (server) => {
    const clients: ControlClient[] = [];
    try {
      for (let i = 0; i < 16; i++) clients.push(await ControlClient.setUp(server.port));
      const extra = await ControlClient.connect(server.port);
      clients.push(extra);
      assert.equal((await extra.read("ServerGreeting")).modes, 0);
      assert.ok(await extra.closedByServer());
      assert.deepEqual(
        { open: server.stats().connectionsOpen, refused: server.stats().connectionsRefused },
        { open: 16, refused: 1 },
      );
      // Once one leaves, a new client gets in.
      clients[0].close();
      await statsWhen(server, (s) => s.connectionsOpen === 15);
      const late = await ControlClient.setUp(server.port);
      clients.push(late);
      assert.equal((await late.requestSession({ receiverPort: freeUdpPort() })).accept, 0);
    } finally {
      for (const c of clients) {
        try {
          c.close();
        } catch { /* closed */ }
      }
    }
  });
});

Deno.test("startTwampControl() accepts 4 sessions per connection and refuses the 5th with Accept 4", async () => {
  await withServer({}, async (server) => {
    const client = await ControlClient.setUp(server.port);
    try {
      const accepts = [];
      for (let i = 0; i < 5; i++) {
        accepts.push((await client.requestSession({ receiverPort: freeUdpPort() })).accept);
      }
      assert.deepEqual(accepts, [0, 0, 0, 0, 4]);
      assert.equal(server.stats().sessionsOpen, 4);
    } finally {
      client.close();
    }
    const stats = await statsWhen(server, (s) => s.sessionsOpen === 0);
    assert.equal(stats.sessionsOpen, 0);
  });
});

Deno.test("startTwampControl() closes on garbage after setup and on a garbage Set-Up-Response", async () => {
  await withServer({}, async (server) => {
    const after = await ControlClient.setUp(server.port);
    await after.send(crypto.getRandomValues(new Uint8Array(4096)).map((b) => b < 5 ? 200 : b));
    assert.ok(await after.closedByServer());
    after.close();
    const during = await ControlClient.connect(server.port);
    await during.read("ServerGreeting");
    const junk = crypto.getRandomValues(new Uint8Array(164));
    junk.set([0, 0, 0, 7]); // Mode 7
    await during.send(junk);
    assert.ok(await during.closedByServer());
    during.close();
    const stats = await statsWhen(server, (s) => s.connectionsOpen === 0);
    assert.equal(stats.closedMalformed + stats.closedWrongMode, 2);
    // Still serving.
    const good = await ControlClient.setUp(server.port);
    try {
      assert.equal((await good.requestSession({ receiverPort: freeUdpPort() })).accept, 0);
    } finally {
      good.close();
    }
  });
});
