/**
 * Run by `sender_test.ts` in a process of its own with `--v8-flags=--expose-gc`: re-arms
 * the trigger timer of a real {@linkcode LwnSender} (one passive change each time, the
 * clock 1 ms further on, so every delay differs) and prints how many bytes the heap grew
 * over `Deno.args[0]` re-arms, measured after full collections.
 *
 * @module
 */

import { type LwnChange, LwnSender, type LwnSettings } from "../../../src/services/lwn/mod.ts";

const rearms = Number(Deno.args[0] ?? 20_000);
const settings: LwnSettings = {
  enabled: true,
  host: "127.0.0.1",
  port: 7547,
  triggerInterval: 86_400,
  triggerTime: "0001-01-01T00:00:00Z",
  username: "cpe",
  password: "pw",
};
let clock = Date.parse("2030-01-01T00:00:00Z");
const sender = new LwnSender({
  settings: () => settings,
  identity: { oui: "00D09E", productClass: "R", serialNumber: "SN1" },
  now: () => clock,
  send: () => Promise.resolve(),
});
const change: LwnChange[] = [{ name: "Device.P", value: "1", type: "xsd:string", active: false }];
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("Run with --v8-flags=--expose-gc");
const heap = () => {
  gc();
  gc();
  return Deno.memoryUsage().heapUsed;
};
const rearm = (times: number) => {
  for (let i = 0; i < times; i++) {
    clock += 1;
    sender.changed(change);
  }
};

rearm(2_000); // warm up: the code is compiled, the timer lists exist
await new Promise((resolve) => setTimeout(resolve, 20));
const before = heap();
rearm(rearms);
await new Promise((resolve) => setTimeout(resolve, 20));
const grown = heap() - before;
sender.close();
console.log(grown);
