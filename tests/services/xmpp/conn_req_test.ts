import assert from "node:assert/strict";
import {
  connectionRequestIq,
  connReqReply,
  jidAllowed,
  readConnectionRequest,
  retryBoundMs,
  retryWait,
  StreamParser,
  type XmlElement,
} from "../../../src/services/xmpp/mod.ts";

function parse(stanza: string): XmlElement {
  const parser = new StreamParser();
  parser.push(
    "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>",
  );
  const [event] = parser.push(stanza);
  assert.equal(event.kind, "stanza");
  return (event as { element: XmlElement }).element;
}

const REQUEST = `<iq type="get" id="cr1" from="acs@example.net/r" to="cpe@example.net/cwmp">` +
  `<connectionRequest xmlns="urn:broadband-forum-org:cwmp:xmppConnReq-1-0">` +
  `<username>cr&amp;user</username><password>pw</password></connectionRequest></iq>`;

Deno.test("readConnectionRequest() reads the Annex K iq and nothing else", () => {
  assert.deepEqual(readConnectionRequest(parse(REQUEST)), {
    id: "cr1",
    from: "acs@example.net/r",
    username: "cr&user",
    password: "pw",
  });
  assert.equal(
    readConnectionRequest(parse(REQUEST.replace("xmppConnReq-1-0", "other"))),
    undefined,
  );
  assert.equal(readConnectionRequest(parse(REQUEST.replace('"get"', '"result"'))), undefined);
  assert.equal(readConnectionRequest(parse("<message/>")), undefined);
  const built = connectionRequestIq({ id: "x", to: "cpe@d/r", username: "u<", password: "p" });
  assert.equal(readConnectionRequest(parse(built))?.username, "u<");
});

Deno.test("connReqReply() answers a result or the CWMP-FACTS §7.4 errors", () => {
  const request = parse(REQUEST);
  assert.equal(
    connReqReply(request, "accepted"),
    '<iq type="result" id="cr1" to="acs@example.net/r"/>',
  );
  const refused = parse(connReqReply(request, "notAllowed"));
  assert.equal(refused.attrs.type.value, "error");
  assert.equal(refused.attrs.id.value, "cr1");
  assert.equal(refused.children[0].local, "connectionRequest");
  assert.equal(refused.children[1].attrs.type.value, "cancel");
  assert.equal(refused.children[1].children[0].local, "service-unavailable");
  assert.match(connReqReply(request, "rateLimited"), /service-unavailable/);
  const denied = parse(connReqReply(request, "credentials"));
  assert.equal(denied.children[1].attrs.type.value, "auth");
  assert.equal(denied.children[1].children[0].local, "not-authorized");
});

Deno.test("jidAllowed() applies ConnReqAllowedJabberIDs: full exact, bare any resource, empty all", () => {
  assert.ok(jidAllowed("acs@example.net/r1", []));
  assert.ok(jidAllowed("acs@example.net/r1", ["acs@example.net"]));
  assert.ok(jidAllowed("ACS@Example.NET/r1", ["acs@example.net/r1"]));
  assert.ok(!jidAllowed("acs@example.net/R1", ["acs@example.net/r1"]));
  assert.ok(!jidAllowed("evil@example.net/r1", ["acs@example.net"]));
  assert.ok(!jidAllowed("", ["acs@example.net"]));
  assert.ok(!jidAllowed("", []));
  assert.ok(!jidAllowed("acs@example.net", ["acs@example.net/r1"]));
});

Deno.test("retryWait() follows TR-181's bounds: initial × multiplier^(n−1), capped", () => {
  const o = { initialInterval: 60, intervalMultiplier: 2000, maxInterval: 30720 };
  const minutes = [1, 2, 3, 4, 5, 10, 11, 16].map((n) => retryBoundMs(n, o) / 60_000);
  assert.deepEqual(minutes, [1, 2, 4, 8, 16, 512, 512, 512]);
  assert.equal(retryWait(1, o, () => 0), 0);
  assert.equal(retryWait(2, o, () => 0.999999), 119_999);
});
