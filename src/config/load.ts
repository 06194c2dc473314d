/**
 * loadConfig(): TOML text → validated, frozen AgentConfig. Pure apart from the
 * injected `readFile` and `env` (used only for `*_file` and `*_env` secrets);
 * readConfigFile() adds the file system and the process environment.
 *
 * Every problem is a ConfigError whose message names the file, line and key.
 * Unknown sections and keys are errors; icwmp option names get a hint.
 */

import { dirname, isAbsolute, join } from "./_path.ts";
import { ConfigError } from "./config_error.ts";
import {
  type AgentConfig,
  CONFIG_SCHEMA,
  cwmpVersionForAmendment,
  defaultConfig,
  ICWMP_RENAMES,
  type KeySpec,
} from "./schema.ts";
import { checkValue, describeValue } from "./_check_value.ts";
import { keyLines } from "./_key_lines.ts";
import { parseToml } from "./_toml.ts";
import {
  MAX_CONFIG_BYTES,
  MAX_SECRET_BYTES,
  readErrorReason,
  readTextFileCappedSync,
} from "./_read_capped.ts";

/** Options for loadConfig(). */
export interface LoadConfigOptions {
  /** The file name used in error messages; relative `*_file` paths resolve from its directory. */
  readonly file: string;
  /** Environment for `*_env` secrets; default: empty. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Reads a `*_file` secret; default: every read fails. */
  readonly readFile?: (path: string) => string;
}

type Mutable = Record<string, Record<string, unknown>>;

/**
 * Where a loaded config came from: its file and the line of each TOML key (found when first
 * asked for: only an error message needs them).
 */
export interface ConfigOrigin {
  readonly file: string;
  readonly lines: ReadonlyMap<string, number>;
}

const ORIGINS = new WeakMap<AgentConfig, ConfigOrigin>();

/**
 * The file and key lines `config` was loaded from, so that later checks (at start,
 * `check-config`) report `file:line: key: …` like the loader; undefined for a config
 * built in code.
 */
export function configOrigin(config: AgentConfig): ConfigOrigin | undefined {
  return ORIGINS.get(config);
}

/** The state of one load, so helpers take few arguments. */
class Loader {
  readonly #options: LoadConfigOptions;
  readonly #text: string;
  #keyLines?: Map<string, number>;
  /** `section.field` → TOML key that set a secret, to reject a second source. */
  readonly #secretKeys = new Map<string, string>();

  constructor(text: string, options: LoadConfigOptions) {
    this.#options = options;
    this.#text = text;
  }

