/**
 * startAgent() in the test's own process, for what the agent's entry point cannot shorten
 * (a reboot wait, a state store that holds writes back).
 *
 * @module
 */

import { type Agent, type AgentOptions, startAgent } from "../../src/agent.ts";
import { readConfigFile } from "../../src/config/mod.ts";
import { createLogger } from "../../src/log/mod.ts";
import { createLinuxPlatform } from "../../src/platform/linux.ts";
import { createDenoSystemSource } from "../../src/platform/system_source.ts";
import { type FakeAcs, startFakeAcs } from "./fake_acs.ts";
import { type AgentConfigOptions, writeAgentConfig } from "./agent_process.ts";

/**
 * The agent of the config file at `path` on the real Linux platform and system, its log
 * lines pushed to `lines`; `extra` adds or replaces options.
 */
export async function startInProcessAgent(
  path: string,
  lines: string[],
  extra: Partial<AgentOptions> = {},
): Promise<Agent> {
  return await startAgent({
    config: await readConfigFile(path),
    platform: createLinuxPlatform(),
    logger: createLogger({ console: true, writeConsole: (l) => lines.push(l.trimEnd()) }),
    system: createDenoSystemSource(),
    ...extra,
  });
}

/** What {@linkcode withAgentRig} gives its body. */
export interface AgentRig {
  /** The temp dir; the state is in `state/` below it. */
  dir: string;
  /** The config file, for {@linkcode startInProcessAgent}. */
  path: string;
  acs: FakeAcs;
  /** Where the agent's log lines go; printed if `body` throws. */
  lines: string[];
}

/**
 * A temp dir with a test ACS and a config for it (INFO log, state in `dir/state`, plus
 * `options(dir)`); runs `body`, then closes the ACS and removes the dir.
 */
export async function withAgentRig(
  prefix: string,
  options: (dir: string) => Partial<AgentConfigOptions>,
  body: (rig: AgentRig) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix });
  const acs = startFakeAcs();
  const lines: string[] = [];
  try {
    const path = await writeAgentConfig(dir, {
      acsUrl: acs.url,
      stateDir: `${dir}/state`,
      severity: "INFO",
      ...options(dir),
    });
    await body({ dir, path, acs, lines });
  } catch (error) {
    console.error(lines.join("\n"));
    throw error;
  } finally {
    await acs.close();
    await Deno.remove(dir, { recursive: true });
  }
}
