/** A new ACS URL during a retry wait (DHCP discovery supplying one: TR-069 §3.1). */
import assert from "node:assert/strict";
import { ACS_URL, FakeAcs, Harness } from "./_harness.ts";

const ev = (eventCode: string) => ({ eventCode, commandKey: "" });

Deno.test("step() tries a new ACS URL at once during a retry wait, BOOTSTRAP already pending", () => {
  // A first start with no URL yet: 0 BOOTSTRAP and 1 BOOT fail and wait for a retry.
  const h = new Harness({ settings: { acsUrl: "" }, random: () => 1 });
  const acs = new FakeAcs();
  acs.overrides.set(0, "transportError");
  h.feed({ kind: "start" });
  acs.run(h);
  assert.equal(h.state.phase, "retryWait");
  const retryAt = h.wakeAt!;
  // DHCP supplies the URL well before the retry is due.
  h.feed({ kind: "settingsChanged", settings: { acsUrl: ACS_URL } });
  assert.equal(h.state.phase, "collecting");
  assert.ok(h.clock.now() < retryAt);
  acs.run(h);
  const informs = acs.received.flatMap((e) => e.message.kind === "Inform" ? [e.message] : []);
  assert.deepEqual(informs.at(-1)?.event, [ev("0 BOOTSTRAP"), ev("1 BOOT")]);
  assert.equal(h.state.phase, "idle");
  assert.equal(h.lastSnapshot()?.lastAcsUrl, ACS_URL);
});

Deno.test("step() leaves a retry wait alone when the settings change but the URL does not", () => {
  const h = new Harness({ random: () => 1 });
  const acs = new FakeAcs();
  acs.overrides.set(0, "transportError");
  h.feed({ kind: "start" });
  acs.run(h);
  assert.equal(h.state.phase, "retryWait");
  h.feed({ kind: "settingsChanged", settings: { acsUrl: ACS_URL, retryMinimumWaitInterval: 9 } });
  assert.equal(h.state.phase, "retryWait");
});
