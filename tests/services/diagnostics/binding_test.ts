import assert from "node:assert/strict";
import { SetParameterValuesError } from "../../../src/datamodel/errors.ts";
import { deviceSchema } from "../../../src/datamodel/device_model.ts";
import { bindIpDiagnostics } from "../../../src/datamodel/objects/ip_diagnostics.ts";
import { bindNSLookupDiagnostics } from "../../../src/datamodel/objects/nslookup_diagnostics.ts";
import { ParameterTree } from "../../../src/datamodel/tree.ts";
import { setParameterValues } from "../../../src/rpc/set_parameter_values.ts";
import {
  type DiagnosticName,
  DiagnosticsManager,
  type DiagnosticsManagerOptions,
} from "../../../src/services/diagnostics/manager.ts";
import { pingArgv } from "../../../src/services/diagnostics/ping.ts";
import { fakeSource, fixture } from "./_helpers.ts";
import { startDnsResponder, startEchoServer, startTosCaptureEchoServer } from "./_udp_servers.ts";
import { udpEchoDscpUnavailable } from "../../../src/services/diagnostics/udp_echo_client.ts";
import {
  decodeDnsMessage,
  encodeDnsMessage,
} from "../../../src/services/diagnostics/dns_message.ts";

const PING = "Device.IP.Diagnostics.IPPing.";
const ECHO = "Device.IP.Diagnostics.UDPEchoDiagnostics.";
const NS = "Device.DNS.Diagnostics.NSLookupDiagnostics.";

function fixtureSetup(options: Partial<DiagnosticsManagerOptions> = {}) {
  const ping = pingArgv({
    Host: "127.0.0.1",
    NumberOfRepetitions: "3",
    Timeout: "1000",
    DataBlockSize: "64",
  });
  const source = fakeSource({
    [ping.join(" ")]: { code: 0, stdout: fixture("ping_loopback.txt") },
  });
  const manager = new DiagnosticsManager({ source, ...options });
  const tree = new ParameterTree({
    schema: deviceSchema(),
    bindings: [...bindIpDiagnostics(manager), ...bindNSLookupDiagnostics(manager)],
  });
  const completed: DiagnosticName[] = [];
  manager.onComplete((name) => completed.push(name));
  const spv = (values: Record<string, [string, string]>) =>
    setParameterValues(tree, {
      kind: "SetParameterValues",
      parameterKey: "",
      parameterList: Object.entries(values).map(([name, [value, type]]) => ({
        name,
        value,
        type: `xsd:${type}`,
      })),
    }, { parameterKeyPath: null });
  const get = async (path: string) => {
    const ref = await tree.parameter(path);
    assert.ok(ref, path);
    return (await tree.read([ref]))[0];
  };
  return { manager, tree, source, completed, spv, get };
}

Deno.test("bindIpDiagnostics() runs IPPing after the session and fires completion once", async () => {
  const { manager, source, completed, spv, get } = fixtureSetup();
  assert.equal(await get(`${PING}DiagnosticsState`), "None");
  assert.equal(await get(`${PING}SuccessCount`), "0");
  await spv({
    [`${PING}Host`]: ["127.0.0.1", "string"],
    [`${PING}DataBlockSize`]: ["64", "unsignedInt"],
    [`${PING}DiagnosticsState`]: ["Requested", "string"],
  });
  assert.equal(await get(`${PING}DiagnosticsState`), "Requested");
  await manager.settled();
  assert.deepEqual(source.calls, [], "nothing runs before the session ends");
  manager.sessionEnded();
  await manager.settled();
  assert.deepEqual(completed, ["IPPing"]);
  assert.equal(await get(`${PING}DiagnosticsState`), "Complete");
  assert.equal(await get(`${PING}SuccessCount`), "3");
  assert.equal(await get(`${PING}FailureCount`), "0");
  assert.equal(await get(`${PING}Host`), "127.0.0.1");
  manager.sessionEnded();
  await manager.settled();
  assert.deepEqual(completed, ["IPPing"], "a later session end does not rerun");
  // Results stay until the next run; an input change sets None.
  await spv({ [`${PING}Timeout`]: ["2000", "unsignedInt"] });
  assert.equal(await get(`${PING}DiagnosticsState`), "None");
});

