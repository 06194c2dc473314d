/**
 * parseArgs(): the command line → a CliCommand. The only importer of
 * commander. Commander never prints or exits here: output is captured and
 * returned (help text, one-line errors), so main.ts decides what to print.
 *
 *   cwmp-agent [--config FILE]              run the agent (same as `run`)
 *   cwmp-agent run [--config FILE]
 *   cwmp-agent check-config [--config FILE]
 *   cwmp-agent get|set|add|del|names|attrs ARG...   local data-model access
 *   cwmp-agent status|inform [EVENT]|reload|reset-state|log [N] [--json]   operating it
 *   cwmp-agent dhcp-update --interface IF [--opt43 HEX] [--opt125 HEX] [--opt17 HEX]
 *                                            a DHCP client hook hands over the lease's options
 *   cwmp-agent import-icwmp [UCI_FILE]       icwmp's /etc/config/cwmp → TOML on stdout
 *   cwmp-agent --version | --help
 */

import { Command, CommanderError } from "commander";
import { OPERATOR_OPS, type OperatorOp } from "../agent/operator_ops.ts";

/** Config file used when neither `-c` nor `--config` is given. */
export const DEFAULT_CONFIG_PATH = "/etc/cwmp-agent/cwmp.toml";

/** Local data-model operations (`cwmp-agent get Device.DeviceInfo.`). */
export const LOCAL_OPS = ["get", "set", "add", "del", "names", "attrs"] as const;

/** One local data-model operation. */
export type LocalOp = typeof LOCAL_OPS[number];

/** What the command line asks for. */
export type CliCommand =
  | { readonly kind: "run"; readonly configPath: string }
  | { readonly kind: "checkConfig"; readonly configPath: string }
  | { readonly kind: "importIcwmp"; readonly uciPath: string }
  | { readonly kind: "warmCache" }
  | { readonly kind: "version" }
  | { readonly kind: "help"; readonly text: string }
  | {
    readonly kind: "local";
    readonly op:
      | LocalOp
      | OperatorOp
      | "notify"
      | "request-download"
      | "autonomous-transfer-complete"
      | "dhcp-update";
    /** `--json` (operator commands): JSON lines instead of text for people. */
    readonly json?: boolean;
    readonly args: readonly string[];
    readonly configPath: string;
  }
  | { readonly kind: "error"; readonly message: string; readonly exitCode: 2 };

const LOCAL_HELP: Record<LocalOp, string> = {
  get: "print parameter values (paths end with '.' for a subtree)",
  set: "set parameters: PATH VALUE [PATH VALUE…]",
  add: "add an object instance: PATH.",
  del: "delete an object instance: PATH.N.",
  names: "list parameter names under a path",
  attrs: "print parameter attributes (notification, access list)",
};

const OPERATOR_HELP: Record<OperatorOp, string> = {
  status: "show the running agent's state: ACS, last and next session, retries, pending events",
  inform: 'open a session now with EVENT ("6 CONNECTION REQUEST" by default, or "2 PERIODIC")',
  reload: "re-read the configuration file and apply what can change without a restart",
  "reset-state": "forget the agent's persisted CWMP state: the next session is a 0 BOOTSTRAP",
  log: "print the agent's last log lines (50 by default, at most 200)",
};

/** Turns commander's `error: unknown option '--x'` into `Unknown option "--x"`. */
function tidyMessage(message: string): string {
  const text = message.replace(/^error:\s*/i, "").replace(/'([^']*)'/g, '"$1"').split("\n")[0];
  return text.charAt(0).toUpperCase() + text.slice(1).replace(/\.$/, "");
}

