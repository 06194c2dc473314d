import assert from "node:assert/strict";
import { pingArgv } from "../../../src/services/diagnostics/ping.ts";
import { runServerSelection } from "../../../src/services/diagnostics/server_selection.ts";
import { context, fakeSource, fixture } from "./_helpers.ts";
import { startEchoServer } from "./_udp_servers.ts";

Deno.test("runServerSelection() picks the fastest host over ICMP", async () => {
  const argv = (host: string) =>
    pingArgv({ Host: host, NumberOfRepetitions: "3", Timeout: "1000", ProtocolVersion: "Any" })
      .join(" ");
  const source = fakeSource({
    [argv("192.0.2.1")]: { code: 0, stdout: fixture("ping_gateway.txt") },
    [argv("127.0.0.1")]: { code: 0, stdout: fixture("ping_loopback.txt") },
    [argv("198.51.100.1")]: { code: 1, stdout: fixture("ping_unreachable.txt") },
  });
  const outcome = await runServerSelection({
    Protocol: "ICMP",
    HostList: "192.0.2.1,198.51.100.1,127.0.0.1",
    NumberOfRepetitions: "3",
    Timeout: "1000",
  }, context(source));
  assert.equal(outcome.state, "Complete");
  assert.equal(outcome.results.FastestHost, "127.0.0.1");
  const loop = fixture("ping_loopback.txt").match(/time=([\d.]+)/g)!.map((t) =>
    Math.round(Number(t.slice(5)) * 1000)
  );
  assert.equal(outcome.results.MinimumResponseTime, String(Math.min(...loop)));
  assert.equal(outcome.results.MaximumResponseTime, String(Math.max(...loop)));
});

Deno.test("runServerSelection() picks the host that answers over UDP Echo", async () => {
  const server = startEchoServer({ echoPlus: true });
  try {
    const outcome = await runServerSelection(
      {
        Protocol: "UDP Echo",
        HostList: "127.0.0.2,127.0.0.1",
        NumberOfRepetitions: "2",
        Timeout: "200",
      },
      context(),
      { udpEchoPort: server.port, udpIntervalMs: 5 },
    );
    assert.equal(outcome.state, "Complete");
    assert.equal(outcome.results.FastestHost, "127.0.0.1");
    assert.ok(Number(outcome.results.AverageResponseTime) > 0);
  } finally {
    await server.close();
  }
});

Deno.test("runServerSelection() maps an empty list and unresolved hosts", async () => {
  assert.equal((await runServerSelection({ HostList: "" }, context())).state, "Error_Other");
  const none = await runServerSelection(
    { Protocol: "UDP Echo", HostList: "a.invalid,b.invalid" },
    context(undefined, { resolve: () => Promise.resolve([]) }),
  );
  assert.equal(none.state, "Error_CannotResolveHostName");
});