  /** The line of each TOML key, found on the first call (an error, a later check's error). */
  get #lines(): Map<string, number> {
    return this.#keyLines ??= keyLines(this.#text);
  }

  error(key: string, detail: string): ConfigError {
    const section = key.split(".")[0];
    const line = this.#lines.get(key) ?? this.#lines.get(section);
    return new ConfigError({ file: this.#options.file, line, key, detail });
  }

  readSecret(key: string, source: "value" | "file" | "env", value: string): string {
    if (source === "value") return value;
    if (source === "env") {
      const found = this.#options.env?.[value];
      if (found === undefined) {
        throw this.error(key, `environment variable ${JSON.stringify(value)} is not set`);
      }
      return found;
    }
    const path = isAbsolute(value) ? value : join(dirname(this.#options.file), value);
    if (this.#options.readFile === undefined) {
      throw this.error(key, `cannot read ${JSON.stringify(path)}`);
    }
    try {
      return this.#options.readFile(path).replace(/\r?\n$/, "");
    } catch (err) {
      throw this.error(key, `cannot read ${JSON.stringify(path)}: ${readErrorReason(err)}`);
    }
  }

  setKey(target: Record<string, unknown>, section: string, name: string, value: unknown) {
    const key = `${section}.${name}`;
    const spec: KeySpec | undefined = CONFIG_SCHEMA[section].keys[name];
    if (spec === undefined) {
      const moved = ICWMP_RENAMES[key];
      const hint = moved === undefined ? "" : ` (icwmp's ${key} is ${moved} here)`;
      throw this.error(key, `unknown key${hint}`);
    }
    const checked = checkValue(spec.kind, value);
    if (!checked.ok) throw this.error(key, checked.detail);
    if (spec.kind.type !== "secret") {
      target[spec.field] = checked.value;
      return;
    }
    const slot = `${section}.${spec.field}`;
    const earlier = this.#secretKeys.get(slot);
    if (earlier !== undefined) {
      const names = ["", "_file", "_env"].map((s) => `"${spec.field}${s}"`);
      throw this.error(key, `give only one of ${names.join(", ")} (already set by "${earlier}")`);
    }
    this.#secretKeys.set(slot, name);
    target[spec.field] = this.readSecret(key, spec.kind.source, checked.value as string);
  }

  load(doc: Record<string, unknown>): AgentConfig {
    const config = defaultConfig() as unknown as Mutable;
    for (const [section, table] of Object.entries(doc)) {
      const spec = CONFIG_SCHEMA[section];
      const isTable = typeof table === "object" && table !== null && !Array.isArray(table) &&
        !(table instanceof Date);
      if (spec === undefined) {
        const detail = isTable
          ? "unknown section"
          : "unknown key (keys belong in a section such as [acs])";
        throw this.error(section, detail);
      }
      if (!isTable) throw this.error(section, `expected a table, got ${describeValue(table)}`);
      for (const [name, value] of Object.entries(table as Record<string, unknown>)) {
        this.setKey(config[spec.field], section, name, value);
      }
    }
    this.crossCheck(config as unknown as AgentConfig);
    config.cpe.cwmpVersion = cwmpVersionForAmendment(config.cpe.amdVersion as number);
    const frozen = deepFreeze(config as unknown as AgentConfig);
    const lines = () => this.#lines;
    ORIGINS.set(frozen, {
      file: this.#options.file,
      get lines() {
        return lines();
      },
    });
    return frozen;
  }

  crossCheck(config: AgentConfig) {
    // [lwn] needs neither hostname nor port: TR-181 sends to the ACS URL's host, port 7547.
    const { acs } = config;
    const { stun } = config;
    if (
      stun.maximumKeepAlivePeriod > 0 && stun.maximumKeepAlivePeriod < stun.minimumKeepAlivePeriod
    ) {
      throw this.error(
        "stun.maximum_keepalive_period",
        `must be -1 or at least minimum_keepalive_period (${stun.minimumKeepAlivePeriod})`,
      );
    }
    if ((acs.clientCert === "") !== (acs.clientKey === "")) {
      const [given, missing] = acs.clientCert === ""
        ? ["client_key", "client_cert"]
        : ["client_cert", "client_key"];
      throw this.error(`acs.${given}`, `needs "${missing}" as well`);
    }
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * Parses and validates a cwmp-agent TOML configuration.
 *
 * @throws {ConfigError} with a one-line `file:line: key: detail` message.
 * @example
 * ```ts
 * import { loadConfig } from "./load.ts";
 * const cfg = loadConfig('[acs]\nurl = "https://acs.example.net/"\n', { file: "cwmp.toml" });
 * console.assert(cfg.acs.url === "https://acs.example.net/");
 * ```
 */
export function loadConfig(text: string, options: LoadConfigOptions): AgentConfig {
  const doc = parseToml(text, options.file);
  return new Loader(text, options).load(doc);
}

/**
 * Reads and loads a config file; secrets come from the file system and the
 * process environment.
 *
 * @throws {ConfigError} also when the file cannot be read.
 */
export function readConfigFile(path: string): Promise<AgentConfig> {
  return Promise.try(() => readConfigFileSync(path));
}

/**
 * {@linkcode readConfigFile} with synchronous file calls: a small local file, read at
 * start before anything else runs and on a reload (no hop through the runtime's thread
 * pool; a FIFO or device is refused before it is opened).
 */
function readConfigFileSync(path: string): AgentConfig {
  let text: string;
  try {
    text = readTextFileCappedSync(path, MAX_CONFIG_BYTES);
  } catch (err) {
    const reason = readErrorReason(err);
    throw new ConfigError({ file: path, detail: `cannot read the file (${reason})` });
  }
  return loadConfig(text, {
    file: path,
    env: Deno.env.toObject(),
    readFile: (p) => readTextFileCappedSync(p, MAX_SECRET_BYTES),
  });
}
