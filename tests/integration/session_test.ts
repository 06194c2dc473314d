/**
 * The real agent (main.ts) against the fake ACS on loopback: one full session with
 * parameter RPCs, GetRPCMethods, and GenieACS's recorded InformResponse with its
 * session cookie.
 */

import assert from "node:assert/strict";
import type {
  GetParameterNamesResponse,
  GetParameterValuesResponse,
  GetRPCMethodsResponse,
  SetParameterValuesResponse,
} from "../../src/soap/mod.ts";
import { eventsOf, informOf, informValues, valuesOf, withRig } from "./_rig.ts";
import { sharedDir } from "../_helpers/validate_envelope.ts";

const DEVICE_INFO = [
  "Manufacturer",
  "ManufacturerOUI",
  "ModelName",
  "Description",
  "ProductClass",
  "SerialNumber",
  "HardwareVersion",
  "SoftwareVersion",
  "ProvisioningCode",
  "UpTime",
  "FirstUseDate",
  // The tables' own counters (DeviceInfo.VendorConfigFile/VendorLogFile, empty here).
  "VendorConfigFileNumberOfEntries",
  "VendorLogFileNumberOfEntries",
].map((n) => `Device.DeviceInfo.${n}`);

Deno.test("agent runs a full BOOTSTRAP session with GPV, GPN and SPV over loopback", async () => {
  await withRig(async ({ acs, start, validateAll }) => {
    acs.enqueue(
      {
        kind: "GetParameterValues",
        parameterNames: ["Device.DeviceInfo.", "Device.ManagementServer.PeriodicInformInterval"],
      },
      { kind: "GetParameterNames", parameterPath: "Device.", nextLevel: true },
      { kind: "GetParameterNames", parameterPath: "Device.DeviceInfo.", nextLevel: false },
      {
        kind: "SetParameterValues",
        parameterList: [
          {
            name: "Device.ManagementServer.PeriodicInformInterval",
            value: "3600",
            type: "xsd:unsignedInt",
          },
          {
            name: "Device.ManagementServer.PeriodicInformEnable",
            value: "false",
            type: "xsd:boolean",
          },
          {
            name: "Device.ManagementServer.PeriodicInformTime",
            value: "2025-01-02T03:04:05Z",
            type: "xsd:dateTime",
          },
          { name: "Device.DeviceInfo.ProvisioningCode", value: "a&b<c>", type: "xsd:string" },
        ],
        parameterKey: "pk-1",
      },
      {
        kind: "GetParameterValues",
        parameterNames: [
          "Device.ManagementServer.PeriodicInformInterval",
          "Device.ManagementServer.PeriodicInformEnable",
          "Device.ManagementServer.PeriodicInformTime",
          "Device.DeviceInfo.ProvisioningCode",
          "Device.ManagementServer.ParameterKey",
        ],
      },
    );
    const before = Date.now();
    const agent = await start();
    const [session] = await acs.waitForSessions(1, 15_000);
    const crLine = await agent.waitForLine(/Connection Request server initiated with the port/);
    const crPort = Number(crLine.match(/port: (\d+)/)![1]);

    // Inform
    const inform = informOf(session);
    assert.deepEqual(inform.deviceId, {
      manufacturer: "Example",
      oui: "A1B2C3",
      productClass: "TestGW",
      serialNumber: "SN0001",
    });
    assert.deepEqual(eventsOf(session), ["0 BOOTSTRAP|", "1 BOOT|"]);
    assert.equal(inform.maxEnvelopes, 1);
    assert.equal(inform.retryCount, 0);
    assert.deepEqual(informValues(session), {
      "Device.RootDataModelVersion": "2.17",
      "Device.DeviceInfo.HardwareVersion": "HW1",
      "Device.DeviceInfo.SoftwareVersion": "1.0.0",
      "Device.DeviceInfo.ProvisioningCode": "",
      "Device.ManagementServer.ParameterKey": "",
      "Device.ManagementServer.ConnectionRequestURL": `http://127.0.0.1:${crPort}/cr`,
      "Device.ManagementServer.AliasBasedAddressing": "true",
    });
    const time = Date.parse(inform.currentTime);
    assert.ok(Number.isFinite(time), `CurrentTime "${inform.currentTime}" does not parse`);
    assert.ok(time >= Math.floor(before / 1000) * 1000 && time <= Date.now(), inform.currentTime);

    // Responses, in order
    assert.deepEqual(session.messages.map((m) => m.kind), [
      "GetParameterValuesResponse",
      "GetParameterNamesResponse",
      "GetParameterNamesResponse",
      "SetParameterValuesResponse",
      "GetParameterValuesResponse",
    ]);
    const gpv = session.messages[0] as GetParameterValuesResponse;
    // The Linux objects under DeviceInfo (MemoryStatus, ProcessStatus) come from the
    // machine; the identity parameters are the config's.
    const direct = (name: string) => !/^Device\.DeviceInfo\.[^.]+\./.test(name);
    assert.deepEqual(gpv.parameterList.map((p) => p.name).filter(direct), [
      ...DEVICE_INFO,
      "Device.ManagementServer.PeriodicInformInterval",
    ]);
    const v = valuesOf(gpv.parameterList);
    assert.equal(v["Device.DeviceInfo.Manufacturer"], "Example");
    assert.equal(v["Device.DeviceInfo.ManufacturerOUI"], "A1B2C3");
    assert.equal(v["Device.DeviceInfo.ModelName"], "TestGW-1");
    assert.equal(v["Device.DeviceInfo.Description"], "Test gateway");
    assert.equal(v["Device.DeviceInfo.SerialNumber"], "SN0001");
    assert.match(v["Device.DeviceInfo.UpTime"], /^\d+$/);
    assert.equal(v["Device.ManagementServer.PeriodicInformInterval"], "86400");
    assert.equal(gpv.parameterList.at(-1)!.type, "xsd:unsignedInt");

    const gpnNext = session.messages[1] as GetParameterNamesResponse;
    for (
      const item of [
        { name: "Device.RootDataModelVersion", writable: false },
        { name: "Device.DeviceInfo.", writable: false },
        { name: "Device.ManagementServer.", writable: false },
      ]
    ) {
      assert.ok(gpnNext.parameterList.some((p) => p.name === item.name), item.name);
    }
    // NextLevel true: only names one level below Device.
    assert.ok(gpnNext.parameterList.every((p) => /^Device\.[^.]+\.?$/.test(p.name)));
    const gpnAll = session.messages[2] as GetParameterNamesResponse;
    assert.deepEqual(gpnAll.parameterList.filter((p) => direct(p.name)), [
      { name: "Device.DeviceInfo.", writable: false },
      ...DEVICE_INFO.map((name) => ({
        name,
        writable: name === "Device.DeviceInfo.ProvisioningCode",
      })),
    ]);

    assert.equal((session.messages[3] as SetParameterValuesResponse).status, 0);
    const readBack = session.messages[4] as GetParameterValuesResponse;
    assert.deepEqual(readBack.parameterList, [
      {
        name: "Device.ManagementServer.PeriodicInformInterval",
        value: "3600",
        type: "xsd:unsignedInt",
      },
      { name: "Device.ManagementServer.PeriodicInformEnable", value: "false", type: "xsd:boolean" },
      {
        name: "Device.ManagementServer.PeriodicInformTime",
        value: "2025-01-02T03:04:05Z",
        type: "xsd:dateTime",
      },
      { name: "Device.DeviceInfo.ProvisioningCode", value: "a&b<c>", type: "xsd:string" },
      { name: "Device.ManagementServer.ParameterKey", value: "pk-1", type: "xsd:string" },
    ]);

    // 204 ended it: the agent closed the session successfully and waits.
    assert.equal(session.ended, true);
    await agent.waitForLine(/\[INFO\] End session$/);
    await agent.waitForLine(/Waiting the next session/);
    assert.equal(acs.sessions.length, 1);
    await validateAll();
  });
});

