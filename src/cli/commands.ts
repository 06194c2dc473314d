/**
 * The full command line (commander) and the local commands: `check-config`,
 * `import-icwmp`, and the commands that ask the running agent over its control socket
 * (`get`, `set`, `status`, `reload`…). Loaded by main.ts only when one of them runs.
 *
 * @module
 */

import { checkOperatorArgs, isOperatorOp, type OperatorOp } from "../agent/operator_ops.ts";
import { operatorText } from "./operator_text.ts";
import { resetStateDir } from "../store/mod.ts";
import { sendControlRequest } from "../agent/control_server.ts";
import { type LocalOp, localRequest } from "../agent/local_request.ts";
import { requestDownloadOf } from "../agent/request_download.ts";
import { autonomousTransferOf } from "../agent/autonomous_transfer.ts";
import { dhcpLeaseOf } from "../agent/dhcp.ts";
import { parseArgs } from "./args.ts";
import { runCheckConfig } from "./check_config.ts";
import { importIcwmp } from "./icwmp_import.ts";
import { readConfigFile } from "../config/mod.ts";
import { runAgent } from "./run_agent.ts";

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

/**
 * Every command line main.ts does not answer itself (see `quick_args.ts`): parsed with
 * commander, then run; the process's exit code.
 */
export async function cliMain(argv: string[], version: string): Promise<number> {
  const command = parseArgs(argv);
  switch (command.kind) {
    case "version":
      console.log(`cwmp-agent ${version}`);
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
    case "warmCache":
      // Loading is the whole job: Deno analyses each module it loads into $DENO_DIR, which
      // the release launcher copies to a start with an empty cache (its tmpfs at boot).
      await import("./run_agent.ts");
      return 0;
    case "local":
      return await local(command.configPath, command.op, [...command.args], command.json);
    case "run":
      return await runAgent(command.configPath, version);
  }
}
