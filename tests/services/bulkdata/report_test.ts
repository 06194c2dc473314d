import assert from "node:assert/strict";
import {
  type Collection,
  encodeReport,
  type EncodingSettings,
  formatTimestamp,
} from "../../../src/services/bulkdata/report.ts";
import type { ReportItem } from "../../../src/services/bulkdata/collect.ts";

const T = Date.UTC(2013, 2, 29, 3, 52, 29); // 1364529149 s, Annex N's example time
const moca = (n: number, base: number): ReportItem[] => [
  {
    name: `Device.MoCA.Interface.${n}.Stats.BroadPktSent`,
    value: String(base),
    type: "unsignedLong",
  },
  {
    name: `Device.MoCA.Interface.${n}.Stats.BytesReceived`,
    value: String(base * 2),
    type: "unsignedLong",
  },
];
const one: Collection = {
  collectedAt: T,
  uptime: 1_000,
  items: [...moca(1, 25248), ...moca(2, 93247)],
};
const text = (c: Collection[], s: EncodingSettings) =>
  new TextDecoder().decode(encodeReport(c, s).body);
const csv = (
  over: Partial<Extract<EncodingSettings, { encoding: "CSV" }>> = {},
): EncodingSettings => ({
  encoding: "CSV",
  reportFormat: "ParameterPerRow",
  rowTimestamp: "Unix-Epoch",
  fieldSeparator: ",",
  rowSeparator: "\r\n",
  escapeCharacter: '"',
  ...over,
});

Deno.test("encodeReport() JSON ObjectHierarchy nests objects, numbers stay numbers, CollectionTime first (Annex N.3.5)", () => {
  const body = text([one], {
    encoding: "JSON",
    reportFormat: "ObjectHierarchy",
    reportTimestamp: "Unix-Epoch",
  });
  assert.equal(
    body,
    `{"Report":[{"CollectionTime":${T},"Device":{"MoCA":{"Interface":{` +
      `"1":{"Stats":{"BroadPktSent":25248,"BytesReceived":50496}},` +
      `"2":{"Stats":{"BroadPktSent":93247,"BytesReceived":186494}}}}}}]}`,
  );
});

Deno.test("encodeReport() JSON NameValuePair keeps whole names; retained reports come first in the array", () => {
  const older: Collection = { collectedAt: T - 300_000, uptime: 1, items: moca(1, 1) };
  const report = encodeReport([older, one], {
    encoding: "JSON",
    reportFormat: "NameValuePair",
    reportTimestamp: "ISO-8601",
  });
  assert.equal(report.reports, 2);
  assert.equal(report.format, "NameValuePair");
  assert.equal(report.contentType, "application/json; charset=UTF-8");
  const parsed = JSON.parse(new TextDecoder().decode(report.body));
  assert.equal(parsed.Report.length, 2);
  assert.equal(parsed.Report[0].CollectionTime, "2013-03-29T03:47:29Z");
  assert.equal(parsed.Report[1]["Device.MoCA.Interface.2.Stats.BroadPktSent"], 93247);
});

Deno.test("encodeReport() JSON types by TR-106 base type; 64-bit counters exact; bad numbers as strings", () => {
  const items: ReportItem[] = [
    { name: "a", value: "18446744073709551615", type: "unsignedLong" },
    { name: "b", value: "true", type: "boolean" },
    { name: "c", value: "0", type: "boolean" },
    { name: "d", value: "2026-01-01T00:00:00Z", type: "dateTime" },
    { name: "e", value: "", type: "int" },
    { name: "f", value: 'quote " and \\ and \n', type: "string" },
    { name: "g", value: "-5", type: "int" },
  ];
  const body = text([{ collectedAt: T, uptime: 0, items }], {
    encoding: "JSON",
    reportFormat: "NameValuePair",
    reportTimestamp: "None",
  });
  assert.equal(
    body,
    '{"Report":[{"a":18446744073709551615,"b":true,"c":false,"d":"2026-01-01T00:00:00Z",' +
      '"e":"","f":"quote \\" and \\\\ and \\n","g":-5}]}',
  );
});

Deno.test("encodeReport() CSV ParameterPerRow: header, timestamp, name, value, base type (Annex N.3.4)", () => {
  assert.equal(
    text([one], csv()),
    "ReportTimestamp,ParameterName,ParameterValue,ParameterType\r\n" +
      `${T},Device.MoCA.Interface.1.Stats.BroadPktSent,25248,unsignedLong\r\n` +
      `${T},Device.MoCA.Interface.1.Stats.BytesReceived,50496,unsignedLong\r\n` +
      `${T},Device.MoCA.Interface.2.Stats.BroadPktSent,93247,unsignedLong\r\n` +
      `${T},Device.MoCA.Interface.2.Stats.BytesReceived,186494,unsignedLong\r\n`,
  );
  assert.equal(encodeReport([one], csv()).contentType, "text/csv; charset=UTF-8; header=present");
});

Deno.test("encodeReport() CSV ParameterPerColumn: one row per collection, retained ones without a header", () => {
  const items = (v: string): ReportItem[] => [
    { name: "BroadPktSent", value: v, type: "unsignedLong" },
    { name: "Note", value: "a;b", type: "string" },
  ];
  const body = text(
    [
      { collectedAt: T, uptime: 0, items: items("1") },
      { collectedAt: T + 1000, uptime: 0, items: items("2") },
    ],
    csv({
      reportFormat: "ParameterPerColumn",
      fieldSeparator: ";",
      rowSeparator: "\n",
      rowTimestamp: "None",
    }),
  );
  assert.equal(body, 'BroadPktSent;Note\n1;"a;b"\n2;"a;b"\n');
});

Deno.test("encodeReport() CSV escapes separators, row breaks and the escape character (RFC 4180 §2.6-2.7)", () => {
  const items: ReportItem[] = [{ name: "n", value: `x'y,z\r\nw`, type: "string" }];
  const body = text(
    [{ collectedAt: T, uptime: 0, items }],
    csv({ rowTimestamp: "None", escapeCharacter: "'" }),
  );
  assert.equal(body, `ParameterName,ParameterValue,ParameterType\r\nn,'x''y,z\r\nw',string\r\n`);
});

Deno.test("formatTimestamp() without absolute time: ms since boot, or Unknown Time plus uptime (TR-069 Table 12)", () => {
  const c: Collection = { collectedAt: 5_000, uptime: 200_000, items: [] };
  assert.equal(formatTimestamp(c, "Unix-Epoch"), "200000");
  assert.equal(formatTimestamp(c, "ISO-8601"), "0001-01-01T00:03:20Z");
  assert.equal(formatTimestamp(c, "None"), "");
});

Deno.test("encodeReport() refuses an empty list", () => {
  assert.throws(
    () =>
      encodeReport([], {
        encoding: "JSON",
        reportFormat: "NameValuePair",
        reportTimestamp: "None",
      }),
    RangeError,
  );
});
