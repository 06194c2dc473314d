import assert from "node:assert/strict";
import { formatLine } from "../../src/log/mod.ts";

Deno.test("formatLine() pads day, month and time fields", () => {
  assert.equal(
    formatLine(new Date(2024, 0, 5, 3, 4, 9), "NOTICE", "Waiting the next session"),
    "05-01-2024, 03:04:09 [NOTICE] Waiting the next session\n",
  );
});
