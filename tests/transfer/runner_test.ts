import assert from "node:assert/strict";
import { defaultConfig, type TransferConfig } from "../../src/config/schema.ts";
import type { CommandResult } from "../../src/platform/platform.ts";
import type { TransferRecord } from "../../src/session/mod.ts";
import {
  type DownloadRequest,
  type TransferClient,
  TransferError,
} from "../../src/transfer/client.ts";
import { TransferRunner } from "../../src/transfer/runner.ts";

const RECORD: TransferRecord = {
  id: 7,
  method: "Download",
  commandKey: "fw",
  fileType: "1 Firmware Upgrade Image",
  url: "http://files.example/fw.bin",
  username: "u",
  password: "secret-pw",
  fileSize: 0,
  targetFileName: "",
  notBefore: 0,
  state: 2,
};

interface Rig {
  runner: TransferRunner;
  commands: string[][];
  requests: DownloadRequest[];
  dir: string;
}

async function rig(
  fn: (r: Rig) => Promise<void>,
  options: {
    config?: Partial<TransferConfig>;
    body?: (req: DownloadRequest) => Promise<void>;
    exit?: (argv: readonly string[]) => number;
    free?: number;
  } = {},
) {
  const dir = await Deno.makeTempDir({ prefix: "cwmp-runner-" });
  const commands: string[][] = [];
  const requests: DownloadRequest[] = [];
  const client: TransferClient = {
    async download(req) {
      requests.push(req);
      await (options.body ?? ((r) => Deno.writeTextFile(r.path, "firmware-bytes")))(req);
      return { bytes: 14, startTime: 1000, completeTime: 2000 };
    },
    upload: () => Promise.reject(new Error("unused")),
  };
  const runner = new TransferRunner({
    config: { ...defaultConfig().transfer, firmwareCommand: ["apply-fw"], ...options.config },
    stagingDir: `${dir}/staging`,
    fallbackCaFile: "/etc/acs-ca.pem",
    caDir: "",
    clientCert: "/etc/cpe.pem",
    clientKey: "/etc/cpe.key",
    agentLog: { path: "", maxSize: 0, persistent: false },
    softwareVersion: () => "1.0",
    freeBytes: () => Promise.resolve(options.free),
    clients: { "http:": client },
    runCommand: async (argv): Promise<CommandResult> => {
      // The staged file exists while the commands run.
      const path = argv.at(-1)!;
      commands.push([...argv.slice(0, -1), await Deno.readTextFile(path)]);
      return { code: options.exit?.(argv) ?? 0, stderr: "flash: bad image\n" };
    },
    now: () => 3000,
    log: () => {},
  });
  try {
    await fn({ runner, commands, requests, dir });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("TransferRunner.run() downloads, applies with the FileType's command and cleans up", async () => {
  await rig(async ({ runner, commands, requests, dir }) => {
    const outcome = await runner.run(RECORD);
    assert.deepEqual(outcome, {
      faultCode: 0,
      faultString: "",
      startTime: 1000,
      completeTime: 2000,
      reboot: true,
    });
    assert.deepEqual(commands, [["apply-fw", "firmware-bytes"]]);
    assert.equal(requests[0].password, "secret-pw");
    assert.equal(requests[0].tls?.caFile, "/etc/acs-ca.pem");
    assert.equal(requests[0].tls?.clientCert, "/etc/cpe.pem", "the device's certificate");
    assert.equal(requests[0].tls?.clientKey, "/etc/cpe.key");
    assert.equal(requests[0].resume, false);
    assert.deepEqual([...Deno.readDirSync(`${dir}/staging`)], [], "staged file removed");
  });
});

Deno.test("TransferRunner.run() reports what failed with the TransferComplete fault", async () => {
  // The client's own fault, as it is.
  await rig(async ({ runner, commands }) => {
    const outcome = await runner.run(RECORD);
    assert.equal(outcome.faultCode, 9016);
    assert.equal(outcome.faultString, "HTTP 404 from files.example");
    assert.equal(outcome.reboot, false);
    assert.deepEqual(commands, [], "nothing applied");
  }, {
    body: () => Promise.reject(new TransferError(9016, "HTTP 404 from files.example", 1000)),
  });
  // The apply command failed: 9010 with its exit code and last stderr line.
  await rig(async ({ runner }) => {
    const outcome = await runner.run(RECORD);
    assert.equal(outcome.faultCode, 9010);
    assert.equal(outcome.faultString, "Apply command exited 2: flash: bad image");
    assert.equal(outcome.startTime, 1000);
  }, { exit: () => 2 });
  // The verify command refused it: 9018, not applied.
  await rig(async ({ runner, commands }) => {
    const outcome = await runner.run(RECORD);
    assert.equal(outcome.faultCode, 9018);
    assert.deepEqual(commands.map((c) => c[0]), ["verify-sig"]);
  }, {
    config: { verifyCommand: ["verify-sig"] },
    exit: (argv) => argv[0] === "verify-sig" ? 1 : 0,
  });
  // A scheme without a client, a FileType without a command.
  await rig(async ({ runner }) => {
    assert.equal((await runner.run({ ...RECORD, url: "sftp://x/fw" })).faultCode, 9013);
    assert.equal((await runner.run({ ...RECORD, fileType: "2 Web Content" })).faultCode, 9010);
  });
});

Deno.test("TransferRunner.fileTypes() lists the FileTypes with a command; no reboot when told", async () => {
  await rig(async ({ runner }) => {
    assert.deepEqual([...runner.fileTypes()].sort(), [
      "1 Firmware Upgrade Image",
      "3 Vendor Configuration File",
    ]);
    assert.deepEqual([...runner.schemes()], ["http:"]);
    assert.equal((await runner.run(RECORD)).reboot, false);
  }, { config: { vendorConfigCommand: ["sysupgrade", "-r"], firmwareReboot: false } });
});

Deno.test("TransferRunner.run() uploads the system log followed by the agent's own log", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cwmp-runner-up-" });
  try {
    await Deno.writeTextFile(`${dir}/agent.log`, "agent line\n");
    const sent: string[] = [];
    const client: TransferClient = {
      download: () => Promise.reject(new Error("unused")),
      async upload(req) {
        sent.push(await Deno.readTextFile(req.path));
        return { bytes: 1, startTime: 10, completeTime: 20 };
      },
    };
    const runner = new TransferRunner({
      config: {
        ...defaultConfig().transfer,
        logCommand: ["sh", "-c", "printf 'system line\\n' > \"$1\"", "log"],
        configBackupCommand: ["false"],
      },
      stagingDir: `${dir}/staging`,
      fallbackCaFile: "",
      caDir: "",
      agentLog: { path: `${dir}/agent.log`, maxSize: 4096, persistent: true },
      softwareVersion: () => "1.0",
      clients: { "http:": client },
      runCommand: async (argv) => {
        const out = await new Deno.Command(argv[0], { args: argv.slice(1) }).output();
        return { code: out.code, stderr: "" };
      },
      now: () => 30,
      log: () => {},
    });
    assert.deepEqual([...runner.uploadFileTypes()].sort(), [
      "1 Vendor Configuration File",
      "2 Vendor Log File",
      "3 Vendor Configuration File 1",
      "4 Vendor Log File 1",
      "4 Vendor Log File 2",
    ]);
    const upload = { ...RECORD, method: "Upload" as const, fileType: "2 Vendor Log File" };
    assert.deepEqual(await runner.run(upload), {
      faultCode: 0,
      faultString: "",
      startTime: 10,
      completeTime: 20,
      reboot: false,
    });
    assert.deepEqual(sent, ["system line\nagent line\n"]);
    // Each log file on its own, by its DeviceInfo.VendorLogFile instance number.
    assert.equal((await runner.run({ ...upload, fileType: "4 Vendor Log File 1" })).faultCode, 0);
    assert.equal((await runner.run({ ...upload, fileType: "4 Vendor Log File 2" })).faultCode, 0);
    assert.deepEqual(sent.slice(1), ["system line\n", "agent line\n"]);
    assert.equal(
      (await runner.run({ ...upload, fileType: "4 Vendor Log File 3" })).faultCode,
      9011,
    );
    sent.length = 1;
    const backup = await runner.run({ ...upload, fileType: "1 Vendor Configuration File" });
    assert.equal(backup.faultCode, 9011);
    assert.equal(sent.length, 1, "nothing sent when the backup command failed");
    assert.deepEqual([...Deno.readDirSync(`${dir}/staging`)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("TransferRunner applies vendor FileTypes with their own command", async () => {
  await rig(async ({ runner, commands }) => {
    assert.deepEqual([...runner.fileTypes()].sort(), [
      "1 Firmware Upgrade Image",
      "X 00D09E Signed Bundle",
    ]);
    const outcome = await runner.run({ ...RECORD, fileType: "X 00D09E Signed Bundle" });
    assert.equal(outcome.faultCode, 0);
    assert.equal(outcome.reboot, false, "only a firmware image reboots");
    assert.deepEqual(commands, [["apply-bundle", "--now", "firmware-bytes"]]);
    assert.deepEqual([...runner.uploadFileTypes()], ["X 00D09E Diagnostics"]);
    assert.deepEqual(runner.types.logFiles, []);
    assert.deepEqual(runner.types.configFiles, []);
  }, {
    config: {
      vendorFileTypes: { "X 00D09E Signed Bundle": ["apply-bundle", "--now"] },
      vendorUploadTypes: { "X 00D09E Diagnostics": ["diag-dump"] },
    },
  });
});

Deno.test("TransferRunner.run() records the SoftwareVersion before a firmware upgrade when asked", async () => {
  await rig(async ({ runner }) => {
    const outcome = await runner.run(RECORD);
    assert.equal(outcome.reboot, true);
    assert.equal(outcome.versionBefore, "1.0");
  }, { config: { firmwareCheckVersion: true } });
});

Deno.test("TransferRunner.run() checks the announced FileSize against the free space first", async () => {
  await rig(async ({ runner, requests }) => {
    const outcome = await runner.run({ ...RECORD, fileSize: 5000 });
    assert.equal(outcome.faultCode, 9010);
    assert.equal(
      outcome.faultString,
      "Not enough space for the file: 5000 bytes announced, 4096 free",
    );
    assert.equal(requests.length, 0, "nothing downloaded");
    // FileSize 0 (unknown, as GenieACS often sends): no check, the limits apply while receiving.
    assert.equal((await runner.run({ ...RECORD, fileSize: 0 })).faultCode, 0);
  }, { free: 4096 });
});

Deno.test("createLinuxPlatform().freeBytes() reads df for a directory", async () => {
  const { createLinuxPlatform } = await import("../../src/platform/linux.ts");
  const free = await createLinuxPlatform().freeBytes!(Deno.cwd());
  assert.ok(free !== undefined && free > 0, `free ${free}`);
  assert.equal(await createLinuxPlatform().freeBytes!("/no/such/dir"), undefined);
});

Deno.test("TransferRunner.removeStale() removes staged files of transfers no longer queued", async () => {
  await rig(async ({ runner, dir }) => {
    assert.deepEqual(await runner.removeStale(new Set()), [], "no staging directory yet");
    await Deno.mkdir(`${dir}/staging`);
    for (const name of ["3.part", "4.part", "5.upload", "notes.txt"]) {
      await Deno.writeTextFile(`${dir}/staging/${name}`, "x");
    }
    assert.deepEqual((await runner.removeStale(new Set([4]))).sort(), ["3.part", "5.upload"]);
    const left = [...Deno.readDirSync(`${dir}/staging`)].map((e) => e.name).sort();
    assert.deepEqual(left, ["4.part", "notes.txt"]);
  });
});
