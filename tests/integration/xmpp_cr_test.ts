/**
 * XMPP connection requests (TR-069 Annex K) end to end: the real agent keeps an XMPP
 * connection to Debian's prosody on loopback (STARTTLS with a test CA, SCRAM-SHA-1) from
 * its `[xmpp]` section, and ACS-side XMPP clients send connectionRequest iqs through it.
 */

import assert from "node:assert/strict";
import { needs } from "../_helpers/needs.ts";
import { disposeProsody, type Prosody, startProsody } from "../_helpers/prosody.ts";
import { until } from "../_helpers/until.ts";
import {
  connectionRequestIq,
  type XmlElement,
  XmppClient,
  type XmppClientSettings,
} from "../../src/services/xmpp/mod.ts";
import { crPortOf, curlConnectionRequest, eventsOf, withRig } from "./_rig.ts";
import { spawnAgent, writeAgentConfig } from "../_helpers/agent_process.ts";
import { assertNoSession, gpvOf } from "./_wire.ts";

const quiet = { info() {}, warning() {}, debug() {} };

function peer(prosody: Prosody, username: string, password: string): XmppClient {
  const settings: XmppClientSettings = {
    username,
    password,
    domain: prosody.domain,
    resource: "acs",
    useTls: true,
    algorithm: "ServerTable",
    servers: [{ address: "127.0.0.1", port: prosody.port }],
    keepAliveInterval: 0,
    connectAttempts: 16,
    retry: { initialInterval: 1, intervalMultiplier: 1000, maxInterval: 1 },
  };
  return new XmppClient({
    settings,
    caCerts: [prosody.caPem],
    log: quiet,
    onIq: () => undefined,
  });
}

let ids = 0;

/** Sends a connectionRequest iq from `from` to `to`; the answer's type and error condition. */
async function request(
  from: XmppClient,
  to: string,
  username: string,
  password: string,
): Promise<string> {
  const id = `cr-${++ids}`;
  const reply: XmlElement = await from.request(
    connectionRequestIq({ id, to, username, password }),
    id,
  );
  const type = reply.attrs.type?.value ?? "";
  const error = reply.children.find((c) => c.local === "error");
  return error === undefined ? type : `${type} ${error.children[0]?.local}`;
}

function xmppSection(prosody: Prosody): string {
  return `
[xmpp]
server = "127.0.0.1"
port = ${prosody.port}
domain = "${prosody.domain}"
username = "cpe"
password = "cpe-secret"
resource = "cwmp"
allowed_jids = ["acs@${prosody.domain}"]
ca_file = "${prosody.caFile}"
retry_initial_interval = 1
`;
}

Deno.test(
  "agent takes XMPP connection requests through prosody: allowed, refused, after a server restart",
  needs("/usr/bin/prosody", "openssl"),
  async () => {
    const prosody = await startProsody({
      accounts: { cpe: "cpe-secret", acs: "acs-secret", other: "other-secret" },
    });
    const acsPeer = peer(prosody, "acs", "acs-secret");
    const otherPeer = peer(prosody, "other", "other-secret");
    try {
      await withRig(async ({ acs, start, validateAll }) => {
        acsPeer.start();
        otherPeer.start();
        const agent = await start({ extra: xmppSection(prosody) });
        await acs.waitForSessions(1, 15_000);
        await agent.waitForLine(
          /XMPP connection 1: connected to 127\.0\.0\.1:\d+ as cpe@localhost\/cwmp over TLS/,
        );
        await agent.waitForLine(/Waiting the next session/);
        await until(() => acsPeer.status === "Enabled" && otherPeer.status === "Enabled", "peers");
        const cpe = "cpe@localhost/cwmp";

        // Accepted: an empty result, then a session with 6 CONNECTION REQUEST (and the GPV).
        acs.enqueue({
          kind: "GetParameterValues",
          parameterNames: [
            "Device.XMPP.",
            "Device.ManagementServer.ConnReqJabberID",
            "Device.ManagementServer.ConnReqXMPPConnection",
            "Device.ManagementServer.ConnReqAllowedJabberIDs",
            "Device.ManagementServer.SupportedConnReqMethods",
          ],
        });
        assert.equal(await request(acsPeer, cpe, "cr-user", "cr-pass"), "result");
        const sessions = await acs.waitForSessions(2, 10_000);
        assert.deepEqual(eventsOf(sessions[1]), ["6 CONNECTION REQUEST|"]);
        const values = gpvOf(sessions[1], 0);
        assert.equal(values["Device.XMPP.ConnectionNumberOfEntries"], "1");
        assert.equal(
          values["Device.XMPP.SupportedServerConnectAlgorithms"],
          "DNS-SRV,DNS,ServerTable",
        );
        assert.equal(values["Device.XMPP.Connection.1.Status"], "Enabled");
        assert.equal(values["Device.XMPP.Connection.1.JabberID"], cpe);
        assert.equal(values["Device.XMPP.Connection.1.TLSEstablished"], "true");
        assert.equal(values["Device.XMPP.Connection.1.Password"], "");
        assert.equal(values["Device.XMPP.Connection.1.ServerConnectAlgorithm"], "ServerTable");
        assert.equal(values["Device.XMPP.Connection.1.Server.1.ServerAddress"], "127.0.0.1");
        assert.equal(values["Device.ManagementServer.ConnReqJabberID"], cpe);
        assert.equal(
          values["Device.ManagementServer.ConnReqXMPPConnection"],
          "Device.XMPP.Connection.1",
        );
        assert.equal(values["Device.ManagementServer.ConnReqAllowedJabberIDs"], "acs@localhost");
        assert.equal(values["Device.ManagementServer.SupportedConnReqMethods"], "HTTP,STUN,XMPP");
        await agent.waitForLine(/Waiting the next session/, 10_000, agent.lines.length - 1);

        // Wrong password: not-authorized, no session. A JID not allowed: service-unavailable.
        assert.equal(await request(acsPeer, cpe, "cr-user", "wrong"), "error not-authorized");
        assert.equal(await request(acsPeer, cpe, "", ""), "error not-authorized");
        assert.equal(
          await request(otherPeer, cpe, "cr-user", "cr-pass"),
          "error service-unavailable",
        );
        await assertNoSession(acs, 1500, "refused XMPP connection requests");
        assert.ok(agent.lines.every((l) => !l.includes("cpe-secret") && !l.includes("cr-pass")));

        // The server restarts: the agent reconnects and takes requests again.
        const connected = agent.lines.length;
        await prosody.restart();
        await agent.waitForLine(/XMPP connection 1: connected to/, 20_000, connected);
        await until(() => acsPeer.status === "Enabled", "the ACS peer back", 20_000);
        assert.equal(await request(acsPeer, cpe, "cr-user", "cr-pass"), "result");
        const after = await acs.waitForSessions(3, 10_000);
        assert.deepEqual(eventsOf(after[2]), ["6 CONNECTION REQUEST|"]);
        await validateAll();
      });
    } finally {
      await Promise.all([acsPeer.stop(), otherPeer.stop()]);
      await disposeProsody(prosody);
    }
  },
);

