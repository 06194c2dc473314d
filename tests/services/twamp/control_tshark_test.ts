// Wireshark's TWAMP-Control dissector (Debian tshark) reads our control messages: a
// capture on `lo` of the control connection's data segments, decoded with
// `-d tcp.port==P,twamp.control` (the dissector tells messages apart by their order
// in the conversation, starting from a 64-byte Server-Greeting).
import assert from "node:assert/strict";
import { startTwampControl } from "../../../src/services/twamp/control_server.ts";
import { msToNtpDuration } from "../../../src/services/twamp/control_messages.ts";
import { ControlClient } from "./_control_client.ts";
import { tsharkMissing } from "./_tshark.ts";

/** Reads `stream` until `marker` appears (or it ends); returns what was read. */
async function readUntil(stream: ReadableStream<Uint8Array>, marker: string): Promise<string> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes(marker)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  reader.releaseLock();
  return text;
}

const colonHex = (bytes: Uint8Array) =>
  [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(":");

const missing = tsharkMissing();
if (missing !== undefined) console.warn(`control_tshark_test.ts: ignored: ${missing}`);

Deno.test({
  name: "startTwampControl() messages decode field by field in Wireshark's TWAMP-Control dissector",
  ignore: missing !== undefined,
  async fn() {
    const server = startTwampControl({ hostname: "127.0.0.1", port: 0 });
    const port = server.port;
    // Data segments only: greeting, setup, start, request, accept, start, ack, stop.
    const tshark = new Deno.Command("tshark", {
      args: [
        ...["-i", "lo", "-f", `tcp port ${port} and tcp[tcpflags] & tcp-push != 0`],
        ...["-c", "8", "-a", "duration:20"],
        ...["-d", `tcp.port==${port},twamp.control`, "-T", "json", "-l"],
      ],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const killer = setTimeout(() => tshark.kill(), 30_000);
    let client: ControlClient | undefined;
    try {
      const started = await readUntil(tshark.stderr, "Capture started");
      assert.ok(started.includes("Capture started"), `tshark did not capture: ${started}`);

      client = await ControlClient.connect(port);
      const greeting = await client.read("ServerGreeting");
      await client.send({ kind: "SetUpResponse", mode: 1 });
      await client.read("ServerStart");
      const accepted = await client.requestSession({
        senderPort: 40000,
        paddingLength: 27,
        timeout: msToNtpDuration(2500),
        typePDescriptor: 46,
      });
      await client.send({ kind: "StartSessions" });
      await client.read("StartAck");
      await client.send({ kind: "StopSessions", accept: 0, numberOfSessions: 1 });

      const output = await new Response(tshark.stdout).text();
      const shown = (JSON.parse(output) as { _source: { layers: Record<string, unknown> } }[])
        .map((p) => p._source.layers["twamp.control"] as Record<string, string>);
      assert.equal(shown.length, 8);
      const [greet, setup, start, req, accept, startSessions, ack, stop] = shown;
      assert.deepEqual(greet, {
        "twamp.control.unused": colonHex(new Uint8Array(12)),
        "twamp.control.modes": "1",
        "twamp.control.challenge": colonHex(greeting.challenge),
        "twamp.control.salt": colonHex(greeting.salt),
        "twamp.control.count": "1024",
        "twamp.control.mbz1": colonHex(new Uint8Array(12)),
      });
      assert.equal(setup["twamp.control.mode"], "1");
      assert.equal(start["twamp.control.accept"], "0");
      assert.equal(start["twamp.control.iv"], colonHex(new Uint8Array(16)));
      assert.equal(req["twamp.control.command"], "5");
      assert.equal(req["twamp.control.ipvn"], "4");
      assert.equal(req["twamp.control.sender_port"], "40000");
      assert.equal(req["twamp.control.padding_length"], "27");
      // 2.5 s is 0x00000002_80000000. Wireshark 4.0 divides the fraction by 4294.967296
      // (2^32 / 10^6, i.e. µs) and shows the result as ns: 0.5 s reads ".000500000".
      assert.match(req["twamp.control.timeout"], /^2\.(500000000|000500000)$/);
      assert.equal(req["twamp.control.type-p"], "0x0000002e");
      assert.deepEqual(accept, {
        "twamp.control.accept": "0",
        "twamp.control.receiver_port": String(accepted.port),
        "twamp.control.session_id": colonHex(accepted.sid),
        "twamp.control.mbz1": colonHex(new Uint8Array(12)),
        "twamp.control.hmac": colonHex(new Uint8Array(16)),
      });
      assert.equal(startSessions["twamp.control.command"], "2");
      assert.equal(ack["twamp.control.accept"], "0");
      assert.equal(stop["twamp.control.command"], "3");
      assert.equal(stop["twamp.control.numsessions"], "1");
    } finally {
      clearTimeout(killer);
      client?.close();
      try {
        tshark.kill();
      } catch { /* already exited */ }
      await tshark.status;
      await server.close();
    }
  },
});
