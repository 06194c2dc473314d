import assert from "node:assert/strict";
import {
  encodeLwnDatagrams,
  encodeLwnXml,
  frameLwn,
  type LwnParam,
  lwnSignature,
  MAX_LWN_DATAGRAM_BYTES,
  parseLwnDatagram,
} from "../../../src/services/lwn/mod.ts";
import { readLwnDatagram, validateLwnXml } from "../../_helpers/lwn_receiver.ts";
import { needs } from "../../_helpers/needs.ts";

const HEADER = {
  ts: 1_765_000_000,
  username: "cpe-user",
  cnonce: "0123456789abcdef0123456789abcdef",
  oui: "00d09e",
  productClass: "Router & Co",
  serialNumber: "SN<1>",
};
const FRAMING = { host: "lwn.example", port: 7547, password: "acs-pass" };
const param = (name: string, value: string, type = "xsd:string"): LwnParam => ({
  name,
  value,
  type,
});

Deno.test("encodeLwnXml() writes the lwnotif Notification with escaped values", () => {
  const xml = encodeLwnXml(HEADER, [
    param("Device.DeviceInfo.UpTime", "42", "xsd:unsignedInt"),
    param("Device.X", `<&>"\r\u0001 é`),
  ]);
  assert.equal(
    xml,
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<Notification xmlns="urn:broadband-forum-org:cwmp:lwnotif-1-0"' +
      ' xmlns:xsd="http://www.w3.org/2001/XMLSchema"' +
      ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
      "<TS>1765000000</TS><UN>cpe-user</UN><CN>0123456789abcdef0123456789abcdef</CN>" +
      "<OUI>00D09E</OUI><ProductClass>Router &amp; Co</ProductClass>" +
      "<SerialNumber>SN&lt;1&gt;</SerialNumber>" +
      '<Param><Name>Device.DeviceInfo.UpTime</Name><Value xsi:type="xsd:unsignedInt">42</Value></Param>' +
      '<Param><Name>Device.X</Name><Value xsi:type="xsd:string">&lt;&amp;&gt;&quot;&#xD;\uFFFD é</Value></Param>' +
      "</Notification>",
  );
});

Deno.test("encodeLwnXml() refuses a Notification without Param", () => {
  assert.throws(() => encodeLwnXml(HEADER, []), {
    name: "RangeError",
    message: "Cannot encode a lightweight notification: no Param",
  });
});

Deno.test("frameLwn() writes a well-formed header block signed over the body", () => {
  const xml = encodeLwnXml(HEADER, [param("Device.X", "1")]);
  const datagram = frameLwn(xml, FRAMING);
  const text = new TextDecoder().decode(datagram);
  const body = new TextEncoder().encode(xml);
  assert.equal(
    text,
    "POST / HTTP/1.1\r\nHost: lwn.example:7547\r\n" +
      'Content-Type: text/xml; charset="utf-8"\r\n' +
      `Content-Length: ${body.length}\r\n` +
      `Signature: ${lwnSignature(body, "acs-pass")}\r\n\r\n` + xml,
  );
  assert.match(lwnSignature(body, "acs-pass"), /^[0-9A-F]{40}$/);
  const parsed = parseLwnDatagram(datagram);
  assert.equal(parsed.body, xml);
  assert.equal(parsed.headers["content-type"], 'text/xml; charset="utf-8"');
  // IPv6 hosts in brackets; no password, no signature.
  const v6 = new TextDecoder().decode(frameLwn(xml, { host: "::1", port: 9, password: "" }));
  assert.ok(v6.includes("Host: [::1]:9\r\n"));
  assert.ok(!v6.includes("Signature"));
});

Deno.test("lwnSignature() is HMAC-SHA1 (RFC 2202 test case 2) in upper-case hex", () => {
  assert.equal(
    lwnSignature(new TextEncoder().encode("what do ya want for nothing?"), "Jefe"),
    "EFFCDF6AE5EB2FA2D27416D5F184DF9C259A7C79",
  );
});

Deno.test("parseLwnDatagram() refuses bad framing with the reason", () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  const cases: [string, string][] = [
    ["no header end", "Cannot parse lightweight notification: no end of header"],
    [
      "GET / HTTP/1.0\r\n\r\n",
      'Cannot parse lightweight notification: bad request line "GET / HTTP/1.0"',
    ],
    [
      "POST / HTTP/1.1\r\nContent-Lenght 3\r\n\r\nabc",
      'Cannot parse lightweight notification: bad header line "Content-Lenght 3"',
    ],
    [
      "POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nabc",
      'Cannot parse lightweight notification: Content-Length "4" for 3 bytes',
    ],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseLwnDatagram(enc(text)), { name: "SyntaxError", message });
  }
});

Deno.test("encodeLwnDatagrams() splits by parameters under 1400 bytes, each datagram signed with its own cnonce", async () => {
  let n = 0;
  const params = Array.from(
    { length: 40 },
    (_, i) => param(`Device.Some.Long.Parameter.Name.${i}`, "v".repeat(60)),
  );
  const { datagrams, tooLarge } = encodeLwnDatagrams(params, {
    header: HEADER,
    cnonce: () => `cn${n++}`,
    framing: FRAMING,
  });
  assert.deepEqual(tooLarge, []);
  assert.ok(datagrams.length >= 3, `${datagrams.length} datagrams`);
  for (const d of datagrams) assert.ok(d.length <= MAX_LWN_DATAGRAM_BYTES, `${d.length} bytes`);
  const read = datagrams.map((d) => readLwnDatagram(d, "acs-pass"));
  assert.deepEqual(read.flatMap((r) => r.params.map((p) => p.name)), params.map((p) => p.name));
  assert.ok(read.every((r) => r.signed));
  assert.equal(new Set(read.map((r) => r.cn)).size, datagrams.length);
  // Full enough: the next parameter would not have fit.
  assert.ok(datagrams[0].length > MAX_LWN_DATAGRAM_BYTES - 150);
  if (!needs("xmllint").ignore) await validateLwnXml(read.map((r) => r.xml));
});

Deno.test("encodeLwnDatagrams() leaves out a parameter too large for one datagram and says so", () => {
  const big = param("Device.Big", "x".repeat(1400));
  const { datagrams, tooLarge } = encodeLwnDatagrams([param("Device.A", "1"), big], {
    header: HEADER,
    cnonce: () => "c",
    framing: FRAMING,
  });
  assert.deepEqual(tooLarge, [big]);
  assert.equal(datagrams.length, 1);
  assert.deepEqual(readLwnDatagram(datagrams[0], "acs-pass").params, [
    { name: "Device.A", type: "xsd:string", value: "1" },
  ]);
});

Deno.test(
  "encodeLwnXml() output validates against the lwnotif schema",
  needs("xmllint"),
  async () => {
    await validateLwnXml([
      encodeLwnXml(HEADER, [
        param("Device.DeviceInfo.UpTime", "42", "xsd:unsignedInt"),
        param("Device.X", `<&>"\r\u0001 é`),
        param("Device.T", "2026-12-06T04:00:00Z", "xsd:dateTime"),
        param("Device.B", "true", "xsd:boolean"),
      ]),
    ]);
    // And the validator does reject what the schema forbids (a wrong OUI).
    await assert.rejects(
      validateLwnXml([encodeLwnXml({ ...HEADER, oui: "XYZ" }, [param("Device.X", "1")])]),
      /lwnotif validation failed/,
    );
  },
);