Deno.test("agent answers GetRPCMethods with exactly the methods it implements", async () => {
  await withRig(async ({ acs, start, validateAll }) => {
    acs.enqueue({ kind: "GetRPCMethods" });
    await start();
    const [session] = await acs.waitForSessions(1, 15_000);
    assert.equal(session.messages.length, 1);
    const response = session.messages[0] as GetRPCMethodsResponse;
    assert.equal(response.kind, "GetRPCMethodsResponse");
    assert.deepEqual([...response.methodList].sort(), [
      "AddObject",
      "CancelTransfer",
      "DeleteObject",
      "Download",
      "FactoryReset",
      "GetAllQueuedTransfers",
      "GetParameterAttributes",
      "GetParameterNames",
      "GetParameterValues",
      "GetQueuedTransfers",
      "GetRPCMethods",
      "Reboot",
      "ScheduleDownload",
      "ScheduleInform",
      "SetParameterAttributes",
      "SetParameterValues",
      "Upload",
    ]);
    await validateAll();
  });
});

/** Splits a recorded GenieACS `.http` file into status, headers and body. */
async function readRecordedHttp(name: string) {
  const text = await Deno.readTextFile(`${sharedDir()}/testdata/genieacs-1.2.16/${name}`);
  const split = text.indexOf("\r\n\r\n");
  assert.ok(split > 0, `No header/body separator in "${name}"`);
  const head = text.slice(0, split).split("\r\n");
  const body = text.slice(split + 4);
  const status = Number(head[0].split(" ")[1]);
  const headers: [string, string][] = head.slice(1).map((line) => {
    const colon = line.indexOf(":");
    return [line.slice(0, colon), line.slice(colon + 1).trim()];
  });
  return { status, headers, body };
}

