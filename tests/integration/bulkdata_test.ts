/**
 * Bulk Data collection end to end (TR-069 Annex N, TR-181 `Device.BulkData.`): the fake
 * ACS creates profiles with AddObject and SetParameterValues on the real agent, and a
 * collector on 127.0.0.1 (`tests/_helpers/bulk_collector.ts`) checks every report against
 * the encoding rules: JSON and CSV content, wildcards, partial paths and renaming,
 * schedule, retention of failed reports, retries, HTTPS with the ACS's CA, Digest, the
 * SPV faults of bad configurations, and profiles that survive a SIGKILL.
 */

import assert from "node:assert/strict";
import type { CpeRequest, ParameterValueStruct } from "../../src/soap/mod.ts";
import { type Collector, makeTestCa, startCollector } from "../_helpers/bulk_collector.ts";
import { needs } from "../_helpers/needs.ts";
import { withRig } from "./_rig.ts";
import { addOf, crSession, faultOf, gpvOf, kindAt } from "./_wire.ts";

const P = "Device.BulkData.Profile.";

function spv(values: Record<string, string>, key = "k"): CpeRequest {
  const parameterList: ParameterValueStruct[] = Object.entries(values).map(([name, value]) => ({
    name,
    value,
    type: /^(true|false)$/.test(value)
      ? "xsd:boolean"
      : name.endsWith("TimeReference")
      ? "xsd:dateTime"
      : /Interval|NumberOfRetained|Multiplier/.test(name)
      ? (name.endsWith("NumberOfRetainedFailedReports") ? "xsd:int" : "xsd:unsignedInt")
      : "xsd:string",
  }));
  return { kind: "SetParameterValues", parameterList, parameterKey: key };
}

function add(objectName: string): CpeRequest {
  return { kind: "AddObject", objectName, parameterKey: "" };
}

function bulkConfig(extra = "max_parameter_references = 5000"): string {
  return `[bulkdata]\nmin_reporting_interval = 2\n${extra}`;
}

function collectorSettle(collector: Collector) {
  assert.deepEqual(collector.violations, [], "The collector saw rule violations");
}

