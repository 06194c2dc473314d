/**
 * Download end to end: the real agent, a test ACS sending GenieACS 1.2.16's own Download
 * bytes, a file server on loopback, the apply and reboot commands as scripts. Checked: the
 * DownloadResponse, the file applied byte for byte, the reboot, the report after the boot
 * (1 BOOT + 7 TRANSFER COMPLETE + M Download, TransferComplete FaultCode 0) without any
 * connection request, a failure reported with the right code, and a SIGKILL mid-download.
 */

import assert from "node:assert/strict";
import type { DownloadResponse, TransferComplete } from "../../src/soap/mod.ts";
import type { AcsReply } from "../_helpers/fake_acs.ts";
import { until } from "../_helpers/until.ts";
import { FILE, genieAcsDownload, TEXT_XML } from "./_transfer.ts";
import { eventsOf, withRig } from "./_rig.ts";
import { gpvOf } from "./_wire.ts";

/** A file server on loopback; `slow` drips the body. */
function fileServer(options: { slow?: boolean } = {}) {
  const gets: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const path = new URL(req.url).pathname;
    gets.push(path);
    if (path !== "/fw-1.2.3.bin") return new Response("missing", { status: 404 });
    // `slow`: the first GET drips (to be cut by a kill), later ones are served whole.
    if (!options.slow || gets.length > 1) {
      return new Response(FILE, { headers: { "content-length": `${FILE.length}` } });
    }
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        controller.enqueue(FILE.subarray(0, 1));
      },
    });
    return new Response(body, { headers: { "content-length": "1000000" } });
  });
  return { port: server.addr.port, gets, close: () => server.shutdown() };
}

function transferConfig(dir: string): string {
  return `firmware_command = ["sh", "-c", "cp \\"$1\\" '${dir}/applied.bin'", "apply"]
connect_timeout = 5
stall_timeout = 3
total_timeout = 30`;
}

Deno.test("agent applies GenieACS's firmware Download, reboots and reports it after the boot", async () => {
  const files = fileServer();
  let url = "";
  try {
    await withRig(async ({ dir, acs, start, validateAll }) => {
      url = `http://127.0.0.1:${files.port}/fw-1.2.3.bin`;
      const download = await genieAcsDownload(url);
      const marker = `${dir}/rebooted`;
      const options = {
        rebootCommand: ["sh", "-c", `echo reboot >> '${marker}'`],
        extra: `[transfer]\n${transferConfig(dir)}`,
      };
      acsHook = answerFirstEmptyPost({ raw: { status: 200, body: download, headers: TEXT_XML } });
      const first = await start(options);
      await until(() => acs.sessions[0]?.ended === true, "the Download session");
      const response = acs.sessions[0].messages[0] as DownloadResponse;
      assert.equal(response.kind, "DownloadResponse");
      assert.equal(response.status, 1);
      // Downloaded, applied, rebooted: the agent waits for the system to go down (SIGTERM).
      await first.waitForLine(/waiting for the system to go down/, 20_000);
      assert.equal((await first.kill("SIGTERM")).code, 0);
      assert.deepEqual(await Deno.readFile(`${dir}/applied.bin`), FILE);
      assert.equal(await Deno.readTextFile(marker), "reboot\n");
      assert.equal(acs.sessions.length, 1, "the report waits for the boot");

      await start(options);
      await until(() => acs.sessions[1]?.ended === true, "the session after the boot");
      assert.deepEqual(eventsOf(acs.sessions[1]).sort(), [
        "1 BOOT|",
        "7 TRANSFER COMPLETE|",
        "M Download|1a202698ffc0000",
      ]);
      const tc = acs.sessions[1].messages[0] as TransferComplete;
      assert.equal(tc.kind, "TransferComplete");
      assert.equal(tc.commandKey, "1a202698ffc0000");
      assert.deepEqual(tc.faultStruct, { faultCode: 0, faultString: "" });
      assert.match(tc.startTime, /^20\d\d-/);
      assert.ok(Date.parse(tc.completeTime) >= Date.parse(tc.startTime));
      await validateAll();
    }, { hook: (m, s) => acsHook(m, s) });
  } finally {
    await files.close();
  }
});

