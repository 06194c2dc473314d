import assert from "node:assert/strict";
import { TosSocket, tosSocketUnavailable } from "../../../src/services/udp/tos_socket.ts";

const ignore = tosSocketUnavailable() !== undefined;

async function roundTrip(server: string, client: string, tos: number) {
  const receiver = new TosSocket({ hostname: server, port: 0, tos: 0 });
  const sender = new TosSocket({ hostname: client, port: 0, tos });
  try {
    assert.equal(sender.tos, tos, "getsockopt reads the TOS back");
    sender.send(new Uint8Array([1, 2, 3]), server, receiver.port);
    const got = await receiver.receive(1000);
    assert.ok(got, "datagram received");
    assert.deepEqual([...got.data], [1, 2, 3]);
    assert.equal(got.port, sender.port);
    return got.tos;
  } finally {
    await sender.close();
    await receiver.close();
  }
}

Deno.test({
  name: "TosSocket marks IPv4 datagrams with IP_TOS and reports the TOS received",
  ignore,
  fn: async () => {
    assert.equal(await roundTrip("127.0.0.1", "0.0.0.0", 46 << 2), 184);
    assert.equal(await roundTrip("127.0.0.1", "0.0.0.0", 0), 0);
  },
});

Deno.test({
  name: "TosSocket marks IPv6 datagrams with IPV6_TCLASS",
  ignore,
  fn: async () => {
    try {
      await new TosSocket({ hostname: "::1", port: 0, tos: 0 }).close();
    } catch {
      return; // no IPv6 loopback here
    }
    assert.equal(await roundTrip("::1", "::", 10 << 2), 40);
  },
});

Deno.test({
  name: "TosSocket.receive() returns undefined on timeout and soon after an abort",
  ignore,
  fn: async () => {
    const socket = new TosSocket({ hostname: "127.0.0.1", port: 0, tos: 0 });
    try {
      assert.equal(await socket.receive(20), undefined);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 10);
      const started = performance.now();
      assert.equal(await socket.receive(5000, controller.signal), undefined);
      assert.ok(performance.now() - started < 1000);
    } finally {
      await socket.close();
    }
    await socket.close(); // idempotent
    assert.throws(() => socket.send(new Uint8Array(1), "127.0.0.1", 9), /TOS socket is closed/);
  },
});

Deno.test("TosSocket refuses a TOS outside 0–255", () => {
  assert.throws(
    () => new TosSocket({ hostname: "127.0.0.1", port: 0, tos: 256 }),
    { name: "RangeError", message: 'Cannot open TOS socket: TOS "256" out of range' },
  );
});
