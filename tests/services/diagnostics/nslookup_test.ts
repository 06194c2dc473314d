import assert from "node:assert/strict";
import {
  decodeDnsMessage,
  DnsType,
  encodeDnsMessage,
} from "../../../src/services/diagnostics/dns_message.ts";
import { runNSLookup } from "../../../src/services/diagnostics/nslookup.ts";
import { context, fakeSource } from "./_helpers.ts";
import { startDnsResponder } from "./_udp_servers.ts";

/** Answers `host.lan.example` with one A and one AAAA, authoritative; NXDOMAIN otherwise. */
function zone(query: Uint8Array): Uint8Array {
  const q = decodeDnsMessage(query);
  const question = q.questions[0];
  const known = question.name === "host.lan.example";
  const data = question.type === DnsType.A ? "192.0.2.10" : "2001:db8::10";
  return encodeDnsMessage({
    id: q.id,
    qr: true,
    aa: true,
    rd: q.rd,
    rcode: known ? 0 : 3,
    questions: q.questions,
    answers: known ? [{ name: question.name, type: question.type, ttl: 30, data }] : [],
  });
}

Deno.test("runNSLookup() resolves through a local responder", async () => {
  const server = startDnsResponder(zone);
  try {
    const outcome = await runNSLookup(
      {
        HostName: "host",
        DNSServer: "127.0.0.1",
        Timeout: "1000",
        NumberOfRepetitions: "2",
      },
      context(fakeSource({}, { "/etc/resolv.conf": "search lan.example\n" })),
      {
        port: server.port,
      },
    );
    assert.equal(outcome.state, "Complete");
    assert.equal(outcome.results.SuccessCount, "2");
    const rows = outcome.tables?.Result ?? [];
    assert.equal(rows.length, 2);
    assert.deepEqual({ ...rows[0], ResponseTime: "-" }, {
      Status: "Success",
      AnswerType: "Authoritative",
      HostNameReturned: "host.lan.example",
      IPAddresses: "192.0.2.10,2001:db8::10",
      DNSServerIP: "127.0.0.1",
      ResponseTime: "-",
    });
  } finally {
    await server.close();
  }
});

Deno.test("runNSLookup() uses resolv.conf's server and reports NXDOMAIN", async () => {
  const server = startDnsResponder(zone);
  try {
    const source = fakeSource({}, { "/etc/resolv.conf": "nameserver 127.0.0.1\n" });
    const outcome = await runNSLookup(
      { HostName: "other.example.", Timeout: "1000" },
      context(source),
      { port: server.port },
    );
    assert.equal(outcome.state, "Error_Other");
    assert.equal(outcome.results.SuccessCount, "0");
    assert.equal(outcome.tables?.Result[0].Status, "Error_HostNameNotResolved");
    assert.equal(outcome.tables?.Result[0].DNSServerIP, "127.0.0.1");
  } finally {
    await server.close();
  }
});

Deno.test("runNSLookup() reports Error_Timeout per result when the server is silent", async () => {
  const server = startDnsResponder(() => undefined);
  try {
    const outcome = await runNSLookup(
      { HostName: "host.lan.example", DNSServer: "127.0.0.1", Timeout: "100" },
      context(),
      { port: server.port },
    );
    assert.equal(outcome.state, "Error_Other");
    assert.deepEqual(outcome.tables?.Result[0], {
      Status: "Error_Timeout",
      AnswerType: "None",
      HostNameReturned: "",
      IPAddresses: "",
      DNSServerIP: "127.0.0.1",
      ResponseTime: "0",
    });
  } finally {
    await server.close();
  }
});

Deno.test("runNSLookup() maps a missing HostName and an unresolvable DNSServer", async () => {
  assert.equal((await runNSLookup({ HostName: "" }, context())).state, "Error_Other");
  const outcome = await runNSLookup(
    { HostName: "x.example", DNSServer: "dns.invalid" },
    context(undefined, { resolve: () => Promise.resolve([]) }),
  );
  assert.equal(outcome.state, "Error_DNSServerNotResolved");
  const noDefault = await runNSLookup({ HostName: "x.example" }, context());
  assert.equal(noDefault.state, "Error_DNSServerNotResolved");
});
