import assert from "node:assert/strict";
import { aptReason, summarizeJunit } from "./run_tests.ts";

Deno.test("summarizeJunit() counts passes, failures and errors, and skips apart", () => {
  const xml = `<testsuites><testsuite name="a">
<testcase name="ok1" time="0.1"/>
<testcase name="ok2" time="0.1"></testcase>
<testcase name="bad"><failure message="x">boom</failure></testcase>
<testcase name="err"><error message="y"/></testcase>
<testcase name="skip"><skipped/></testcase>
</testsuite></testsuites>`;
  assert.deepEqual(summarizeJunit(xml), { passed: 2, failed: 2, skipped: 1 });
});

Deno.test("aptReason() keeps apt's E: lines, on one short line", () => {
  const noRoot = "E: Could not open lock file /var/lib/dpkg/lock-frontend - open (13: Permission" +
    " denied)\nE: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), are" +
    " you root?\n";
  assert.equal(
    aptReason(noRoot),
    "E: Could not open lock file /var/lib/dpkg/lock-frontend - open (13: Permission denied)" +
      " E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), are you root?",
  );
  assert.equal(
    aptReason("W: Some index files failed to download\nE: Unable to locate package nosuch\n"),
    "E: Unable to locate package nosuch",
  );
  assert.equal(aptReason("Reading package lists...\nsomething odd\n"), "something odd");
  assert.equal(aptReason(""), "no output");
  assert.equal(aptReason(`E: ${"x".repeat(400)}`).length, 240);
});
