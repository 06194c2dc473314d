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
