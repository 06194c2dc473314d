/**
 * Golden pairs: every message kind has tests/testdata/soap/<name>.xml and the value it
 * stands for in <name>.json. Each pair is checked for decode, byte-exact encode and
 * round trip, and every encoded envelope is validated against the BBF schemas.
 */
import assert from "node:assert/strict";
import {
  decodeEnvelope,
  encodeEnvelope,
  type Envelope,
  type MessageKind,
} from "../../src/soap/mod.ts";
import { validateEnvelopes } from "../_helpers/validate_envelope.ts";
import { testNeeding } from "../_helpers/needs.ts";

/** Deno.test for the tests that drive xmllint: they skip, naming why, where it is unavailable. */
const test = testNeeding("xmllint");

const DIR = new URL("../testdata/soap/", import.meta.url);

const names = [...Deno.readDirSync(DIR)]
  .filter((e) => e.name.endsWith(".json"))
  .map((e) => e.name.slice(0, -5))
  .sort();

function load(name: string): { xml: string; value: Envelope } {
  return {
    xml: Deno.readTextFileSync(new URL(`${name}.xml`, DIR)),
    value: JSON.parse(Deno.readTextFileSync(new URL(`${name}.json`, DIR))),
  };
}

for (const name of names) {
  Deno.test(`decodeEnvelope() reads golden ${name}.xml`, () => {
    const { xml, value } = load(name);
    assert.deepEqual(decodeEnvelope(xml), value);
  });
  Deno.test(`encodeEnvelope() writes golden ${name}.xml byte for byte`, () => {
    const { xml, value } = load(name);
    assert.equal(encodeEnvelope(value), xml);
  });
  Deno.test(`encodeEnvelope() and decodeEnvelope() round-trip ${name}`, () => {
    const { value } = load(name);
    assert.deepEqual(decodeEnvelope(encodeEnvelope(value)), value);
  });
}

Deno.test("golden pairs cover every message kind but Empty", () => {
  const kinds = new Set(names.map((name) => load(name).value.message.kind));
  const all: MessageKind[] = [
    "GetRPCMethods",
    "GetRPCMethodsResponse",
    "SetParameterValues",
    "SetParameterValuesResponse",
    "GetParameterValues",
    "GetParameterValuesResponse",
    "GetParameterNames",
    "GetParameterNamesResponse",
    "SetParameterAttributes",
    "SetParameterAttributesResponse",
    "GetParameterAttributes",
    "GetParameterAttributesResponse",
    "AddObject",
    "AddObjectResponse",
    "DeleteObject",
    "DeleteObjectResponse",
    "Reboot",
    "RebootResponse",
    "Download",
    "DownloadResponse",
    "Upload",
    "UploadResponse",
    "FactoryReset",
    "FactoryResetResponse",
    "GetQueuedTransfers",
    "GetQueuedTransfersResponse",
    "GetAllQueuedTransfers",
    "GetAllQueuedTransfersResponse",
    "ScheduleInform",
    "ScheduleInformResponse",
    "SetVouchers",
    "SetVouchersResponse",
    "GetOptions",
    "GetOptionsResponse",
    "CancelTransfer",
    "CancelTransferResponse",
    "ScheduleDownload",
    "ScheduleDownloadResponse",
    "ChangeDUState",
    "ChangeDUStateResponse",
    "Inform",
    "InformResponse",
    "TransferComplete",
    "TransferCompleteResponse",
    "AutonomousTransferComplete",
    "AutonomousTransferCompleteResponse",
    "DUStateChangeComplete",
    "DUStateChangeCompleteResponse",
    "AutonomousDUStateChangeComplete",
    "AutonomousDUStateChangeCompleteResponse",
    "RequestDownload",
    "RequestDownloadResponse",
    "Kicked",
    "KickedResponse",
    "Fault",
  ];
  assert.deepEqual(all.filter((kind) => !kinds.has(kind)), []);
});

test("encodeEnvelope() output for every golden pair validates against the BBF schemas", async () => {
  await validateEnvelopes(names.map((name) => encodeEnvelope(load(name).value)));
});

test("validateEnvelopes() fails on an envelope the strict schema rejects", async () => {
  const xml = encodeEnvelope(load("reboot").value).replaceAll("cwmp:Reboot", "cwmp:Reboots");
  await assert.rejects(() => validateEnvelopes([xml]), /Envelope validation failed/);
});
