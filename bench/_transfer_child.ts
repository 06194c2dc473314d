/**
 * One transfer with our FTP or TFTP client in a process of its own, for
 * `transfer_ftp_tftp_bench.ts`: prints one JSON line with the transfer's wall time, the
 * process's CPU time during it, and its resident memory before and at its peak
 * (/proc/self/status sampled every 5 ms, and VmHWM), the anonymous part (RssAnon: heap,
 * buffers) apart from the file-backed part (RssFile: the executable's pages, faulted in
 * once per process as code runs for the first time).
 *
 *   deno run -A bench/_transfer_child.ts <download|upload> <url> <path> [blockSize]
 *
 * @module
 */

import type { TransferClient, TransferLimits } from "../src/transfer/client.ts";
import { ftpTransferClient } from "../src/transfer/ftp_client.ts";
import { createTftpClient } from "../src/transfer/tftp_client.ts";

const [direction, url, path, blockSize] = Deno.args;

function status(): { rssKiB: number; hwmKiB: number; anonKiB: number; fileKiB: number } {
  const text = Deno.readTextFileSync("/proc/self/status");
  const kib = (key: string) => Number(text.match(new RegExp(`^${key}:\\s+(\\d+) kB`, "m"))?.[1]);
  return {
    rssKiB: kib("VmRSS"),
    hwmKiB: kib("VmHWM"),
    anonKiB: kib("RssAnon"),
    fileKiB: kib("RssFile"),
  };
}

function cpuMs(): number {
  const stat = Deno.readTextFileSync("/proc/self/stat");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10; // CLK_TCK 100
}

const client: TransferClient = url.startsWith("tftp:")
  ? createTftpClient(blockSize ? { blockSize: Number(blockSize) } : {})
  : ftpTransferClient;
const limits: TransferLimits = {
  connectTimeoutMs: 5000,
  stallTimeoutMs: 10_000,
  totalTimeoutMs: 600_000,
  maxBytes: 4 * 2 ** 30,
};

const before = status();
let peak = before.rssKiB;
let peakAnon = before.anonKiB;
const sampler = setInterval(() => {
  const now = status();
  peak = Math.max(peak, now.rssKiB);
  peakAnon = Math.max(peakAnon, now.anonKiB);
}, 5);
const cpu0 = cpuMs();
const t0 = performance.now();
const result = direction === "download"
  ? await client.download({ url, username: "", password: "", fileSize: 0, path, limits })
  : await client.upload({ url, username: "", password: "", path, limits });
const ms = performance.now() - t0;
const cpu = cpuMs() - cpu0;
clearInterval(sampler);
const after = status();
peak = Math.max(peak, after.rssKiB);
peakAnon = Math.max(peakAnon, after.anonKiB);
console.log(JSON.stringify({
  bytes: result.bytes,
  ms,
  cpuMs: cpu,
  rssBeforeKiB: before.rssKiB,
  rssPeakKiB: peak,
  hwmKiB: after.hwmKiB,
  /** RssAnon: heap and buffers, what the transfer costs. */
  anonRiseKiB: peakAnon - before.anonKiB,
  /** RssFile: pages of the deno executable faulted in as code runs for the first time. */
  fileRiseKiB: after.fileKiB - before.fileKiB,
}));
