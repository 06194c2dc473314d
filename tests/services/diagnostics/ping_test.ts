import assert from "node:assert/strict";
import { createDenoSystemSource } from "../../../src/platform/system_source.ts";
import { parsePing, pingArgv, runIPPing } from "../../../src/services/diagnostics/ping.ts";
import { context, fakeSource, fixture } from "./_helpers.ts";

const PARAMS = {
  Host: "127.0.0.1",
  NumberOfRepetitions: "3",
  Timeout: "1000",
  DataBlockSize: "64",
  DSCP: "0",
  ProtocolVersion: "Any",
  Interface: "",
};

Deno.test("parsePing() reads the header, each reply and the statistics", () => {
  const out = parsePing(fixture("ping_loopback.txt"));
  assert.equal(out.address, "127.0.0.1");
  assert.equal(out.transmitted, 3);
  assert.deepEqual(out.replies.map((r) => r.seq), [1, 2, 3]);
  assert.ok(out.replies.every((r) => r.ms > 0));
});

Deno.test("parsePing() ignores ICMP error lines", () => {
  const out = parsePing(fixture("ping_unreachable.txt"));
  assert.equal(out.address, "198.51.100.1");
  assert.deepEqual(out.replies, []);
});

Deno.test("parsePing() reads an IPv6 header", () => {
  const out = parsePing(fixture("ping_ipv6.txt"));
  assert.equal(out.address, "::1");
  assert.equal(out.replies.length, 2);
});

Deno.test("pingArgv() maps the TR-181 inputs to iputils options", () => {
  assert.deepEqual(
    pingArgv({ ...PARAMS, DSCP: "46", ProtocolVersion: "IPv6", Timeout: "500" }, "eth0"),
    [
      "ping",
      "-n",
      "-c",
      "3",
      "-W",
      "0.5",
      "-s",
      "64",
      "-Q",
      "184",
      "-6",
      "-I",
      "eth0",
      "127.0.0.1",
    ],
  );
});

Deno.test("runIPPing() reports counts and ms/µs times from a captured run", async () => {
  const argv = pingArgv(PARAMS).join(" ");
  const source = fakeSource({ [argv]: { code: 0, stdout: fixture("ping_loopback.txt") } });
  const outcome = await runIPPing(PARAMS, context(source));
  assert.equal(outcome.state, "Complete");
  const r = outcome.results;
  assert.equal(r.SuccessCount, "3");
  assert.equal(r.FailureCount, "0");
  const times = parsePing(fixture("ping_loopback.txt")).replies.map((x) => Math.round(x.ms * 1000));
  assert.equal(r.MinimumResponseTimeDetailed, String(Math.min(...times)));
  assert.equal(r.MaximumResponseTimeDetailed, String(Math.max(...times)));
  assert.equal(r.MinimumResponseTime, String(Math.round(Math.min(...times) / 1000)));
});

Deno.test("runIPPing() counts every lost probe as a failure", async () => {
  const params = { ...PARAMS, Host: "198.51.100.1", DataBlockSize: "56" };
  const source = fakeSource({
    [pingArgv(params).join(" ")]: { code: 1, stdout: fixture("ping_unreachable.txt") },
  });
  const outcome = await runIPPing(params, context(source));
  assert.equal(outcome.state, "Complete");
  assert.equal(outcome.results.SuccessCount, "0");
  assert.equal(outcome.results.FailureCount, "3");
  assert.equal(outcome.results.AverageResponseTime, "0");
});

Deno.test("runIPPing() maps failures to the Error_* values", async () => {
  const unresolved = { ...PARAMS, Host: "nosuch.invalid" };
  const source = fakeSource({ [pingArgv(unresolved).join(" ")]: { code: 2, stdout: "" } });
  assert.equal((await runIPPing(unresolved, context(source))).state, "Error_CannotResolveHostName");
  assert.equal(
    (await runIPPing({ ...PARAMS, Host: "" }, context(source))).state,
    "Error_CannotResolveHostName",
  );
  assert.equal((await runIPPing(PARAMS, context(fakeSource()))).state, "Error_Internal");
  assert.equal(
    (await runIPPing({ ...PARAMS, Interface: "Device.IP.Interface.9" }, context(source))).state,
    "Error_Other",
  );
  const noRoute = { ...PARAMS, Host: "10.1.1.1" };
  const header = "PING 10.1.1.1 (10.1.1.1) 56(84) bytes of data.\n";
  const routeless = fakeSource({ [pingArgv(noRoute).join(" ")]: { code: 2, stdout: header } });
  assert.equal((await runIPPing(noRoute, context(routeless))).state, "Error_NoRouteToHost");
});

Deno.test({
  name: "runIPPing() pings loopback with the real ping",
  ignore: !hasCommand("ping"),
  async fn() {
    const params = { ...PARAMS, NumberOfRepetitions: "2" };
    const outcome = await runIPPing(params, context(createDenoSystemSource()));
    assert.equal(outcome.state, "Complete");
    assert.equal(outcome.results.SuccessCount, "2");
  },
});

function hasCommand(name: string): boolean {
  return ["/usr/bin/", "/bin/", "/usr/sbin/", "/sbin/"].some((dir) => {
    try {
      return Deno.statSync(dir + name).isFile;
    } catch {
      return false;
    }
  });
}