Deno.test(
  "XMPP settings the ACS sets apply at once and outlive a restart",
  needs("/usr/bin/prosody", "openssl"),
  async () => {
    const prosody = await startProsody({
      accounts: { cpe: "cpe-secret", acs: "acs-secret", other: "other-secret" },
    });
    const acsPeer = peer(prosody, "acs", "acs-secret");
    const otherPeer = peer(prosody, "other", "other-secret");
    try {
      await withRig(async ({ acs, start }) => {
        acsPeer.start();
        otherPeer.start();
        const agent = await start({ extra: xmppSection(prosody) });
        await acs.waitForSessions(1, 15_000);
        await agent.waitForLine(/XMPP connection 1: connected to/);
        await agent.waitForLine(/Waiting the next session/);
        await until(() => acsPeer.status === "Enabled" && otherPeer.status === "Enabled", "peers");

        // Another resource (a reconnection) and another allowed JID (at once).
        acs.enqueue({
          kind: "SetParameterValues",
          parameterList: [
            { name: "Device.XMPP.Connection.1.Resource", value: "moved", type: "xsd:string" },
            {
              name: "Device.ManagementServer.ConnReqAllowedJabberIDs",
              value: "other@localhost/acs",
              type: "xsd:string",
            },
          ],
          parameterKey: "xmpp-1",
        });
        const from = agent.lines.length;
        assert.equal(await request(acsPeer, "cpe@localhost/cwmp", "cr-user", "cr-pass"), "result");
        await acs.waitForSessions(2, 10_000);
        await agent.waitForLine(/connected to .* as cpe@localhost\/moved/, 15_000, from);
        const moved = "cpe@localhost/moved";
        assert.equal(
          await request(acsPeer, moved, "cr-user", "cr-pass"),
          "error service-unavailable",
        );
        assert.equal(await request(otherPeer, moved, "cr-user", "cr-pass"), "result");
        await acs.waitForSessions(3, 10_000);

        // A bad reference is refused by SPV (9007); the running connection stays.
        acs.enqueue({
          kind: "SetParameterValues",
          parameterList: [{
            name: "Device.ManagementServer.ConnReqXMPPConnection",
            value: "Device.XMPP.Connection.7",
            type: "xsd:string",
          }],
          parameterKey: "xmpp-2",
        });
        await agent.waitForLine(/Waiting the next session/, 10_000, agent.lines.length - 1);
        assert.equal(await request(otherPeer, moved, "cr-user", "cr-pass"), "result");
        const sessions = await acs.waitForSessions(4, 10_000);
        const fault = sessions[3].messages[0];
        assert.equal(fault?.kind, "Fault");

        // Restart with the same config: what the ACS set stands.
        await agent.kill("SIGTERM");
        const again = await start({ extra: xmppSection(prosody) });
        await again.waitForLine(/connected to .* as cpe@localhost\/moved/, 20_000);
        await again.waitForLine(/Waiting the next session/);
        assert.equal(await request(otherPeer, moved, "cr-user", "cr-pass"), "result");
        await acs.waitUntil(
          () => acs.sessions.some((s, i) => i > 4 && eventsOf(s).includes("6 CONNECTION REQUEST|")),
          "a session after the restart",
          10_000,
        );
      });
    } finally {
      await Promise.all([acsPeer.stop(), otherPeer.stop()]);
      await disposeProsody(prosody);
    }
  },
);

