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
import { startDnsResponder, startEchoServer } from "./_udp_servers.ts";
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
