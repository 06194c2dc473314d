/** Real GenieACS 1.2.16 bodies (tests/testdata/genieacs, copies of shared/testdata) as decode inputs. */
import assert from "node:assert/strict";
import { decodeEnvelope, type Envelope } from "../../src/soap/mod.ts";

const DIR = new URL("../testdata/genieacs/", import.meta.url);
const files = [...Deno.readDirSync(DIR)].map((e) => e.name).filter((n) => n.endsWith(".xml"))
  .sort();

function capture(prefix: string): Envelope {
  const name = files.find((f) => f.startsWith(prefix + "-"));
  if (!name) throw new Error(`No capture "${prefix}"`);
  return decodeEnvelope(Deno.readTextFileSync(new URL(name, DIR)));
}

const NS0 = "urn:dslforum-org:cwmp-1-0";
const NS2 = "urn:dslforum-org:cwmp-1-2";

Deno.test("decodeEnvelope() reads every GenieACS capture without error", () => {
  assert.ok(files.length >= 30);
  for (const file of files) {
    const envelope = decodeEnvelope(Deno.readTextFileSync(new URL(file, DIR)));
    assert.ok(envelope.header.id, file);
  }
});

Deno.test("decodeEnvelope() reads the simulator's Inform despite its wrong array count", () => {
  const { namespace, message } = capture("001");
  assert.equal(namespace, NS0);
  assert.equal(message.kind, "Inform");
  if (message.kind !== "Inform") return;
  assert.deepEqual(message.deviceId, {
    manufacturer: "Huawei Technologies Co., Ltd.",
    oui: "202BC1",
    productClass: "BM632w",
    serialNumber: "000001",
  });
  assert.deepEqual(message.event, [{ eventCode: "2 PERIODIC", commandKey: "" }]);
  assert.equal(message.maxEnvelopes, 1);
  assert.equal(message.currentTime, "2026-11-22T08:39:48.196Z");
  assert.equal(message.retryCount, 0);
  // arrayType says [16]; the body holds 7 structs.
  assert.equal(message.parameterList.length, 7);
  assert.deepEqual(message.parameterList[3], {
    name: "InternetGatewayDevice.DeviceInfo.ProvisioningCode",
    value: "",
    type: "xsd:string",
  });
});

Deno.test("decodeEnvelope() reads GenieACS's InformResponse in both namespaces", () => {
  assert.deepEqual(capture("002").message, { kind: "InformResponse", maxEnvelopes: 1 });
  assert.equal(capture("002").namespace, NS0);
  const cwmp12 = capture("039");
  assert.equal(cwmp12.namespace, NS2);
  assert.deepEqual(cwmp12.header, { id: "inform-f0db4c" });
});

Deno.test("decodeEnvelope() reads GenieACS's GetParameterNames with NextLevel 1", () => {
  assert.deepEqual(capture("010"), {
    namespace: NS0,
    header: { id: "1a2026961d70000" },
    message: {
      kind: "GetParameterNames",
      parameterPath: "InternetGatewayDevice.",
      nextLevel: true,
    },
  });
});

Deno.test("decodeEnvelope() reads the simulator's GetParameterNamesResponse booleans", () => {
  const { message } = capture("011");
  if (message.kind !== "GetParameterNamesResponse") throw new Error(message.kind);
  assert.equal(message.parameterList.length, 20);
  assert.deepEqual(message.parameterList[18], {
    name: "InternetGatewayDevice.X_HUAWEI_FireWall.",
    writable: true,
  });
  assert.equal(message.parameterList[0].writable, false);
});

Deno.test("decodeEnvelope() reads GenieACS's GetParameterValues and the response", () => {
  assert.deepEqual(capture("012").message, {
    kind: "GetParameterValues",
    parameterNames: ["InternetGatewayDevice.ManagementServer.PeriodicInformInterval"],
  });
  assert.deepEqual(capture("013").message, {
    kind: "GetParameterValuesResponse",
    parameterList: [{
      name: "InternetGatewayDevice.ManagementServer.PeriodicInformInterval",
      value: "300",
      type: "xsd:unsignedInt",
    }],
  });
});

Deno.test("decodeEnvelope() reads GenieACS's SetParameterValues with 4 types and escapes", () => {
  assert.deepEqual(capture("014").message, {
    kind: "SetParameterValues",
    parameterList: [
      {
        name: "InternetGatewayDevice.ManagementServer.PeriodicInformInterval",
        value: "3600",
        type: "xsd:unsignedInt",
      },
      {
        name: "InternetGatewayDevice.ManagementServer.PeriodicInformTime",
        value: "2025-01-02T03:04:05.000Z",
        type: "xsd:dateTime",
      },
      {
        name: "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID",
        value: "Fixture & <SSID>",
        type: "xsd:string",
      },
      { name: "InternetGatewayDevice.Time.Enable", value: "false", type: "xsd:boolean" },
    ],
    parameterKey: "",
  });
  assert.deepEqual(capture("015").message, { kind: "SetParameterValuesResponse", status: 0 });
});

