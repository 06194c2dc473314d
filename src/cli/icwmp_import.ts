/**
 * importIcwmp(): an icwmp UCI file (`/etc/config/cwmp`) → cwmp-agent TOML
 * text, plus one warning per option or section that has no home here. Pure:
 * text in, text out; `cwmp-agent import-icwmp FILE` does the reading.
 *
 * UCI syntax read here (libuci's file format): one statement per line,
 * `package NAME`, `config TYPE ['NAME']`, `option NAME VALUE`,
 * `list NAME VALUE`; `#` at the start of a word begins a comment; words are
 * unquoted (a backslash escapes the next character), `'single quoted'`
 * (literal) or `"double quoted"` (backslash escapes), and adjacent pieces join
 * (`'a'"b"c` is `abc`). A quote must close on its own line.
 *
 * icwmp's sections are found by type (`config acs 'acs'`, current icwmp) or,
 * in older icwmp, by name (`config cwmp 'acs'`). The option names follow
 * icwmp's UCI documentation (acs, cpe and lwn sections).
 *
 * The TOML produced is checked with loadConfig() before it is returned: a
 * value the agent would refuse is left out (the default applies) with a
 * warning, so the output is always a valid configuration file (what
 * `cwmp-agent check-config` checks on the device itself, such as the
 * directories it names, is left to it). Warnings never contain a password,
 * nor the value of any option not imported.
 */

import { ConfigError, loadConfig } from "../config/mod.ts";

/** The result of importIcwmp(). */
export interface IcwmpImport {
  /** The cwmp-agent configuration, TOML text ending with a newline. */
  readonly toml: string;
  /** One line per option or section not imported, or imported with a change. */
  readonly warnings: readonly string[];
}

/** Options for importIcwmp(). */
export interface IcwmpImportOptions {
  /** The UCI file's name in messages (default "/etc/config/cwmp"). */
  readonly file?: string;
  /** `[agent] state_dir` written (default "/etc/cwmp-agent/state": on flash, kept across reboots). */
  readonly stateDir?: string;
}

/** One `option` or `list` statement of a UCI section. */
interface UciOption {
  readonly name: string;
  readonly values: string[];
  readonly isList: boolean;
  readonly line: number;
}

/** One `config` section. */
interface UciSection {
  readonly type: string;
  readonly name: string | undefined;
  readonly line: number;
  readonly options: UciOption[];
}

/** Splits one line into words, honouring UCI quoting; comments dropped. */
function words(text: string, where: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (i >= text.length || text[i] === "#") break;
    let word = "";
    while (i < text.length && !/\s/.test(text[i])) {
      const c = text[i];
      if (c === "'") {
        const end = text.indexOf("'", i + 1);
        if (end < 0) throw new SyntaxError(`${where}: unterminated ' quote`);
        word += text.slice(i + 1, end);
        i = end + 1;
      } else if (c === '"') {
        i++;
        for (;;) {
          if (i >= text.length) throw new SyntaxError(`${where}: unterminated " quote`);
          if (text[i] === '"') break;
          if (text[i] === "\\" && i + 1 < text.length) i++;
          word += text[i++];
        }
        i++;
      } else if (c === "\\" && i + 1 < text.length) {
        word += text[i + 1];
        i += 2;
      } else {
        word += c;
        i++;
      }
    }
    out.push(word);
  }
  return out;
}

/**
 * Parses UCI text into its sections. Throws a SyntaxError naming the file and
 * line (`/etc/config/cwmp:4: unterminated ' quote`); it never quotes a value.
 */
