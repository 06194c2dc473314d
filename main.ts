/**
 * cwmp-agent composition root: parse the command line, load the configuration,
 * pick the platform and run the agent.
 *
 *   cwmp-agent --config cwmp.toml          run the agent
 *   cwmp-agent check-config --config FILE  validate a configuration file
 *   cwmp-agent --version | --help
 *
 * @module
 */

import { type Agent, startAgent } from "./src/agent.ts";
import { checkOperatorArgs, isOperatorOp, type OperatorOp } from "./src/agent/operator_ops.ts";
import { operatorText } from "./src/cli/operator_text.ts";
import { resetStateDir } from "./src/store/mod.ts";
import { sendControlRequest } from "./src/agent/control_server.ts";
import { type LocalOp, localRequest } from "./src/agent/local_request.ts";
import { requestDownloadOf } from "./src/agent/request_download.ts";
import { autonomousTransferOf } from "./src/agent/autonomous_transfer.ts";
import { dhcpLeaseOf } from "./src/agent/dhcp.ts";
import { parseArgs, runCheckConfig } from "./src/cli/mod.ts";
import { importIcwmp } from "./src/cli/icwmp_import.ts";
import { readConfigFile } from "./src/config/mod.ts";
import { createLogger } from "./src/log/mod.ts";
import { createLinuxPlatform } from "./src/platform/linux.ts";
import { createDenoSystemSource } from "./src/platform/system_source.ts";

/** The agent's version, as `--version` prints it. */
export const VERSION = "0.1.0";

async function run(configPath: string): Promise<number> {
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
  logger.info(`STARTING cwmp-agent ${VERSION} with PID :${Deno.pid}`);
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

/** `cwmp-agent get|set|…`: asks the running agent over its control socket. */
async function local(
  configPath: string,
  op:
    | LocalOp
    | OperatorOp
    | "notify"
    | "request-download"
    | "autonomous-transfer-complete"
    | "dhcp-update",
  args: string[],
  json = false,
): Promise<number> {
  try {
    // Usage errors show here, before any I/O.
    if (isOperatorOp(op)) checkOperatorArgs(op, args);
    else if (op === "request-download") requestDownloadOf(args);
    else if (op === "autonomous-transfer-complete") autonomousTransferOf(args, Date.now());
    else if (op === "dhcp-update") dhcpLeaseOf(args);
    else if (op !== "notify") localRequest(op, args);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  let config;
  try {
    config = await readConfigFile(configPath);
  } catch (error) {
    console.error((error as Error).message);
    return 1;
  }
  const socket = `${config.agent.stateDir}/control.sock`;
  const reply = await sendControlRequest(socket, { op, args });
  if (reply === undefined && op === "reset-state") {
    // No agent answers: reset the directory here, under its lock.
    try {
      const { removed } = await resetStateDir(config.agent.stateDir);
      const text =
        `State reset: ${removed.length} entries removed; the next start is a 0 BOOTSTRAP`;
      console.log(json ? JSON.stringify({ status: 0, restarting: false }) : text);
      return 0;
    } catch (error) {
      console.error((error as Error).message);
      return 1;
    }
  }
  if (reply === undefined) {
    console.error(`cwmp-agent is not running (no control socket at "${socket}")`);
    return 1;
  }
  if (isOperatorOp(op) && !json) {
    // Text for people; an error goes to stderr.
    for (const line of operatorText(op, reply.lines)) {
      (reply.ok ? console.log : console.error)(line);
    }
  } else {
    for (const line of reply.lines) console.log(line);
  }
  return reply.ok ? 0 : 1;
}

/** `cwmp-agent import-icwmp FILE`: TOML on stdout, warnings on stderr. */
async function importIcwmpFile(path: string): Promise<number> {
  try {
    const result = importIcwmp(await Deno.readTextFile(path), { file: path });
    for (const warning of result.warnings) console.error(`warning: ${warning}`);
    await Deno.stdout.write(new TextEncoder().encode(result.toml));
    return 0;
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound
      ? "no such file"
      : (error as Error).message;
    console.error(error instanceof SyntaxError ? reason : `Cannot read "${path}": ${reason}`);
    return 1;
  }
}

async function main(argv: string[]): Promise<number> {
  const command = parseArgs(argv);
  switch (command.kind) {
    case "version":
      console.log(`cwmp-agent ${VERSION}`);
      return 0;
    case "help":
      console.log(command.text);
      return 0;
    case "error":
      console.error(command.message);
      return command.exitCode;
    case "checkConfig": {
      const result = await runCheckConfig(command.configPath);
      (result.ok ? console.log : console.error)(result.output);
      return result.ok ? 0 : 1;
    }
    case "importIcwmp":
      return await importIcwmpFile(command.uciPath);
    case "local":
      return await local(command.configPath, command.op, [...command.args], command.json);
    case "run":
      return await run(command.configPath);
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
