import assert from "node:assert/strict";
import { deviceSchema } from "../../../src/datamodel/device_model.ts";
import { ParameterTree } from "../../../src/datamodel/tree.ts";
import { bindUdpEchoConfig } from "../../../src/datamodel/objects/udp_echo_config.ts";
import { createUdpEchoController } from "../../../src/services/udp_echo/controller.ts";
import { ffiUnavailable } from "../../../src/services/udp/mod.ts";

const P = "Device.IP.Diagnostics.UDPEchoConfig.";
const LOOPBACK = "127.0.0.1";

function fixture() {
  const controller = createUdpEchoController({
    initial: {
      enable: false,
      interface: "",
      sourceIPAddress: "",
      udpPort: 0,
      echoPlusEnabled: false,
    },
    addressOf: () => Promise.resolve(LOOPBACK), // the test binds loopback only
    path: "auto",
  });
  const model = new ParameterTree({
    schema: deviceSchema(),
    bindings: [
      bindUdpEchoConfig(controller, { interfaceExists: (p) => /\.1\.?$/.test(p) }),
    ],
  });
  return { controller, model };
}

function freePort(): number {
  const c = Deno.listenDatagram({ transport: "udp", hostname: LOOPBACK, port: 0 });
  const port = (c.addr as Deno.NetAddr).port;
  c.close();
  return port;
}

async function spv(model: ParameterTree, values: Record<string, string>) {
  const { changes, faults } = await model.prepare(
    Object.entries(values).map(([n, value]) => ({
      name: P + n,
      value,
      type: value === "true" || value === "false"
        ? "xsd:boolean"
        : /^\d+$/.test(value)
        ? "xsd:unsignedInt"
        : "xsd:string",
    })),
  );
  if (faults.length === 0) await model.commit(changes);
  return faults.map((f) => [f.parameterName, f.error.faultCode, f.error.message]);
}

async function get(model: ParameterTree, name: string): Promise<string> {
  const ref = await model.parameter(P + name);
  assert.ok(ref, name);
  return (await model.read([ref]))[0];
}

/** Sends `payload` and returns the echo, or undefined if none came within `ms`. */
async function echo(port: number, payload: Uint8Array, ms = 1500): Promise<Uint8Array | undefined> {
  const c = Deno.listenDatagram({ transport: "udp", hostname: LOOPBACK, port: 0 });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await c.send(payload, { transport: "udp", hostname: LOOPBACK, port });
    const timeout = new Promise<undefined>((r) => timer = setTimeout(() => r(undefined), ms));
    const got = await Promise.race([c.receive(), timeout]);
    return got?.[0];
  } finally {
    clearTimeout(timer);
    c.close();
  }
}

Deno.test("bindUdpEchoConfig() SPV Enable starts the server and a real datagram is echoed", async () => {
  const { controller, model } = fixture();
  const port = freePort();
  try {
    assert.deepEqual(await spv(model, { UDPPort: String(port), Enable: "true" }), []);
    assert.equal(await get(model, "Enable"), "true");
    assert.equal(await get(model, "EchoPlusSupported"), "true");
    const payload = new Uint8Array(32).fill(9);
    assert.deepEqual(await echo(port, payload), payload);
    assert.equal(await get(model, "PacketsReceived"), "1");
    assert.equal(await get(model, "PacketsResponded"), "1");
    assert.equal(await get(model, "BytesReceived"), "40");
    assert.equal(await get(model, "BytesResponded"), "40");
    assert.match(
      await get(model, "TimeFirstPacketReceived"),
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/,
    );
  } finally {
    await controller.close();
  }
});

Deno.test("bindUdpEchoConfig() SPV Enable false stops replies; true again resets counters", async () => {
  const { controller, model } = fixture();
  const port = freePort();
  try {
    await spv(model, { UDPPort: String(port), Enable: "true" });
    assert.ok(await echo(port, new Uint8Array(8)));
    assert.deepEqual(await spv(model, { Enable: "false" }), []);
    assert.equal(await echo(port, new Uint8Array(8), 300), undefined);
    assert.equal(await get(model, "PacketsReceived"), "1"); // last values stay readable
    await spv(model, { Enable: "true" });
    assert.equal(await get(model, "PacketsReceived"), "0");
    assert.equal(await get(model, "TimeFirstPacketReceived"), "0001-01-01T00:00:00Z");
  } finally {
    await controller.close();
  }
});

