/**
 * The command line: parseArgs() and the check-config command.
 *
 * @example
 * ```ts
 * import { parseArgs } from "./mod.ts";
 * console.assert(parseArgs(["--version"]).kind === "version");
 * ```
 *
 * @module
 */

export {
  type CliCommand,
  DEFAULT_CONFIG_PATH,
  LOCAL_OPS,
  type LocalOp,
  parseArgs,
} from "./args.ts";
export { type CheckConfigOptions, type CheckConfigResult, runCheckConfig } from "./check_config.ts";
