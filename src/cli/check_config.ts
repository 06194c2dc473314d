/** runCheckConfig(): `cwmp-agent check-config`, without printing. */

import {
  type AgentConfig,
  checkStartConfig,
  ConfigError,
  readConfigFile,
  redactConfig,
  tomlNamed,
} from "../config/mod.ts";
import { type DataModelRoot, loadDeviceSchema } from "../datamodel/device_model.ts";
import { SchemaFileError } from "../datamodel/schema_gen/decode.ts";

/** The outcome of check-config: exit 0 when ok, else 1. */
export interface CheckConfigResult {
  readonly ok: boolean;
  /** Text to print: `<file>: OK` and the redacted config, or the one-line error. */
  readonly output: string;
}

/** Options for runCheckConfig(). */
export interface CheckConfigOptions {
  /** Loads the file; default readConfigFile(). */
  readonly read?: (path: string) => Promise<AgentConfig>;
  /** What the agent checks at start; default checkStartConfig(). */
  readonly check?: (config: AgentConfig) => Promise<void>;
  /** Reads the data model's schema as the agent does at start; default loadDeviceSchema(). */
  readonly loadSchema?: (root: DataModelRoot) => Promise<unknown>;
}

/**
 * Loads `path`, runs the agent's start-up checks on it and reads the data model's schema file
 * (a missing or damaged one stops the agent at start), and reports `<path>: OK`
 * followed by the effective configuration as JSON under its TOML section and key names,
 * every secret replaced by "********"; or the ConfigError's or SchemaFileError's one-line
 * message, the same line the agent would stop with. Other errors propagate.
 */
export async function runCheckConfig(
  path: string,
  options: CheckConfigOptions = {},
): Promise<CheckConfigResult> {
  const read = options.read ?? readConfigFile;
  const check = options.check ?? checkStartConfig;
  const loadSchema = options.loadSchema ?? loadDeviceSchema;
  try {
    const config = await read(path);
    await check(config);
    await loadSchema(config.cpe.datamodel);
    return {
      ok: true,
      output: `${path}: OK\n${JSON.stringify(tomlNamed(redactConfig(config)), null, 2)}\n`,
    };
  } catch (err) {
    if (err instanceof ConfigError || err instanceof SchemaFileError) {
      return { ok: false, output: `${err.message}\n` };
    }
    throw err;
  }
}