Deno.test("bindIpDiagnostics() refuses states other than Requested/Canceled and results", async () => {
  const { spv } = fixtureSetup();
  await assert.rejects(
    spv({
      [`${PING}DiagnosticsState`]: ["Complete", "string"],
      [`${PING}SuccessCount`]: ["1", "unsignedInt"],
    }),
    (error: unknown) => {
      assert.ok(error instanceof SetParameterValuesError);
      assert.deepEqual(error.faults.map((f) => [f.parameterName, f.error.faultCode]), [
        [`${PING}SuccessCount`, 9008],
        [`${PING}DiagnosticsState`, 9007],
      ]);
      return true;
    },
  );
});

Deno.test("DiagnosticsManager cancels a running test without a completion", async () => {
  let sawAbort = false;
  const { manager, completed, spv, get } = fixtureSetup({
    runners: {
      IPPing: (_params, { signal }) =>
        new Promise((resolve) => {
          signal.addEventListener("abort", () => {
            sawAbort = true;
            resolve({ state: "Complete", results: {} });
          });
        }),
    },
  });
  await spv({
    [`${PING}Host`]: ["127.0.0.1", "string"],
    [`${PING}DiagnosticsState`]: ["Requested", "string"],
  });
  manager.sessionEnded();
  assert.equal(await get(`${PING}DiagnosticsState`), "Requested");
  await spv({ [`${PING}DiagnosticsState`]: ["Canceled", "string"] });
  await manager.settled();
  assert.equal(sawAbort, true);
  assert.equal(await get(`${PING}DiagnosticsState`), "None");
  assert.deepEqual(completed, []);
});

Deno.test("DiagnosticsManager restarts on Requested while running, with the new inputs", async () => {
  const hosts: string[] = [];
  const { manager, completed, spv, get } = fixtureSetup({
    runners: {
      IPPing: (params, { signal }) => {
        hosts.push(params.Host);
        if (hosts.length === 1) {
          return new Promise((resolve) =>
            signal.addEventListener("abort", () => resolve({ state: "Complete", results: {} }))
          );
        }
        return Promise.resolve({ state: "Error_CannotResolveHostName", results: {} });
      },
    },
  });
  await spv({
    [`${PING}Host`]: ["a.example", "string"],
    [`${PING}DiagnosticsState`]: ["Requested", "string"],
  });
  manager.sessionEnded();
  await spv({
    [`${PING}Host`]: ["b.example", "string"],
    [`${PING}DiagnosticsState`]: ["Requested", "string"],
  });
  manager.sessionEnded();
  await manager.settled();
  assert.deepEqual(hosts, ["a.example", "b.example"]);
  assert.deepEqual(completed, ["IPPing"]);
  assert.equal(await get(`${PING}DiagnosticsState`), "Error_CannotResolveHostName");
});

Deno.test("DiagnosticsManager turns a runner's throw into Error_Internal", async () => {
  const errors: unknown[] = [];
  const { manager, completed, spv, get } = fixtureSetup({
    runners: { IPPing: () => Promise.reject(new Error("bug")) },
    onRunnerError: (_name, error) => errors.push(error),
  });
  await spv({ [`${PING}DiagnosticsState`]: ["Requested", "string"] });
  manager.sessionEnded();
  await manager.settled();
  assert.equal(await get(`${PING}DiagnosticsState`), "Error_Internal");
  assert.equal(errors.length, 1);
  assert.deepEqual(completed, ["IPPing"]);
});

Deno.test("bindIpDiagnostics() lists IndividualPacketResult rows after a UDP echo test", async () => {
  const server = startEchoServer({ echoPlus: true });
  try {
    const { manager, tree, completed, spv, get } = fixtureSetup();
    await spv({
      [`${ECHO}Host`]: ["127.0.0.1", "string"],
      [`${ECHO}Port`]: [String(server.port), "unsignedInt"],
      [`${ECHO}NumberOfRepetitions`]: ["2", "unsignedInt"],
      [`${ECHO}InterTransmissionTime`]: ["5", "unsignedInt"],
      [`${ECHO}Timeout`]: ["1000", "unsignedInt"],
      [`${ECHO}EnableIndividualPacketResults`]: ["true", "boolean"],
      [`${ECHO}DiagnosticsState`]: ["Requested", "string"],
    });
    manager.sessionEnded();
    await manager.settled();
    assert.deepEqual(completed, ["UDPEchoDiagnostics"]);
    assert.equal(await get(`${ECHO}DiagnosticsState`), "Complete");
    assert.equal(await get(`${ECHO}SuccessCount`), "2");
    assert.equal(await get(`${ECHO}IndividualPacketResultNumberOfEntries`), "2");
    assert.equal(await get(`${ECHO}IndividualPacketResult.2.TestGenSN`), "2");
    assert.equal(await get(`${ECHO}IndividualPacketResult.2.TestRespSN`), "2");
    const rows = await tree.list(`${ECHO}IndividualPacketResult.`, { depth: 1 });
    assert.deepEqual(rows.map((r) => r.path), [
      `${ECHO}IndividualPacketResult.1.`,
      `${ECHO}IndividualPacketResult.2.`,
    ]);
  } finally {
    await server.close();
  }
});

