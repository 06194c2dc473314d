import assert from "node:assert/strict";
import { keyLines } from "../../src/config/_key_lines.ts";

Deno.test("keyLines() finds headers, keys, dotted and quoted keys", () => {
  const lines = keyLines(
    [
      "# comment = 1",
      "top = 1",
      "[acs]  # the ACS",
      "url = 'http://a/'",
      '"quoted.key" = 2',
      "tls.ca = 3",
      "[ log ]",
      "  severity= 'INFO'",
    ].join("\n"),
  );
  assert.deepEqual(Object.fromEntries(lines), {
    top: 2,
    acs: 3,
    "acs.url": 4,
    "acs.quoted.key": 5,
    "acs.tls.ca": 6,
    log: 7,
    "log.severity": 8,
  });
});

Deno.test("keyLines() skips the inside of multi-line strings", () => {
  const lines = keyLines('[acs]\nnote = """\nurl = 1\n"""\nurl = "x"\n');
  assert.equal(lines.get("acs.url"), 5);
});

Deno.test("keyLines() keeps the first line of a repeated key", () => {
  assert.equal(keyLines("[a]\nk = 1\nk = 2\n").get("a.k"), 2);
});
