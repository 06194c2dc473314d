import assert from "node:assert/strict";
import { needs } from "../_helpers/needs.ts";
import { disposeProsody, startProsody } from "../_helpers/prosody.ts";
import { until } from "../_helpers/until.ts";
import {
  connectionRequestIq,
  connReqReply,
  readConnectionRequest,
  XmppClient,
  type XmppClientSettings,
} from "../../src/services/xmpp/mod.ts";

const quiet = { info() {}, warning() {}, debug() {} };

function settings(port: number, username: string, password: string): XmppClientSettings {
  return {
    username,
    password,
    domain: "localhost",
    resource: "r1",
    useTls: true,
    algorithm: "ServerTable",
    servers: [{ address: "127.0.0.1", port }],
    keepAliveInterval: 0,
    connectAttempts: 16,
    retry: { initialInterval: 1, intervalMultiplier: 1000, maxInterval: 1 },
  };
}

Deno.test(
  "XmppClient logs in to prosody over STARTTLS with SCRAM-SHA-1 and answers an iq",
  needs("/usr/bin/prosody", "openssl"),
  async () => {
    const prosody = await startProsody({ accounts: { cpe: "cpe-secret", acs: "acs-secret" } });
    const seen: string[] = [];
    const cpe = new XmppClient({
      settings: settings(prosody.port, "cpe", "cpe-secret"),
      caCerts: [prosody.caPem],
      log: quiet,
      onIq(stanza) {
        const request = readConnectionRequest(stanza);
        if (request === undefined) return undefined;
        seen.push(`${request.from} ${request.username}`);
        return connReqReply(stanza, "accepted");
      },
    });
    const acs = new XmppClient({
      settings: settings(prosody.port, "acs", "acs-secret"),
      caCerts: [prosody.caPem],
      log: quiet,
      onIq: () => undefined,
    });
    const wrong = new XmppClient({
      settings: settings(prosody.port, "cpe", "nope"),
      caCerts: [prosody.caPem],
      log: quiet,
      onIq: () => undefined,
    });
    try {
      cpe.start();
      acs.start();
      wrong.start();
      await until(() => cpe.status === "Enabled" && acs.status === "Enabled", "both logged in");
      assert.equal(cpe.jid, "cpe@localhost/r1");
      assert.ok(cpe.tlsEstablished);
      const iq = connectionRequestIq({ id: "cr1", to: cpe.jid, username: "u", password: "p" });
      const reply = await acs.request(iq, "cr1");
      assert.equal(reply.attrs.type.value, "result");
      assert.deepEqual(seen, [`${acs.jid} u`]);
      await until(() => wrong.status === "Error_AuthenticationFailure", "authentication failure");
      // The server goes away and comes back: the client reconnects by itself.
      await prosody.restart();
      await until(() => cpe.status === "Enabled" && acs.status === "Enabled", "reconnected");
      const again = await acs.request(iq.replace("cr1", "cr2"), "cr2");
      assert.equal(again.attrs.type.value, "result");
    } finally {
      await Promise.all([cpe.stop(), acs.stop(), wrong.stop()]);
      await disposeProsody(prosody);
    }
  },
);

Deno.test(
  "XmppClient refuses a server whose certificate its CA did not sign",
  needs("/usr/bin/prosody", "openssl"),
  async () => {
    const prosody = await startProsody({ accounts: { cpe: "cpe-secret" } });
    try {
      const log: string[] = [];
      const logged = new XmppClient({
        settings: settings(prosody.port, "cpe", "cpe-secret"),
        log: { ...quiet, warning: (m: string) => log.push(m) },
        onIq: () => undefined,
      });
      logged.start();
      await until(() => log.some((l) => /TLS/.test(l)), "a TLS failure");
      assert.notEqual(logged.status, "Enabled");
      await logged.stop();
    } finally {
      await disposeProsody(prosody);
    }
  },
);
