// Wireshark's TWAMP-Test dissector (Debian tshark) reads our reflected packets as sent:
// a capture on `lo` filtered to the reflector's source port, decoded with
// `-d udp.port==P,twamp.test` (the dissector takes every packet as a reflected one).
import assert from "node:assert/strict";
import { ffiUnavailable, startUdpService } from "../../../src/services/udp/mod.ts";
import {
  decodeReflectedPacket,
  encodeTestPacket,
  ntpToUnixNs,
  unixNsToNtp,
} from "../../../src/services/twamp/packet.ts";
import { twampReflectorSpec } from "../../../src/services/twamp/reflector.ts";
import { exchange } from "./_udp_client.ts";
import { tsharkMissing } from "./_tshark.ts";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Wireshark's absolute time text ("Nov 14, 2023 22:13:20.250000000 UTC") → Unix ns. */
function wiresharkTimeNs(text: string): bigint {
  const m = /^(\w{3}) +(\d+), (\d{4}) (\d\d):(\d\d):(\d\d)\.(\d{9}) UTC$/.exec(text);
  assert.ok(m, `unexpected time format: ${text}`);
  const ms = Date.UTC(+m[3], MONTHS.indexOf(m[1]), +m[2], +m[4], +m[5], +m[6]);
  return BigInt(ms) * 1_000_000n + BigInt(m[7]);
}

/** Within 1 ns: Wireshark may truncate the 2^-32 s fraction where we round. */
function assertSameInstant(wireshark: string, ntp: bigint, what: string): void {
  const diff = wiresharkTimeNs(wireshark) - ntpToUnixNs(ntp);
  assert.ok(diff >= -1n && diff <= 1n, `${what}: ${wireshark} vs ${ntpToUnixNs(ntp)} ns`);
}

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

const missing = tsharkMissing();
if (missing !== undefined) console.warn(`tshark_test.ts: ignored: ${missing}`);

Deno.test({
  name: "createHandler() reflections decode field by field in Wireshark's TWAMP dissector",
  ignore: missing !== undefined,
  async fn() {
    const path = ffiUnavailable() === undefined ? "ffi" : "deno";
    const service = await startUdpService({
      hostname: "127.0.0.1",
      port: 0,
      path,
      spec: twampReflectorSpec({ maximumTtl: 255 }),
    });
    const port = service.port;
    const tshark = new Deno.Command("tshark", {
      args: [
        ...["-i", "lo", "-f", `udp src port ${port}`, "-c", "3", "-a", "duration:20"],
        ...["-d", `udp.port==${port},twamp.test`, "-T", "json", "-l"],
      ],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const killer = setTimeout(() => tshark.kill(), 30_000);
    try {
      const started = await readUntil(tshark.stderr, "Capture started");
      assert.ok(started.includes("Capture started"), `tshark did not capture: ${started}`);

      const requests = [41, 64, 300].map((size, i) =>
        encodeTestPacket({
          sequenceNumber: 0x01020300 + i,
          timestamp: unixNsToNtp(1_700_000_000_250_000_000n + BigInt(i) * 123_456_789n),
          errorEstimate: 0x8001 + i,
          padding: new Uint8Array(size - 14).map((_, j) => j & 0xff),
        })
      );
      const replies = await exchange(port, requests);
      assert.equal(replies.length, 3);
      const output = await new Response(tshark.stdout).text();
      const layers = (JSON.parse(output) as { _source: { layers: Record<string, unknown> } }[])
        .map((p) => p._source.layers["twamp.test"] as Record<string, unknown>);
      assert.equal(layers.length, 3);

      const ttl = path === "ffi"
        ? Number(Deno.readTextFileSync("/proc/sys/net/ipv4/ip_default_ttl").trim())
        : 255;
      for (let i = 0; i < 3; i++) {
        const shown = layers[i];
        const reply = decodeReflectedPacket(replies[i])!;
        assert.equal(replies[i].length, requests[i].length);
        assert.equal(shown["twamp.test.seq_number"], String(i));
        assertSameInstant(shown["twamp.test.timestamp"] as string, reply.timestamp, "timestamp");
        assert.equal(shown["twamp.test.error_estimate"], String(0x0f84));
        assert.deepEqual(shown["twamp.test.error_estimate_tree"], {
          "twamp.test.error_estimate.s": "0",
          "twamp.test.error_estimate.z": "0",
          "twamp.test.error_estimate.scale": "15",
          "twamp.test.error_estimate.multiplier": "132",
        });
        assert.equal(shown["twamp.test.mbz1"], "0");
        assertSameInstant(
          shown["twamp.test.receive_timestamp"] as string,
          reply.receiveTimestamp,
          "receive timestamp",
        );
        assert.equal(shown["twamp.test.sender_seq_number"], String(0x01020300 + i));
        assertSameInstant(
          shown["twamp.test.sender_timestamp"] as string,
          unixNsToNtp(1_700_000_000_250_000_000n + BigInt(i) * 123_456_789n),
          "sender timestamp",
        );
        assert.equal(shown["twamp.test.sender_error_estimate"], String(0x8001 + i));
        assert.equal(shown["twamp.test.mbz2"], "0");
        assert.equal(shown["twamp.test.sender_ttl"], String(ttl));
        const padding = (shown["twamp.test.padding"] as string | undefined) ?? "";
        const expected = [...requests[i].subarray(14, requests[i].length - 27)]
          .map((b) => b.toString(16).padStart(2, "0")).join(":");
        assert.equal(padding, expected);
      }
    } finally {
      clearTimeout(killer);
      try {
        tshark.kill();
      } catch { /* already exited */ }
      await tshark.status;
      await service.close();
    }
  },
});
