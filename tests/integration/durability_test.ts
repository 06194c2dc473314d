/**
 * Nothing the agent acknowledged is lost when it is killed (watchdog, power cut): the real
 * agent process, SIGKILLed at the worst moments, restarted on the same state directory.
 */

import assert from "node:assert/strict";
import type {
  AddObjectResponse,
  CwmpMessage,
  Fault,
  GetParameterValuesResponse,
} from "../../src/soap/mod.ts";
import type { AgentProcess } from "../_helpers/agent_process.ts";
import { until } from "../_helpers/until.ts";
import { eventsOf, valuesOf, withRig } from "./_rig.ts";

const MS = "Device.ManagementServer.";

Deno.test("an acknowledged Reboot is carried out after a SIGKILL before the session ended", async () => {
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await withRig(async ({ dir, acs, start, validateAll }) => {
    const marker = `${dir}/rebooted`;
    const rebootCommand = ["sh", "-c", `echo reboot >> '${marker}'`];
    acs.enqueue({ kind: "Reboot", commandKey: "rb-77" });
    try {
      const first = await start({ rebootCommand });
      // The ACS has the RebootResponse (GenieACS marks the task done on it) and holds its
      // answer: the agent is killed before the session ends.
      await acs.waitUntil(
        () => acs.sessions[0]?.messages.some((m) => m.kind === "RebootResponse") ?? false,
        "the RebootResponse",
        15_000,
      );
      await first.kill("SIGKILL");
    } finally {
      release();
    }
    assert.equal(await Deno.readTextFile(marker).catch(() => ""), "");

    // The next start carries out the reboot it acknowledged, before any session.
    const second = await start({ rebootCommand });
    await second.waitForLine(/Rebooting the device/, 15_000);
    await waitForFile(marker);
    // The command returned (a real one takes the system down): the agent records that it
    // ran and waits; SIGTERM plays the system going down.
    await second.waitForLine(/waiting for the system to go down/, 15_000);
    assert.equal((await second.kill("SIGTERM")).code, 0);
    assert.equal(acs.sessions.length, 1);

    const third = await start({ rebootCommand });
    await acs.waitUntil(() => acs.sessions[1]?.ended ?? false, "the session after the reboot");
    // BOOTSTRAP too: no session with this ACS has succeeded yet.
    assert.deepEqual(eventsOf(acs.sessions[1]), ["0 BOOTSTRAP|", "1 BOOT|", "M Reboot|rb-77"]);
    await third.waitForLine(/Waiting the next session/);
    assert.equal(await Deno.readTextFile(marker), "reboot\n", "rebooted exactly once");
    await validateAll();
  }, { hook: async (m) => (m.kind === "RebootResponse" ? (await held, undefined) : undefined) });
});

