/**
 * A hostile or broken ACS, end to end (real agent process, fake ACS on loopback): bad
 * answers to the Inform, odd HTTP framing and oversize responses, dropped connections,
 * 401 loops, redirect chains, CWMP version switches, HoldRequests and out-of-order
 * messages. Each case asserts what the agent does and that it recovers: the retry (or the
 * next session) goes through, with RetryCount counted and the events kept.
 *
 * Covered elsewhere, because the config cannot make them fast: an ACS that never answers
 * (`acs.timeout` ≥ 30 s) in tests/transport/acs_client_test.ts, and an ACS that keeps
 * sending requests (the 600 s session deadline) in tests/session/step_session_test.ts.
 */

import assert from "node:assert/strict";
import {
  type CwmpMessage,
  type CwmpNamespace,
  decodeEnvelope,
  encodeEnvelope,
  type Fault,
  type SoapHeader,
  type TransferComplete,
} from "../../src/soap/mod.ts";
import type { AcsReply, AcsSessionRecord, FakeAcs } from "../_helpers/fake_acs.ts";
import type { AgentProcess } from "../_helpers/agent_process.ts";
import { crPortOf, curlConnectionRequest, eventsOf, informOf, withRig } from "./_rig.ts";

const NS10: CwmpNamespace = "urn:dslforum-org:cwmp-1-0";
const NS12: CwmpNamespace = "urn:dslforum-org:cwmp-1-2";
const TEXT_XML = { "content-type": 'text/xml; charset="utf-8"' };
const GPV: CwmpMessage = {
  kind: "GetParameterValues",
  parameterNames: ["Device.DeviceInfo.SerialNumber"],
};

function xml(namespace: CwmpNamespace, header: SoapHeader, message: CwmpMessage): string {
  return encodeEnvelope({ namespace, header, message });
}

function informResponse(id: string | undefined, namespace = NS12, extra: SoapHeader = {}): string {
  return xml(namespace, { id, ...extra }, { kind: "InformResponse", maxEnvelopes: 1 });
}

function acsFault(faultCode: number, faultString: string): Fault {
  return { kind: "Fault", faultcode: "Server", faultstring: "CWMP fault", faultCode, faultString };
}

const body200 = (body: string): AcsReply => ({ raw: { status: 200, body, headers: TEXT_XML } });

/** The agent's `End session with failure: …` reasons so far. */
function failures(agent: AgentProcess): string[] {
  return agent.lines.flatMap((l) => {
    const m = /\[ERROR\] End session with failure: (.*); (?:retry \d+ in|no retry)/.exec(l);
    return m ? [m[1]] : [];
  });
}

/** The kinds of every POST the ACS received (an empty POST is "Empty"). */
function postKinds(acs: FakeAcs, from = 0): string[] {
  return acs.requests.slice(from).map((r) =>
    r.body === "" ? "Empty" : decodeEnvelope(r.body).message.kind
  );
}

/**
 * Asserts that the Informs of `sessions` (one first attempt and its retries) carry the same
 * events (the boot events by default) and RetryCount 0, 1, 2…; only the last one ended.
 */
function assertRetried(
  sessions: AcsSessionRecord[],
  events = ["0 BOOTSTRAP|", "1 BOOT|"],
  retryEvents = events,
): void {
  for (const [i, session] of sessions.entries()) {
    assert.equal(informOf(session).retryCount, i, `RetryCount of Inform #${i + 1}`);
    assert.deepEqual(eventsOf(session), i === 0 ? events : retryEvents, `events of #${i + 1}`);
    assert.equal(session.ended, i === sessions.length - 1, `Inform #${i + 1} ended`);
  }
}

/** Starts a session with a connection request (the agent must be idle). */
async function kick(agent: AgentProcess): Promise<void> {
  assert.equal(await curlConnectionRequest(await crPortOf(agent), "cr-user", "cr-pass"), 200);
}

// ------------------------------------------------------------ 1. bad answers to the Inform

