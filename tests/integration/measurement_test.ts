/**
 * Issue #4 through the real agent: the ACS switches on the TR-143 UDP echo server
 * (Echo Plus) and a TWAMP-Light reflector with SetParameterValues/AddObject, real
 * datagrams get answered, the settings survive a restart, and a requested IPPing
 * runs after the session and comes back with `8 DIAGNOSTICS COMPLETE`.
 */

import assert from "node:assert/strict";
import { eventsOf, withRig } from "./_rig.ts";
import { addOf, crSession, gpvOf } from "./_wire.ts";
import { ControlClient } from "../services/twamp/_control_client.ts";

function freeUdpPort(): number {
  const socket = Deno.listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" });
  const port = (socket.addr as Deno.NetAddr).port;
  socket.close();
  return port;
}

/** Sends `data` to 127.0.0.1:`port` and resolves with the reply, or undefined after `ms`. */
async function exchange(port: number, data: Uint8Array, ms = 2_000) {
  const socket = Deno.listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" });
  try {
    await socket.send(data, { hostname: "127.0.0.1", port, transport: "udp" });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)));
    const reply = await Promise.race([socket.receive().then(([d]) => d), timeout]);
    clearTimeout(timer);
    return reply;
  } finally {
    socket.close();
  }
}

const ECHO = "Device.IP.Diagnostics.UDPEchoConfig.";

Deno.test("agent runs the UDP echo server the ACS enables, across a restart", async () => {
  await withRig(async ({ acs, start, validateAll }) => {
    const port = freeUdpPort();
    let agent = await start();
    await acs.waitForSessions(1, 15_000);
    await crSession(acs, agent, {
      kind: "SetParameterValues",
      parameterList: [
        { name: `${ECHO}UDPPort`, value: String(port), type: "xsd:unsignedInt" },
        { name: `${ECHO}EchoPlusEnabled`, value: "true", type: "xsd:boolean" },
        { name: `${ECHO}Enable`, value: "true", type: "xsd:boolean" },
      ],
      parameterKey: "echo-on",
    });
    const request = new Uint8Array(24);
    new DataView(request.buffer).setUint32(0, 77);
    const reply = await exchange(port, request);
    assert.ok(reply, "no echo");
    assert.equal(reply.length, 24);
    const view = new DataView(reply.buffer, reply.byteOffset);
    assert.equal(view.getUint32(0), 77); // TestGenSN kept
    assert.equal(view.getUint32(4), 0); // TestRespSN: the server's first response

    const stats = await crSession(acs, agent, {
      kind: "GetParameterValues",
      parameterNames: [
        `${ECHO}PacketsReceived`,
        `${ECHO}BytesReceived`,
        `${ECHO}EchoPlusSupported`,
      ],
    });
    assert.deepEqual(gpvOf(stats, 0), {
      [`${ECHO}PacketsReceived`]: "1",
      [`${ECHO}BytesReceived`]: "32", // payload + 8-byte UDP header
      [`${ECHO}EchoPlusSupported`]: "true",
    });

    await agent.kill("SIGTERM");
    agent = await start();
    await acs.waitForSessions(4, 15_000);
    assert.ok(await exchange(port, new Uint8Array([1, 2, 3])), "no echo after restart");

    await crSession(acs, agent, {
      kind: "SetParameterValues",
      parameterList: [{ name: `${ECHO}Enable`, value: "false", type: "xsd:boolean" }],
      parameterKey: "echo-off",
    });
    assert.equal(await exchange(port, new Uint8Array([1]), 500), undefined);
    await validateAll();
  });
});

Deno.test("agent reflects TWAMP-Light test packets on a reflector the ACS adds", async () => {
  await withRig(async ({ acs, start, validateAll }) => {
    const agent = await start();
    await acs.waitForSessions(1, 15_000);
    const names = await crSession(acs, agent, {
      kind: "GetParameterValues",
      parameterNames: ["Device.IP.Interface."],
    });
    const values = gpvOf(names, 0);
    const lo = Object.keys(values).find((k) => k.endsWith(".Name") && values[k] === "lo");
    assert.ok(lo, "no loopback IP.Interface row");
    const row = lo.slice(0, -"Name".length);
    const added = await crSession(acs, agent, {
      kind: "AddObject",
      objectName: `${row}TWAMPReflector.`,
      parameterKey: "",
    });
    const reflector = `${row}TWAMPReflector.${addOf(added, 0).instanceNumber}.`;
    const port = freeUdpPort();
    await crSession(acs, agent, {
      kind: "SetParameterValues",
      parameterList: [
        { name: `${reflector}Port`, value: String(port), type: "xsd:unsignedInt" },
        { name: `${reflector}MaximumTTL`, value: "255", type: "xsd:unsignedInt" },
        { name: `${reflector}Enable`, value: "true", type: "xsd:boolean" },
      ],
      parameterKey: "",
    });
    // Unauthenticated test packet: seq 5, timestamp, error estimate (S=0, mult 1), padding.
    const request = new Uint8Array(14 + 27 + 8);
    const view = new DataView(request.buffer);
    view.setUint32(0, 5);
    view.setUint32(4, 0xe8000000);
    view.setUint16(12, 0x0001);
    const reply = await exchange(port, request);
    assert.ok(reply, "no reflection");
    assert.equal(reply.length, request.length); // never larger than the request
    const r = new DataView(reply.buffer, reply.byteOffset);
    assert.equal(r.getUint32(0), 0); // the reflector's own sequence number
    assert.equal(r.getUint32(24), 5); // sender sequence number copied
    assert.equal(r.getUint32(28), 0xe8000000); // sender timestamp copied
    const status = await crSession(acs, agent, {
      kind: "GetParameterValues",
      parameterNames: [`${reflector}Status`],
    });
    assert.equal(gpvOf(status, 0)[`${reflector}Status`], "Active");
    await validateAll();
  });
});