Deno.test("Bulk Data: JSON ObjectHierarchy and NameValuePair reports on schedule, wildcards, partial paths, names", async () => {
  const collector = startCollector();
  try {
    await withRig(async ({ acs, start, validateAll }) => {
      const agent = await start({ extra: bulkConfig() });
      await acs.waitForSessions(1, 15_000);
      await agent.waitForLine(/Waiting the next session/);
      const s = await crSession(
        acs,
        agent,
        add(P),
        add(`${P}1.Parameter.`),
        add(`${P}1.Parameter.`),
        add(`${P}1.Parameter.`),
        spv({
          [`${P}1.Protocol`]: "HTTP",
          [`${P}1.EncodingType`]: "JSON",
          [`${P}1.ReportingInterval`]: "2",
          [`${P}1.HTTP.URL`]: collector.url,
          [`${P}1.HTTP.UseDateHeader`]: "true",
          [`${P}1.Parameter.1.Reference`]: "Device.DeviceInfo.UpTime",
          [`${P}1.Parameter.2.Reference`]: `${P}*.Parameter.*.Reference`,
          [`${P}1.Parameter.2.Name`]: "Refs",
          [`${P}1.Parameter.3.Reference`]: "Device.DeviceInfo.",
          [`${P}1.Parameter.3.Name`]: "Info",
          [`${P}1.Enable`]: "true",
        }),
        { kind: "GetParameterValues", parameterNames: ["Device.BulkData."] },
      );
      assert.equal(addOf(s, 0).instanceNumber, 1);
      kindAt(s, 4, "SetParameterValuesResponse");
      const gpv = gpvOf(s, 5);
      assert.equal(gpv["Device.BulkData.Protocols"], "HTTP,MQTT");
      assert.equal(gpv["Device.BulkData.EncodingTypes"], "CSV,JSON");
      assert.equal(gpv["Device.BulkData.MinReportingInterval"], "2");
      assert.equal(gpv["Device.BulkData.ParameterWildCardSupported"], "true");
      assert.equal(gpv[`${P}1.CSVEncoding.RowSeparator`], "&#10;");
      assert.equal(gpv[`${P}1.HTTP.Password`], "");

      const reports = await collector.waitForReports(3, 15_000);
      collectorSettle(collector);
      const [first, second, third] = reports;
      // Every ReportingInterval (2 s), on the grid that started with the SPV.
      for (const gap of [second.at - first.at, third.at - second.at]) {
        assert.ok(gap > 1_500 && gap < 2_600, `interval ${gap} ms`);
      }
      assert.equal(first.method, "POST");
      assert.equal(first.headers.get("bbf-report-format"), "ObjectHierarchy");
      assert.match(first.headers.get("content-type")!, /^application\/json; charset=UTF-8$/);
      assert.ok(!Number.isNaN(Date.parse(first.headers.get("date")!)));
      assert.equal(first.url.searchParams.get("oui"), "A1B2C3");
      assert.equal(first.url.searchParams.get("pc"), "TestGW");
      assert.equal(first.url.searchParams.get("sn"), "SN0001");
      assert.equal(first.reports!.length, 1);
      // deno-lint-ignore no-explicit-any -- a parsed JSON report, walked by the assertions
      const report = first.reports![0] as Record<string, any>;
      assert.ok(Math.abs(report.CollectionTime - first.at) < 2_000, "CollectionTime in ms");
      assert.equal(typeof report.Device.DeviceInfo.UpTime, "number");
      assert.deepEqual(report.Refs, {
        "1": {
          "1": "Device.DeviceInfo.UpTime",
          "2": `${P}*.Parameter.*.Reference`,
          "3": "Device.DeviceInfo.",
        },
      });
      assert.equal(report.Info.Manufacturer, "Example");
      assert.equal(report.Info.SerialNumber, "SN0001");

      // NameValuePair, ISO-8601, PUT, and an Exclude row.
      await crSession(
        acs,
        agent,
        add(`${P}1.Parameter.`),
        spv({
          [`${P}1.JSONEncoding.ReportFormat`]: "NameValuePair",
          [`${P}1.JSONEncoding.ReportTimestamp`]: "ISO-8601",
          [`${P}1.HTTP.Method`]: "PUT",
          [`${P}1.Parameter.4.Reference`]: "Device.DeviceInfo.SerialNumber",
          [`${P}1.Parameter.4.Exclude`]: "true",
        }),
      );
      const before = collector.reports.length;
      await collector.waitForReports(collector.reports.filter((r) => r.status < 300).length + 1);
      const nvp = collector.reports[before];
      collectorSettle(collector);
      assert.equal(nvp.method, "PUT");
      assert.equal(nvp.headers.get("bbf-report-format"), "NameValuePair");
      const flat = nvp.reports![0] as Record<string, unknown>;
      assert.match(flat.CollectionTime as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(typeof flat["Device.DeviceInfo.UpTime"], "number");
      assert.equal(flat["Refs.1.4"], "Device.DeviceInfo.SerialNumber");
      assert.equal(flat["Info.Manufacturer"], "Example");
      assert.equal(flat["Info.SerialNumber"], undefined, "excluded");
      await validateAll();
    });
  } finally {
    await collector.close();
  }
});

Deno.test("Bulk Data: bad configurations get SPV faults at set time (9007, 9004 beyond the limits)", async () => {
  await withRig(async ({ acs, start }) => {
    const agent = await start({
      extra: bulkConfig("max_profiles = 1\nmax_parameter_references = 100"),
    });
    await acs.waitForSessions(1, 15_000);
    await agent.waitForLine(/Waiting the next session/);
    const s = await crSession(
      acs,
      agent,
      add(P),
      add(`${P}1.Parameter.`),
      spv({
        [`${P}1.ReportingInterval`]: "1",
        [`${P}1.Protocol`]: "Streaming",
        [`${P}1.EncodingType`]: "XML",
        [`${P}1.Parameter.1.Reference`]: "Device.NoSuchObject.X",
        [`${P}1.HTTP.Method`]: "GET",
        [`${P}1.CSVEncoding.RowSeparator`]: ";;",
        [`${P}1.HTTP.URL`]: "ftp://collector.example/",
      }),
      spv({ [`${P}1.Parameter.1.Reference`]: "Device." }),
      add(P),
      spv({ [`${P}1.Parameter.1.Reference`]: "Device.DeviceInfo.*.Name" }),
      spv({ [`${P}1.Parameter.1.Reference`]: "Device.DeviceInfo.MemoryStatus." }),
    );
    const fault = faultOf(s, 2);
    assert.equal(fault.faultCode, 9003);
    const codes = Object.fromEntries(
      fault.setParameterValuesFault!.map((f) => [f.parameterName.slice(P.length), f.faultCode]),
    );
    assert.deepEqual(codes, {
      "1.ReportingInterval": 9007,
      "1.Protocol": 9007,
      "1.EncodingType": 9007,
      "1.Parameter.1.Reference": 9007,
      "1.HTTP.Method": 9007,
      "1.CSVEncoding.RowSeparator": 9007,
      "1.HTTP.URL": 9007,
    });
    // The whole tree is far more than 100 parameters.
    assert.equal(faultOf(s, 3).faultCode, 9004);
    assert.equal(faultOf(s, 4).faultCode, 9004); // max_profiles = 1
    assert.equal(faultOf(s, 5).faultCode, 9003); // DeviceInfo has no table there
    kindAt(s, 6, "SetParameterValuesResponse");
  });
});

Deno.test(
  "Bulk Data: CSV over HTTPS with Digest, failed reports retained and sent with the next, retries, profiles survive SIGKILL",
  needs("openssl"),
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "bulk-ca-" });
    const ca = await makeTestCa(dir);
    const csv = { fieldSeparator: ";", rowSeparator: "\r\n", escapeCharacter: "'" };
    const collector = startCollector({
      tls: { cert: ca.cert, key: ca.key },
      csv,
      auth: { scheme: "digest", username: "bd", password: "s3cret" },
    });
    try {
      await withRig(async ({ acs, start }) => {
        const options = { extra: bulkConfig(), acs: `ca_file = ${JSON.stringify(ca.caFile)}` };
        let agent = await start(options);
        await acs.waitForSessions(1, 15_000);
        await agent.waitForLine(/Waiting the next session/);
        collector.fail(2);
        await crSession(
          acs,
          agent,
          add(P),
          add(`${P}1.Parameter.`),
          add(`${P}1.Parameter.`),
          add(`${P}1.HTTP.RequestURIParameter.`),
          spv({
            [`${P}1.Protocol`]: "HTTP",
            [`${P}1.EncodingType`]: "CSV",
            [`${P}1.ReportingInterval`]: "2",
            [`${P}1.NumberOfRetainedFailedReports`]: "2",
            [`${P}1.CSVEncoding.FieldSeparator`]: ";",
            [`${P}1.CSVEncoding.RowSeparator`]: "&#13;&#10;",
            [`${P}1.CSVEncoding.EscapeCharacter`]: "'",
            [`${P}1.CSVEncoding.ReportFormat`]: "ParameterPerColumn",
            [`${P}1.CSVEncoding.RowTimestamp`]: "Unix-Epoch",
            [`${P}1.HTTP.URL`]: collector.url,
            [`${P}1.HTTP.Username`]: "bd",
            [`${P}1.HTTP.Password`]: "s3cret",
            [`${P}1.HTTP.Compression`]: "GZIP",
            [`${P}1.HTTP.PersistAcrossReboot`]: "true",
            [`${P}1.HTTP.RequestURIParameter.1.Name`]: "model",
            [`${P}1.HTTP.RequestURIParameter.1.Reference`]: "Device.DeviceInfo.ModelName",
            [`${P}1.Parameter.1.Reference`]: "Device.DeviceInfo.UpTime",
            [`${P}1.Parameter.1.Name`]: "up",
            [`${P}1.Parameter.2.Reference`]: "Device.DeviceInfo.Description",
            [`${P}1.Parameter.2.Name`]: "desc;x",
            [`${P}1.Enable`]: "true",
          }),
        );
        // Two failures (500), then one report carrying both and its own.
        const [report] = await collector.waitForReports(1, 15_000);
        collectorSettle(collector);
        assert.equal(collector.reports.filter((r) => r.status === 500).length, 2);
        assert.equal(report.headers.get("content-encoding"), "gzip");
        assert.equal(report.headers.get("bbf-report-format"), "ParameterPerColumn");
        assert.match(
          report.headers.get("content-type")!,
          /^text\/csv; charset=UTF-8; header=present$/,
        );
        assert.equal(report.url.searchParams.get("model"), "TestGW-1");
        assert.deepEqual(report.rows![0], ["ReportTimestamp", "up", "desc;x"]);
        assert.equal(report.rows!.length, 4, "header + 2 retained + current");
        const stamps = report.rows!.slice(1).map((row) => Number(row[0]));
        assert.ok(stamps[0] < stamps[1] && stamps[1] < stamps[2], "oldest first");
        assert.ok(report.rows!.slice(1).every((row) => row[2] === "Test gateway"));
        assert.ok(report.text.includes("'desc;x'"), "a field with the separator is escaped");
        assert.ok(collector.challenges > 0, "Digest: credentials only after the challenge");
        assert.ok(!agent.lines.some((l) => l.includes("s3cret")), "password never logged");

        // Retries within the interval: one failure, then the retry 1–1.5 s later.
        await crSession(
          acs,
          agent,
          spv({
            [`${P}1.HTTP.RetryEnable`]: "true",
            [`${P}1.HTTP.RetryMinimumWaitInterval`]: "1",
            [`${P}1.HTTP.RetryIntervalMultiplier`]: "1500",
            [`${P}1.ReportingInterval`]: "4",
          }),
        );
        await new Promise((resolve) => setTimeout(resolve, 300));
        collector.fail(1);
        const failedAt = collector.reports.length;
        const accepted = collector.reports.filter((r) => r.status < 300).length;
        await collector.waitForReports(accepted + 1, 15_000);
        const [failed, retried] = collector.reports.slice(failedAt);
        assert.equal(failed.status, 500);
        assert.equal(retried.status, 200);
        const wait = retried.at - failed.at;
        assert.ok(wait >= 900 && wait < 2_000, `retry after ${wait} ms`);
        assert.equal(retried.rows!.length, 2, "a retried report is not retained");

        // SIGKILL while reports fail: the profile and its retained report come back.
        collector.fail(100);
        await agent.waitForLine(/report not delivered .*; 1 retained/, 15_000, agent.lines.length);
        await agent.kill("SIGKILL");
        collector.fail(0);
        agent = await start(options);
        const after = collector.reports.filter((r) => r.status < 300).length;
        const [resumed] = (await collector.waitForReports(after + 1, 20_000)).slice(after);
        collectorSettle(collector);
        assert.ok(
          resumed.rows!.length >= 3,
          "the retained report went with the first after restart",
        );
      });
    } finally {
      await collector.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test("Bulk Data: reports keep their TimeReference schedule during a long session; a slow collector never delays a session; Status and Enable", async () => {
  const collector = startCollector();
  let holdMs = 0;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  try {
    await withRig(async ({ acs, start }) => {
      const agent = await start({ extra: bulkConfig() });
      await acs.waitForSessions(1, 15_000);
      await agent.waitForLine(/Waiting the next session/);
      await crSession(
        acs,
        agent,
        add(P),
        add(`${P}1.Parameter.`),
        spv({
          [`${P}1.Protocol`]: "HTTP",
          [`${P}1.EncodingType`]: "JSON",
          [`${P}1.JSONEncoding.ReportFormat`]: "NameValuePair",
          [`${P}1.ReportingInterval`]: "2",
          // Intervals complete at odd seconds.
          [`${P}1.TimeReference`]: "2026-01-01T00:00:01Z",
          [`${P}1.HTTP.URL`]: collector.url,
          [`${P}1.Parameter.1.Reference`]: "Device.DeviceInfo.UpTime",
          [`${P}1.Enable`]: "true",
        }),
      );
      const first = await collector.waitForReports(2, 10_000);
      for (const r of first) {
        const phase = r.at % 2000;
        assert.ok(phase >= 1000 && phase < 1600, `report at phase ${phase} ms of the 2 s grid`);
      }

      // A session held open for 5 s by the ACS: reports go on meanwhile.
      holdMs = 5_000;
      const before = collector.reports.length;
      const t0 = Date.now();
      await crSession(acs, agent, {
        kind: "GetParameterValues",
        parameterNames: ["Device.DeviceInfo.UpTime"],
      });
      const during = collector.reports.filter((r) => r.at >= t0 && r.at <= Date.now()).length;
      holdMs = 0;
      assert.ok(Date.now() - t0 >= 5_000);
      assert.ok(
        during >= 2,
        `${during} reports during a 5 s session (${collector.reports.length - before} in all)`,
      );

      // A collector that takes 8 s to answer: sessions are not slowed down.
      collector.delay(8_000);
      await sleep(2_500); // a report is now hanging at the collector
      const t1 = Date.now();
      await crSession(acs, agent, {
        kind: "GetParameterValues",
        parameterNames: ["Device.BulkData.Status"],
      });
      assert.ok(Date.now() - t1 < 3_000, `session took ${Date.now() - t1} ms`);
      collector.delay(0);

      // Reports that fail make Status "Error"; Enable false stops everything.
      collector.fail(1_000);
      await agent.waitForLine(/report not delivered/, 10_000, agent.lines.length);
      const failing = await crSession(acs, agent, {
        kind: "GetParameterValues",
        parameterNames: ["Device.BulkData.Status"],
      });
      assert.equal(gpvOf(failing, 0)["Device.BulkData.Status"], "Error");
      collector.fail(0);
      const off = await crSession(
        acs,
        agent,
        spv({ "Device.BulkData.Enable": "false" }),
        { kind: "GetParameterValues", parameterNames: ["Device.BulkData.Status"] },
      );
      assert.equal(gpvOf(off, 1)["Device.BulkData.Status"], "Disabled");
      await sleep(500);
      const stopped = collector.reports.length;
      await sleep(4_500);
      assert.equal(
        collector.reports.length,
        stopped,
        "no report while Device.BulkData.Enable is false",
      );
      collectorSettle(collector);
    }, {
      hook: async (message) => {
        if (holdMs > 0 && message.kind === "GetParameterValuesResponse") await sleep(holdMs);
        return undefined;
      },
    });
  } finally {
    await collector.close();
  }
});