Deno.test("hostile ACS: garbage, truncated XML, unknown method, 8005, 8002 in answer to the Inform", async () => {
  const truncated = informResponse("x");
  const answers: ((id: string | undefined) => AcsReply)[] = [
    () => body200("this is not XML at all \u0000\u00ff"),
    (id) => body200(informResponse(id).slice(0, 300)),
    (id) =>
      body200(
        informResponse(id).replace(
          /<cwmp:InformResponse>[\s\S]*<\/cwmp:InformResponse>/,
          "<cwmp:Frobnicate/>",
        ),
      ),
    () => ({ message: acsFault(8005, "Retry request") }),
    () => ({ message: acsFault(8002, "Internal error") }),
  ];
  assert.ok(truncated.length > 300);
  let n = 0;
  await withRig(async ({ acs, start, validateAll }) => {
    const agent = await start();
    await acs.waitForSessions(1, 20_000);
    assert.equal(acs.sessions.length, 6);
    assertRetried(acs.sessions);
    const reasons = failures(agent);
    assert.equal(reasons.length, 5, reasons.join("\n"));
    assert.match(reasons[0], /^Undecodable ACS message \(fault "9003"\) instead of a response$/);
    assert.match(reasons[1], /^Undecodable ACS message \(fault "9003"\)/);
    assert.match(reasons[2], /^Undecodable ACS message \(fault "9000"\)/);
    assert.equal(reasons[3], 'ACS fault "8005" ("Retry request") to Inform');
    assert.equal(reasons[4], 'ACS fault "8002" ("Internal error") to Inform');
    // Each failed session was closed: one Inform per attempt, never a POST after the bad answer.
    assert.deepEqual(postKinds(acs), [...Array(6).fill("Inform"), "Empty"]);
    await agent.waitForLine(/\[INFO\] End session$/);
    assert.equal(
      agent.lines.some((l) => /Session engine error|Agent action failed/.test(l)),
      false,
    );
    await validateAll();
  }, {
    hook: (message, session) => {
      if (message.kind !== "Inform") return undefined;
      const answer = answers[n++];
      return answer?.(session.inform.header.id);
    },
  });
});

// ------------------------------------------------------------ 2. HTTP framing and size limits

function http(status: string, headers: string[], body = ""): string {
  return `HTTP/1.1 ${status}\r\n${headers.map((h) => `${h}\r\n`).join("")}\r\n${body}`;
}

function chunked(text: string, size: number): string {
  let out = "";
  for (let i = 0; i < text.length; i += size) {
    const part = text.slice(i, i + size);
    out += `${new TextEncoder().encode(part).length.toString(16)}\r\n${part}\r\n`;
  }
  return out + "0\r\n\r\n";
}