Deno.test("bindNSLookupDiagnostics() serves Result rows through the tree", async () => {
  const server = startDnsResponder((query) => {
    const q = decodeDnsMessage(query);
    const a = q.questions[0].type === 1;
    return encodeDnsMessage({
      id: q.id,
      qr: true,
      rd: true,
      ra: true,
      questions: q.questions,
      answers: a ? [{ name: q.questions[0].name, type: 1, ttl: 5, data: "192.0.2.55" }] : [],
    });
  });
  try {
    const { manager, completed, spv, get } = fixtureSetup({ nsLookup: { port: server.port } });
    await spv({
      [`${NS}HostName`]: ["www.example.net", "string"],
      [`${NS}DNSServer`]: ["127.0.0.1", "string"],
      [`${NS}Timeout`]: ["1000", "unsignedInt"],
      [`${NS}DiagnosticsState`]: ["Requested", "string"],
    });
    manager.sessionEnded();
    await manager.settled();
    assert.deepEqual(completed, ["NSLookupDiagnostics"]);
    assert.equal(await get(`${NS}DiagnosticsState`), "Complete");
    assert.equal(await get(`${NS}ResultNumberOfEntries`), "1");
    assert.equal(await get(`${NS}Result.1.Status`), "Success");
    assert.equal(await get(`${NS}Result.1.AnswerType`), "NonAuthoritative");
    assert.equal(await get(`${NS}Result.1.IPAddresses`), "192.0.2.55");
    assert.equal(await get(`${NS}SuccessCount`), "1");
  } finally {
    await server.close();
  }
});

Deno.test("bindIpDiagnostics() reads the constants and Supported flags", async () => {
  const { get } = fixtureSetup();
  assert.equal(await get("Device.IP.Diagnostics.IPv4PingSupported"), "true");
  assert.equal(await get("Device.IP.Diagnostics.DownloadDiagnostics.DownloadTransports"), "HTTP");
  assert.equal(
    await get("Device.IP.Diagnostics.DownloadDiagnostics.DownloadDiagnosticMaxConnections"),
    "4",
  );
  assert.equal(
    await get("Device.IP.Diagnostics.DownloadDiagnostics.ROMTime"),
    "0001-01-01T00:00:00Z",
  );
  assert.equal(await get("Device.IP.Diagnostics.UDPEchoDiagnostics.DataBlockSize"), "24");
  assert.equal(await get("Device.IP.Diagnostics.TraceRoute.RouteHopsNumberOfEntries"), "0");
});

const TRACE = "Device.IP.Diagnostics.TraceRoute.";
const DOWN = "Device.IP.Diagnostics.DownloadDiagnostics.";
const UP = "Device.IP.Diagnostics.UploadDiagnostics.";

/** The [parameter, faultCode, FaultString] of a refused SetParameterValues. */
async function refused(promise: Promise<unknown>): Promise<[string, number, string][]> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof SetParameterValuesError);
    return error.faults.map((f) => [f.parameterName, f.error.faultCode, f.error.message]);
  }
  assert.fail("SetParameterValues was accepted");
}

Deno.test("bindIpDiagnostics() reads and accepts DSCP and EthernetPriority 0 on every object", async () => {
  const { spv, get } = fixtureSetup({ udpEcho: { dscpUnavailable: () => "no FFI here" } });
  const zero: Record<string, [string, string]> = {};
  for (const path of [`${PING}DSCP`, `${TRACE}DSCP`, `${DOWN}DSCP`, `${UP}DSCP`, `${ECHO}DSCP`]) {
    zero[path] = ["0", "unsignedInt"];
  }
  zero[`${DOWN}EthernetPriority`] = ["0", "unsignedInt"];
  zero[`${UP}EthernetPriority`] = ["0", "unsignedInt"];
  for (const path of Object.keys(zero)) assert.equal(await get(path), "0", path);
  await spv(zero);
  for (const path of Object.keys(zero)) assert.equal(await get(path), "0", path);
});

