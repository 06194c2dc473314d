import assert from "node:assert/strict";
import {
  decodeEchoPlus,
  encodeEchoRequest,
  runUDPEcho,
} from "../../../src/services/diagnostics/udp_echo_client.ts";
import { context } from "./_helpers.ts";
import { startEchoServer } from "./_udp_servers.ts";

const UNKNOWN_TIME = "0001-01-01T00:00:00Z";

Deno.test("encodeEchoRequest() puts TestGenSN first in network byte order", () => {
  assert.deepEqual(
    [...encodeEchoRequest(24, 0x01020304).subarray(0, 8)],
    [1, 2, 3, 4, 0, 0, 0, 0],
  );
  assert.deepEqual([...encodeEchoRequest(8, 5)], [0, 0, 0, 0, 0, 0, 0, 0]);
});

Deno.test("decodeEchoPlus() reads the five fields and refuses short datagrams", () => {
  const bytes = new Uint8Array([0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5, 9]);
  assert.deepEqual(decodeEchoPlus(bytes), {
    testGenSN: 1,
    testRespSN: 2,
    testRespRecvTimeStamp: 3,
    testRespReplyTimeStamp: 4,
    testRespReplyFailureCount: 5,
  });
  assert.equal(decodeEchoPlus(bytes.subarray(0, 19)), undefined);
});

Deno.test("runUDPEcho() measures a plain echo server", async () => {
  const server = startEchoServer();
  try {
    const outcome = await runUDPEcho({
      Host: "127.0.0.1",
      Port: String(server.port),
      NumberOfRepetitions: "3",
      Timeout: "1000",
      DataBlockSize: "24",
      InterTransmissionTime: "10",
    }, context());
    assert.equal(outcome.state, "Complete");
    assert.equal(outcome.results.SuccessCount, "3");
    assert.equal(outcome.results.FailureCount, "0");
    assert.ok(
      Number(outcome.results.MinimumResponseTime) <= Number(outcome.results.MaximumResponseTime),
    );
    assert.deepEqual(outcome.tables?.IndividualPacketResult, []);
  } finally {
    await server.close();
  }
});

Deno.test("runUDPEcho() records Echo Plus fields and lost packets per packet", async () => {
  const server = startEchoServer({ echoPlus: true, answer: (i) => i !== 1 });
  try {
    const outcome = await runUDPEcho({
      Host: "127.0.0.1",
      Port: String(server.port),
      NumberOfRepetitions: "3",
      Timeout: "300",
      DataBlockSize: "32",
      InterTransmissionTime: "10",
      EnableIndividualPacketResults: "true",
    }, context());
    assert.equal(outcome.state, "Complete");
    assert.equal(outcome.results.SuccessCount, "2");
    assert.equal(outcome.results.FailureCount, "1");
    const rows = outcome.tables?.IndividualPacketResult ?? [];
    assert.deepEqual(rows.map((r) => [r.PacketSuccess, r.TestGenSN, r.TestRespSN]), [
      ["true", "1", "1"],
      ["false", "2", "0"],
      ["true", "3", "2"],
    ]);
    assert.equal(rows[0].TestRespRcvTimeStamp, "1000");
    assert.equal(rows[2].TestRespReplyTimeStamp, "2002");
    assert.equal(rows[1].PacketReceiveTime, UNKNOWN_TIME);
    assert.match(rows[0].PacketSendTime, /\.\d{6}Z$/);
    assert.match(rows[0].PacketReceiveTime, /\.\d{6}Z$/);
  } finally {
    await server.close();
  }
});

Deno.test("runUDPEcho() maps an unresolved host and stops on abort", async () => {
  const noName = await runUDPEcho(
    { Host: "nosuch.invalid" },
    context(undefined, { resolve: () => Promise.resolve([]) }),
  );
  assert.equal(noName.state, "Error_CannotResolveHostName");
  const server = startEchoServer({ answer: () => false });
  const controller = new AbortController();
  try {
    const running = runUDPEcho({
      Host: "127.0.0.1",
      Port: String(server.port),
      NumberOfRepetitions: "100",
      Timeout: "1000",
    }, context(undefined, { signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    assert.equal((await running).state, "Error_Other");
  } finally {
    await server.close();
  }
});