Deno.test(
  "XMPP and HTTP connection requests share one rate limit",
  needs("/usr/bin/prosody", "openssl", "curl"),
  async () => {
    const prosody = await startProsody({ accounts: { cpe: "cpe-secret", acs: "acs-secret" } });
    const acsPeer = peer(prosody, "acs", "acs-secret");
    try {
      await withRig(async ({ acs, dir, stateDir }) => {
        acsPeer.start();
        // One accepted request an hour: the second one, by either path, is over the limit.
        const config = await writeAgentConfig(dir, {
          acsUrl: acs.url,
          stateDir,
          extra: xmppSection(prosody),
        });
        const toml = await Deno.readTextFile(config);
        await Deno.writeTextFile(
          config,
          toml.replace(
            "[connection_request]\n",
            "[connection_request]\nrate_limit_requests = 1\nrate_limit_period = 3600\n",
          ),
        );
        const agent = spawnAgent(config);
        try {
          const port = await crPortOf(agent);
          await acs.waitForSessions(1, 15_000);
          await agent.waitForLine(/XMPP connection 1: connected to/);
          await agent.waitForLine(/Waiting the next session/);
          await until(() => acsPeer.status === "Enabled", "the ACS peer");
          const cpe = "cpe@localhost/cwmp";
          assert.equal(await request(acsPeer, cpe, "cr-user", "cr-pass"), "result");
          await acs.waitForSessions(2, 10_000);
          assert.equal(
            await request(acsPeer, cpe, "cr-user", "cr-pass"),
            "error service-unavailable",
          );
          assert.equal(await curlConnectionRequest(port, "cr-user", "cr-pass"), 503);
          await assertNoSession(acs, 1000, "over the rate limit");
          await agent.waitForLine(
            /XMPP connection request from acs@localhost\/acs refused: over the rate limit/,
          );
        } catch (error) {
          console.error(`--- agent log ---\n${agent.lines.join("\n")}`);
          throw error;
        } finally {
          await agent.kill("SIGKILL");
        }
      });
    } finally {
      await acsPeer.stop();
      await disposeProsody(prosody);
    }
  },
);

Deno.test(
  "agent answers stray iqs, survives an oversize stanza by reconnecting, and still takes requests",
  needs("/usr/bin/prosody", "openssl"),
  async () => {
    const prosody = await startProsody({ accounts: { cpe: "cpe-secret", acs: "acs-secret" } });
    const acsPeer = peer(prosody, "acs", "acs-secret");
    try {
      await withRig(async ({ acs, start }) => {
        acsPeer.start();
        const agent = await start({ extra: xmppSection(prosody) });
        await acs.waitForSessions(1, 15_000);
        await agent.waitForLine(/XMPP connection 1: connected to/);
        await agent.waitForLine(/Waiting the next session/);
        await until(() => acsPeer.status === "Enabled", "the ACS peer");
        const cpe = "cpe@localhost/cwmp";

        // An iq the agent does not know: service-unavailable, no session.
        const version = await acsPeer.request(
          `<iq type="get" id="v1" to="${cpe}"><query xmlns="jabber:iq:version"/></iq>`,
          "v1",
        );
        assert.equal(version.attrs.type.value, "error");
        assert.equal(version.children.at(-1)?.children[0]?.local, "service-unavailable");
        // A wrong namespace is no connection request.
        const wrongNs = await acsPeer.request(
          `<iq type="get" id="w1" to="${cpe}"><connectionRequest xmlns="urn:example">` +
            `<username>cr-user</username><password>cr-pass</password></connectionRequest></iq>`,
          "w1",
        );
        assert.equal(wrongNs.attrs.type.value, "error");
        await assertNoSession(acs, 1000, "stray iqs");

        // 100 KiB in one message: over the stanza bound, the agent drops the stream and
        // reconnects.
        const from = agent.lines.length;
        await acsPeer.send(
          `<message to="${cpe}" type="chat"><body>${"x".repeat(100 * 1024)}</body></message>`,
        );
        await agent.waitForLine(/Stanza longer than 65536 characters/, 10_000, from);
        await agent.waitForLine(/XMPP connection 1: connected to/, 20_000, from);
        assert.equal(await request(acsPeer, cpe, "cr-user", "cr-pass"), "result");
        const sessions = await acs.waitForSessions(2, 10_000);
        assert.deepEqual(eventsOf(sessions[1]), ["6 CONNECTION REQUEST|"]);
      });
    } finally {
      await acsPeer.stop();
      await disposeProsody(prosody);
    }
  },
);