export function parseUci(text: string, file = "/etc/config/cwmp"): UciSection[] {
  const sections: UciSection[] = [];
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = index + 1;
    const where = `${file}:${line}`;
    const [keyword, ...args] = words(raw, where);
    if (keyword === undefined || keyword === "package") continue;
    if (keyword === "config") {
      if (args.length === 0 || args[0] === "") {
        throw new SyntaxError(`${where}: "config" needs a section type`);
      }
      if (args.length > 2) throw new SyntaxError(`${where}: "config" takes a type and a name`);
      sections.push({ type: args[0], name: args[1], line, options: [] });
      continue;
    }
    if (keyword !== "option" && keyword !== "list") {
      const shown = keyword.length > 20 ? `${keyword.slice(0, 20)}…` : keyword;
      throw new SyntaxError(
        `${where}: unknown statement ${JSON.stringify(shown)} ` +
          `(expected "config", "option", "list" or "package")`,
      );
    }
    const section = sections.at(-1);
    if (section === undefined) {
      throw new SyntaxError(`${where}: "${keyword}" before any "config" section`);
    }
    const [name, ...values] = args;
    if (name === undefined || !/^[A-Za-z0-9_]+$/.test(name)) {
      throw new SyntaxError(`${where}: "${keyword}" needs a name of letters, digits and "_"`);
    }
    if (values.length !== 1) {
      const problem = values.length === 0 ? "has no value" : "has more than one value";
      throw new SyntaxError(`${where}: ${keyword} ${JSON.stringify(name)} ${problem}`);
    }
    const isList = keyword === "list";
    const earlier = section.options.find((o) => o.name === name);
    // As in libuci: `list` appends (an earlier `option` becomes the list's
    // first value); a repeated `option` replaces what was there.
    if (earlier !== undefined) section.options.splice(section.options.indexOf(earlier), 1);
    const kept = isList && earlier !== undefined ? earlier.values : [];
    section.options.push({ name, values: [...kept, values[0]], isList, line });
  }
  return sections;
}

/** How an icwmp value becomes a TOML value. */
type Kind =
  | "string"
  | "secret"
  | "boolean"
  | "integer"
  | "epochOrDate"
  | "path"
  | "lower"
  | "upper";

/** Where one icwmp option goes: TOML `section.key` and how its value converts. */
interface Target {
  readonly key: string;
  readonly kind: Kind;
}

const to = (key: string, kind: Kind = "string"): Target => ({ key, kind });

/** icwmp option (`section.option`) → cwmp-agent TOML key. */
const MAPPED: Readonly<Record<string, Target>> = {
  "acs.url": to("acs.url"),
  "acs.userid": to("acs.username"),
  "acs.passwd": to("acs.password", "secret"),
  "acs.periodic_inform_enable": to("acs.periodic_inform_enable", "boolean"),
  "acs.periodic_inform_interval": to("acs.periodic_inform_interval", "integer"),
  "acs.periodic_inform_time": to("acs.periodic_inform_time", "epochOrDate"),
  "acs.ParameterKey": to("acs.parameter_key"),
  "acs.dhcp_discovery": to("acs.dhcp_discovery", "boolean"),
  "acs.dhcp_url": to("acs.dhcp_url"),
  "acs.retry_min_wait_interval": to("acs.retry_min_wait_interval", "integer"),
  "acs.retry_interval_multiplier": to("acs.retry_interval_multiplier", "integer"),
  "acs.https_ssl_capath": to("acs.transfer_ca_dir"),
  "acs.ipv6_enable": to("acs.ipv6_enable", "boolean"),
  "acs.ssl_capath": to("acs.ca_dir"),
  "acs.insecure_enable": to("acs.insecure", "boolean"),
  "acs.http_disable_100continue": to("acs.http_disable_100continue", "boolean"),
  "cpe.interface": to("cpe.interface"),
  "cpe.default_wan_interface": to("cpe.default_wan_interface"),
  "cpe.ubus_socket": to("cpe.ubus_socket"),
  "cpe.provisioning_code": to("cpe.provisioning_code"),
  "cpe.amd_version": to("cpe.amd_version", "integer"),
  "cpe.instance_mode": to("cpe.instance_mode"),
  "cpe.session_timeout": to("cpe.session_timeout", "integer"),
  "cpe.notification": to("cpe.notification", "boolean"),
  "cpe.periodic_notify_interval": to("cpe.notification_interval", "integer"),
  "cpe.datamodel": to("cpe.datamodel", "lower"),
  "cpe.exec_download": to("cpe.exec_download", "boolean"),
  "cpe.manufacturer": to("device.manufacturer"),
  "cpe.manufacturer_oui": to("device.manufacturer_oui", "upper"),
  "cpe.product_class": to("device.product_class"),
  "cpe.serial_number": to("device.serial_number"),
  "cpe.model_name": to("device.model_name"),
  "cpe.hardware_version": to("device.hardware_version"),
  "cpe.software_version": to("device.software_version"),
  "cpe.description": to("device.description"),
  "cpe.userid": to("connection_request.username"),
  "cpe.passwd": to("connection_request.password", "secret"),
  "cpe.port": to("connection_request.port", "integer"),
  "cpe.path": to("connection_request.path", "path"),
  "cpe.ssl_cert_path": to("acs.client_cert"),
  "cpe.ssl_key_path": to("acs.client_key"),
  "cpe.log_to_file": to("log.file", "boolean"),
  "cpe.log_severity": to("log.severity"),
  "cpe.log_file_name": to("log.file_name"),
  "cpe.log_max_size": to("log.max_size", "integer"),
  "lwn.enable": to("lwn.enable", "boolean"),
  "lwn.hostname": to("lwn.hostname"),
  "lwn.port": to("lwn.port", "integer"),
};

