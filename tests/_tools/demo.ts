/**
 * `deno task demo`: starts the test ACS and the agent on loopback and shows one
 * full session (BOOT Inform, GetParameterValues, SetParameterValues, 204) as the
 * agent's log lines, then what the ACS saw. With `--acs`, only the test ACS, on
 * 127.0.0.1:7557, for `deno task start --config config/cwmp.dev.toml`.
 *
 * @module
 */

import { startFakeAcs } from "../_helpers/fake_acs.ts";
import { spawnAgent, writeAgentConfig } from "../_helpers/agent_process.ts";

// `deno task demo --acs`: only the test ACS, on 127.0.0.1:7557 (what config/cwmp.dev.toml
// points at), answering every session until Ctrl-C; each session is printed as it ends.
if (Deno.args.includes("--acs")) {
  const acs = startFakeAcs({ port: 7557 });
  console.log(`Test ACS on ${acs.url} (Ctrl-C ends it)`);
  for (let seen = 0;; seen++) {
    const sessions = await acs.waitForSessions(seen + 1, 2 ** 31 - 1);
    const inform = sessions[seen].inform.message;
    const events = inform.kind === "Inform" ? inform.event.map((e) => e.eventCode) : [];
    console.log(`session ${seen + 1}: Inform with ${events.map((e) => `"${e}"`).join(", ")}`);
  }
}

const dir = await Deno.makeTempDir({ prefix: "cwmp-demo-" });
const acs = startFakeAcs();
acs.enqueue(
  {
    kind: "GetParameterValues",
    parameterNames: [
      "Device.DeviceInfo.Manufacturer",
      "Device.DeviceInfo.SerialNumber",
      "Device.DeviceInfo.SoftwareVersion",
      "Device.DeviceInfo.UpTime",
      "Device.DeviceInfo.MemoryStatus.",
      "Device.ManagementServer.PeriodicInformInterval",
    ],
  },
  {
    kind: "SetParameterValues",
    parameterList: [{
      name: "Device.ManagementServer.PeriodicInformInterval",
      value: "3600",
      type: "xsd:unsignedInt",
    }],
    parameterKey: "demo-1",
  },
);
const config = await writeAgentConfig(dir, {
  acsUrl: acs.url,
  stateDir: `${dir}/state`,
  severity: "INFO",
});
console.log(`Test ACS on ${acs.url}; agent state in ${dir}/state\n`);
const agent = spawnAgent(config);
let code = 0;
try {
  await acs.waitForSessions(1, 15_000);
  await agent.waitForLine(/Waiting the next session/);
  for (const line of agent.lines) console.log(line);
  const session = acs.sessions[0];
  const inform = session.inform.message;
  if (inform.kind === "Inform") {
    console.log(`\nACS: Inform events ${inform.event.map((e) => `"${e.eventCode}"`).join(", ")}`);
  }
  for (const message of session.messages) {
    if (message.kind === "GetParameterValuesResponse") {
      console.log(`ACS: GetParameterValuesResponse with ${message.parameterList.length} values:`);
      for (const p of message.parameterList) console.log(`  ${p.name} = ${p.value} (${p.type})`);
    } else if (message.kind === "SetParameterValuesResponse") {
      console.log(`ACS: SetParameterValuesResponse Status ${message.status}`);
    } else {
      console.log(`ACS: ${message.kind}`);
    }
  }
  console.log("ACS: 204 No Content, session ended");
} catch (error) {
  console.error((error as Error).message);
  for (const line of agent.lines) console.error(line);
  code = 1;
} finally {
  await agent.kill();
  await acs.close();
  await Deno.remove(dir, { recursive: true });
}
Deno.exit(code);
