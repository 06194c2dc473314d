/**
 * startAgent() in process with the Linux objects bound: start-up and the boot session
 * read nothing of the network (no /sys, no netlink, no `ip`); the first request that
 * names it does, once.
 */

import assert from "node:assert/strict";
import { startAgent } from "../../src/agent.ts";
import { sendControlRequest } from "../../src/agent/control_server.ts";
import { readConfigFile } from "../../src/config/mod.ts";
import { createLogger } from "../../src/log/mod.ts";
import { createLinuxPlatform } from "../../src/platform/linux.ts";
import { createDenoSystemSource, type SystemSource } from "../../src/platform/system_source.ts";
import { writeAgentConfig } from "../_helpers/agent_process.ts";
import { startFakeAcs } from "../_helpers/fake_acs.ts";
import { until } from "../_helpers/until.ts";

Deno.test({
  name: "startAgent() reads the network only when a request first asks for it",
  // The agent's servers and timers are stopped by agent.stop(); the UDP Worker's ops are not ours.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const real = createDenoSystemSource();
    const seen: string[] = [];
    const system: SystemSource = {
      ...real,
      readText(path) {
        seen.push(path);
        return real.readText(path);
      },
      listDir(path) {
        seen.push(`listDir ${path}`);
        return real.listDir(path);
      },
      run(argv, timeoutMs, signal) {
        seen.push(`run ${argv.join(" ")}`);
        return real.run(argv, timeoutMs, signal);
      },
      netlinkDump(type) {
        seen.push(`netlink ${type}`);
        return real.netlinkDump!(type);
      },
    };
    const network = () =>
      seen.filter((s) => /\/sys\/|netlink|^run ip|\/proc\/net\/|disable_ipv6/.test(s));
    const dir = await Deno.makeTempDir({ prefix: "cwmp-lazy-linux-" });
    const acs = startFakeAcs();
    try {
      const path = await writeAgentConfig(dir, {
        acsUrl: acs.url,
        stateDir: `${dir}/state`,
        severity: "WARNING",
      });
      const agent = await startAgent({
        config: await readConfigFile(path),
        platform: createLinuxPlatform(),
        logger: createLogger({ console: false }),
        system,
      });
      try {
        await until(() => acs.sessions[0]?.ended === true, "the boot session");
        assert.deepEqual(network(), []);
        const reply = await sendControlRequest(`${dir}/state/control.sock`, {
          op: "get",
          args: ["Device.IP.Interface."],
        });
        assert.ok(reply?.ok);
        assert.ok(reply.lines.some((l) => l.includes('"value":"lo"')));
        assert.ok(network().length > 0);
        assert.deepEqual(network().filter((s) => s.startsWith("run ")), []);
      } finally {
        await agent.stop();
      }
    } finally {
      await acs.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