function buildProgram(output: { text: string }, done: (command: CliCommand) => void): Command {
  const program = new Command("cwmp-agent")
    .description("TR-069 (CWMP 1.0–1.4) device agent")
    .usage("[options] [command]")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => output.text += text,
      writeErr: (text) => output.text += text,
      outputError: () => {},
      getOutHelpWidth: () => 100,
      getErrHelpWidth: () => 100,
    })
    .enablePositionalOptions()
    .option("-c, --config <file>", `configuration file (default: ${DEFAULT_CONFIG_PATH})`)
    .option("-V, --version", "print the version and exit")
    .argument("[command]")
    .helpCommand(true)
    .action((command: string | undefined, options: { config?: string; version?: boolean }) => {
      if (options.version) done({ kind: "version" });
      else if (command !== undefined) {
        done({ kind: "error", message: `Unknown command "${command}"`, exitCode: 2 });
      } else done({ kind: "run", configPath: options.config ?? DEFAULT_CONFIG_PATH });
    });
  const configOf = (command: Command): string =>
    command.opts().config ?? program.opts().config ?? DEFAULT_CONFIG_PATH;

  program.command("run")
    .description("run the agent (the default)")
    .option("-c, --config <file>", "configuration file")
    .action((_options, command: Command) => {
      done({ kind: "run", configPath: configOf(command) });
    });
  program.command("check-config")
    .description("validate the configuration and print it with secrets hidden")
    .option("-c, --config <file>", "configuration file")
    .action((_options, command: Command) => {
      done({ kind: "checkConfig", configPath: configOf(command) });
    });
  program.command("warm-cache")
    .description("load the agent's modules once, so Deno's cache ($DENO_DIR) holds their analysis")
    .action(() => {
      done({ kind: "warmCache" });
    });
  program.command("import-icwmp")
    .description("convert icwmp's UCI file (default /etc/config/cwmp) to TOML on stdout")
    .argument("[uci-file]")
    .action((file: string | undefined) => {
      done({ kind: "importIcwmp", uciPath: file ?? "/etc/config/cwmp" });
    });
  for (const op of LOCAL_OPS) {
    program.command(op)
      .description(LOCAL_HELP[op])
      .argument("<arguments...>")
      .option("-c, --config <file>", "configuration file")
      .action((args: string[], _options, command: Command) => {
        done({ kind: "local", op, args, configPath: configOf(command) });
      });
  }
  program.command("request-download")
    .description("ask the ACS for a file: FILETYPE [NAME=VALUE…] (TR-069 RequestDownload)")
    .argument("<arguments...>")
    .option("-c, --config <file>", "configuration file")
    .action((args: string[], _options, command: Command) => {
      done({ kind: "local", op: "request-download", args, configPath: configOf(command) });
    });
  program.command("autonomous-transfer-complete")
    .description(
      "report a transfer the ACS did not order: download|upload FILETYPE URL " +
        "[FILESIZE [FAULTCODE [FAULTSTRING]]]",
    )
    .argument("<arguments...>")
    .option("-c, --config <file>", "configuration file")
    .action((args: string[], _options, command: Command) => {
      done({
        kind: "local",
        op: "autonomous-transfer-complete",
        args,
        configPath: configOf(command),
      });
    });
  for (const op of OPERATOR_OPS) {
    const command = program.command(op)
      .description(OPERATOR_HELP[op])
      .option("-c, --config <file>", "configuration file")
      .option("--json", "print JSON lines (for scripts) instead of text");
    if (op === "inform") command.argument("[event]");
    if (op === "log") command.argument("[lines]");
    command.action((...params: unknown[]) => {
      const self = params.at(-1) as Command;
      const args = params.slice(0, -2).filter((a): a is string => typeof a === "string");
      const json = self.opts().json === true;
      done({ kind: "local", op, args, json, configPath: configOf(self) });
    });
  }
  program.command("dhcp-update")
    .description(
      "hand the running agent a DHCP lease's TR-069 options (hex, as udhcpc prints them): " +
        "ACS URL, retry settings, gateway identity",
    )
    .requiredOption(
      "--interface <name>",
      "the interface the lease is on (netifd's name or the device)",
    )
    .option("--device <dev>", "the Linux device, when --interface is netifd's name")
    .option("--opt43 <hex>", "DHCPv4 option 43 (vendor-specific information)")
    .option("--opt125 <hex>", "DHCPv4 option 125 (V-I vendor-specific information)")
    .option("--opt17 <hex>", "DHCPv6 option 17 (vendor-specific information)")
    .option("-c, --config <file>", "configuration file")
    .action((options: Record<string, string | undefined>, command: Command) => {
      const args = (["interface", "device", "opt43", "opt125", "opt17"] as const)
        .filter((k) => (options[k] ?? "") !== "")
        .map((k) => `${k}=${options[k]}`);
      done({ kind: "local", op: "dhcp-update", args, configPath: configOf(command) });
    });
  program.command("notify")
    .description("check the parameters with notification for changes now")
    .option("-c, --config <file>", "configuration file")
    .action((_options, command: Command) => {
      done({ kind: "local", op: "notify", args: [], configPath: configOf(command) });
    });
  return program;
}

/**
 * Parses the user's arguments (without the program name). Never prints and
 * never exits; errors come back as `{ kind: "error", exitCode: 2 }` with a
 * one-line message.
 *
 * @example
 * ```ts
 * import { parseArgs } from "./args.ts";
 * const command = parseArgs(["check-config", "-c", "cwmp.toml"]);
 * console.assert(command.kind === "checkConfig" && command.configPath === "cwmp.toml");
 * ```
 */
export function parseArgs(argv: readonly string[]): CliCommand {
  const output = { text: "" };
  let result: CliCommand | undefined;
  const program = buildProgram(output, (command) => result = command);
  try {
    program.parse([...argv], { from: "user" });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    if (err.code === "commander.helpDisplayed" || err.code === "commander.help") {
      return { kind: "help", text: output.text };
    }
    return { kind: "error", message: tidyMessage(err.message), exitCode: 2 };
  }
  return result ?? { kind: "error", message: "No command given", exitCode: 2 };
}
