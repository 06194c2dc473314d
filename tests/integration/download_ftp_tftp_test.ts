/**
 * Download over FTP and TFTP end to end: the real agent, a test ACS sending GenieACS
 * 1.2.16's own Download bytes pointed at a scripted FTP or TFTP server on loopback (the
 * clients' own tests cover vsftpd and tftpd-hpa), the apply command as a script. Checked:
 * the file applied byte for byte and TransferComplete 0; a missing TFTP file reported
 * with 9016.
 */

import assert from "node:assert/strict";
import type { TransferComplete } from "../../src/soap/mod.ts";
import { until } from "../_helpers/until.ts";
import { FILE, genieAcsDownload, TEXT_XML } from "./_transfer.ts";
import { startScriptedFtp } from "../transfer/_hostile_ftp.ts";
import { serveFile, startScriptedTftp } from "../transfer/_hostile_tftp.ts";
import type { AcsSessionRecord } from "../_helpers/fake_acs.ts";
import { eventsOf, withRig } from "./_rig.ts";

function transferConfig(dir: string): string {
  return `[transfer]
firmware_command = ["sh", "-c", "cp \\"$1\\" '${dir}/applied.bin'", "apply"]
firmware_reboot = false
connect_timeout = 5
stall_timeout = 3
total_timeout = 30`;
}

/** Runs the agent with GenieACS's Download of `url`; returns its TransferComplete. */
async function downloadThroughAgent(url: string, check?: (dir: string) => Promise<void>) {
  let sent = false;
  let tc: TransferComplete | undefined;
  const download = await genieAcsDownload(url);
  await withRig(async ({ dir, acs, start, validateAll }) => {
    await start({ extra: transferConfig(dir) });
    const reported = (s: AcsSessionRecord) => eventsOf(s).includes("7 TRANSFER COMPLETE|");
    await until(() => acs.sessions.some((s) => reported(s) && s.ended), "the report", 30_000);
    const report = acs.sessions.find(reported)!;
    assert.ok(eventsOf(report).includes("M Download|1a202698ffc0000"));
    tc = report.messages[0] as TransferComplete;
    assert.equal(tc.kind, "TransferComplete");
    await check?.(dir);
    await validateAll();
  }, {
    hook: (m) => {
      if (m.kind === "Empty" && !sent) {
        sent = true;
        return { raw: { status: 200, body: download, headers: TEXT_XML } };
      }
      return undefined;
    },
  });
  return tc!;
}

Deno.test("agent applies a Download over TFTP (blksize and tsize negotiated) and reports 0", async () => {
  const server = startScriptedTftp(async (peer) => {
    assert.equal(peer.request.kind, "RRQ");
    assert.equal(peer.request.filename, "vega/fw-1.2.3.bin");
    await serveFile(peer, FILE, { oack: { blksize: "1428", tsize: String(FILE.length) } });
  });
  try {
    const tc = await downloadThroughAgent(
      `tftp://127.0.0.1:${server.port}/vega/fw-1.2.3.bin`,
      async (dir) => assert.deepEqual(await Deno.readFile(`${dir}/applied.bin`), FILE),
    );
    assert.deepEqual(tc.faultStruct, { faultCode: 0, faultString: "" });
  } finally {
    await server.close();
  }
});

Deno.test("agent applies a Download over FTP and reports 0", async () => {
  const server = startScriptedFtp({ files: { "fw-1.2.3.bin": FILE } });
  try {
    const tc = await downloadThroughAgent(
      `ftp://127.0.0.1:${server.port}/fw-1.2.3.bin`,
      async (dir) => assert.deepEqual(await Deno.readFile(`${dir}/applied.bin`), FILE),
    );
    assert.deepEqual(tc.faultStruct, { faultCode: 0, faultString: "" });
    assert.ok(server.commands.includes("RETR fw-1.2.3.bin"));
  } finally {
    await server.close();
  }
});

Deno.test("agent reports a missing TFTP file with 9016 and applies nothing", async () => {
  const server = startScriptedTftp(async (peer) => {
    await peer.send({ kind: "ERROR", code: 1, message: "File not found" });
  });
  try {
    const tc = await downloadThroughAgent(
      `tftp://127.0.0.1:${server.port}/missing.bin`,
      async (dir) => assert.equal(await Deno.stat(`${dir}/applied.bin`).catch(() => null), null),
    );
    assert.deepEqual(tc.faultStruct, {
      faultCode: 9016,
      faultString: 'TFTP server error 1: "File not found"',
    });
  } finally {
    await server.close();
  }
});
