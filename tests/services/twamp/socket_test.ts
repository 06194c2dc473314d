// Real datagrams on 127.0.0.1: the reflector served by services/udp on both loops.
import assert from "node:assert/strict";
import {
  ffiUnavailable,
  startUdpService,
  type UdpPath,
  type UdpService,
} from "../../../src/services/udp/mod.ts";
import {
  decodeReflectedPacket,
  encodeTestPacket,
  ntpToUnixNs,
  unixNsToNtp,
} from "../../../src/services/twamp/packet.ts";
import { twampReflectorSpec } from "../../../src/services/twamp/reflector.ts";
import { exchange } from "./_udp_client.ts";
import { TwampReflectorService } from "../../../src/services/twamp/service.ts";
import type { TwampReflectorRow } from "../../../src/datamodel/objects/twamp_reflector.ts";
import { canCreateDummy, existing, withOtherDevice } from "./_devices.ts";

const DEFAULT_TTL = Number(Deno.readTextFileSync("/proc/sys/net/ipv4/ip_default_ttl").trim());

/** The service's counters once `received` reaches `count` (polled, at most 2 s). */
async function statsAfter(service: UdpService, count: number) {
  let stats = await service.stats();
  for (let i = 0; i < 200 && stats.received !== count; i++) {
    await new Promise((r) => setTimeout(r, 10));
    stats = await service.stats();
  }
  return stats;
}

function testPacket(sequenceNumber: number, size: number): Uint8Array {
  return encodeTestPacket({
    sequenceNumber,
    timestamp: unixNsToNtp(BigInt(Date.now()) * 1_000_000n),
    errorEstimate: 0x0001,
    padding: new Uint8Array(Math.max(0, size - 14)).fill(0x5a),
  }).slice(0, size);
}

for (const path of ["ffi", "deno"] as UdpPath[]) {
  const why = path === "ffi" ? ffiUnavailable() : undefined;
  Deno.test({
    name: `startUdpService() with createHandler() reflects test packets on the ${path} path`,
    ignore: why !== undefined,
    async fn() {
      const service = await startUdpService({
        hostname: "127.0.0.1",
        port: 0,
        path,
        // The deno path cannot read the TTL: reflect anyway (Sender TTL 255).
        spec: twampReflectorSpec({ maximumTtl: 255, portAllowedList: "1-65535" }),
      });
      try {
        const sizes = [41, 64, 200, 20, 13];
        const before = BigInt(Date.now() - 1) * 1_000_000n;
        const packets = sizes.map((n, i) => testPacket(i, n));
        const replies = await exchange(service.port, packets, 3);
        const after = BigInt(Date.now() + 1) * 1_000_000n;
        assert.equal(replies.length, 3); // 20 (too short) and 13 (malformed) dropped
        const reflected = replies.map((r) => decodeReflectedPacket(r)!);
        assert.deepEqual(replies.map((r) => r.length), [41, 64, 200]);
        assert.deepEqual(reflected.map((p) => p.senderSequenceNumber), [0, 1, 2]);
        assert.deepEqual(reflected.map((p) => p.sequenceNumber), [0, 1, 2]);
        for (const p of reflected) {
          assert.equal(p.senderTtl, path === "ffi" ? DEFAULT_TTL : 255);
          assert.equal(p.errorEstimate, 0x0f84);
          assert.equal(p.senderErrorEstimate, 0x0001);
          const received = ntpToUnixNs(p.receiveTimestamp);
          const sent = ntpToUnixNs(p.timestamp);
          assert.ok(received >= before && sent <= after && received <= sent);
          assert.ok(p.padding.every((b) => b === 0x5a));
        }
        const stats = await statsAfter(service, 5);
        assert.equal(stats.received, 5);
        assert.equal(stats.reflected, 3);
        assert.equal(stats.droppedTooShort, 1);
        assert.equal(stats.droppedMalformed, 1);
      } finally {
        await service.close();
      }
    },
  });
}

Deno.test({
  name: "startUdpService() with createHandler() enforces MaximumTTL with the received TTL",
  ignore: ffiUnavailable() !== undefined,
  async fn() {
    const service = await startUdpService({
      hostname: "127.0.0.1",
      port: 0,
      path: "ffi",
      spec: twampReflectorSpec({ maximumTtl: DEFAULT_TTL - 1 }),
    });
    try {
      const client = Deno.listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" });
      await client.send(testPacket(0, 64), {
        transport: "udp",
        hostname: "127.0.0.1",
        port: service.port,
      });
      client.close();
      // The drop is only visible in the counters.
      const stats = await statsAfter(service, 1);
      assert.equal(stats.droppedTtlExceeded, 1);
      await service.reconfigure({ maximumTtl: DEFAULT_TTL });
      const [reply] = await exchange(service.port, [testPacket(7, 64)]);
      assert.equal(decodeReflectedPacket(reply)!.senderTtl, DEFAULT_TTL);
      assert.equal(decodeReflectedPacket(reply)!.sequenceNumber, 0);
    } finally {
      await service.close();
    }
  },
});

