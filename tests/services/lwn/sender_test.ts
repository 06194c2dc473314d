import assert from "node:assert/strict";
import {
  type LwnChange,
  LwnSender,
  type LwnSettings,
  nextLwnTrigger,
  triggerReference,
} from "../../../src/services/lwn/mod.ts";
import { readLwnDatagram } from "../../_helpers/lwn_receiver.ts";

const SETTINGS: LwnSettings = {
  enabled: true,
  host: "127.0.0.1",
  port: 7547,
  triggerInterval: 0,
  triggerTime: "0001-01-01T00:00:00Z",
  username: "cpe",
  password: "pw",
};

function setup(overrides: Partial<LwnSettings> = {}) {
  let settings = { ...SETTINGS, ...overrides };
  const sent: { at: number; host: string; port: number; names: string[] }[] = [];
  const sender = new LwnSender({
    settings: () => settings,
    identity: { oui: "00D09E", productClass: "R", serialNumber: "SN1" },
    now: () => Date.now(),
    send: (datagrams, host, port) => {
      for (const d of datagrams) {
        const read = readLwnDatagram(d, "pw");
        assert.ok(read.signed);
        sent.push({ at: Date.now(), host, port, names: read.params.map((p) => p.name) });
      }
      return Promise.resolve();
    },
  });
  const set = (next: Partial<LwnSettings>) => {
    settings = { ...settings, ...next };
    sender.settingsChanged();
  };
  return { sender, sent, set };
}

const change = (name: string, active: boolean): LwnChange => ({
  name,
  value: "1",
  type: "xsd:string",
  active,
});

Deno.test("LwnSender sends an active change at once with the passive ones waiting", async () => {
  const { sender, sent } = setup();
  sender.changed([change("Device.P1", false), change("Device.P2", false)]);
  await sender.idle();
  assert.equal(sent.length, 0);
  assert.equal(sender.pending, 2);
  sender.changed([change("Device.A", true), change("Device.P1", false)]);
  await sender.idle();
  assert.deepEqual(sent.map((s) => s.names), [["Device.P1", "Device.P2", "Device.A"]]);
  assert.equal(sender.pending, 0);
  sender.close();
});

Deno.test("LwnSender sends the passive ones at the trigger interval, on the TriggerTime phase", async () => {
  const { sender, sent } = setup({ triggerInterval: 1, triggerTime: "2020-01-01T00:00:00.250Z" });
  sender.changed([change("Device.P", false)]);
  const deadline = Date.now() + 3000;
  while (sent.length === 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  await sender.idle();
  assert.deepEqual(sent.map((s) => s.names), [["Device.P"]]);
  // On the grid: 250 ms past a whole second (timers fire a little late, never early).
  const phase = sent[0].at % 1000;
  assert.ok(phase >= 250 && phase < 450, `sent at +${phase} ms`);
  sender.close();
});

Deno.test("LwnSender drops everything while LightweightNotificationProtocolsUsed is empty", async () => {
  const { sender, sent, set } = setup();
  sender.changed([change("Device.P", false)]);
  set({ enabled: false });
  assert.equal(sender.pending, 0);
  sender.changed([change("Device.A", true), change("Device.Q", false)]);
  await sender.idle();
  assert.equal(sent.length, 0);
  assert.equal(sender.pending, 0);
  set({ enabled: true });
  sender.changed([change("Device.A", true)]);
  await sender.idle();
  assert.deepEqual(sent.map((s) => s.names), [["Device.A"]]);
  sender.close();
});

Deno.test("nextLwnTrigger() follows the PeriodicInformTime phase rules; 0 is off", () => {
  const ref = Date.parse("2030-01-01T00:00:00Z");
  const now = Date.parse("2026-12-06T04:10:30Z");
  assert.equal(nextLwnTrigger(now, 3600, ref), Date.parse("2026-12-06T05:00:00Z"));
  assert.equal(
    nextLwnTrigger(Date.parse("2026-12-06T05:00:00Z"), 3600, ref),
    Date.parse("2026-12-06T06:00:00Z"),
  );
  assert.equal(nextLwnTrigger(now, 0, ref), undefined);
  assert.equal(triggerReference("0001-01-01T00:00:00Z"), undefined);
  assert.equal(triggerReference("2030-01-01T00:00:00Z"), ref);
});

Deno.test("LwnSender re-armed 20,000 times with ever different delays does not grow the heap", async () => {
  // In a process of its own, to collect garbage before each measure.
  const { success, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--v8-flags=--expose-gc",
      new URL("./_rearm_heap.ts", import.meta.url).pathname,
      "20000",
    ],
    cwd: new URL("../../../", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(success, new TextDecoder().decode(stderr));
  const grown = Number(new TextDecoder().decode(stdout).trim());
  // With a setTimeout cleared and set again at each change it grew by 3.7 MB.
  assert.ok(grown < 1_000_000, `heap grew ${grown} bytes`);
});