/** Options handled by hand in importIcwmp() (no one-to-one key). */
const SPECIAL = new Set([
  "acs.compression",
  "cpe.enable",
  "cpe.log_to_console",
  "cpe.log_to_syslog",
  "cpe.fw_upgrade_keep_settings",
]);

/** The TOML sections written, in this order. */
const SECTION_ORDER = [
  "acs",
  "cpe",
  "device",
  "connection_request",
  "lwn",
  "transfer",
  "agent",
  "log",
] as const;

const TRUE_WORDS = new Set(["1", "true", "yes", "on", "enable", "enabled"]);
const FALSE_WORDS = new Set(["0", "false", "no", "off", "disable", "disabled"]);

/** UCI's boolean spellings (libuci/uci_validate `bool`, plus icwmp's enable/disable). */
function uciBoolean(value: string): boolean | undefined {
  const word = value.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return undefined;
}

/** A TOML basic string: JSON's escapes, plus DEL, which TOML wants escaped too. */
function tomlString(value: string): string {
  return JSON.stringify(value).replace(/\x7f/g, "\\u007F");
}

type TomlValue = string | number | boolean | readonly string[];

function tomlValue(value: TomlValue): string {
  if (typeof value === "string") return tomlString(value);
  if (Array.isArray(value)) return `[${value.map(tomlString).join(", ")}]`;
  return String(value);
}

/** One TOML key to write, with the icwmp option it came from (for comments and warnings). */
interface Entry {
  value: TomlValue;
  /** `acs.url`, or a sentence for keys the import adds itself. */
  readonly from: string;
  /** Line in the UCI file, when from an option. */
  readonly line?: number;
  readonly secret: boolean;
}

/** The conversion in progress. */
class Importer {
  readonly #file: string;
  readonly entries = new Map<string, Entry>();
  readonly #warnings: { line: number; text: string }[] = [];

  constructor(file: string) {
    this.#file = file;
  }

  warn(line: number | undefined, option: string, text: string) {
    const where = line === undefined ? this.#file : `${this.#file}:${line}`;
    this.#warnings.push({ line: line ?? Infinity, text: `${where}: ${option}: ${text}` });
  }

  /** The warnings by line; those about the whole file last. */
  get warnings(): string[] {
    return this.#warnings.toSorted((a, b) => a.line - b.line).map((w) => w.text);
  }

  set(key: string, value: TomlValue, from: string, option?: UciOption, secret = false) {
    this.entries.set(key, { value, from, line: option?.line, secret });
  }

