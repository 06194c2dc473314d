import assert from "node:assert/strict";
import { parseArgs } from "../../src/cli/args.ts";

Deno.test("parseArgs() turns dhcp-update's options into the control request's KEY=VALUE arguments", () => {
  assert.deepEqual(
    parseArgs([
      "dhcp-update",
      "--interface",
      "wan",
      "--opt125",
      "00000de900",
      "--opt43",
      "0100",
      "-c",
      "x.toml",
    ]),
    {
      kind: "local",
      op: "dhcp-update",
      args: ["interface=wan", "opt43=0100", "opt125=00000de900"],
      configPath: "x.toml",
    },
  );
  // An empty option (udhcpc exported nothing) is left out.
  const empty = parseArgs(["dhcp-update", "--interface", "eth1", "--opt43", "", "--opt17", "ab"]);
  assert.ok(empty.kind === "local");
  assert.deepEqual(empty.args, ["interface=eth1", "opt17=ab"]);
});

Deno.test("parseArgs() refuses dhcp-update without --interface", () => {
  const command = parseArgs(["dhcp-update", "--opt43", "0100"]);
  assert.equal(command.kind, "error");
  assert.ok(command.kind === "error" && /--interface <name>/.test(command.message));
});
