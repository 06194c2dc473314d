import assert from "node:assert/strict";
import {
  type AdmissionSlot,
  chooseVictim,
  protectedUntil,
  sourceOf,
} from "../../src/transport/cr_admission.ts";

const GRACE = { graceMs: 100 };

function slot(name: string, o: Partial<AdmissionSlot> = {}): AdmissionSlot & { name: string } {
  const since = o.since ?? 0;
  return {
    name,
    source: "192.0.2.1",
    since,
    lastByte: o.lastByte ?? since,
    bytes: 0,
    busy: false,
    ...o,
  };
}

const nameOf = (s: (AdmissionSlot & { name: string }) | undefined) => s?.name;

Deno.test("chooseVictim() never picks a busy connection or a silent one within its grace", () => {
  const busy = slot("busy", { since: 0, bytes: 300, lastByte: 1, busy: true });
  const fresh = slot("fresh", { since: 950 });
  assert.equal(chooseVictim([busy, fresh], 1000, GRACE), undefined);
  // The grace ends graceMs after `since`; a busy connection stays protected.
  assert.equal(protectedUntil(fresh, 100), 1050);
  assert.equal(protectedUntil(busy, 100), Infinity);
  assert.equal(nameOf(chooseVictim([busy, fresh], 1050, GRACE)), "fresh");
});

Deno.test("chooseVictim() picks a partial head at once and otherwise the one idle longest", () => {
  // A partial head is not protected, even a young one: its first segment was not a head.
  const partial = slot("partial", { since: 990, bytes: 20, lastByte: 995 });
  const fresh = slot("fresh", { since: 999 });
  assert.equal(nameOf(chooseVictim([fresh, partial], 1000, GRACE)), "partial");
  const dripping = slot("dripping", { since: 0, bytes: 900, lastByte: 980 });
  const silent = slot("silent", { since: 700 });
  const stalled = slot("stalled", { since: 0, bytes: 30, lastByte: 400 });
  assert.equal(nameOf(chooseVictim([dripping, silent, stalled], 1000, GRACE)), "stalled");
  assert.equal(nameOf(chooseVictim([dripping, silent], 1000, GRACE)), "silent");
});

Deno.test("chooseVictim() takes from the source with the most connections first", () => {
  const acs = slot("acs", { source: "198.51.100.7", since: 0 }); // idle longest of all
  const flood = [1, 2, 3].map((i) => slot(`flood${i}`, { since: 800 + i }));
  assert.equal(nameOf(chooseVictim([acs, ...flood], 1000, GRACE)), "flood1");
  // With the flood all protected, the lone source's idle connection goes.
  const young = [1, 2, 3].map((i) => slot(`young${i}`, { since: 950 }));
  assert.equal(nameOf(chooseVictim([acs, ...young], 1000, GRACE)), "acs");
  // Restricted to one source.
  assert.equal(
    nameOf(chooseVictim([acs, ...flood], 1000, { ...GRACE, source: "198.51.100.7" })),
    "acs",
  );
  assert.equal(chooseVictim([acs], 1000, { ...GRACE, source: "192.0.2.1" }), undefined);
});

Deno.test("sourceOf() keeps IPv4 addresses and groups IPv6 by /64", () => {
  assert.equal(sourceOf("192.0.2.1"), "192.0.2.1");
  assert.equal(sourceOf("::ffff:192.0.2.1"), "192.0.2.1");
  assert.equal(sourceOf("::FFFF:192.0.2.1"), "192.0.2.1");
  assert.equal(sourceOf("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
  assert.equal(sourceOf("2001:db8:1:2::9"), "2001:db8:1:2::/64");
  assert.equal(sourceOf("2001:0DB8:0001:0002:ffff::1"), "2001:db8:1:2::/64");
  assert.equal(sourceOf("2001:db8::"), "2001:db8:0:0::/64");
  assert.equal(sourceOf("::1"), "0:0:0:0::/64");
  assert.equal(sourceOf("fe80::1%eth0"), "fe80:0:0:0::/64");
});
