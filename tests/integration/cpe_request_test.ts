/**
 * The CPE's own requests (TransferComplete) against HoldRequests and ACS fault 8005.
 * This slice produces no TransferComplete itself yet, so the test seeds the state
 * directory with one left over from an earlier run (the snapshot format of
 * `src/session/snapshot.ts`) and drives the real agent from there.
 */

import assert from "node:assert/strict";
import { decodeEnvelope, type TransferComplete } from "../../src/soap/mod.ts";
import type { AcsReply, FakeAcsOptions } from "../_helpers/fake_acs.ts";
import { eventsOf, withRig } from "./_rig.ts";

const TRANSFER_COMPLETE: TransferComplete = {
  kind: "TransferComplete",
  commandKey: "dl-1",
  faultStruct: { faultCode: 0, faultString: "" },
  startTime: "2026-01-01T00:00:00Z",
  completeTime: "2026-01-01T00:01:00Z",
};

Deno.test("agent holds its TransferComplete under HoldRequests and resends it on 8005", async () => {
  let transferCompletes = 0;
  let empties = 0;
  const hook: FakeAcsOptions["hook"] = (message, session): AcsReply | undefined => {
    if (message.kind === "Inform") {
      return {
        header: { id: session.inform.header.id, holdRequests: true },
        message: { kind: "InformResponse", maxEnvelopes: 1 },
      };
    }
    if (message.kind === "Empty" && empties++ === 0) {
      return {
        header: { id: "acs-gpv", holdRequests: true },
        message: { kind: "GetParameterValues", parameterNames: ["Device.DeviceInfo.SerialNumber"] },
      };
    }
    // An empty ACS response that drops HoldRequests without ending the session yet.
    if (message.kind === "GetParameterValuesResponse") return { raw: { status: 204, body: "" } };
    if (message.kind === "TransferComplete" && transferCompletes++ === 0) {
      return {
        message: {
          kind: "Fault",
          faultcode: "Server",
          faultstring: "CWMP fault",
          faultCode: 8005,
          faultString: "Retry request",
        },
      };
    }
    return undefined;
  };
  await withRig(async ({ acs, stateDir, start, validateAll }) => {
    await Deno.mkdir(stateDir, { recursive: true });
    await Deno.writeTextFile(
      `${stateDir}/session.json`,
      JSON.stringify({
        version: 1,
        pendingEvents: [
          { eventCode: "7 TRANSFER COMPLETE", commandKey: "" },
          { eventCode: "M Download", commandKey: "dl-1" },
        ],
        retryCount: 0,
        lastAcsUrl: acs.url,
        queuedRequests: [TRANSFER_COMPLETE],
        scheduledInforms: [],
        transfers: [],
      }),
    );
    const first = await start();
    const [session] = await acs.waitForSessions(1, 15_000);
    assert.deepEqual(eventsOf(session), ["7 TRANSFER COMPLETE|", "M Download|dl-1", "1 BOOT|"]);
    const posts = acs.requests.map((r) => r.body === "" ? "Empty" : decodeEnvelope(r.body));
    assert.deepEqual(posts.map((p) => p === "Empty" ? p : p.message.kind), [
      "Inform",
      "Empty", // HoldRequests: no TransferComplete yet
      "GetParameterValuesResponse",
      "TransferComplete",
      "TransferComplete", // the same request again after 8005
      "Empty",
    ]);
    const [tc1, tc2] = posts.slice(3, 5) as Exclude<(typeof posts)[number], "Empty">[];
    assert.equal(tc1.header.id, tc2.header.id);
    assert.deepEqual(tc1.message, TRANSFER_COMPLETE);
    assert.deepEqual(tc2.message, TRANSFER_COMPLETE);
    await first.waitForLine(/\[INFO\] End session$/);
    assert.equal(first.lines.some((l) => /End session with failure/.test(l)), false);
    assert.equal((await first.kill("SIGTERM")).code, 0);

    await start();
    await acs.waitForSessions(2, 15_000);
    assert.deepEqual(eventsOf(acs.sessions[1]), ["1 BOOT|"]);
    assert.deepEqual(acs.sessions[1].messages, []); // acknowledged: not sent again
    await validateAll();
  }, { hook });
});