Deno.test("agent runs a requested IPPing after the session and reports 8 DIAGNOSTICS COMPLETE", async () => {
  await withRig(async ({ acs, start, validateAll }) => {
    const agent = await start();
    await acs.waitForSessions(1, 15_000);
    const ping = "Device.IP.Diagnostics.IPPing.";
    await crSession(acs, agent, {
      kind: "SetParameterValues",
      parameterList: [
        { name: `${ping}Host`, value: "127.0.0.1", type: "xsd:string" },
        { name: `${ping}NumberOfRepetitions`, value: "2", type: "xsd:unsignedInt" },
        { name: `${ping}Timeout`, value: "2000", type: "xsd:unsignedInt" },
        { name: `${ping}DiagnosticsState`, value: "Requested", type: "xsd:string" },
      ],
      parameterKey: "",
    });
    acs.enqueue({
      kind: "GetParameterValues",
      parameterNames: [`${ping}DiagnosticsState`, `${ping}SuccessCount`, `${ping}FailureCount`],
    });
    const sessions = await acs.waitForSessions(3, 20_000);
    assert.deepEqual(eventsOf(sessions[2]), ["8 DIAGNOSTICS COMPLETE|"]);
    assert.deepEqual(gpvOf(sessions[2], 0), {
      [`${ping}DiagnosticsState`]: "Complete",
      [`${ping}SuccessCount`]: "2",
      [`${ping}FailureCount`]: "0",
    });
    await validateAll();
  });
});

Deno.test("agent serves TWAMP-Control when configured, and a full client gets reflections", async () => {
  await withRig(async ({ acs, start }) => {
    const agent = await start({ twamp: "control_enable = true\ncontrol_port = 0" });
    const line = await agent.waitForLine(/TWAMP-Control server initiated with the port: \d+/);
    const port = Number(line.match(/port: (\d+)/)![1]);
    await acs.waitForSessions(1, 15_000);
    const client = await ControlClient.setUp(port);
    try {
      const wanted = freeUdpPort();
      const accepted = await client.requestSession({ receiverPort: wanted });
      assert.equal(accepted.accept, 0);
      await client.send({ kind: "StartSessions" });
      assert.equal((await client.read("StartAck")).accept, 0);
      const packet = new Uint8Array(14 + 27);
      new DataView(packet.buffer).setUint32(0, 9);
      packet[13] = 1; // error estimate multiplier 1
      const reply = await exchange(accepted.port, packet);
      assert.ok(reply, "no reflection");
      assert.equal(new DataView(reply.buffer, reply.byteOffset).getUint32(24), 9);
      await client.send({ kind: "StopSessions", accept: 0, numberOfSessions: 1 });
    } finally {
      client.close();
    }
  });
});

Deno.test("agent's UDPEchoDiagnostics client measures against its own Echo Plus server", async () => {
  await withRig(async ({ acs, start, validateAll }) => {
    const agent = await start();
    await acs.waitForSessions(1, 15_000);
    const port = freeUdpPort();
    const diag = "Device.IP.Diagnostics.UDPEchoDiagnostics.";
    await crSession(acs, agent, {
      kind: "SetParameterValues",
      parameterList: [
        { name: `${ECHO}UDPPort`, value: String(port), type: "xsd:unsignedInt" },
        { name: `${ECHO}EchoPlusEnabled`, value: "true", type: "xsd:boolean" },
        { name: `${ECHO}Enable`, value: "true", type: "xsd:boolean" },
        { name: `${diag}Host`, value: "127.0.0.1", type: "xsd:string" },
        { name: `${diag}Port`, value: String(port), type: "xsd:unsignedInt" },
        { name: `${diag}NumberOfRepetitions`, value: "3", type: "xsd:unsignedInt" },
        { name: `${diag}Timeout`, value: "1000", type: "xsd:unsignedInt" },
        { name: `${diag}InterTransmissionTime`, value: "10", type: "xsd:unsignedInt" },
        { name: `${diag}EnableIndividualPacketResults`, value: "true", type: "xsd:boolean" },
        { name: `${diag}DiagnosticsState`, value: "Requested", type: "xsd:string" },
      ],
      parameterKey: "",
    });
    acs.enqueue({
      kind: "GetParameterValues",
      parameterNames: [
        `${diag}DiagnosticsState`,
        `${diag}SuccessCount`,
        `${diag}IndividualPacketResult.3.TestRespSN`,
        `${diag}IndividualPacketResult.3.PacketSuccess`,
        `${ECHO}PacketsResponded`,
      ],
    });
    const sessions = await acs.waitForSessions(3, 20_000);
    assert.deepEqual(eventsOf(sessions[2]), ["8 DIAGNOSTICS COMPLETE|"]);
    assert.deepEqual(gpvOf(sessions[2], 0), {
      [`${diag}DiagnosticsState`]: "Complete",
      [`${diag}SuccessCount`]: "3",
      [`${diag}IndividualPacketResult.3.TestRespSN`]: "2", // the server's third response
      [`${diag}IndividualPacketResult.3.PacketSuccess`]: "true",
      [`${ECHO}PacketsResponded`]: "3",
    });
    await validateAll();
  });
});
