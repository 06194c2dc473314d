/**
 * loadMapping(): the text of a script mapping file → a validated ScriptMapping for
 * `createScriptBindings()` (src/datamodel/providers/script/). readMappingFile() adds
 * the file system. The format is documented at the top of
 * `config/openwrt-mapping.toml`; in short:
 *
 * ```toml
 * timeout_ms = 5000              # default of every command (1 … 600000)
 * max_output_bytes = 1048576     # default stdout cap of every command
 * [env]                          # extra environment of every command (CWMP_* reserved)
 * UCI_CONFIG_DIR = "/etc/config"
 *
 * [[object]]
 * path = "Device.WiFi.SSID.{i}."                  # a schema object
 * parameters = ["SSID", "Enable"]                 # its parameters that the commands answer
 * instances = ["/usr/libexec/cwmp/wifi", "list"]  # required for a {i}. table
 * get = ["/usr/libexec/cwmp/wifi", "get"]         # required when parameters are mapped
 * set = { argv = ["/usr/libexec/cwmp/wifi", "set"], timeout_ms = 20000 }
 * add = ["/usr/libexec/cwmp/wifi", "add"]         # AddObject; schema must allow it
 * delete = ["/usr/libexec/cwmp/wifi", "delete"]   # DeleteObject; schema must allow it
 * timeout_ms = 10000                              # default of this object's commands
 * ```
 *
 * Every problem is one ConfigError line naming file, line and key, e.g.
 * `map.toml:7: object[2].parameters: "Foo" is not a parameter of "Device.Time."`
 * (`object[n]` counts the `[[object]]` tables from 1). Checked against the schema:
 * the object and parameters exist, `…NumberOfEntries` counters are not mapped (the tree
 * derives them), every table (and every table around one) has an instances command in
 * one of its `[[object]]`s, add/delete only next to it and where the schema allows
 * AddObject/DeleteObject, set only where some mapped parameter is writable, no
 * parameter or table listing is mapped twice.
 *
 * @module
 */

import {
  DEFAULT_SCRIPT_MAX_OUTPUT_BYTES,
  DEFAULT_SCRIPT_TIMEOUT_MS,
  type ObjectMapping,
  type ScriptCommand,
  type ScriptMapping,
} from "../datamodel/providers/script/mapping.ts";
import type { Schema } from "../datamodel/schema.ts";
import { TR181_MODEL, tr181Schema } from "../datamodel/generated/tr181.ts";
import { describeValue } from "./_check_value.ts";
import { ConfigError } from "./config_error.ts";
import { keyLines } from "./_key_lines.ts";
import { parseToml } from "./_toml.ts";
import { MAX_CONFIG_BYTES, readErrorReason, readTextFileCapped } from "./_read_capped.ts";

/** Options of {@linkcode loadMapping}. */
export interface LoadMappingOptions {
  /** The file name used in error messages. */
  readonly file: string;
  /** Schema the paths are checked against; default the generated TR-181 (Device:2.17). */
  readonly schema?: Schema;
  /** Model name for messages; default `Device:2.17` (or "the" with a custom schema). */
  readonly schemaName?: string;
}

/** Longest `timeout_ms`: ten minutes. */
export const MAX_SCRIPT_TIMEOUT_MS = 600_000;

const TOP_KEYS = new Set(["timeout_ms", "max_output_bytes", "env", "object"]);
const OBJECT_KEYS = new Set([
  "path",
  "parameters",
  "get",
  "set",
  "instances",
  "add",
  "delete",
  "timeout_ms",
  "max_output_bytes",
]);
const COMMAND_KEYS = new Set(["argv", "timeout_ms", "max_output_bytes"]);
const COMMANDS = ["get", "set", "instances", "add", "delete"] as const;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Parses and validates a mapping file.
 *
 * @example
 * ```ts
 * import { loadMapping } from "./mapping.ts";
 * const mapping = loadMapping(
 *   '[[object]]\npath = "Device.Time."\nparameters = ["NTPServer1"]\nget = ["/bin/ntp-get"]\n',
 *   { file: "map.toml" },
 * );
 * console.assert(mapping.objects[0].get?.timeoutMs === 5000);
 * ```
 * @throws {ConfigError} naming file, line and key of the first problem.
 */
