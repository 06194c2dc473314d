import assert from "node:assert/strict";
import {
  parseTraceroute,
  runTraceRoute,
  tracerouteArgv,
  tracerouteOutcome,
} from "../../../src/services/diagnostics/traceroute.ts";
import { context, fakeSource, fixture } from "./_helpers.ts";

const PARAMS = {
  Host: "127.0.0.1",
  NumberOfTries: "3",
  Timeout: "1000",
  DataBlockSize: "36",
  DSCP: "0",
  MaxHopCount: "5",
  ProtocolVersion: "Any",
  Interface: "",
};

Deno.test("tracerouteArgv() maps the inputs and adds the IP+UDP headers to the size", () => {
  assert.deepEqual(tracerouteArgv(PARAMS), [
    "traceroute",
    "-n",
    "-q",
    "3",
    "-w",
    "1",
    "-m",
    "5",
    "127.0.0.1",
    "64",
  ]);
  assert.deepEqual(tracerouteArgv({ ...PARAMS, DSCP: "10", Timeout: "250" }, "eth1").slice(4), [
    "-w",
    "0.25",
    "-m",
    "5",
    "-t",
    "40",
    "-i",
    "eth1",
    "127.0.0.1",
    "64",
  ]);
});

Deno.test("parseTraceroute() reads the loopback capture", () => {
  const out = parseTraceroute(fixture("traceroute_loopback.txt"));
  assert.equal(out.destination, "127.0.0.1");
  assert.equal(out.hops.length, 1);
  assert.equal(out.hops[0].address, "127.0.0.1");
  assert.equal(out.hops[0].rtts.length, 3);
});

Deno.test("parseTraceroute() keeps lost probes out of RTTimes", () => {
  const out = parseTraceroute(fixture("traceroute_partial.txt"));
  assert.deepEqual(out.hops.map((h) => [h.hop, h.address, h.rtts.length]), [
    [1, "192.0.2.1", 2],
    [2, "21.4.123.23", 1],
    [3, "", 0],
    [4, "", 0],
  ]);
});

Deno.test("parseTraceroute() reads silent hops and !H annotations", () => {
  const out = parseTraceroute(fixture("traceroute_unreachable_synthetic.txt"));
  assert.deepEqual(out.hops.map((h) => [h.address, h.rtts, h.errorCode, h.annotated]), [
    ["192.168.1.1", [0.412, 0.398, 0.377], 0, false],
    ["", [], 0, false],
    ["10.0.0.1", [7.812, 8.004, 7.95], 1, true],
  ]);
  assert.equal(tracerouteOutcome(out, 30).state, "Error_NoRouteToHost");
  assert.deepEqual(tracerouteOutcome(out, 30).tables?.RouteHops[2], {
    Host: "10.0.0.1",
    HostAddress: "10.0.0.1",
    ErrorCode: "1",
    RTTimes: "8,8,8",
  });
});

Deno.test("tracerouteOutcome() reports MaxHopCountExceeded at the hop limit", () => {
  const outcome = tracerouteOutcome(parseTraceroute(fixture("traceroute_maxhops.txt")), 2);
  assert.equal(outcome.state, "Error_MaxHopCountExceeded");
  assert.equal(outcome.results.ResponseTime, "0");
  assert.equal(outcome.tables?.RouteHops.length, 2);
});

Deno.test("tracerouteOutcome() completes when traceroute stopped before the limit", () => {
  // Port unreachable from another address of the target ends the trace early.
  const text = "traceroute to 198.51.100.1 (198.51.100.1), 4 hops max, 60 byte packets\n" +
    " 1  192.0.2.1  0.191 ms *\n 2  21.4.123.23  0.157 ms  0.151 ms\n";
  const outcome = tracerouteOutcome(parseTraceroute(text), 4);
  assert.equal(outcome.state, "Complete");
  assert.equal(outcome.results.ResponseTime, "0");
  assert.equal(
    tracerouteOutcome(parseTraceroute(fixture("traceroute_partial.txt")), 4).state,
    "Error_MaxHopCountExceeded",
  );
});

Deno.test("runTraceRoute() returns RouteHops and ResponseTime from a captured run", async () => {
  const source = fakeSource({
    [tracerouteArgv(PARAMS).join(" ")]: { code: 0, stdout: fixture("traceroute_loopback.txt") },
  });
  const outcome = await runTraceRoute(PARAMS, context(source));
  assert.equal(outcome.state, "Complete");
  assert.equal(outcome.results.ResponseTime, "0");
  assert.deepEqual(outcome.tables?.RouteHops, [
    { Host: "127.0.0.1", HostAddress: "127.0.0.1", ErrorCode: "0", RTTimes: "0,0,0" },
  ]);
});

Deno.test("runTraceRoute() maps an unresolved name and a missing command", async () => {
  const params = { ...PARAMS, Host: "nosuch.invalid" };
  const source = fakeSource({ [tracerouteArgv(params).join(" ")]: { code: 2, stdout: "" } });
  assert.equal((await runTraceRoute(params, context(source))).state, "Error_CannotResolveHostName");
  assert.equal((await runTraceRoute(PARAMS, context(fakeSource()))).state, "Error_Internal");
});
