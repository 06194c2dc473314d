/**
 * `cwmp-agent request-download`: an integrator asks the ACS for a file through the running
 * agent; the next session carries `9 REQUEST DOWNLOAD` and the RequestDownload, sent until
 * the ACS answers it.
 */

import assert from "node:assert/strict";
import type { AutonomousTransferComplete, RequestDownload } from "../../src/soap/mod.ts";
import { eventsOf, withRig } from "./_rig.ts";
import { cli } from "./_wire.ts";

Deno.test("cwmp-agent request-download opens a session with 9 REQUEST DOWNLOAD and the request", async () => {
  await withRig(async ({ acs, dir, start, validateAll }) => {
    const agent = await start();
    await acs.waitForSessions(1, 15_000);
    await agent.waitForLine(/Waiting the next session/);
    const config = `${dir}/cwmp.toml`;

    const usage = await cli(config, "request-download", "");
    assert.equal(usage.code, 2);

    const asked = await cli(
      config,
      "request-download",
      "1 Firmware Upgrade Image",
      "Version=2.0",
      "Channel=beta",
    );
    assert.equal(asked.code, 0, asked.stderr);
    assert.deepEqual(asked.lines, [{ status: 0 }]);
    const sessions = await acs.waitForSessions(2, 15_000);
    assert.deepEqual(eventsOf(sessions[1]), ["9 REQUEST DOWNLOAD|"]);
    const request = sessions[1].messages[0] as RequestDownload;
    assert.deepEqual(request, {
      kind: "RequestDownload",
      fileType: "1 Firmware Upgrade Image",
      fileTypeArg: [{ name: "Version", value: "2.0" }, { name: "Channel", value: "beta" }],
    });
    await validateAll();
  }, {
    hook: (m) =>
      m.kind === "RequestDownload" ? { message: { kind: "RequestDownloadResponse" } } : undefined,
  });
});

Deno.test("cwmp-agent autonomous-transfer-complete reports only what the ACS's policy asks for", async () => {
  const policy = "Device.ManagementServer.AutonomousTransferCompletePolicy.";
  await withRig(async ({ acs, dir, start, validateAll }) => {
    const agent = await start();
    await acs.waitForSessions(1, 15_000);
    await agent.waitForLine(/Waiting the next session/);
    const config = `${dir}/cwmp.toml`;
    const report = (...args: string[]) => cli(config, "autonomous-transfer-complete", ...args);

    // Off by default (TR-181): nothing is reported.
    const off = await report("download", "1 Firmware Upgrade Image", "http://files/fw.bin");
    assert.deepEqual(off.lines, [{ status: 0, reported: false }]);
    assert.equal((await report("sideways", "x", "y")).code, 2);

    // The ACS turns it on for firmware downloads.
    acs.enqueue({
      kind: "SetParameterValues",
      parameterList: [
        { name: `${policy}Enable`, value: "true", type: "xsd:boolean" },
        { name: `${policy}TransferTypeFilter`, value: "Download", type: "xsd:string" },
        { name: `${policy}ResultTypeFilter`, value: "Both", type: "xsd:string" },
        { name: `${policy}FileTypeFilter`, value: "1 Firmware Upgrade Image", type: "xsd:string" },
      ],
      parameterKey: "atc",
    });
    // The SPV goes out in the next session; a RequestDownload opens one.
    const asked = await cli(config, "request-download", "1 Firmware Upgrade Image");
    assert.equal(asked.code, 0);
    await acs.waitForSessions(2, 15_000);

    const upload = await report("upload", "2 Vendor Log File", "http://files/log");
    assert.deepEqual(upload.lines, [{ status: 0, reported: false }], "filtered by type");
    const done = await report(
      "download",
      "1 Firmware Upgrade Image",
      "http://files/fw.bin",
      "1234",
    );
    assert.deepEqual(done.lines, [{ status: 0, reported: true }]);
    const sessions = await acs.waitForSessions(3, 15_000);
    assert.deepEqual(eventsOf(sessions[2]), ["10 AUTONOMOUS TRANSFER COMPLETE|"]);
    const atc = sessions[2].messages[0] as AutonomousTransferComplete;
    assert.equal(atc.kind, "AutonomousTransferComplete");
    assert.equal(atc.transferURL, "http://files/fw.bin");
    assert.equal(atc.isDownload, true);
    assert.equal(atc.fileSize, 1234);
    assert.deepEqual(atc.faultStruct, { faultCode: 0, faultString: "" });
    await validateAll();
  }, {
    hook: (m) => {
      if (m.kind === "RequestDownload") return { message: { kind: "RequestDownloadResponse" } };
      if (m.kind === "AutonomousTransferComplete") {
        return { message: { kind: "AutonomousTransferCompleteResponse" } };
      }
      return undefined;
    },
  });
});