Deno.test("agent returns GenieACS's InformResponse Set-Cookie on every later POST", async () => {
  const recorded = await readRecordedHttp("002-acs-cpe-informresponse-set-cookie.http");
  const cookie = recorded.headers.find(([n]) => n.toLowerCase() === "set-cookie")![1];
  assert.equal(cookie, "session=b342e4b82adb0992");
  // Replayed as GenieACS sends it, except the hop-by-hop/length headers Deno sets itself;
  // GenieACS echoes the CPE's cwmp:ID (README), so the recorded ID is swapped for the agent's.
  const headers = Object.fromEntries(
    recorded.headers.filter(([n]) => !/^(content-length|connection|date)$/i.test(n)),
  );
  await withRig(async ({ acs, start, validateAll }) => {
    acs.enqueue({ kind: "GetParameterValues", parameterNames: ["Device.DeviceInfo.SerialNumber"] });
    await start({ amdVersion: 1 }); // CWMP 1.0: the namespace of the recorded InformResponse
    await acs.waitForSessions(1, 15_000);
    const [session] = acs.sessions;
    assert.equal(session.inform.namespace, "urn:dslforum-org:cwmp-1-0");
    const posts = acs.requests;
    assert.equal(posts.length, 3); // Inform, empty POST, GPV response (answered with 204)
    assert.equal(posts[0].headers["cookie"], undefined);
    for (const post of posts.slice(1)) {
      assert.equal(post.headers["cookie"], "session=b342e4b82adb0992");
    }
    assert.deepEqual(session.messages.map((m) => m.kind), ["GetParameterValuesResponse"]);
    await validateAll();
  }, {
    hook: (message, session) => {
      if (message.kind !== "Inform") return undefined;
      const body = recorded.body.replace(
        ">2aft81xs</cwmp:ID>",
        `>${session.inform.header.id}</cwmp:ID>`,
      );
      return { raw: { status: recorded.status, body, headers } };
    },
  });
});
