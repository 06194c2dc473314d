/**
 * The operator's commands against the real agent through its control socket: `status`,
 * `inform [EVENT]`, `log`, `reload`, `reset-state` (running and stopped), as JSON lines
 * with `--json` and as text without; the refused connection request logged once with its
 * source; a Reboot whose command fails leaves the agent running and answering.
 */

import assert from "node:assert/strict";
import { spawnAgent, writeAgentConfig } from "../_helpers/agent_process.ts";
import { until } from "../_helpers/until.ts";
import { crPortOf, curlConnectionRequest, eventsOf, withRig } from "./_rig.ts";
import { cliOk } from "./_wire.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** Runs `cwmp-agent <args…> --config <config>` and returns its raw output. */
async function text(config: string, ...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", MAIN, ...args, "--config", config],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b).trim();
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

Deno.test("cwmp-agent status, inform and log answer from the running agent", async () => {
  await withRig(async ({ acs, dir, start, validateAll }) => {
    const agent = await start({ periodicInterval: 3600 });
    await acs.waitForSessions(1, 15_000);
    await agent.waitForLine(/Waiting the next session/);
    const config = `${dir}/cwmp.toml`;
    assert.ok(agent.lines.some((l) => /Start session with 0 BOOTSTRAP, 1 BOOT$/.test(l)));

    const [status] = (await cliOk(config, "status", "--json")).lines;
    assert.equal(status.acsUrl, acs.url);
    assert.equal(status.state, "idle");
    assert.equal(status.retryCount, 0);
    assert.deepEqual(status.pendingEvents, []);
    assert.equal(status.pendingTransfers, 0);
    assert.match(String(status.connectionRequestUrl), /^http:\/\/127\.0\.0\.1:\d+\/cr$/);
    assert.equal((status.lastSession as { result: string }).result, "ok");
    const next = status.nextSession as { at: string; why: string };
    assert.equal(next.why, "periodic");
    const inAnHour = Date.parse(next.at) - Date.now();
    assert.ok(inAnHour > 3_500_000 && inAnHour <= 3_600_000, `next in ${inAnHour} ms`);
    assert.ok(Date.now() - Date.parse(String(status.upSince)) < 60_000);
    assert.deepEqual(status.periodicInform, { enable: true, interval: 3600 });

    const human = await text(config, "status");
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^State: +idle$/m);
    assert.match(human.stdout, /^Last session: .* ok$/m);
    assert.match(human.stdout, /^Next session: .* \(periodic\)$/m);
    assert.match(human.stdout, /^Connection request URL: http:\/\/127\.0\.0\.1:\d+\/cr$/m);

    // Default event: 6 CONNECTION REQUEST, as icwmp's `ubus call tr069 inform`.
    const informed = await cliOk(config, "inform", "--json");
    assert.deepEqual(informed.lines, [
      { status: 0, event: "6 CONNECTION REQUEST", session: "started" },
    ]);
    await until(() => acs.sessions[1]?.ended === true, "the inform session");
    assert.deepEqual(eventsOf(acs.sessions[1]), ["6 CONNECTION REQUEST|"]);
    await agent.waitForLine(/Start session with 6 CONNECTION REQUEST$/);

    const periodic = await text(config, "inform", "2 PERIODIC");
    assert.equal(periodic.stdout, "2 PERIODIC: session started");
    await until(() => acs.sessions[2]?.ended === true, "the periodic session");
    assert.deepEqual(eventsOf(acs.sessions[2]), ["2 PERIODIC|"]);

    // Events that would claim something untrue are refused before any I/O.
    for (const event of ["1 BOOT", "0 BOOTSTRAP", "M Reboot", "8 DIAGNOSTICS COMPLETE"]) {
      const refused = await text(config, "inform", event);
      assert.equal(refused.code, 2, event);
      assert.match(refused.stderr, new RegExp(`^Cannot inform with event "${event}": `));
    }
    assert.equal(acs.sessions.length, 3);

    const log = await cliOk(config, "log", "5", "--json");
    assert.equal(log.lines.length, 5);
    assert.ok(
      log.lines.every((l) => /^\d\d-\d\d-\d{4}, [\d:]{8} \[[A-Z]+\] /.test(String(l.line))),
    );
    const logText = await text(config, "log");
    assert.ok(logText.stdout.includes("Start session with 2 PERIODIC"));
    assert.ok(!logText.stdout.includes("cr-pass"), "no secret in the log");
    await validateAll();
  });
});

