/** runCheckConfig(): `cwmp-agent check-config`, without printing. */

import { type AgentConfig, ConfigError, readConfigFile, redactConfig } from "../config/mod.ts";

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
}

/**
 * Loads `path` and reports `<path>: OK` followed by the effective
 * configuration as JSON with every secret replaced by "********", or the
 * ConfigError's one-line message. Other errors propagate.
 */
export async function runCheckConfig(
  path: string,
  options: CheckConfigOptions = {},
): Promise<CheckConfigResult> {
  const read = options.read ?? readConfigFile;
  try {
    const config = await read(path);
    return {
      ok: true,
      output: `${path}: OK\n${JSON.stringify(redactConfig(config), null, 2)}\n`,
    };
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, output: `${err.message}\n` };
    throw err;
  }
}