Deno.test("agent reports a failed Download at once with the right code, no connection request", async () => {
  const files = fileServer();
  try {
    await withRig(async ({ dir, acs, start, validateAll }) => {
      const download = await genieAcsDownload(`http://127.0.0.1:${files.port}/missing.bin`);
      acsHook = answerFirstEmptyPost({ raw: { status: 200, body: download, headers: TEXT_XML } });
      await start({ extra: `[transfer]\n${transferConfig(dir)}` });
      await until(() => acs.sessions[1]?.ended === true, "the report session");
      assert.deepEqual(eventsOf(acs.sessions[1]).sort(), [
        "7 TRANSFER COMPLETE|",
        "M Download|1a202698ffc0000",
      ]);
      const tc = acs.sessions[1].messages[0] as TransferComplete;
      assert.equal(tc.faultStruct.faultCode, 9016);
      assert.match(tc.faultStruct.faultString, /404/);
      assert.equal(await Deno.stat(`${dir}/applied.bin`).catch(() => null), null);
      await validateAll();
    }, { hook: (m, s) => acsHook(m, s) });
  } finally {
    await files.close();
  }
});

Deno.test("a Download cut by a SIGKILL runs again after the restart and is reported once", async () => {
  const slow = fileServer({ slow: true });
  try {
    await withRig(async ({ dir, acs, start }) => {
      const download = (await genieAcsDownload(`http://127.0.0.1:${slow.port}/fw-1.2.3.bin`))
        .replace("<FileSize>53</FileSize>", "<FileSize>0</FileSize>");
      acsHook = answerFirstEmptyPost({ raw: { status: 200, body: download, headers: TEXT_XML } });
      const options = { extra: `[transfer]\n${transferConfig(dir)}\nfirmware_reboot = false` };
      const first = await start(options);
      await until(() => slow.gets.length === 1, "the download to begin");
      await first.kill("SIGKILL");
      await start(options);
      // It runs again from the start, whole this time, and its one report follows.
      await until(() => slow.gets.length === 2, "the download to run again");
      await until(
        () => acs.sessions.some((s) => s.ended && eventsOf(s).includes("7 TRANSFER COMPLETE|")),
        "the report",
        30_000,
      );
      const reports = acs.sessions.filter((s) => eventsOf(s).includes("7 TRANSFER COMPLETE|"));
      assert.equal(reports.length, 1);
      const tc = reports[0].messages[0] as TransferComplete;
      assert.equal(tc.kind, "TransferComplete");
      assert.deepEqual(tc.faultStruct, { faultCode: 0, faultString: "" });
      assert.deepEqual(await Deno.readFile(`${dir}/applied.bin`), FILE, "the whole file, once");
    }, { hook: (m, s) => acsHook(m, s) });
  } finally {
    await slow.close();
  }
});

type Hook = NonNullable<Parameters<typeof withRig>[1]>["hook"];
let acsHook: NonNullable<Hook> = () => undefined;

/** A hook that answers the session's first empty POST with `reply` (the ACS's request). */
function answerFirstEmptyPost(reply: AcsReply): NonNullable<Hook> {
  let sent = false;
  return (m) => {
    if (m.kind !== "Empty" || sent) return undefined;
    sent = true;
    return reply;
  };
}

Deno.test("agent uploads its configuration backup by HTTP PUT and reports M Upload", async () => {
  const puts: { path: string; body: string; auth: string }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    if (req.method !== "PUT") return new Response("no", { status: 405 });
    puts.push({
      path: new URL(req.url).pathname,
      body: await req.text(),
      auth: req.headers.get("authorization") ?? "",
    });
    return new Response(null, { status: 201 });
  });
  let sent = false;
  try {
    await withRig(async ({ acs, start, validateAll }) => {
      acsHook = (m) => {
        if (m.kind === "Empty" && !sent) {
          sent = true;
          return {
            message: {
              kind: "Upload",
              commandKey: "up-1",
              fileType: "1 Vendor Configuration File",
              url: `http://127.0.0.1:${server.addr.port}/backups/cpe.tgz`,
              username: "",
              password: "",
              delaySeconds: 0,
            },
          };
        }
        return undefined;
      };
      await start({
        extra: `[transfer]
config_backup_command = ["sh", "-c", "printf 'backup of the settings' > \\"$1\\"", "backup"]`,
      });
      await until(() => acs.sessions[1]?.ended === true, "the report session");
      assert.equal(acs.sessions[0].messages[0].kind, "UploadResponse");
      assert.deepEqual(puts, [{
        path: "/backups/cpe.tgz",
        body: "backup of the settings",
        auth: "",
      }]);
      assert.deepEqual(eventsOf(acs.sessions[1]).sort(), ["7 TRANSFER COMPLETE|", "M Upload|up-1"]);
      const tc = acs.sessions[1].messages[0] as TransferComplete;
      assert.deepEqual(tc.faultStruct, { faultCode: 0, faultString: "" });
      await validateAll();
    }, { hook: (m, s) => acsHook(m, s) });
  } finally {
    await server.shutdown();
  }
});