export function loadMapping(text: string, options: LoadMappingOptions): ScriptMapping {
  return new MappingLoader(text, options).load();
}

/**
 * Reads and validates the mapping file at `path`.
 *
 * @throws {ConfigError} when the file cannot be read or is invalid.
 */
export async function readMappingFile(
  path: string,
  options: Omit<LoadMappingOptions, "file"> = {},
): Promise<ScriptMapping> {
  let text: string;
  try {
    text = await readTextFileCapped(path, MAX_CONFIG_BYTES);
  } catch (err) {
    const reason = readErrorReason(err);
    throw new ConfigError({ file: path, detail: `cannot read the file (${reason})` });
  }
  return loadMapping(text, { ...options, file: path });
}

interface Defaults {
  readonly timeoutMs: number;
  readonly maxOutputBytes: number;
}

class MappingLoader {
  readonly #text: string;
  readonly #file: string;
  readonly #schema: Schema;
  readonly #model: string;
  readonly #lines: Map<string, number>;
  readonly #objectLines: Map<string, number>[];

  constructor(text: string, options: LoadMappingOptions) {
    this.#text = text;
    this.#file = options.file;
    this.#schema = options.schema ?? tr181Schema();
    this.#model = options.schemaName ?? (options.schema === undefined ? TR181_MODEL : "the");
    this.#lines = keyLines(text);
    this.#objectLines = objectSectionLines(text);
  }