Deno.test("hostile ACS: chunked and close-delimited bodies work; huge headers and bodies fail fast", async () => {
  const MAX = 20_000;
  const pad = (text: string, bytes: number) =>
    text.replace("<soap-env:Body>", `<soap-env:Body><!--${"p".repeat(bytes)}-->`);
  let informCount = 0;
  let emptyCount = 0;
  await withRig(async ({ acs, start, validateAll }) => {
    const agent = await start({ acs: `max_body_bytes = ${MAX}` });
    // Session 1: InformResponse chunked (in 7-byte chunks), a GPV delimited by the close.
    const [first] = await acs.waitForSessions(1, 15_000);
    assert.deepEqual(first.messages.map((m) => m.kind), ["GetParameterValuesResponse"]);
    const peers = acs.requests.map((r) => r.peer);
    assert.equal(peers[1], peers[0]); // chunked response: connection kept
    assert.notEqual(peers[2], peers[1]); // body delimited by the close: new connection
    assert.deepEqual(failures(agent), []);

    // Sessions 2–5 (each started by a connection request: 6 CONNECTION REQUEST is not
    // retried, so a failed one is not either) fail on the response framing; the 6th works.
    for (let i = 1; i <= 4; i++) {
      const from = agent.lines.length;
      await kick(agent);
      await agent.waitForLine(/End session with failure/, 10_000, from);
    }
    await kick(agent);
    await acs.waitForSessions(2, 20_000);
    assert.equal(acs.sessions.length, 6);
    assertRetried(acs.sessions.slice(1), ["6 CONNECTION REQUEST|"]);
    const reasons = failures(agent);
    assert.equal(reasons.length, 4, reasons.join("\n"));
    assert.match(
      reasons[0],
      /^Transport error: Invalid HTTP response: Response headers too large$/,
    );
    assert.match(reasons[1], /^Transport error: Response body exceeds "20000" bytes$/);
    assert.match(reasons[2], /^Transport error: Response body exceeds "20000" bytes$/);
    assert.match(reasons[3], /^Transport error: Response body exceeds "20000" bytes$/);
    // No hang: each failure came right after its Inform (the ACS kept the sockets open).
    const informTimes = acs.requests.filter((r) => r.body.includes("Inform>")).map((r) => r.at);
    for (let i = 2; i < informTimes.length; i++) {
      const gap = informTimes[i] - informTimes[i - 1];
      assert.ok(gap < 5_000, `Inform #${i + 1} came ${gap} ms after the previous one`);
    }
    await validateAll();
  }, {
    hook: (message, session) => {
      const id = session.inform.header.id;
      if (message.kind === "Inform") {
        const ir = informResponse(id);
        switch (informCount++) {
          case 0:
            return {
              wire: {
                data: http("200 OK", [
                  'Content-Type: text/xml; charset="utf-8"',
                  "Set-Cookie: session=abc",
                  "Transfer-Encoding: chunked",
                ], chunked(ir, 7)),
                keepOpen: true,
              },
            };
          case 1: {
            const junk = Array.from({ length: 3000 }, (_, i) => `X-Junk-${i}: ${"j".repeat(20)}`);
            return { wire: { data: http("200 OK", junk, ir), keepOpen: true } };
          }
          case 2:
            return {
              wire: {
                data: http("200 OK", ["Content-Type: text/xml", `Content-Length: ${MAX * 5}`]) +
                  pad(ir, MAX * 5).slice(0, MAX * 2),
                keepOpen: true,
              },
            };
          case 3:
            // Chunked, over the limit, never finished.
            return {
              wire: {
                data: http("200 OK", ["Transfer-Encoding: chunked"]) +
                  chunked(pad(ir, MAX * 2), 1000).slice(0, -5),
                keepOpen: true,
              },
            };
          case 4:
            // No Content-Length, no chunking, connection left open: over the limit anyway.
            return {
              wire: {
                data: http("200 OK", ["Content-Type: text/xml"], pad(ir, MAX * 2)),
                keepOpen: true,
              },
            };
          default:
            return undefined;
        }
      }
      if (message.kind === "Empty" && emptyCount++ === 0) {
        // The ACS ends the body by closing the connection (HTTP/1.1, no length).
        return {
          wire: {
            data: http(
              "200 OK",
              ["Content-Type: text/xml", "Connection: close"],
              xml(
                NS12,
                { id: "gpv-close" },
                GPV,
              ),
            ),
          },
        };
      }
      return undefined;
    },
  });
});

// ------------------------------------------------------------ 3. connection dropped mid-session

Deno.test("hostile ACS: the ACS drops the TCP connection after the InformResponse", async () => {
  let drops = 0;
  await withRig(async ({ acs, start, validateAll }) => {
    const agent = await start();
    await acs.waitForSessions(1, 15_000);
    assert.equal(acs.sessions.length, 2);
    assertRetried(acs.sessions);
    // The kept-alive connection is tried once more on a new connection (an ACS may close an
    // idle keep-alive connection), then the session fails.
    assert.deepEqual(postKinds(acs), ["Inform", "Empty", "Empty", "Inform", "Empty"]);
    assert.ok(agent.lines.some((l) => /Kept-alive connection was closed by the ACS/.test(l)));
    const reasons = failures(agent);
    assert.equal(reasons.length, 1);
    assert.match(
      reasons[0],
      /^Transport error: Invalid HTTP response: Connection closed before a response$/,
    );
    await validateAll();
  }, {
    hook: (message, session) => {
      // Both empty POSTs of the first session: the original and the one on a new connection.
      if (message.kind === "Empty" && informOf(session).retryCount === 0 && drops < 2) {
        drops++;
        return { drop: true };
      }
      return undefined;
    },
  });
});

