import assert from "node:assert/strict";
import {
  HttpReportTransport,
  type HttpSettings,
} from "../../../src/services/bulkdata/http_transport.ts";
import { encodeReport } from "../../../src/services/bulkdata/report.ts";
import { startCollector } from "../../_helpers/bulk_collector.ts";

const report = encodeReport(
  [{ collectedAt: Date.now(), uptime: 1, items: [{ name: "A.B", value: "1", type: "int" }] }],
  { encoding: "JSON", reportFormat: "NameValuePair", reportTimestamp: "None" },
);

function transport(url: string, over: Partial<HttpSettings> = {}) {
  return new HttpReportTransport({
    url,
    username: "",
    password: "",
    compression: "None",
    method: "POST",
    useDateHeader: false,
    identity: [["oui", "A1B2C3"], ["pc", "GW"], ["sn", "S N/1"]],
    uriParameters: [["ct", "Device.Time.CurrentLocalTime"]],
    ...over,
  }, () => Promise.resolve(["2026-12-06T04:00:00Z"]));
}

Deno.test("HttpReportTransport sends oui, pc, sn and RequestURIParameter values in the query", async () => {
  const c = startCollector();
  try {
    await transport(c.url).send(report, new AbortController().signal);
    const [r] = c.reports;
    assert.equal(r.url.search, "?oui=A1B2C3&pc=GW&sn=S+N%2F1&ct=2026-12-06T04%3A00%3A00Z");
    assert.equal(r.headers.get("authorization"), null);
    assert.deepEqual(c.violations, []);
  } finally {
    await c.close();
  }
});

Deno.test("HttpReportTransport never sends Basic over plain HTTP, even when challenged", async () => {
  const c = startCollector({ auth: { scheme: "basic", username: "u", password: "p" } });
  try {
    await assert.rejects(
      transport(c.url, { username: "u", password: "p" }).send(report, new AbortController().signal),
      /HTTP 401 from http:\/\/127\.0\.0\.1:\d+: no challenge to answer over http:/,
    );
    assert.equal(c.challenges, 1);
  } finally {
    await c.close();
  }
});

Deno.test("HttpReportTransport answers a Digest challenge over HTTP; a wrong password fails once", async () => {
  const c = startCollector({ auth: { scheme: "digest", username: "u", password: "p" } });
  try {
    await transport(c.url, { username: "u", password: "p", method: "PUT" })
      .send(report, new AbortController().signal);
    assert.equal(c.reports[0].method, "PUT");
    await assert.rejects(
      transport(c.url, { username: "u", password: "wrong" }).send(
        report,
        new AbortController().signal,
      ),
      /HTTP 401/,
    );
    assert.equal(c.challenges, 3);
  } finally {
    await c.close();
  }
});

Deno.test("HttpReportTransport rejects a non-2xx answer naming the origin only", async () => {
  const c = startCollector();
  try {
    c.fail(1, 503);
    const url = c.url.replace("http://", "http://user:secret@");
    await assert.rejects(
      transport(url).send(report, new AbortController().signal),
      (e: Error) => /^HTTP 503 from http:\/\/127\.0\.0\.1:\d+$/.test(e.message),
    );
  } finally {
    await c.close();
  }
});

Deno.test("HttpReportTransport gives up when its signal aborts (a collector that does not answer)", async () => {
  const c = startCollector();
  try {
    c.delay(1_500);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const t0 = Date.now();
    await assert.rejects(transport(c.url).send(report, controller.signal), /Cancelled sending/);
    assert.ok(Date.now() - t0 < 1_500);
    c.delay(0);
  } finally {
    await c.close();
  }
});

Deno.test("HttpReportTransport follows a 307 with the same method and body", async () => {
  const c = startCollector();
  const redirector = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    // A collector moved elsewhere keeps the query it was sent.
    (req) =>
      new Response("", { status: 307, headers: { location: c.url + new URL(req.url).search } }),
  );
  try {
    await transport(`http://127.0.0.1:${redirector.addr.port}/old`)
      .send(report, new AbortController().signal);
    assert.equal(c.reports.length, 1);
    assert.equal(c.reports[0].text, '{"Report":[{"A.B":1}]}');
  } finally {
    await redirector.shutdown();
    await c.close();
  }
});