Deno.test("cwmp-agent reload applies the ACS URL and periodic settings, names the keys needing a restart, keeps the config on an error", async () => {
  await withRig(async ({ acs, dir, stateDir, start }) => {
    const agent = await start({ periodicInterval: 3600 });
    await acs.waitForSessions(1, 15_000);
    await agent.waitForLine(/Waiting the next session/);
    const config = `${dir}/cwmp.toml`;

    await writeAgentConfig(dir, {
      acsUrl: `${acs.url}moved`,
      stateDir,
      periodicInterval: 1800,
      crPort: 17547,
      severity: "INFO",
    });
    const [reloaded] = (await cliOk(config, "reload", "--json")).lines;
    assert.deepEqual(reloaded.applied, [
      "acs.url",
      "acs.periodic_inform_interval",
      "log.severity",
    ]);
    assert.deepEqual(reloaded.restart, ["connection_request.port"]);
    // A new ACS URL: 0 BOOTSTRAP to it, at once.
    await until(() => acs.sessions[1]?.ended === true, "the session to the new URL");
    assert.deepEqual(eventsOf(acs.sessions[1]), ["0 BOOTSTRAP|"]);
    assert.ok(acs.requests.some((r) => r.path === "/moved" && r.body.includes("0 BOOTSTRAP")));
    const [status] = (await cliOk(config, "status", "--json")).lines;
    assert.deepEqual(status.periodicInform, { enable: true, interval: 1800 });
    assert.equal(status.acsUrl, `${acs.url}moved`);

    // Text: what was applied and what waits for a restart.
    const again = await text(config, "reload");
    assert.equal(again.code, 0, again.stderr);
    assert.equal(
      again.stdout,
      "Reloaded; applied: none\nChanged but in effect only after a restart: connection_request.port",
    );

    // An invalid file: one line naming the key; the agent runs on, untouched.
    await Deno.writeTextFile(config, "[acs]\nperiodic_inform_interval = -5\n");
    const bad = await text(config, "reload");
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr.split("\n").length, 1, bad.stderr);
    assert.match(bad.stderr, /periodic_inform_interval/);
    assert.equal(agent.lines.filter((l) => /Configuration reloaded/.test(l)).length, 2);
    assert.ok(agent.lines.some((l) => /Configuration reloaded: acs\.url, /.test(l)));
  });
});

Deno.test("cwmp-agent reset-state: through the running agent it restarts with a BOOTSTRAP; stopped, it empties the state directory", async () => {
  await withRig(async ({ acs, dir, stateDir, start, validateAll }) => {
    const agent = await start();
    await acs.waitForSessions(1, 15_000);
    await agent.waitForLine(/Waiting the next session/);
    const config = `${dir}/cwmp.toml`;
    await cliOk(config, "set", "Device.DeviceInfo.ProvisioningCode", "before-reset");

    const reset = await cliOk(config, "reset-state", "--json");
    assert.deepEqual(reset.lines, [{ status: 0, restarting: true }]);
    await until(() => acs.sessions[1]?.ended === true, "the session after the reset", 20_000);
    assert.deepEqual(eventsOf(acs.sessions[1]), ["0 BOOTSTRAP|", "1 BOOT|"]);
    const got = await cliOk(config, "get", "Device.DeviceInfo.ProvisioningCode");
    assert.equal(got.lines[0].value, "");
    assert.ok(agent.lines.some((l) => /State reset: \d+ entries removed; starting afresh/.test(l)));

    // Stopped: done on the directory, under its lock.
    assert.equal((await agent.kill("SIGTERM")).code, 0);
    const offline = await text(config, "reset-state");
    assert.equal(offline.code, 0, offline.stderr);
    assert.match(
      offline.stdout,
      /^State reset: \d+ entries removed; the next start is a 0 BOOTSTRAP$/,
    );
    const left = [...Deno.readDirSync(stateDir)].map((e) => e.name);
    assert.deepEqual(left, ["agent.lock"]);
    await start();
    await until(() => acs.sessions[2]?.ended === true, "the session after the offline reset");
    assert.deepEqual(eventsOf(acs.sessions[2]), ["0 BOOTSTRAP|", "1 BOOT|"]);
    await validateAll();
  });
});