// ------------------------------------------------------------ 4. 401 loops

Deno.test("hostile ACS: 401 after valid Digest, Basic over plain HTTP, stale nonce", async () => {
  let n = 0;
  const digest = (nonce: string, stale = false) => ({
    raw: {
      status: 401,
      body: "Unauthorized",
      headers: {
        "www-authenticate": `Digest realm="FakeACS",qop="auth",nonce="${nonce}"` +
          (stale ? ",stale=true" : ""),
      },
    },
  });
  const script = [
    digest("n1"), // session 1: challenge…
    digest("n2"), // …and again after the answer: rejected credentials, no loop
    { raw: { status: 401, body: "", headers: { "www-authenticate": 'Basic realm="FakeACS"' } } },
    digest("n3"), // session 3: challenge…
    digest("n4", true), // …then the nonce went stale: answer once more
  ];
  await withRig(async ({ acs, start, validateAll }) => {
    const agent = await start({ acsUsername: "acs-user", acsPassword: "acs-pass" });
    await acs.waitForSessions(1, 15_000);
    const auth = acs.requests.map((r) => r.headers["authorization"] ?? "");
    assert.equal(acs.requests.length, 7); // 2 + 1 + 3 Informs, then the empty POST
    assert.equal(auth[0], "");
    assert.match(auth[1], /^Digest username="acs-user",.*nonce="n1"/);
    assert.equal(auth[2], ""); // Basic over HTTP: the password is never sent
    assert.equal(auth[3], "");
    assert.match(auth[4], /nonce="n3"/);
    assert.match(auth[5], /nonce="n4"/);
    assert.match(auth[6], /nonce="n4"/);
    assert.equal(acs.requests[5].peer, acs.requests[4].peer); // same connection
    const reasons = failures(agent);
    assert.deepEqual(reasons, [
      "Transport error: ACS rejected the credentials (HTTP 401)",
      "Transport error: ACS offers only Basic authentication over plain HTTP: not sending the password in clear (acs.allow_basic_over_http = false)",
    ]);
    assertRetried([0, 2, 5].map((i) => acs.sessions[i])); // first Inform POST of each attempt
    await validateAll();
  }, {
    hook: (message) => (message.kind === "Inform" ? script[n++] : undefined),
  });
});

// ------------------------------------------------------------ 5. redirects

Deno.test("hostile ACS: 302 and 307 redirects are followed; a redirect loop fails", async () => {
  let acsRef: FakeAcs | undefined;
  let loop = false;
  const redirect = (status: number, location: string): AcsReply => ({
    raw: { status, body: "", headers: { location } },
  });
  await withRig(async ({ acs, start, validateAll }) => {
    acsRef = acs;
    const agent = await start();
    await acs.waitForSessions(1, 15_000);
    // Session 1: / → 302 /acs2 → 307 (absolute) /acs3?x=1 → InformResponse; the rest of
    // the session stays on /acs3?x=1.
    assert.deepEqual(acs.requests.map((r) => r.path), ["/", "/acs2", "/acs3?x=1", "/acs3?x=1"]);
    assert.equal(acs.requests[1].body, acs.requests[0].body); // the same Inform re-posted
    assert.equal(acs.requests[2].body, acs.requests[0].body);
    assert.deepEqual(failures(agent), []);

    // Session 2 starts from the configured URL again and meets a redirect loop.
    const before = acs.requests.length;
    loop = true;
    await kick(agent);
    await agent.waitForLine(/End session with failure/, 10_000);
    loop = false;
    const paths = acs.requests.slice(before).map((r) => r.path);
    assert.deepEqual(paths, ["/", "/loop-a", "/loop-b", "/loop-a", "/loop-b", "/loop-a"]);
    assert.deepEqual(failures(agent), ["Transport error: ACS redirected more than 5 times"]);
    // Nothing to retry (6 CONNECTION REQUEST is not retried); the next session starts
    // from the configured URL again.
    const next = acs.requests.length;
    await kick(agent);
    await acs.waitForSessions(2, 10_000);
    assert.equal(acs.requests[next].path, "/");
    await validateAll();
  }, {
    hook: (message) => {
      if (message.kind !== "Inform" || !acsRef) return undefined;
      const path = acsRef.requests[acsRef.requests.length - 1].path;
      if (loop) return redirect(302, path === "/loop-a" ? "/loop-b" : "/loop-a");
      if (path === "/") return redirect(302, "/acs2");
      if (path === "/acs2") return redirect(307, `${acsRef.url}acs3?x=1`);
      return undefined;
    },
  });
});

