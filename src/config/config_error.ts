/** ConfigError: a bad configuration file, reported on one line. */

/** Where a ConfigError points and what it says. */
export interface ConfigErrorOptions {
  /** The config file as the user named it. */
  readonly file: string;
  /** 1-based line, when known. */
  readonly line?: number;
  /** Dotted TOML key, e.g. `acs.url`, when the problem is one key. */
  readonly key?: string;
  /** What is wrong, e.g. `expected an integer ≥ 1, got "abc"`. */
  readonly detail: string;
}

/**
 * A configuration problem. The message is one line:
 * `cwmp.toml:12: acs.periodic_inform_interval: expected an integer ≥ 1, got "abc"`.
 *
 * @example
 * ```ts
 * import { ConfigError } from "./config_error.ts";
 * const err = new ConfigError({ file: "cwmp.toml", line: 3, key: "acs.url", detail: "expected a string, got 5" });
 * console.assert(err.message === "cwmp.toml:3: acs.url: expected a string, got 5");
 * ```
 */
export class ConfigError extends Error {
  /** The config file as the user named it. */
  readonly file: string;
  /** 1-based line, when known. */
  readonly line: number | undefined;
  /** Dotted TOML key, when the problem is one key. */
  readonly key: string | undefined;

  /** Builds the one-line message from its parts. */
  constructor(options: ConfigErrorOptions) {
    const where = options.line === undefined ? options.file : `${options.file}:${options.line}`;
    const key = options.key === undefined ? "" : `${options.key}: `;
    super(`${where}: ${key}${options.detail}`.replace(/[\r\n]+/g, " "));
    this.name = "ConfigError";
    this.file = options.file;
    this.line = options.line;
    this.key = options.key;
  }
}
