import assert from "node:assert/strict";
import { summarizeJunit } from "./run_tests.ts";

Deno.test("summarizeJunit() counts passes, failures and errors, not skips", () => {
  const xml = `<testsuites><testsuite name="a">
<testcase name="ok1" time="0.1"/>
<testcase name="ok2" time="0.1"></testcase>
<testcase name="bad"><failure message="x">boom</failure></testcase>
<testcase name="err"><error message="y"/></testcase>
<testcase name="skip"><skipped/></testcase>
</testsuite></testsuites>`;
  assert.deepEqual(summarizeJunit(xml), { passed: 2, failed: 2 });
});
