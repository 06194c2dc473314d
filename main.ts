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

import { startAgent } from "./src/agent.ts";
import { sendControlRequest } from "./src/agent/control_server.ts";
import { type LocalOp, localRequest } from "./src/agent/local_request.ts";
import { requestDownloadOf } from "./src/agent/request_download.ts";
import { autonomousTransferOf } from "./src/agent/autonomous_transfer.ts";
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
  let agent;
  try {
    agent = await startAgent({
      config,
      platform: createLinuxPlatform(),
      system: createDenoSystemSource(),
      logger,
    });
  } catch (error) {
    logger.error((error as Error).message);
    console.error((error as Error).message);
    return 1;
  }
  const stop = () => void agent.stop();
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
  const exit = await agent.done;
  Deno.removeSignalListener("SIGTERM", stop);
  Deno.removeSignalListener("SIGINT", stop);
  if (exit.kind === "rebooted") {
    // The system is going down; a real reboot ends this process. Stay until it does.
    await agent.stop();
    return 0;
  }
  if (exit.kind === "commandFailed") {
    await agent.stop();
    return 1;
  }
  logger.info("cwmp-agent stopped");
  return 0;
}

/** `cwmp-agent get|set|…`: asks the running agent over its control socket. */
async function local(
  configPath: string,
  op: LocalOp | "notify" | "request-download" | "autonomous-transfer-complete",
  args: string[],
): Promise<number> {
  try {
    // Usage errors show here, before any I/O.
    if (op === "request-download") requestDownloadOf(args);
    else if (op === "autonomous-transfer-complete") autonomousTransferOf(args, Date.now());
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
  if (reply === undefined) {
    console.error(`cwmp-agent is not running (no control socket at "${socket}")`);
    return 1;
  }
  for (const line of reply.lines) console.log(line);
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
      return await local(command.configPath, command.op, [...command.args]);
    case "run":
      return await run(command.configPath);
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