Deno.test("agent lists its log files in DeviceInfo.VendorLogFile and uploads one by instance", async () => {
  const puts: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    puts.push(await req.text());
    return new Response(null, { status: 204 });
  });
  try {
    await withRig(async ({ acs, start, validateAll }) => {
      let step = 0;
      acsHook = (m) => {
        if (m.kind === "Empty" && step === 0) {
          step = 1;
          return {
            message: {
              kind: "GetParameterValues",
              parameterNames: [
                "Device.DeviceInfo.VendorLogFile.",
                "Device.DeviceInfo.VendorLogFileNumberOfEntries",
                "Device.DeviceInfo.VendorConfigFileNumberOfEntries",
              ],
            },
          };
        }
        if (m.kind === "GetParameterValuesResponse" && step === 1) {
          step = 2;
          return {
            message: {
              kind: "Upload",
              commandKey: "log-1",
              fileType: "4 Vendor Log File 1",
              url: `http://127.0.0.1:${server.addr.port}/logs/cpe.log`,
              username: "",
              password: "",
              delaySeconds: 0,
            },
          };
        }
        return undefined;
      };
      await start({
        extra: `[transfer]
log_command = ["sh", "-c", "printf 'kernel: link up\\n' > \\"$1\\"", "log"]`,
      });
      await until(() => acs.sessions[1]?.ended === true, "the report session");
      const values = gpvOf(acs.sessions[0], 0);
      assert.equal(values["Device.DeviceInfo.VendorLogFile.1.Name"], "system");
      assert.equal(values["Device.DeviceInfo.VendorLogFile.1.Persistent"], "false");
      assert.equal(values["Device.DeviceInfo.VendorLogFileNumberOfEntries"], "1");
      assert.equal(values["Device.DeviceInfo.VendorConfigFileNumberOfEntries"], "0");
      assert.equal(acs.sessions[0].messages[1].kind, "UploadResponse");
      assert.deepEqual(puts, ["kernel: link up\n"]);
      assert.deepEqual(eventsOf(acs.sessions[1]).sort(), [
        "7 TRANSFER COMPLETE|",
        "M Upload|log-1",
      ]);
      const tc = acs.sessions[1].messages[0] as TransferComplete;
      assert.deepEqual(tc.faultStruct, { faultCode: 0, faultString: "" });
      await validateAll();
    }, { hook: (m, s) => acsHook(m, s) });
  } finally {
    await server.shutdown();
  }
});

Deno.test("agent runs a ScheduleDownload in its window and reports M ScheduleDownload", async () => {
  const files = fileServer();
  let sent = false;
  try {
    await withRig(async ({ dir, acs, start, validateAll }) => {
      acsHook = (m) => {
        if (m.kind === "Empty" && !sent) {
          sent = true;
          return {
            message: {
              kind: "ScheduleDownload",
              commandKey: "sd-1",
              fileType: "1 Firmware Upgrade Image",
              url: `http://127.0.0.1:${files.port}/fw-1.2.3.bin`,
              username: "",
              password: "",
              fileSize: FILE.length,
              targetFileName: "",
              timeWindowList: [{
                windowStart: 1,
                windowEnd: 600,
                windowMode: "1 At Any Time",
                userMessage: "",
                maxRetries: 0,
              }],
            },
          };
        }
        return undefined;
      };
      const t0 = Date.now();
      await start({ extra: `[transfer]\n${transferConfig(dir)}\nfirmware_reboot = false` });
      await until(() => acs.sessions[1]?.ended === true, "the report session");
      assert.equal(acs.sessions[0].messages[0].kind, "ScheduleDownloadResponse");
      assert.ok(Date.now() - t0 >= 1000, "not before its window opened");
      assert.deepEqual(eventsOf(acs.sessions[1]).sort(), [
        "7 TRANSFER COMPLETE|",
        "M ScheduleDownload|sd-1",
      ]);
      const tc = acs.sessions[1].messages[0] as TransferComplete;
      assert.deepEqual(tc.faultStruct, { faultCode: 0, faultString: "" });
      assert.deepEqual(await Deno.readFile(`${dir}/applied.bin`), FILE);
      await validateAll();
    }, { hook: (m, s) => acsHook(m, s) });
  } finally {
    await files.close();
  }
});

