/**
 * Running the agent (`cwmp-agent [run] --config FILE`): load the configuration, start the
 * agent on the Linux platform, stop it on SIGTERM/SIGINT, start it afresh after
 * `reset-state`. Loaded by main.ts only for this command.
 *
 * @module
 */

import { type Agent, startAgent } from "../agent.ts";
import { resetStateDir } from "../store/mod.ts";
import { readConfigFile } from "../config/mod.ts";
import { createLogger } from "../log/mod.ts";
import { createLinuxPlatform } from "../platform/linux.ts";
import { createDenoSystemSource } from "../platform/system_source.ts";

/** Runs the agent with the configuration at `configPath`; the process's exit code. */
export async function runAgent(configPath: string, version: string): Promise<number> {
  let config;
  try {
    config = await readConfigFile(configPath);
  } catch (error) {
    console.error((error as Error).message);
    return 1;
  }
  const logger = createLogger({
    severity: config.log.severity,
    console: config.log.console,
    file: config.log.file ? { path: config.log.fileName, maxSize: config.log.maxSize } : undefined,
  });
  logger.info(`STARTING cwmp-agent ${version} with PID :${Deno.pid}`);
  let agent: Agent | undefined;
  let stopping = false;
  const stop = () => {
    stopping = true;
    void agent?.stop();
  };
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
  try {
    // Once per start; `reset-state` through the running agent comes round again.
    for (;;) {
      try {
        agent = await startAgent({
          config,
          platform: createLinuxPlatform(),
          system: createDenoSystemSource(),
          logger,
          reloadConfig: () => readConfigFile(configPath),
        });
      } catch (error) {
        logger.error((error as Error).message);
        // Printed once: the logger already writes to the console when log.console is on.
        if (!config.log.console) console.error((error as Error).message);
        return 1;
      }
      if (stopping) await agent.stop();
      const exit = await agent.done;
      if (exit.kind === "rebooted") {
        // A factory reset without a system command: end, for the supervisor to restart us.
        await agent.stop();
        return 0;
      }
      if (exit.kind === "commandFailed") {
        await agent.stop();
        return 1;
      }
      if (exit.kind === "stopped") {
        logger.info("cwmp-agent stopped");
        return 0;
      }
      // resetState: stop (a running session may end), empty the directory, start afresh.
      await agent.stop();
      if (stopping) return 0;
      try {
        const { removed } = await resetStateDir(config.agent.stateDir);
        logger.notice(`State reset: ${removed.length} entries removed; starting afresh`);
      } catch (error) {
        logger.error(`Cannot reset the state: ${(error as Error).message}`);
      }
      try {
        config = await readConfigFile(configPath);
      } catch (error) {
        logger.error(`${(error as Error).message}; starting with the configuration in use`);
      }
    }
  } finally {
    Deno.removeSignalListener("SIGTERM", stop);
    Deno.removeSignalListener("SIGINT", stop);
  }
}
