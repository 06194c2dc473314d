import assert from "node:assert/strict";
import type { Download } from "../../src/soap/messages.ts";
import {
  cancelTransfer,
  download,
  getAllQueuedTransfers,
  getQueuedTransfers,
  type QueuedTransfer,
  scheduleDownload,
  type TransferPolicy,
  upload,
} from "../../src/rpc/download.ts";

// GenieACS 1.2.16 "push file": every optional argument empty, FileSize often 0.
const GENIEACS: Download = {
  kind: "Download",
  commandKey: "18d8f9a6c3e",
  fileType: "1 Firmware Upgrade Image",
  url: "http://10.0.0.1:7567/fw-1.2.bin",
  username: "",
  password: "",
  fileSize: 0,
  targetFileName: "",
  delaySeconds: 0,
  successURL: "",
  failureURL: "",
};

function policy(queued: QueuedTransfer[] = []): TransferPolicy {
  return {
    fileTypes: new Set(["1 Firmware Upgrade Image"]),
    uploadFileTypes: new Set(["1 Vendor Configuration File"]),
    schemes: new Set(["http:", "https:"]),
    maxFileSize: 1000,
    queued: () => queued,
  };
}

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as { faultCode: number }).faultCode;
  }
  return 0;
};

Deno.test("download() accepts GenieACS's Download with empty optional arguments, Status 1", () => {
  assert.deepEqual(download(GENIEACS, policy()), {
    kind: "DownloadResponse",
    status: 1,
    startTime: "0001-01-01T00:00:00Z",
    completeTime: "0001-01-01T00:00:00Z",
  });
});

Deno.test("download() faults what it cannot do, with the spec's codes", () => {
  const p = policy();
  assert.equal(code(() => download({ ...GENIEACS, url: "sftp://h/fw" }, p)), 9013);
  assert.equal(code(() => download({ ...GENIEACS, url: "not a url" }, p)), 9003);
  assert.equal(code(() => download({ ...GENIEACS, url: `http://h/${"a".repeat(250)}` }, p)), 9003);
  assert.equal(code(() => download({ ...GENIEACS, fileType: "2 Web Content" }, p)), 9003);
  assert.equal(code(() => download({ ...GENIEACS, commandKey: "k".repeat(33) }, p)), 9003);
  assert.equal(code(() => download({ ...GENIEACS, fileSize: 1001 }, p)), 9004);
  const full = Array.from({ length: 16 }, (_, i): QueuedTransfer => ({
    commandKey: `k${i}`,
    state: 1,
    isDownload: true,
    fileType: GENIEACS.fileType,
    fileSize: 0,
    targetFileName: "",
  }));
  assert.equal(code(() => download(GENIEACS, policy(full))), 9004);
  assert.equal(code(() => download(GENIEACS, policy(full.slice(1)))), 0);
});

Deno.test("getAllQueuedTransfers() and getQueuedTransfers() list the queue; cancelTransfer() only what has not started", () => {
  const queued: QueuedTransfer[] = [
    {
      commandKey: "a",
      state: 2,
      isDownload: true,
      fileType: "1 Firmware Upgrade Image",
      fileSize: 5,
      targetFileName: "",
    },
    {
      commandKey: "b",
      state: 1,
      isDownload: true,
      fileType: "1 Firmware Upgrade Image",
      fileSize: 0,
      targetFileName: "fw",
    },
  ];
  const p = policy(queued);
  assert.deepEqual(getQueuedTransfers(p).transferList, [
    { commandKey: "a", state: 2 },
    { commandKey: "b", state: 1 },
  ]);
  assert.deepEqual(getAllQueuedTransfers(p).transferList, queued);
  assert.deepEqual(cancelTransfer({ kind: "CancelTransfer", commandKey: "b" }, p), {
    kind: "CancelTransferResponse",
  });
  assert.equal(code(() => cancelTransfer({ kind: "CancelTransfer", commandKey: "a" }, p)), 9021);
  assert.equal(code(() => cancelTransfer({ kind: "CancelTransfer", commandKey: "zz" }, p)), 9021);
});

Deno.test("upload() accepts the FileTypes the device can produce, faults the rest", () => {
  const request = {
    kind: "Upload" as const,
    commandKey: "u",
    fileType: "1 Vendor Configuration File",
    url: "http://files.example/up",
    username: "",
    password: "",
    delaySeconds: 0,
  };
  assert.equal(upload(request, policy()).status, 1);
  assert.equal(code(() => upload({ ...request, fileType: "2 Vendor Log File" }, policy())), 9003);
  assert.equal(code(() => upload({ ...request, url: "sftp://x/y" }, policy())), 9013);
});

Deno.test("scheduleDownload() checks the windows and refuses a mode that needs a user", () => {
  const window = {
    windowStart: 0,
    windowEnd: 3600,
    windowMode: "1 At Any Time",
    userMessage: "",
    maxRetries: 0,
  };
  const request = {
    kind: "ScheduleDownload" as const,
    commandKey: "sd",
    fileType: "1 Firmware Upgrade Image",
    url: "http://files.example/fw.bin",
    username: "",
    password: "",
    fileSize: 0,
    targetFileName: "",
    timeWindowList: [window],
  };
  const p = policy();
  assert.deepEqual(scheduleDownload(request, p), { kind: "ScheduleDownloadResponse" });
  const second = { ...window, windowStart: 7200, windowEnd: 9000, windowMode: "3 When Idle" };
  assert.equal(
    code(() => scheduleDownload({ ...request, timeWindowList: [window, second] }, p)),
    0,
  );
  const bad = (list: typeof window[]) =>
    code(() => scheduleDownload({ ...request, timeWindowList: list }, p));
  assert.equal(bad([]), 9003);
  assert.equal(bad([window, second, second]), 9003);
  assert.equal(bad([{ ...window, windowEnd: 0 }]), 9003);
  assert.equal(bad([second, window]), 9003, "out of order");
  assert.equal(bad([window, { ...second, windowStart: 100 }]), 9003, "overlapping");
  assert.equal(bad([{ ...window, windowMode: "4 Confirmation Needed" }]), 9003);
  assert.equal(code(() => scheduleDownload({ ...request, url: "gopher://x/" }, p)), 9013);
});