Deno.test("TwampReflectorService.apply() starts, reconfigures and stops reflectors", async () => {
  const errors: string[] = [];
  const reflectors = new TwampReflectorService({
    hostname: "127.0.0.1",
    extra: { unknownTtl: "reflect" },
    onError: (m) => errors.push(m),
  });
  const row: TwampReflectorRow = {
    interfaceInstance: 1,
    instance: 1,
    enable: true,
    alias: "",
    port: 0,
    maximumTtl: 255,
    ipAllowedList: "127.0.0.0/8",
    portAllowedList: "",
  };
  try {
    await reflectors.apply([row]);
    assert.equal(reflectors.status(row), "Active");
    const port = reflectors.port(row)!;
    const seq = async () => {
      const [reply] = await exchange(port, [testPacket(0, 64)]);
      return decodeReflectedPacket(reply)!.sequenceNumber;
    };
    assert.equal(await seq(), 0);
    await reflectors.apply([{ ...row, maximumTtl: 254, ipAllowedList: "127.0.0.1" }]);
    assert.equal(reflectors.port(row), port); // same socket, new settings
    assert.equal(await seq(), 0); // a new client socket is a new sender
    assert.equal((await reflectors.stats())["1.1"].reflected, 2); // counters kept
    // A second row on a port already bound fails alone.
    const clash = { ...row, instance: 2, port };
    await reflectors.apply([row, clash]);
    assert.equal(reflectors.status(row), "Active");
    assert.equal(reflectors.status(clash), "Error");
    assert.equal(errors.length, 1);
    assert.match(errors[0], /^Cannot run reflector 1\.2 on port \d+: /);
    await reflectors.apply([{ ...row, enable: false }]);
    assert.equal(reflectors.port(row), undefined);
    assert.deepEqual(await reflectors.stats(), {});
  } finally {
    await reflectors.close();
  }
});

const otherDevice = existing ?? (canCreateDummy.ok ? "dummy" : undefined);
if (ffiUnavailable() === undefined && otherDevice === undefined) {
  console.warn(`Skipping the two-device reflector test: ${canCreateDummy.reason}`);
}

Deno.test({
  name: "TwampReflectorService.apply() runs the same Port on two interfaces, once per interface",
  ignore: ffiUnavailable() !== undefined || otherDevice === undefined,
  async fn() {
    await withOtherDevice(async (other) => {
      const errors: string[] = [];
      const reflectors = new TwampReflectorService({
        path: "ffi",
        deviceOf: (i) => Promise.resolve(i === 1 ? "lo" : other),
        addressOf: () => Promise.resolve("192.0.2.254"), // unused: devices win on ffi
        extra: { unknownTtl: "reflect" },
        onError: (m) => errors.push(m),
      });
      const row = (interfaceInstance: number, instance: number, port: number) => ({
        interfaceInstance,
        instance,
        enable: true,
        alias: "",
        port,
        maximumTtl: 255,
        ipAllowedList: "",
        portAllowedList: "",
      });
      try {
        // Port 0 lets lo's reflector pick a free port; the other interface then takes it too.
        await reflectors.apply([row(1, 1, 0)]);
        const port = reflectors.port(row(1, 1, 0))!;
        const onLo = row(1, 1, port), onOther = row(2, 1, port), twiceOnLo = row(1, 2, port);
        await reflectors.apply([onLo, onOther, twiceOnLo]);
        assert.equal(reflectors.status(onLo), "Active");
        assert.equal(reflectors.status(onOther), "Active", errors.join("; "));
        assert.equal(reflectors.port(onOther), port);
        assert.equal(reflectors.status(twiceOnLo), "Error");
        assert.deepEqual(errors, [
          `Cannot run reflector 1.2 on port ${port}: ` +
          `Cannot bind UDP 0.0.0.0 port ${port} on device "lo": address in use`,
        ]);
        const [reply] = await exchange(port, [testPacket(3, 64)]);
        assert.equal(decodeReflectedPacket(reply)!.senderSequenceNumber, 3);
        const stats = await reflectors.stats();
        assert.equal(stats["1.1"].reflected, 1); // 127.0.0.1 arrives on lo only
        assert.equal(stats["2.1"].reflected, 0);
      } finally {
        await reflectors.close();
      }
    });
  },
});