  load(): ScriptMapping {
    const table = parseToml(this.#text, this.#file);
    for (const key of Object.keys(table)) {
      if (!TOP_KEYS.has(key)) throw this.#error(key, "unknown key");
    }
    const defaults: Defaults = {
      timeoutMs: this.#timeout(table.timeout_ms, "timeout_ms", DEFAULT_SCRIPT_TIMEOUT_MS),
      maxOutputBytes: this.#maxOutput(
        table.max_output_bytes,
        "max_output_bytes",
        DEFAULT_SCRIPT_MAX_OUTPUT_BYTES,
      ),
    };
    const env = this.#env(table.env);
    const raw = table.object ?? [];
    if (!Array.isArray(raw)) {
      throw this.#error("object", `expected [[object]] tables, got ${describeValue(raw)}`);
    }
    const objects = raw.map((item, i) => this.#object(item, i, defaults));
    this.#crossCheck(objects);
    return Object.freeze({ file: this.#file, env, objects: Object.freeze(objects) });
  }

  #env(value: unknown): Record<string, string> {
    if (value === undefined) return {};
    if (!isTable(value)) throw this.#error("env", `expected a table, got ${describeValue(value)}`);
    const env: Record<string, string> = {};
    for (const [name, text] of Object.entries(value)) {
      const key = `env.${name}`;
      if (!ENV_NAME.test(name)) throw this.#error(key, "not a valid environment variable name");
      if (name.startsWith("CWMP_")) throw this.#error(key, "CWMP_* variables are set by the agent");
      if (typeof text !== "string") {
        throw this.#error(key, `expected a string, got ${describeValue(text)}`);
      }
      env[name] = text;
    }
    return Object.freeze(env);
  }

  #object(item: unknown, index: number, outer: Defaults): ObjectMapping {
    const at = (key: string) => ({ index, key });
    const name = `object[${index + 1}]`;
    if (!isTable(item)) throw this.#error(name, `expected a table, got ${describeValue(item)}`);
    for (const key of Object.keys(item)) {
      if (!OBJECT_KEYS.has(key)) throw this.#errorIn(at(key), "unknown key");
    }
    const path = item.path;
    if (typeof path !== "string") {
      const got = path === undefined ? "nothing" : describeValue(path);
      throw this.#errorIn(at("path"), `expected an object path such as "Device.Time.", got ${got}`);
    }
    const object = this.#schema.object(path);
    if (object === undefined) {
      throw this.#errorIn(at("path"), `no object "${path}" in ${this.#model} schema`);
    }
    const defaults: Defaults = {
      timeoutMs: this.#timeout(item.timeout_ms, at("timeout_ms"), outer.timeoutMs),
      maxOutputBytes: this.#maxOutput(
        item.max_output_bytes,
        at("max_output_bytes"),
        outer.maxOutputBytes,
      ),
    };
    const parameters = this.#parameters(item.parameters, path, at("parameters"));
    const commands: Partial<Record<(typeof COMMANDS)[number], ScriptCommand>> = {};
    for (const command of COMMANDS) {
      if (item[command] !== undefined) {
        commands[command] = this.#command(item[command], at(command), defaults);
      }
    }
    const isTableRow = path.endsWith("{i}.");
    if (parameters.length > 0 && commands.get === undefined) {
      throw this.#errorIn(at("get"), "required when parameters are mapped");
    }
    if (commands.get !== undefined && parameters.length === 0) {
      throw this.#errorIn(at("parameters"), "the get command needs parameters to answer");
    }
    if (commands.set !== undefined) {
      const writable = parameters.some((p) =>
        this.#schema.parameter(path + p)?.access === "readWrite"
      );
      if (!writable) {
        throw this.#errorIn(
          at("set"),
          `none of the parameters is writable in ${this.#model} schema`,
        );
      }
    }
    for (const command of ["instances", "add", "delete"] as const) {
      if (commands[command] === undefined) continue;
      if (!isTableRow) throw this.#errorIn(at(command), `"${path}" is not a table`);
      if (commands.instances === undefined) {
        throw this.#errorIn(at(command), "needs the instances command in the same [[object]]");
      }
      if (command !== "instances" && object.access !== "readWrite") {
        const rpc = command === "add" ? "AddObject" : "DeleteObject";
        throw this.#errorIn(
          at(command),
          `${this.#model} schema does not allow ${rpc} on "${path}"`,
        );
      }
    }
    return Object.freeze({ path, parameters, ...commands });
  }

  #parameters(value: unknown, path: string, at: { index: number; key: string }): string[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      throw this.#errorIn(at, `expected an array of parameter names, got ${describeValue(value)}`);
    }
    const seen = new Set<string>();
    for (const name of value) {
      if (typeof name !== "string") {
        throw this.#errorIn(at, `expected parameter names, got ${describeValue(name)}`);
      }
      if (seen.has(name)) throw this.#errorIn(at, `"${name}" is listed twice`);
      seen.add(name);
      const full = path + name;
      if (name.includes(".") || this.#schema.parameter(full) === undefined) {
        throw this.#errorIn(
          at,
          `"${name}" is not a parameter of "${path}" in ${this.#model} schema`,
        );
      }
      if (this.#schema.isCounter(full)) {
        throw this.#errorIn(at, `"${name}" counts the rows of a table; the agent derives it`);
      }
    }
    return Object.freeze([...seen]) as string[];
  }

  #command(value: unknown, at: { index: number; key: string }, defaults: Defaults): ScriptCommand {
    const expected = "an argv array of strings or a table with argv";
    let argv: unknown = value;
    let timeoutMs = defaults.timeoutMs;
    let maxOutputBytes = defaults.maxOutputBytes;
    if (isTable(value)) {
      for (const key of Object.keys(value)) {
        if (!COMMAND_KEYS.has(key)) {
          throw this.#errorIn({ ...at, key: `${at.key}.${key}` }, "unknown key");
        }
      }
      argv = value.argv;
      timeoutMs = this.#timeout(
        value.timeout_ms,
        { ...at, key: `${at.key}.timeout_ms` },
        timeoutMs,
      );
      maxOutputBytes = this.#maxOutput(
        value.max_output_bytes,
        { ...at, key: `${at.key}.max_output_bytes` },
        maxOutputBytes,
      );
    }
    if (!Array.isArray(argv) || argv.length === 0 || argv.some((a) => typeof a !== "string")) {
      throw this.#errorIn(at, `expected ${expected}, got ${describeValue(argv)}`);
    }
    if (argv[0] === "") throw this.#errorIn(at, "the program name is empty");
    return Object.freeze({ argv: Object.freeze([...argv]), timeoutMs, maxOutputBytes });
  }

  #timeout(value: unknown, at: string | { index: number; key: string }, fallback: number): number {
    if (value === undefined) return fallback;
    if (isInteger(value) && value >= 1 && value <= MAX_SCRIPT_TIMEOUT_MS) return value;
    const detail = `expected an integer from 1 to ${MAX_SCRIPT_TIMEOUT_MS}, got ${
      describeValue(value)
    }`;
    throw typeof at === "string" ? this.#error(at, detail) : this.#errorIn(at, detail);
  }

  #maxOutput(
    value: unknown,
    at: string | { index: number; key: string },
    fallback: number,
  ): number {
    if (value === undefined) return fallback;
    if (isInteger(value) && value >= 1) return value;
    const detail = `expected an integer ≥ 1, got ${describeValue(value)}`;
    throw typeof at === "string" ? this.#error(at, detail) : this.#errorIn(at, detail);
  }

  /** Rules across objects: nothing mapped twice, enclosing tables listed. */
  #crossCheck(objects: readonly ObjectMapping[]): void {
    const owner = new Map<string, number>();
    const lister = new Map<string, number>();
    objects.forEach((object, index) => {
      for (const name of object.parameters) {
        const full = object.path + name;
        const first = owner.get(full);
        if (first !== undefined) {
          throw this.#errorIn(
            { index, key: "parameters" },
            `"${name}" is already mapped by object[${first + 1}]`,
          );
        }
        owner.set(full, index);
      }
      if (object.instances !== undefined) {
        const first = lister.get(object.path);
        if (first !== undefined) {
          throw this.#errorIn(
            { index, key: "instances" },
            `object[${first + 1}] already lists the rows of "${object.path}"`,
          );
        }
        lister.set(object.path, index);
      }
    });
    objects.forEach((object, index) => {
      const segments = object.path.split(".");
      for (let i = 1; i < segments.length - 1; i++) {
        if (segments[i] !== "{i}") continue;
        const table = `${segments.slice(0, i + 1).join(".")}.`;
        if (lister.has(table)) continue;
        if (table === object.path) {
          throw this.#errorIn({ index, key: "instances" }, `required for the table "${table}"`);
        }
        throw this.#errorIn(
          { index, key: "path" },
          `no [[object]] lists the rows of the enclosing table "${table}"`,
        );
      }
    });
  }

  #error(key: string, detail: string): ConfigError {
    const line = this.#lines.get(key) ?? this.#lines.get(key.split(".")[0]);
    return new ConfigError({ file: this.#file, line, key, detail });
  }

  #errorIn(at: { index: number; key?: string }, detail: string): ConfigError {
    const lines = this.#objectLines[at.index];
    const dotted = at.key === undefined ? "object" : `object.${at.key}`;
    const line = lines?.get(dotted) ?? lines?.get(`object.${at.key?.split(".")[0]}`) ??
      lines?.get("object");
    const key = `object[${at.index + 1}]${at.key === undefined ? "" : `.${at.key}`}`;
    return new ConfigError({ file: this.#file, line, key, detail });
  }
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    !(value instanceof Date);
}

function isInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value);
}

/**
 * Key lines of each `[[object]]` table: keyLines() over the lines from its header to
 * the next table header, shifted to file lines.
 */
function objectSectionLines(text: string): Map<string, number>[] {
  const lines = text.split(/\r?\n/);
  const headers: { line: number; object: boolean }[] = [];
  let open = "";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (open === "" && /^\s*\[/.test(line)) {
      headers.push({ line: i, object: /^\s*\[\[\s*object\s*\]\]/.test(line) });
    }
    for (const delimiter of ['"""', "'''"]) {
      if (open !== "" && open !== delimiter) continue;
      if (line.split(delimiter).length % 2 === 0) open = open === "" ? delimiter : "";
    }
  }
  const sections: Map<string, number>[] = [];
  headers.forEach((header, k) => {
    if (!header.object) return;
    const end = headers[k + 1]?.line ?? lines.length;
    const local = keyLines(lines.slice(header.line, end).join("\n"));
    sections.push(new Map([...local].map(([key, n]) => [key, n + header.line])));
  });
  return sections;
}