Deno.test("bindIpDiagnostics() passes a set DSCP to ping -Q and traceroute -t as TOS", async () => {
  const { manager, source, spv, get } = fixtureSetup();
  await spv({
    [`${PING}Host`]: ["192.0.2.1", "string"],
    [`${PING}DSCP`]: ["46", "unsignedInt"],
    [`${PING}DiagnosticsState`]: ["Requested", "string"],
    [`${TRACE}Host`]: ["192.0.2.1", "string"],
    [`${TRACE}DSCP`]: ["10", "unsignedInt"],
    [`${TRACE}DiagnosticsState`]: ["Requested", "string"],
  });
  assert.equal(await get(`${PING}DSCP`), "46");
  manager.sessionEnded();
  await manager.settled();
  assert.deepEqual(source.calls, [
    "ping -n -c 3 -W 1 -s 56 -Q 184 192.0.2.1",
    "traceroute -n -q 3 -w 5 -m 30 -t 40 192.0.2.1 60",
  ]);
});

Deno.test({
  name: "bindIpDiagnostics() marks UDPEchoDiagnostics probes with a set DSCP",
  ignore: udpEchoDscpUnavailable() !== undefined,
  fn: async () => {
    const server = startTosCaptureEchoServer();
    try {
      const { manager, spv, get } = fixtureSetup();
      await spv({
        [`${ECHO}Host`]: ["127.0.0.1", "string"],
        [`${ECHO}Port`]: [String(server.port), "unsignedInt"],
        [`${ECHO}NumberOfRepetitions`]: ["2", "unsignedInt"],
        [`${ECHO}InterTransmissionTime`]: ["5", "unsignedInt"],
        [`${ECHO}Timeout`]: ["1000", "unsignedInt"],
        [`${ECHO}DSCP`]: ["46", "unsignedInt"],
        [`${ECHO}DiagnosticsState`]: ["Requested", "string"],
      });
      manager.sessionEnded();
      await manager.settled();
      assert.equal(await get(`${ECHO}DiagnosticsState`), "Complete");
      assert.equal(await get(`${ECHO}SuccessCount`), "2");
      assert.deepEqual(server.tos, [184, 184], "EF (46) << 2 on the wire");
      // Back to 0: the probes go unmarked again.
      await spv({
        [`${ECHO}DSCP`]: ["0", "unsignedInt"],
        [`${ECHO}NumberOfRepetitions`]: ["1", "unsignedInt"],
        [`${ECHO}DiagnosticsState`]: ["Requested", "string"],
      });
      manager.sessionEnded();
      await manager.settled();
      assert.deepEqual(server.tos, [184, 184, 0]);
    } finally {
      await server.close();
    }
  },
});

Deno.test("bindIpDiagnostics() refuses a DSCP or EthernetPriority it cannot apply with 9007", async () => {
  const { spv, get } = fixtureSetup({ udpEcho: { dscpUnavailable: () => "no FFI here" } });
  const http = "the HTTP test connections (Deno.connect) cannot set IP_TOS";
  const priority = "the test connections cannot set SO_PRIORITY (Deno.connect)";
  assert.deepEqual(
    await refused(spv({
      [`${DOWN}DownloadURL`]: ["http://192.0.2.1/f", "string"],
      [`${DOWN}DSCP`]: ["46", "unsignedInt"],
      [`${DOWN}EthernetPriority`]: ["5", "unsignedInt"],
      [`${UP}DSCP`]: ["8", "unsignedInt"],
      [`${UP}EthernetPriority`]: ["1", "unsignedInt"],
      [`${ECHO}DSCP`]: ["46", "unsignedInt"],
    })),
    [
      [`${DOWN}DSCP`, 9007, `DSCP "46" is not supported on this device, only "0": ${http}`],
      [
        `${DOWN}EthernetPriority`,
        9007,
        `EthernetPriority "5" is not supported on this device, only "0": ${priority}`,
      ],
      [`${UP}DSCP`, 9007, `DSCP "8" is not supported on this device, only "0": ${http}`],
      [
        `${UP}EthernetPriority`,
        9007,
        `EthernetPriority "1" is not supported on this device, only "0": ${priority}`,
      ],
      [`${ECHO}DSCP`, 9007, `DSCP "46" is not supported on this device, only "0": no FFI here`],
    ],
  );
  // All or nothing: nothing of the batch was applied.
  assert.equal(await get(`${DOWN}DownloadURL`), "");
  assert.equal(await get(`${DOWN}DSCP`), "0");
  assert.equal(await get(`${ECHO}DSCP`), "0");
});