  /** Converts one mapped option; a value that cannot convert is left out with a warning. */
  mapped(option: UciOption, from: string, target: Target) {
    const value = option.values.at(-1) ?? "";
    if (option.isList) {
      this.warn(option.line, from, "is a list in the UCI file; its last value is used");
    }
    const secret = target.kind === "secret";
    if (/\$[A-Za-z_{(]/.test(value)) {
      this.warn(
        option.line,
        from,
        'contains "$": an unexpanded build-time template? it is imported as written',
      );
    }
    const trimmed = value.trim();
    switch (target.kind) {
      case "string":
      case "secret":
        return this.set(target.key, value, from, option, secret);
      case "lower":
        return this.set(target.key, trimmed.toLowerCase(), from, option);
      case "upper":
        return this.set(target.key, trimmed.toUpperCase(), from, option);
      case "path":
        if (trimmed === "") return;
        return this.set(
          target.key,
          trimmed.startsWith("/") ? trimmed : `/${trimmed}`,
          from,
          option,
        );
      case "boolean": {
        if (trimmed === "") return;
        const flag = uciBoolean(trimmed);
        if (flag === undefined) {
          return this.warn(
            option.line,
            from,
            `${JSON.stringify(value)} is not a boolean; the default applies`,
          );
        }
        return this.set(target.key, flag, from, option);
      }
      case "integer": {
        // icwmp leaves unset numbers empty (lwn.port '').
        if (trimmed === "") return;
        if (!/^\d+$/.test(trimmed) || !Number.isSafeInteger(Number(trimmed))) {
          return this.warn(
            option.line,
            from,
            `${JSON.stringify(value)} is not a whole number; the default applies`,
          );
        }
        return this.set(target.key, Number(trimmed), from, option);
      }
      case "epochOrDate": {
        if (trimmed === "") return;
        if (/^\d+$/.test(trimmed) && Number.isSafeInteger(Number(trimmed))) {
          return this.set(target.key, Number(trimmed), from, option);
        }
        // icwmp also writes xsd:dateTime strings here; loadConfig() checks them.
        return this.set(target.key, trimmed, from, option);
      }
    }
  }

  /** The options with no one-to-one key. */
  special(option: UciOption, from: string) {
    const value = (option.values.at(-1) ?? "").trim();
    const flag = uciBoolean(value);
    switch (from) {
      case "acs.compression": {
        const word = value.toLowerCase();
        if (word === "gzip" || flag === true) {
          return this.set("acs.compression", "GZIP", from, option);
        }
        if (word === "" || word === "disabled" || flag === false) {
          return this.set("acs.compression", "Disabled", from, option);
        }
        return this.warn(
          option.line,
          from,
          `${JSON.stringify(value)} is not supported (only GZIP or Disabled); compression is off`,
        );
      }
      case "cpe.enable":
        if (flag === false) {
          this.warn(
            option.line,
            from,
            "icwmp was disabled here; enable the cwmp-agent service only when the agent should run",
          );
        }
        return;
      case "cpe.log_to_console":
      case "cpe.log_to_syslog":
        // Under procd the agent's stderr goes to logd (logread), which is where
        // icwmp's syslog lines went: console logging stays on.
        if (flag === false && from === "cpe.log_to_console") {
          this.warn(
            option.line,
            from,
            "kept on (log.console = true): procd passes the agent's stderr to logd",
          );
        }
        return;
      case "cpe.fw_upgrade_keep_settings":
        if (flag === false) {
          this.set(
            "transfer.firmware_command",
            ["sysupgrade", "-n"],
            "cpe.fw_upgrade_keep_settings = 0: flash without keeping settings",
            option,
          );
        }
        return;
    }
  }
}

/** The TOML keys an OpenWrt install needs that icwmp had built in. */
function openwrtDefaults(importer: Importer, stateDir: string) {
  const add = (key: string, value: TomlValue, why: string) => {
    if (!importer.entries.has(key)) importer.set(key, value, why);
  };
  add("log.console", true, "stderr goes to logd under procd");
  add("transfer.firmware_command", ["sysupgrade"], "icwmp flashed with sysupgrade");
  add("transfer.firmware_reboot", false, "sysupgrade reboots by itself");
  add("transfer.verify_command", ["sysupgrade", "-T"], "test the image before flashing");
  add("transfer.vendor_config_command", ["sysupgrade", "-r"], "restore a sysupgrade backup");
  add("transfer.config_backup_command", ["sysupgrade", "-b"], "Upload of the configuration");
  add("transfer.log_command", ["sh", "-c", 'logread > "$1"', "logread"], "Upload of the log");
  add("transfer.dir", "/tmp/cwmp-transfers", "staging in RAM, not on flash");
  add("agent.state_dir", stateDir, "on flash: state must survive a reboot");
  add("agent.reboot_command", ["reboot"], "OpenWrt");
  add("agent.factory_reset_command", ["sh", "-c", "firstboot -y && reboot"], "OpenWrt");
}

function render(entries: Map<string, Entry>, header: string): string {
  const out = [header];
  for (const section of SECTION_ORDER) {
    const keys = [...entries].filter(([key]) => key.startsWith(`${section}.`));
    if (keys.length === 0) continue;
    out.push("", `[${section}]`);
    for (const [key, entry] of keys) {
      out.push(`${key.slice(section.length + 1)} = ${tomlValue(entry.value)}  # ${entry.from}`);
    }
  }
  return `${out.join("\n")}\n`;
}

/** Secret TOML keys: their values never appear in a warning. */
const SECRET_KEYS = new Set(["acs.password", "connection_request.password"]);

/**
 * Converts icwmp's UCI configuration to cwmp-agent TOML. Options without a
 * home here, and other sections (xmpp, stun…), become warnings; so does every
 * value the agent would refuse, which is then left out. Throws a SyntaxError
 * (`/etc/config/cwmp:7: …`) when the UCI text cannot be read.
 *
 * @example
 * ```ts
 * import { importIcwmp } from "./icwmp_import.ts";
 * const { toml, warnings } = importIcwmp(
 *   "config acs 'acs'\n  option url 'https://acs.example.net/'\n  option userid 'cpe'\n",
 * );
 * console.assert(toml.includes('url = "https://acs.example.net/"'));
 * console.assert(warnings.length === 0);
 * ```
 */
export function importIcwmp(text: string, options: IcwmpImportOptions = {}): IcwmpImport {
  const file = options.file ?? "/etc/config/cwmp";
  const importer = new Importer(file);
  for (const section of parseUci(text, file)) {
    const kind = ["acs", "cpe", "lwn"].includes(section.type)
      ? section.type
      : section.type === "cwmp" && ["acs", "cpe", "lwn"].includes(section.name ?? "")
      ? section.name!
      : undefined;
    if (kind === undefined) {
      const label = section.name === undefined
        ? `type "${section.type}"`
        : `"${section.name}" (type "${section.type}")`;
      importer.warn(section.line, `section ${label}`, "not imported (no cwmp-agent equivalent)");
      continue;
    }
    for (const option of section.options) {
      const from = `${kind}.${option.name}`;
      const target = MAPPED[from];
      if (target !== undefined) importer.mapped(option, from, target);
      else if (SPECIAL.has(from)) importer.special(option, from);
      else importer.warn(option.line, from, "not imported (no cwmp-agent equivalent)");
    }
  }
  openwrtDefaults(importer, options.stateDir ?? "/etc/cwmp-agent/state");
  const { entries } = importer;

  const acsUrl = entries.get("acs.url")?.value ?? "";
  const dhcp = entries.get("acs.dhcp_discovery")?.value === true;
  if (acsUrl === "" && !dhcp) {
    importer.warn(undefined, "acs.url", "empty and dhcp_discovery is off: set acs.url");
  }

  // Let the real loader judge every value; drop what it refuses, one key at a time.
  const header = `# cwmp-agent configuration imported from icwmp's ${file}\n` +
    "# (cwmp-agent import-icwmp). Every key: config/cwmp.example.toml.";
  for (let tries = 0; tries <= entries.size; tries++) {
    const toml = render(entries, header);
    try {
      loadConfig(toml, { file: "imported.toml" });
      return { toml, warnings: importer.warnings };
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      const key = error.key;
      const entry = key === undefined ? undefined : entries.get(key);
      if (key === undefined || entry === undefined) throw error;
      entries.delete(key);
      const detail = SECRET_KEYS.has(key) || entry.secret
        ? "refused"
        : error.message.slice(error.message.indexOf(`${key}: `) + key.length + 2);
      importer.warn(entry.line, entry.from, `not imported as ${key}: ${detail}`);
    }
  }
  throw new Error("importIcwmp(): the loader kept refusing the converted keys");
}
