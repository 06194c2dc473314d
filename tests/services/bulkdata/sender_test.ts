import assert from "node:assert/strict";
import { ProfileSender, type ProfileSenderOptions } from "../../../src/services/bulkdata/sender.ts";
import { nextReportAt, retryWaitMs } from "../../../src/services/bulkdata/schedule.ts";
import type { EncodedReport, ReportTransport } from "../../../src/services/bulkdata/transport.ts";

function sender(transport: ReportTransport, over: Partial<ProfileSenderOptions> = {}) {
  let n = 0;
  return new ProfileSender({
    path: "Device.BulkData.Profile.1.",
    intervalMs: 60_000,
    encoding: { encoding: "JSON", reportFormat: "NameValuePair", reportTimestamp: "None" },
    retainLimit: 2,
    transport,
    collect: () => Promise.resolve([{ name: "n", value: String(++n), type: "int" }]),
    log: () => {},
    now: () => Date.now(),
    uptime: () => 0,
    random: () => 0,
    ...over,
  });
}

const reportsIn = (r: EncodedReport) =>
  JSON.parse(new TextDecoder().decode(r.body)).Report.map((x: { n: number }) => x.n);

Deno.test("nextReportAt() completes intervals on TimeReference + k·interval, or from the start", () => {
  assert.equal(nextReportAt(1_000, 60_000, 0), 60_000);
  assert.equal(nextReportAt(60_000, 60_000, 0), 120_000);
  assert.equal(nextReportAt(1_000, 60_000, 30_000), 30_000);
  assert.equal(
    nextReportAt(1_000, 60_000, 10_000_000),
    40_000,
    "a future reference sets the phase",
  );
  assert.equal(nextReportAt(5_000, 60_000, undefined, 5_000), 65_000);
});

Deno.test("retryWaitMs() follows m·(k/1000)^(n−1) … m·(k/1000)^n, capped at the 10th", () => {
  const policy = { minimumWait: 5, multiplier: 2000 };
  assert.equal(retryWaitMs(1, policy, () => 0), 5_000);
  assert.equal(retryWaitMs(1, policy, () => 1), 10_000);
  assert.equal(retryWaitMs(12, policy, () => 1), 5_120_000);
});

Deno.test("ProfileSender retains failed reports up to NumberOfRetainedFailedReports and sends them first", async () => {
  const sent: number[][] = [];
  let fail = 3;
  const s = sender({
    send: (r) => {
      sent.push(reportsIn(r));
      return fail-- > 0 ? Promise.reject(new Error("HTTP 500")) : Promise.resolve();
    },
  });
  const retained: number[] = [];
  for (let i = 0; i < 4; i++) {
    await s.reportNow();
    retained.push(s.retained.length);
  }
  assert.deepEqual(sent, [[1], [1, 2], [1, 2, 3], [2, 3, 4]]);
  assert.deepEqual(retained, [1, 2, 2, 0]);
  await s.stop();
});

Deno.test("ProfileSender with NumberOfRetainedFailedReports 0 drops failed reports", async () => {
  const sent: number[][] = [];
  const s = sender({
    send: (r) => (sent.push(reportsIn(r)), Promise.reject(new Error("down"))),
  }, { retainLimit: 0 });
  await s.reportNow();
  await s.reportNow();
  assert.deepEqual(sent, [[1], [2]]);
  await s.stop();
});

Deno.test("ProfileSender cancels a send still running when the next report is due; that report is retained", async () => {
  const sent: number[][] = [];
  const s = sender({
    send: (r, signal) => {
      sent.push(reportsIn(r));
      if (sent.length > 1) return Promise.resolve();
      return new Promise((_, reject) =>
        signal.addEventListener("abort", () => reject(new Error("cancelled")))
      );
    },
  }, { intervalMs: 150 });
  s.start();
  await new Promise((resolve) => setTimeout(resolve, 400));
  await s.stop();
  assert.deepEqual(sent.slice(0, 2), [[1], [1, 2]]);
});

Deno.test("ProfileSender keeps at most MAX_RETAINED_ITEMS parameters retained, dropping the oldest", async () => {
  const big = Array.from({ length: 60_000 }, (_, i) => ({
    name: `p${i}`,
    value: "1",
    type: "int" as const,
  }));
  const s = sender({ send: () => Promise.reject(new Error("down")) }, {
    retainLimit: -1,
    collect: () => Promise.resolve(big),
  });
  await s.reportNow();
  await s.reportNow();
  assert.equal(s.retained.length, 1, "two reports of 60,000 parameters do not fit 100,000");
  await s.stop();
});

Deno.test("ProfileSender waits out a ReportingInterval longer than setTimeout's 24.8 days", async () => {
  let collected = 0;
  const s = sender({ send: () => Promise.resolve() }, {
    intervalMs: 30 * 86_400_000,
    collect: () => (collected++, Promise.resolve([])),
  });
  s.start();
  // A setTimeout of more than 2^31 − 1 ms fires after 1 ms: a report every millisecond.
  await new Promise((resolve) => setTimeout(resolve, 50));
  await s.stop();
  assert.equal(collected, 0);
});
