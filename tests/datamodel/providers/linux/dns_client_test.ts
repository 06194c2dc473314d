import assert from "node:assert/strict";
import { bindDNSClient, parseNameservers } from "../../../../src/datamodel/objects/dns_client.ts";
import { readBindings } from "../../../_helpers/provider_contract.ts";
import { asyncOnly, fixture } from "./_fixture.ts";

const C = "Device.DNS.Client.";

Deno.test("bindDNSClient() serves the captured nameserver", async () => {
  assert.deepEqual(await readBindings(bindDNSClient(fixture("host"))), {
    [`${C}Enable`]: "true",
    [`${C}Status`]: "Enabled",
    [`${C}Server.1.Enable`]: "true",
    [`${C}Server.1.Status`]: "Enabled",
    [`${C}Server.1.DNSServer`]: "10.255.255.53",
    [`${C}Server.1.Type`]: "Static",
  });
});

Deno.test("bindDNSClient() drops duplicates and zone suffixes and keeps numbers per address", async () => {
  const source = fixture("router");
  const bindings = bindDNSClient(source);
  let values = await readBindings(bindings);
  const servers = () =>
    Object.entries(values).filter(([k]) => k.endsWith(".DNSServer")).map(([k, v]) => `${k}=${v}`);
  assert.deepEqual(servers(), [
    `${C}Server.1.DNSServer=192.0.2.53`,
    `${C}Server.2.DNSServer=2001:db8::53`,
    `${C}Server.3.DNSServer=fe80::1`,
  ]);
  source.write("/etc/resolv.conf", "nameserver 2001:db8::53\nnameserver 192.0.2.99\n");
  values = await readBindings(bindings);
  assert.deepEqual(servers(), [
    `${C}Server.2.DNSServer=2001:db8::53`,
    `${C}Server.4.DNSServer=192.0.2.99`,
  ]);
});

Deno.test("bindDNSClient() reads several resolv.conf files in order", async () => {
  const source = fixture("host");
  source.write("/tmp/resolv.conf.d/resolv.conf.auto", "nameserver 192.0.2.1\n");
  const values = await readBindings(
    bindDNSClient(source, {
      resolvConf: ["/tmp/resolv.conf.d/resolv.conf.auto", "/etc/resolv.conf"],
    }),
  );
  assert.equal(values[`${C}Server.1.DNSServer`], "192.0.2.1");
  assert.equal(values[`${C}Server.2.DNSServer`], "10.255.255.53");
});

Deno.test("bindDNSClient() reads the same files through a source without readTextSync", async () => {
  const source = fixture("router");
  const values = await readBindings(bindDNSClient(asyncOnly(source)));
  assert.deepEqual(values, await readBindings(bindDNSClient(source)));
  assert.equal(values[`${C}Server.2.DNSServer`], "2001:db8::53");
});

Deno.test("parseNameservers() ignores comments and other keywords", () => {
  assert.deepEqual(
    parseNameservers(
      "# nameserver 1.1.1.1\nsearch lan\n nameserver 192.0.2.1 # x\noptions edns0\n",
    ),
    ["192.0.2.1"],
  );
});