Deno.test("an SPV spanning two state files is all or nothing across SIGKILLs", async () => {
  const ROUNDS = 12;
  const names = [
    "Device.DeviceInfo.ProvisioningCode", // settings.json
    `${MS}ParameterKey`, // settings.json
    `${MS}InformParameter.1.Alias`, // values.json
  ];
  let killAgent: (() => void) | undefined;
  const observed: string[][] = [];
  const acked: number[] = [];
  const hook = (m: CwmpMessage) => {
    if (m.kind === "GetParameterValuesResponse") {
      const values = valuesOf((m as GetParameterValuesResponse).parameterList);
      observed.push(names.map((n) => values[n]));
      // The SPV goes out in the answer to this message; the agent dies 0–12 ms later.
      const kill = killAgent;
      if (kill) setTimeout(kill, Math.floor(Math.random() * 13));
    }
    if (m.kind === "SetParameterValuesResponse") acked.push(observed.length);
    return undefined;
  };
  await withRig(async ({ stateDir, acs, start }) => {
    acs.enqueue({ kind: "AddObject", objectName: `${MS}InformParameter.`, parameterKey: "g0" });
    acs.enqueue(spv(0));
    const setup = await start();
    await acs.waitForSessions(1, 15_000);
    const added = acs.sessions[0].messages[0] as AddObjectResponse;
    assert.equal(added.instanceNumber, 1);
    await setup.kill("SIGKILL");

    for (let round = 1; round <= ROUNDS; round++) {
      acs.enqueue({ kind: "GetParameterValues", parameterNames: names }, spv(round));
      const agent: AgentProcess = await start();
      killAgent = () => void agent.kill("SIGKILL");
      await until(() => observed.length === round, `GPV of round ${round}`);
      await agent.kill("SIGKILL", 2_000);
      killAgent = undefined;
    }
    // One more start reads the final state.
    acs.enqueue({ kind: "GetParameterValues", parameterNames: names });
    const last = await start();
    await until(() => observed.length === ROUNDS + 1, "the final GPV");
    await last.waitForLine(/Waiting the next session/);

    // observed[i] is read after the SPVs of generations 0..i were sent; acked holds the
    // generations whose SetParameterValuesResponse reached the ACS.
    let floor = 0;
    for (const [i, values] of observed.entries()) {
      const gens = values.map((v) => Number(v.replace(/^g/, "")));
      assert.ok(gens.every((g) => g === gens[0]), `read ${i}: a mix of writes ${values}`);
      for (const a of acked) if (a <= i) floor = Math.max(floor, a);
      // Never older than an acknowledged SPV or an earlier read, never newer than sent.
      assert.ok(gens[0] >= floor && gens[0] <= i, `read ${i}: generation ${gens[0]}`);
      floor = gens[0];
    }
    const temps = [...Deno.readDirSync(stateDir)].filter((e) => /\.tmp-/.test(e.name));
    assert.deepEqual(temps, [], "temp files of interrupted writes are cleaned at start");
  }, { hook });

  function spv(gen: number) {
    return {
      kind: "SetParameterValues" as const,
      parameterList: [
        { name: names[0], value: `g${gen}`, type: "xsd:string" },
        { name: names[2], value: `g${gen}`, type: "xsd:string" },
      ],
      parameterKey: `g${gen}`,
    };
  }
});

Deno.test("a second agent on the same state directory refuses to start, naming the holder", async () => {
  await withRig(async ({ acs, start, stateDir }) => {
    const first = await start();
    await acs.waitForSessions(1, 15_000);
    await first.waitForLine(/Waiting the next session/);
    const second = await start();
    const status = await second.waitForExit(15_000);
    assert.equal(status.code, 1);
    const pid = first.child.pid;
    assert.ok(
      second.lines.some((l) =>
        l.includes(`State directory "${stateDir}" is in use by another cwmp-agent (pid ${pid})`)
      ),
      second.lines.join("\n"),
    );
    // The first one ran on untouched and stops cleanly.
    assert.equal(acs.sessions.length, 1);
    assert.equal((await first.kill("SIGTERM")).code, 0);
  });
});

Deno.test("the ACS cannot grow the state without bound: InformParameter and ScheduleInform get 9004", async () => {
  await withRig(async ({ acs, start, validateAll }) => {
    for (let i = 0; i < 65; i++) {
      acs.enqueue({ kind: "AddObject", objectName: `${MS}InformParameter.`, parameterKey: "" });
    }
    for (let i = 0; i < 33; i++) {
      acs.enqueue({ kind: "ScheduleInform", delaySeconds: 86400 + i, commandKey: `s${i}` });
    }
    const agent = await start();
    const [session] = await acs.waitForSessions(1, 30_000);
    const faults = session.messages.flatMap((m, i) =>
      m.kind === "Fault" ? [`${i}:${(m as Fault).faultCode}`] : []
    );
    assert.deepEqual(faults, ["64:9004", "97:9004"]);
    await agent.waitForLine(/Waiting the next session/);
    await validateAll();
  });
});

async function waitForFile(path: string): Promise<void> {
  await until(() => {
    try {
      return Deno.readTextFileSync(path) !== "";
    } catch {
      return false;
    }
  }, `"${path}" written`);
}
