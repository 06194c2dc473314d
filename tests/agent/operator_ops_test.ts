import assert from "node:assert/strict";
import { localInformEvent } from "../../src/agent/local_inform.ts";
import { checkOperatorArgs } from "../../src/agent/operator_ops.ts";
import { agentStatus, nextSessionOf } from "../../src/agent/status.ts";
import { configChanges } from "../../src/agent/reload.ts";
import { loadConfig } from "../../src/config/mod.ts";
import { createSessionState } from "../../src/session/mod.ts";
import { operatorText } from "../../src/cli/operator_text.ts";
import { parseArgs } from "../../src/cli/mod.ts";

Deno.test("localInformEvent() allows 2 PERIODIC, 6 CONNECTION REQUEST and vendor events only", () => {
  assert.equal(localInformEvent(undefined), "6 CONNECTION REQUEST");
  assert.equal(localInformEvent("2 periodic"), "2 PERIODIC");
  assert.equal(localInformEvent(" 6  CONNECTION REQUEST "), "6 CONNECTION REQUEST");
  assert.equal(localInformEvent("X 00D09E WAN Up"), "X 00D09E WAN Up");
  for (
    const code of ["0 BOOTSTRAP", "1 BOOT", "3 SCHEDULED", "4 VALUE CHANGE", "M Reboot", "X zz"]
  ) {
    assert.throws(() => localInformEvent(code), TypeError, code);
  }
  assert.throws(
    () => localInformEvent("1 BOOT"),
    /^TypeError: Cannot inform with event "1 BOOT": a local Inform may carry "2 PERIODIC", "6 CONNECTION REQUEST" or a vendor event "X <OUI> <name>"; the others report something that did not happen$/,
  );
});

Deno.test("checkOperatorArgs() rejects extra or malformed arguments with the usage", () => {
  checkOperatorArgs("status", []);
  checkOperatorArgs("log", ["20"]);
  assert.throws(() => checkOperatorArgs("status", ["x"]), /^TypeError: Usage: cwmp-agent status$/);
  assert.throws(() => checkOperatorArgs("log", ["many"]), /Usage: cwmp-agent log \[LINES\]/);
  assert.throws(() => checkOperatorArgs("inform", ["2 PERIODIC", "6 CONNECTION REQUEST"]));
});

Deno.test("parseArgs() parses the operator commands and --json", () => {
  assert.deepEqual(parseArgs(["status", "-c", "f"]), {
    kind: "local",
    op: "status",
    args: [],
    json: false,
    configPath: "f",
  });
  assert.deepEqual(parseArgs(["inform", "2 PERIODIC", "--json"]), {
    kind: "local",
    op: "inform",
    args: ["2 PERIODIC"],
    json: true,
    configPath: "/etc/cwmp-agent/cwmp.toml",
  });
  const log = parseArgs(["log", "10", "-c", "f"]);
  assert.ok(log.kind === "local" && log.op === "log" && log.args[0] === "10");
  const reset = parseArgs(["reset-state", "--config", "g"]);
  assert.ok(reset.kind === "local" && reset.op === "reset-state" && reset.configPath === "g");
  assert.equal(parseArgs(["reload", "extra"]).kind, "error");
});

Deno.test("nextSessionOf() picks the earliest of retry, periodic and ScheduleInform", () => {
  const state = createSessionState({ acsUrl: "http://acs/" }, { random: () => 0 });
  state.phase = "retryWait";
  state.retryAt = 5_000;
  state.nextPeriodicAt = 9_000;
  state.persisted.scheduledInforms = [{ at: 7_000, commandKey: "k" }];
  assert.deepEqual(nextSessionOf(state, 0), { at: 5_000, why: "retry" });
  state.phase = "idle";
  assert.deepEqual(nextSessionOf(state, 0), { at: 7_000, why: "scheduled" });
  state.settings.enableCwmp = false;
  assert.equal(nextSessionOf(state, 0), undefined);
});

Deno.test("agentStatus() masks the URL's credentials and counts unfinished transfers", () => {
  const state = createSessionState({ acsUrl: "http://u:secret@acs/" }, { random: () => 0 });
  state.phase = "idle";
  const status = agentStatus({
    state,
    pid: 1,
    startedAt: 0,
    now: 1000,
    connectionRequestUrl: "http://10.0.0.1:7547/",
    lastSession: { start: "a", end: "b", result: "failed", reason: "HTTP 500" },
  });
  assert.equal(status.acsUrl, "http://u:********@acs/");
  assert.equal(status.upSince, "1970-01-01T00:00:00.000Z");
  assert.equal(status.pendingTransfers, 0);
  assert.equal(JSON.stringify(status).includes("secret"), false);
  const text = operatorText("status", [JSON.stringify(status)]).join("\n");
  assert.match(text, /^Last session: +a to b: failed: HTTP 500$/m);
  assert.match(text, /^Next session: +none due$/m);
});

Deno.test("configChanges() names changed keys by TOML name, a secret once, without values", () => {
  const file = "t.toml";
  const a = loadConfig('[acs]\nurl = "http://a/"\npassword = "x"\n[log]\nseverity = "INFO"\n', {
    file,
  });
  const b = loadConfig(
    '[acs]\nurl = "http://a/"\npassword = "y"\n[log]\nseverity = "DEBUG"\n[agent]\nstate_dir = "/s"\n',
    { file },
  );
  assert.deepEqual(configChanges(a, b), {
    applied: ["acs.password", "log.severity"],
    restart: ["agent.state_dir"],
  });
});

Deno.test("operatorText() renders reload and inform answers and errors", () => {
  assert.deepEqual(
    operatorText("reload", [JSON.stringify({ status: 0, applied: ["acs.url"], restart: [] })]),
    ["Reloaded; applied: acs.url"],
  );
  assert.deepEqual(
    operatorText("inform", [JSON.stringify({ status: 0, event: "2 PERIODIC", session: "queued" })]),
    ["2 PERIODIC: queued: it goes in the session right after the current one"],
  );
  assert.deepEqual(operatorText("status", [JSON.stringify({ error: "Boom" })]), ["Boom"]);
});