// ------------------------------------------------------------ 6. CWMP versions

Deno.test("hostile ACS: InformResponse in cwmp-1-0 to a 1.4 Inform: the session speaks cwmp-1-0", async () => {
  let empties = 0;
  await withRig(async ({ acs, start, validateAll }) => {
    await start();
    const [session] = await acs.waitForSessions(1, 15_000);
    assert.equal(session.inform.namespace, NS12);
    assert.equal(session.inform.header.supportedCWMPVersions, "1.0,1.1,1.2,1.3,1.4");
    const bodies = acs.requests.filter((r) => r.body !== "").map((r) => decodeEnvelope(r.body));
    assert.deepEqual(bodies.map((e) => [e.message.kind, e.namespace]), [
      ["Inform", NS12],
      ["GetParameterValuesResponse", NS10],
    ]);
    assert.equal(bodies[1].header.id, "gpv-10");
    await validateAll();
  }, {
    hook: (message, session): AcsReply | undefined => {
      if (message.kind === "Inform") return body200(informResponse(session.inform.header.id, NS10));
      if (message.kind === "Empty" && empties++ === 0) {
        return body200(xml(NS10, { id: "gpv-10" }, GPV));
      }
      return undefined;
    },
  });
});

Deno.test("hostile ACS: UseCWMPVersion 1.2, then a request in another namespace mid-session", async () => {
  let empties = 0;
  await withRig(async ({ acs, start, validateAll }) => {
    await start();
    await acs.waitForSessions(1, 15_000);
    const bodies = acs.requests.filter((r) => r.body !== "").map((r) => decodeEnvelope(r.body));
    // [U] TR-069 has no rule for an ACS that switches namespace mid-session. The version is
    // chosen once per session (FACTS §1.3: "both use it for the rest of the session"), so
    // the CPE answers the cwmp-1-0 request in the negotiated cwmp-1-2, with its cwmp:ID.
    assert.deepEqual(bodies.map((e) => [e.message.kind, e.namespace, e.header.id]), [
      ["Inform", NS12, "cpe-1"],
      ["GetParameterValuesResponse", NS12, "gpv-12"],
      ["GetParameterValuesResponse", NS12, "gpv-10"],
    ]);
    await validateAll();
  }, {
    hook: (message, session): AcsReply | undefined => {
      if (message.kind === "Inform") {
        return body200(informResponse(session.inform.header.id, NS12, { useCWMPVersion: "1.2" }));
      }
      if (message.kind === "Empty" && empties++ === 0) {
        return body200(xml(NS12, { id: "gpv-12" }, GPV));
      }
      if (message.kind === "GetParameterValuesResponse" && session.messages.length === 1) {
        return body200(xml(NS10, { id: "gpv-10" }, GPV));
      }
      return undefined;
    },
  });
});

// ------------------------------------------------------------ 7. HoldRequests and message order

const TRANSFER_COMPLETE: TransferComplete = {
  kind: "TransferComplete",
  commandKey: "dl-1",
  faultStruct: { faultCode: 0, faultString: "" },
  startTime: "2026-01-01T00:00:00Z",
  completeTime: "2026-01-01T00:01:00Z",
};
const TC_EVENTS = ["7 TRANSFER COMPLETE|", "M Download|dl-1", "1 BOOT|"];

/** Seeds a state directory with a pending TransferComplete (as cpe_request_test.ts does). */
async function seedTransferComplete(stateDir: string, acsUrl: string): Promise<void> {
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
      lastAcsUrl: acsUrl,
      queuedRequests: [TRANSFER_COMPLETE],
      scheduledInforms: [],
      transfers: [],
    }),
  );
}

