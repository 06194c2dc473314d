import assert from "node:assert/strict";
import * as posix from "node:path/posix";
import { dirname, isAbsolute, join, normalize, resolve } from "../../src/config/_path.ts";

// Compared with node:path's POSIX implementation, the reference.
const PATHS = [
  "/",
  "//",
  "/a",
  "/a/",
  "/a/b",
  "/a/b/",
  "/a//b",
  "a",
  "a/",
  "a/b",
  "./a",
  "../a",
  "a/../b",
  "/a/./b/../c",
  "",
  ".",
  "..",
  "/..",
  "a/../..",
  "/etc/cwmp-agent/cwmp.toml",
];

Deno.test("dirname, isAbsolute and normalize agree with node:path/posix", () => {
  for (const p of PATHS) {
    // The same directory (node keeps a doubled slash: "/a//b" → "/a/").
    const same = (x: string) => posix.normalize(x).replace(/(.)\/$/, "$1");
    assert.equal(same(dirname(p)), same(posix.dirname(p)), `dirname ${p}`);
    assert.equal(isAbsolute(p), posix.isAbsolute(p), `isAbsolute ${p}`);
    if (p !== "" && p !== "//") {
      assert.equal(
        normalize(p).replace(/(.)\/$/, "$1"),
        posix.normalize(p).replace(/(.)\/$/, "$1"),
        `normalize ${p}`,
      );
    }
  }
});

Deno.test("join and resolve agree with node:path/posix", () => {
  for (const [a, b] of [["/etc", "x.pem"], ["conf", "../secret"], ["/a/b", "../../c"], ["", "x"]]) {
    assert.equal(join(a, b), posix.join(a, b), `${a} + ${b}`);
  }
  for (const p of ["x", "./x/../y", "/abs/./z"]) assert.equal(resolve(p), posix.resolve(p), p);
});