Deno.test("bindUdpEchoConfig() EchoPlusEnabled and UDPPort apply at once, keeping counters", async () => {
  const { controller, model } = fixture();
  const port = freePort();
  try {
    await spv(model, { UDPPort: String(port), Enable: "true" });
    await echo(port, new Uint8Array(20));
    await spv(model, { EchoPlusEnabled: "true" });
    const r = await echo(port, new Uint8Array(20));
    assert.ok(r);
    assert.equal(new DataView(r.buffer, r.byteOffset).getUint32(4), 1); // TestRespSN
    const port2 = freePort();
    await spv(model, { UDPPort: String(port2) });
    assert.equal(await echo(port, new Uint8Array(8), 300), undefined);
    assert.ok(await echo(port2, new Uint8Array(8)));
    assert.equal(await get(model, "PacketsResponded"), "3");
  } finally {
    await controller.close();
  }
});

Deno.test("bindUdpEchoConfig() SourceIPAddress filters other senders", async () => {
  const { controller, model } = fixture();
  const port = freePort();
  try {
    await spv(model, { UDPPort: String(port), Enable: "true", SourceIPAddress: "192.0.2.1" });
    assert.equal(await echo(port, new Uint8Array(8), 300), undefined);
    await spv(model, { SourceIPAddress: LOOPBACK });
    assert.ok(await echo(port, new Uint8Array(8)));
    assert.equal(await get(model, "PacketsReceived"), "1");
  } finally {
    await controller.close();
  }
});

Deno.test("bindUdpEchoConfig() rejects a bad Interface, SourceIPAddress and UDPPort", async () => {
  const { controller, model } = fixture();
  assert.deepEqual(await spv(model, { Interface: "Device.IP.Interface.2" }), [
    [P + "Interface", 9007, 'Interface must be "" or an IP interface: "Device.IP.Interface.2"'],
  ]);
  assert.deepEqual(await spv(model, { Interface: "Device.IP.Interface.1" }), []);
  assert.equal((await spv(model, { SourceIPAddress: "10.0.0.256" }))[0]?.[1], 9007);
  assert.deepEqual(await spv(model, { UDPPort: "70000" }), [
    [P + "UDPPort", 9007, 'UDPPort must be 1 to 65535: "70000"'],
  ]);
  assert.deepEqual(await spv(model, { Enable: "true" }), [
    [P + "Enable", 9007, 'Cannot enable the UDP echo server on UDPPort "0"'],
  ]);
  assert.equal(controller.state.enable, false);
  await controller.close();
});

Deno.test({
  name: "createUdpEchoController() ties an Interface to its device on the FFI path",
  ignore: ffiUnavailable() !== undefined,
  async fn() {
    const asked: string[] = [];
    const controller = createUdpEchoController({
      path: "ffi",
      deviceOf: (p) => (asked.push(p), Promise.resolve("lo")),
      addressOf: () => Promise.resolve("192.0.2.254"), // not bound: the device wins
    });
    const port = freePort();
    try {
      await controller.apply({
        enable: true,
        interface: "Device.IP.Interface.1",
        sourceIPAddress: "",
        udpPort: port,
        echoPlusEnabled: false,
      });
      assert.deepEqual(asked, ["Device.IP.Interface.1"]);
      const payload = new Uint8Array(16).fill(3);
      assert.deepEqual(await echo(port, payload), payload); // 0.0.0.0 on lo
    } finally {
      await controller.close();
    }
    const missing = createUdpEchoController({
      path: "ffi",
      deviceOf: () => Promise.resolve("nosuchdev0"),
    });
    await assert.rejects(
      missing.apply({
        enable: true,
        interface: "Device.IP.Interface.1",
        sourceIPAddress: "",
        udpPort: port,
        echoPlusEnabled: false,
      }),
      { message: 'Cannot bind UDP socket to device "nosuchdev0": no such device' },
    );
    await missing.close();
  },
});
