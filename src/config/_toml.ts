/** The only importer of smol-toml: TOML text to a plain table, or ConfigError. */

import { parse, TomlError } from "smol-toml";
import { ConfigError } from "./config_error.ts";

/** Parses TOML text; syntax errors become a one-line ConfigError naming `file`. */
export function parseToml(text: string, file: string): Record<string, unknown> {
  try {
    return parse(text) as Record<string, unknown>;
  } catch (err) {
    if (!(err instanceof TomlError)) throw err;
    const first = err.message.split("\n")[0].replace(/^Invalid TOML document:\s*/, "");
    throw new ConfigError({
      file,
      line: err.line,
      detail: `invalid TOML: ${first} (column ${err.column})`,
    });
  }
}
