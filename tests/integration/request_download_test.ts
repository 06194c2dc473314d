/**
 * `cwmp-agent request-download`: an integrator asks the ACS for a file through the running
 * agent; the next session carries `9 REQUEST DOWNLOAD` and the RequestDownload, sent until
 * the ACS answers it.
 */

import assert from "node:assert/strict";
import type { RequestDownload } from "../../src/soap/mod.ts";
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