Deno.test("decodeEnvelope() reads GenieACS's AddObject, DeleteObject and responses", () => {
  assert.deepEqual(capture("020").message, {
    kind: "AddObject",
    objectName: "InternetGatewayDevice.LANDevice.1.LANHostConfigManagement.DHCPStaticAddress.",
    parameterKey: "",
  });
  assert.deepEqual(capture("021").message, {
    kind: "AddObjectResponse",
    instanceNumber: 1,
    status: 0,
  });
  assert.deepEqual(capture("024").message, {
    kind: "DeleteObject",
    objectName: "InternetGatewayDevice.LANDevice.1.LANHostConfigManagement.DHCPStaticAddress.1.",
    parameterKey: "",
  });
  assert.deepEqual(capture("025").message, { kind: "DeleteObjectResponse", status: 0 });
});

Deno.test("decodeEnvelope() reads GenieACS's Download and the response", () => {
  assert.deepEqual(capture("026").message, {
    kind: "Download",
    commandKey: "1a202698ffc0000",
    fileType: "1 Firmware Upgrade Image",
    url: "http://127.0.0.1:27568/fw-1.2.3.bin",
    username: "",
    password: "",
    fileSize: 53,
    targetFileName: "fw.bin",
    delaySeconds: 0,
    successURL: "",
    failureURL: "",
  });
  assert.deepEqual(capture("027").message, {
    kind: "DownloadResponse",
    status: 1,
    startTime: "0001-01-01T00:00:00Z",
    completeTime: "0001-01-01T00:00:00Z",
  });
});

Deno.test("decodeEnvelope() reads the simulator's TransferComplete with out-of-order fields", () => {
  assert.deepEqual(capture("030").message, {
    kind: "TransferComplete",
    commandKey: "1a202698ffc0000",
    faultStruct: { faultCode: 0, faultString: "" },
    startTime: "2026-11-22T08:40:02.320Z",
    completeTime: "2026-11-22T08:40:06.635Z",
  });
  assert.deepEqual(capture("031").message, { kind: "TransferCompleteResponse" });
});

Deno.test("decodeEnvelope() reads GenieACS's Reboot and FactoryReset", () => {
  assert.deepEqual(capture("032").message, { kind: "Reboot", commandKey: "" });
  assert.deepEqual(capture("034").message, { kind: "FactoryReset" });
});

Deno.test("decodeEnvelope() reads a CPE fault 9000 as GenieACS accepted it", () => {
  assert.deepEqual(capture("033").message, {
    kind: "Fault",
    faultcode: "Client",
    faultstring: "CWMP fault",
    faultCode: 9000,
    faultString: "Method not supported",
  });
});

Deno.test("decodeEnvelope() reads the cwmp-1-2 Inform of the scripted CPE", () => {
  const { namespace, header, message } = capture("036");
  assert.equal(namespace, NS2);
  assert.deepEqual(header, { id: "inform-867dbb" });
  if (message.kind !== "Inform") throw new Error(message.kind);
  assert.deepEqual(message.event.map((e) => e.eventCode), ["0 BOOTSTRAP", "1 BOOT"]);
  assert.equal(message.parameterList.length, 6);
  assert.equal(message.parameterList[5].value, "http://127.0.0.1:27599/cr");
});

Deno.test("decodeEnvelope() reads GenieACS's GetRPCMethodsResponse and the Kicked request", () => {
  assert.deepEqual(capture("040").message, { kind: "GetRPCMethods" });
  assert.deepEqual(capture("041").message, {
    kind: "GetRPCMethodsResponse",
    methodList: ["Inform", "GetRPCMethods", "TransferComplete"],
  });
  assert.deepEqual(capture("042").message, {
    kind: "Kicked",
    command: "x",
    referer: "",
    arg: "",
    next: "http://example.invalid/",
  });
});

Deno.test("decodeEnvelope() reads GenieACS's malformed soap-env:Body:Fault as fault 8000", () => {
  assert.deepEqual(capture("043"), {
    namespace: NS2,
    header: { id: "kick-6ddefb" },
    message: {
      kind: "Fault",
      faultcode: "Server",
      faultstring: "CWMP fault",
      faultCode: 8000,
      faultString: "Method not supported",
    },
  });
});

Deno.test("decodeEnvelope() reads GenieACS's attribute RPCs", () => {
  assert.deepEqual(capture("044").message, {
    kind: "GetParameterAttributes",
    parameterNames: ["Device.ManagementServer.PeriodicInformInterval"],
  });
  assert.deepEqual(capture("045").message, {
    kind: "GetParameterAttributesResponse",
    parameterList: [{
      name: "Device.ManagementServer.PeriodicInformInterval",
      notification: 0,
      accessList: [],
    }],
  });
  assert.deepEqual(capture("046").message, {
    kind: "SetParameterAttributes",
    parameterList: [{
      name: "Device.ManagementServer.PeriodicInformInterval",
      notificationChange: true,
      notification: 2,
      accessListChange: true,
      accessList: ["Subscriber"],
    }],
  });
  assert.deepEqual(capture("047").message, { kind: "SetParameterAttributesResponse" });
});