Deno.test("a refused connection request is logged once per source, wrong credentials and rate limit alike", async () => {
  await withRig(async ({ acs, dir, stateDir }) => {
    // One accepted request an hour: the second one is over the limit.
    const config = await writeAgentConfig(dir, { acsUrl: acs.url, stateDir });
    const toml = await Deno.readTextFile(config);
    await Deno.writeTextFile(
      config,
      toml.replace(
        "[connection_request]\n",
        "[connection_request]\nrate_limit_requests = 1\nrate_limit_period = 3600\n",
      ),
    );
    const agent = spawnAgent(config);
    try {
      await body();
    } catch (error) {
      console.error(`--- agent log ---\n${agent.lines.join("\n")}`);
      throw error;
    } finally {
      await agent.kill("SIGKILL");
    }
    async function body() {
      await acs.waitForSessions(1, 15_000);
      await agent.waitForLine(/Waiting the next session/);
      const port = await crPortOf(agent);
      for (let i = 0; i < 4; i++) {
        assert.equal(await curlConnectionRequest(port, "cr-user", "wrong"), 401);
      }
      assert.equal(await curlConnectionRequest(port, "cr-user", "cr-pass"), 200);
      for (let i = 0; i < 3; i++) {
        assert.equal(await curlConnectionRequest(port, "cr-user", "cr-pass"), 503);
      }
      const refusals = () => agent.lines.filter((l) => /Connection request from/.test(l));
      await until(() => refusals().length >= 2, "the refusal lines");
      assert.equal(refusals().length, 2, refusals().join("\n"));
      assert.match(
        refusals()[0],
        /\[WARNING\] Connection request from 127\.0\.0\.1 refused: wrong credentials \(HTTP 401\)$/,
      );
      assert.match(
        refusals()[1],
        /\[WARNING\] Connection request from 127\.0\.0\.1 refused: over the rate limit \(HTTP 503\)$/,
      );
      assert.ok(!agent.lines.some((l) => /wrong"|cr-pass/.test(l)), "no credentials logged");
    }
  });
});

Deno.test("a Reboot whose command fails leaves the agent running and answering, without M Reboot", async () => {
  await withRig(async ({ acs, dir, start, validateAll }) => {
    acs.enqueue({ kind: "Reboot", commandKey: "rb-fail" });
    const agent = await start({ rebootCommand: ["sh", "-c", "echo no reboot here >&2; exit 3"] });
    const [session] = await acs.waitForSessions(1, 15_000);
    assert.deepEqual(session.messages.map((m) => m.kind), ["RebootResponse"]);
    await agent.waitForLine(
      /\[ERROR\] The reboot command failed \(exit 3\): no reboot here; the device did not reboot, the agent carries on$/,
      15_000,
    );
    const config = `${dir}/cwmp.toml`;
    const [status] = (await cliOk(config, "status", "--json")).lines;
    assert.equal(status.state, "idle");
    assert.deepEqual(status.pendingEvents, []);

    // Connection requests still work, and the next session claims no reboot.
    const port = await crPortOf(agent);
    assert.equal(await curlConnectionRequest(port, "cr-user", "cr-pass"), 200);
    await until(() => acs.sessions[1]?.ended === true, "the session after the failed reboot");
    assert.deepEqual(eventsOf(acs.sessions[1]), ["6 CONNECTION REQUEST|"]);

    // A restart in the same boot neither reboots nor claims M Reboot.
    assert.equal((await agent.kill("SIGTERM")).code, 0);
    const again = await start({ rebootCommand: ["sh", "-c", "exit 3"] });
    await until(() => acs.sessions[2]?.ended === true, "the session after the restart");
    assert.deepEqual(eventsOf(acs.sessions[2]), ["1 BOOT|"]);
    assert.ok(!again.lines.some((l) => /Rebooting the device/.test(l)));
    await validateAll();
  });
});
