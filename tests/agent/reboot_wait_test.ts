/**
 * startAgent() in process, for what the entry point cannot shorten: a reboot command that
 * exits 0 while the system stays up. After `rebootWaitMs` the agent says the device did
 * not reboot and carries on, without `M Reboot`.
 */

import assert from "node:assert/strict";
import { sendControlRequest } from "../../src/agent/control_server.ts";
import { startInProcessAgent, withAgentRig } from "../_helpers/in_process_agent.ts";
import { until } from "../_helpers/until.ts";

Deno.test({
  name: "startAgent() carries on when the system is still up rebootWaitMs after the reboot command",
  // The agent's servers and timers are stopped by agent.stop(); the UDP Worker's ops are not ours.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const options = () => ({ rebootCommand: ["true"] });
    await withAgentRig("cwmp-reboot-wait-", options, async ({ dir, path, acs, lines }) => {
      acs.enqueue({ kind: "Reboot", commandKey: "rb-up" });
      const agent = await startInProcessAgent(path, lines, { rebootWaitMs: 300 });
      try {
        await until(() => lines.some((l) => /waiting for the system to go down/.test(l)), "reboot");
        await until(
          () => lines.some((l) => /The system is still up 0 s after the reboot command/.test(l)),
          "the reboot wait",
        );
        // Carries on: idle again, answering on its control socket.
        const reply = await sendControlRequest(`${dir}/state/control.sock`, {
          op: "status",
          args: [],
        });
        assert.equal(JSON.parse(reply!.lines[0]).state, "idle");
      } finally {
        await agent.stop();
      }
      // The next start (same boot) claims no M Reboot and does not reboot again.
      const again = await startInProcessAgent(path, lines);
      try {
        await until(() => acs.sessions[1]?.ended === true, "the session after the restart");
        const inform = acs.sessions[1].inform.message as { event: { eventCode: string }[] };
        assert.deepEqual(inform.event.map((e) => e.eventCode), ["1 BOOT"]);
      } finally {
        await again.stop();
      }
      assert.equal(lines.filter((l) => /Rebooting the device/.test(l)).length, 1);
    });
  },
});