Deno.test("a Download killed while applying, and while its report waits for the ACS, is reported once", async () => {
  const files = fileServer();
  let sent = false;
  let holdReport = true;
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  try {
    await withRig(async ({ dir, acs, start }) => {
      const download = await genieAcsDownload(`http://127.0.0.1:${files.port}/fw-1.2.3.bin`);
      acsHook = async (m) => {
        if (m.kind === "Empty" && !sent) {
          sent = true;
          return { raw: { status: 200, body: download, headers: TEXT_XML } };
        }
        // The first TransferComplete gets no answer until the test says so.
        if (m.kind === "TransferComplete" && holdReport) {
          holdReport = false;
          await held;
          return { drop: true };
        }
        return undefined;
      };
      // The apply step takes a while and counts its runs.
      const options = {
        extra: `[transfer]
firmware_command = ["sh", "-c", "echo run >> '${dir}/applies'; sleep 1; cp \\"$1\\" '${dir}/applied.bin'", "apply"]
firmware_reboot = false`,
      };
      const first = await start(options);
      await until(() => exists(`${dir}/applies`), "the apply step");
      await first.kill("SIGKILL"); // mid-apply
      const second = await start(options);
      // Applied again from a fresh download, then reported; the ACS holds the report.
      await until(
        () => acs.sessions.some((s) => s.messages.some((m) => m.kind === "TransferComplete")),
        "the TransferComplete",
      );
      await second.kill("SIGKILL"); // waiting for TransferCompleteResponse
      release();
      await start(options);
      await until(
        () =>
          acs.sessions.filter((s) => s.ended && eventsOf(s).includes("7 TRANSFER COMPLETE|"))
            .length === 1,
        "the acknowledged report",
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      const acknowledged = acs.sessions.filter((s) =>
        s.ended && s.messages.some((m) => m.kind === "TransferComplete")
      );
      assert.equal(acknowledged.length, 1, "acknowledged exactly once");
      const tc = acknowledged[0].messages.find((m) =>
        m.kind === "TransferComplete"
      ) as TransferComplete;
      assert.deepEqual(tc.faultStruct, { faultCode: 0, faultString: "" });
      assert.deepEqual(await Deno.readFile(`${dir}/applied.bin`), FILE);
      assert.equal((await Deno.readTextFile(`${dir}/applies`)).trim().split("\n").length, 2);
    }, { hook: (m, s) => acsHook(m, s) });
  } finally {
    release();
    await files.close();
  }
});

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("a delayed Download survives a SIGKILL before it starts and runs at its time", async () => {
  const files = fileServer();
  try {
    await withRig(async ({ dir, acs, start }) => {
      const download = (await genieAcsDownload(`http://127.0.0.1:${files.port}/fw-1.2.3.bin`))
        .replace("<DelaySeconds>0</DelaySeconds>", "<DelaySeconds>3</DelaySeconds>");
      acsHook = answerFirstEmptyPost({ raw: { status: 200, body: download, headers: TEXT_XML } });
      const options = { extra: `[transfer]\n${transferConfig(dir)}\nfirmware_reboot = false` };
      const first = await start(options);
      await until(() => acs.sessions[0]?.ended === true, "the Download session");
      const answered = Date.now();
      await first.kill("SIGKILL"); // queued, waiting for its DelaySeconds
      assert.deepEqual(files.gets, []);
      await start(options);
      await until(
        () => acs.sessions.some((s) => s.ended && eventsOf(s).includes("7 TRANSFER COMPLETE|")),
        "the report",
      );
      assert.equal(files.gets.length, 1, "downloaded once");
      const report = acs.sessions.find((s) => eventsOf(s).includes("7 TRANSFER COMPLETE|"))!;
      const tc = report.messages[0] as TransferComplete;
      assert.deepEqual(tc.faultStruct, { faultCode: 0, faultString: "" });
      assert.ok(
        Date.parse(tc.startTime) >= Math.floor(answered / 1000) * 1000 + 2000,
        tc.startTime,
      );
    }, { hook: (m, s) => acsHook(m, s) });
  } finally {
    await files.close();
  }
});
