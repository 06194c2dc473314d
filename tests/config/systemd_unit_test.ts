/**
 * config/systemd/cwmp-agent.service: `systemd-analyze verify` accepts it
 * without a warning, and the hardening the comments promise is in place.
 */

import assert from "node:assert/strict";
import { join } from "node:path";

const UNIT = new URL("../../config/systemd/cwmp-agent.service", import.meta.url).pathname;

/** systemd-analyze, or why the verify tests skip. */
const analyze = await (async () => {
  try {
    const out = await new Deno.Command("systemd-analyze", { args: ["--version"] }).output();
    return out.success ? undefined : "systemd-analyze --version failed";
  } catch {
    return "systemd-analyze is not installed (Debian package systemd)";
  }
})();
if (analyze !== undefined) console.warn(`systemd_unit_test: skipped verify: ${analyze}`);

/** The unit's directives, `Key` → values in order (comments dropped). */
function directives(text: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    if (/^\s*([#;]|\[|$)/.test(line)) continue;
    const at = line.indexOf("=");
    const key = line.slice(0, at);
    found.set(key, [...found.get(key) ?? [], line.slice(at + 1)]);
  }
  return found;
}

/** Runs `systemd-analyze verify` on the unit with its commands pointed at a stub. */
async function verify(edit: (text: string) => string = (t) => t) {
  const dir = await Deno.makeTempDir();
  try {
    const stub = join(dir, "cwmp-agent");
    await Deno.writeTextFile(stub, "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    const unit = join(dir, "cwmp-agent.service");
    const text = await Deno.readTextFile(UNIT);
    await Deno.writeTextFile(unit, edit(text.replaceAll("/usr/bin/cwmp-agent", stub)));
    const out = await new Deno.Command("systemd-analyze", {
      args: ["verify", unit],
      env: { SYSTEMD_LOG_COLOR: "0", SYSTEMD_PAGER: "" },
    }).output();
    return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "cwmp-agent.service passes systemd-analyze verify without a warning",
  ignore: analyze !== undefined,
  async fn() {
    assert.deepEqual(await verify(), { code: 0, stderr: "" });
  },
});

Deno.test({
  name: "systemd-analyze verify reports a misspelt directive (the check above can fail)",
  ignore: analyze !== undefined,
  async fn() {
    const run = await verify((text) => text.replace("KillMode=process", "KillMode=proces"));
    assert.match(run.stderr, /Failed to parse kill mode/);
  },
});

Deno.test("cwmp-agent.service runs the agent on its config, restarts it and reloads it", async () => {
  const unit = directives(await Deno.readTextFile(UNIT));
  assert.deepEqual(unit.get("ExecStart"), [
    "/usr/bin/cwmp-agent --config /etc/cwmp-agent/cwmp.toml",
  ]);
  assert.deepEqual(unit.get("ExecReload"), [
    "/usr/bin/cwmp-agent reload --config /etc/cwmp-agent/cwmp.toml",
  ]);
  assert.deepEqual(unit.get("Restart"), ["always"]);
  assert.deepEqual(unit.get("StartLimitIntervalSec"), ["0"]);
  assert.deepEqual(unit.get("StateDirectory"), ["cwmp-agent"]);
  assert.deepEqual(unit.get("KillMode"), ["process"]);
  assert.deepEqual(unit.get("WantedBy"), ["multi-user.target"]);
});

Deno.test("cwmp-agent.service is hardened, keeping off what breaks V8 and firmware flashing", async () => {
  const unit = directives(await Deno.readTextFile(UNIT));
  for (
    const [key, value] of Object.entries({
      ProtectSystem: "strict",
      PrivateTmp: "yes",
      NoNewPrivileges: "yes",
      ProtectHome: "yes",
      ProtectControlGroups: "yes",
    })
  ) assert.deepEqual(unit.get(key), [value], key);
  const caps = (unit.get("CapabilityBoundingSet") ?? []).join(" ").split(" ");
  for (const cap of ["CAP_NET_RAW", "CAP_NET_BIND_SERVICE", "CAP_NET_ADMIN", "CAP_SYS_BOOT"]) {
    assert.ok(caps.includes(cap), cap);
  }
  for (
    const off of [
      "MemoryDenyWriteExecute",
      "PrivateDevices",
      "ProtectClock",
      "DeviceAllow",
      "SystemCallFilter",
    ]
  ) {
    assert.equal(unit.get(off), undefined, `${off} must stay off`);
  }
});