function emptyEnvelope(header: SoapHeader): string {
  return xml(NS12, header, GPV).replace(
    /<soap-env:Body>[\s\S]*<\/soap-env:Body>/,
    "<soap-env:Body></soap-env:Body>",
  );
}

Deno.test("hostile ACS: HoldRequests toggled on consecutive ACS messages", async () => {
  let step = 0;
  await withRig(async ({ acs, stateDir, start, validateAll }) => {
    await seedTransferComplete(stateDir, acs.url);
    const agent = await start();
    const [session] = await acs.waitForSessions(1, 15_000);
    assert.deepEqual(eventsOf(session), TC_EVENTS);
    assert.deepEqual(postKinds(acs), [
      "Inform",
      "Empty", // HoldRequests=1 in the InformResponse
      "GetParameterValuesResponse", // to a GPV with HoldRequests=1
      "Empty", // the empty envelope with HoldRequests=1: no TransferComplete, no end
      "GetParameterValuesResponse", // to a GPV with HoldRequests=0
      "TransferComplete", // after the 204: held no more
      "Empty",
    ]);
    assert.deepEqual(failures(agent), []);
    await validateAll();
  }, {
    hook: (_message, session): AcsReply | undefined => {
      const id = session.inform.header.id;
      switch (step++) {
        case 0:
          return body200(informResponse(id, NS12, { holdRequests: true }));
        case 1:
          return body200(xml(NS12, { id: "gpv-1", holdRequests: true }, GPV));
        case 2:
          return body200(emptyEnvelope({ holdRequests: true }));
        case 3:
          return body200(xml(NS12, { id: "gpv-2", holdRequests: false }, GPV));
        case 4:
          return { raw: { status: 204, body: "" } };
        default:
          return undefined;
      }
    },
  });
});

Deno.test("hostile ACS: requests instead of a response, InformResponse twice, GenieACS's Body:Fault", async () => {
  const genie043 = Deno.readTextFileSync(
    new URL(
      "../testdata/genieacs/043-acs-cpe-acs-fault-8000.xml",
      import.meta.url,
    ),
  );
  await withRig(async ({ acs, stateDir, start, validateAll }) => {
    await seedTransferComplete(stateDir, acs.url);
    const agent = await start();
    await acs.waitForSessions(1, 20_000);
    const reasons = failures(agent);
    assert.deepEqual(reasons, [
      'Expected "TransferCompleteResponse", got "GetParameterValues"',
      'Expected "TransferCompleteResponse", got "InformResponse"',
      'ACS fault "8000" ("Method not supported") to "TransferComplete"',
      'Expected an ACS request or an empty response, got "InformResponse"',
    ]);
    assert.deepEqual(postKinds(acs), [
      ...["Inform", "TransferComplete"], // answered with a GPV: failed
      ...["Inform", "TransferComplete"], // answered with a second InformResponse: failed
      ...["Inform", "TransferComplete"], // GenieACS's soap-env:Body:Fault 8000: failed, dropped
      ...["Inform", "Empty"], // 8000 will not change: no TransferComplete; InformResponse again
      ...["Inform", "Empty"], // and a clean session
    ]);
    assert.equal(acs.sessions.length, 5);
    for (const [i, session] of acs.sessions.entries()) {
      assert.equal(informOf(session).retryCount, i);
      assert.deepEqual(eventsOf(session), TC_EVENTS);
    }
    assert.equal(acs.sessions[4].ended, true);
    await validateAll();
  }, {
    hook: (message, session): AcsReply | undefined => {
      const retry = informOf(session).retryCount;
      const id = decodeEnvelope(session.bodies[session.bodies.length - 1]).header.id;
      if (message.kind === "TransferComplete") {
        if (retry === 0) return body200(xml(NS12, { id: "gpv-early" }, GPV));
        if (retry === 1) return body200(informResponse(id));
        if (retry === 2) return body200(genie043.replace("kick-6ddefb", id ?? ""));
      }
      if (message.kind === "Empty" && retry === 3) return body200(informResponse("again"));
      return undefined;
    },
  });
});
