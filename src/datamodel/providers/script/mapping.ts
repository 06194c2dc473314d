/**
 * The validated shape of a script mapping file (see `config/openwrt-mapping.toml` and
 * `src/config/mapping.ts`, which builds it): which TR-181 objects and parameters are
 * answered by which integrator commands.
 *
 * @module
 */

/** One command: an argv array (no shell unless argv[0] is one) and its limits. */
export interface ScriptCommand {
  /** Program and arguments, e.g. `["/usr/libexec/cwmp/wifi", "get"]`. */
  readonly argv: readonly string[];
  /** The process is killed and the batch faults (9002) after this many milliseconds. */
  readonly timeoutMs: number;
  /** The process is killed and the batch faults (9002) past this many bytes of stdout. */
  readonly maxOutputBytes: number;
}

/** One `[[object]]` of the mapping file. */
export interface ObjectMapping {
  /** Schema object pattern, e.g. `Device.WiFi.SSID.{i}.` or `Device.Time.`. */
  readonly path: string;
  /** Parameter names under `path` that the commands answer. */
  readonly parameters: readonly string[];
  /** Reads a batch of parameters; required when `parameters` is not empty. */
  readonly get?: ScriptCommand;
  /** Applies a batch of changes; its presence makes the readWrite parameters writable. */
  readonly set?: ScriptCommand;
  /** Lists the rows of the table (required for `{i}.` objects). */
  readonly instances?: ScriptCommand;
  /** Creates a row (AddObject). */
  readonly add?: ScriptCommand;
  /** Deletes a row (DeleteObject). */
  readonly delete?: ScriptCommand;
}

/** A whole mapping file. */
export interface ScriptMapping {
  /** The file as the user named it (for log lines). */
  readonly file: string;
  /** Extra environment for every command (the `[env]` table); never secrets of the agent. */
  readonly env: Readonly<Record<string, string>>;
  readonly objects: readonly ObjectMapping[];
}

/** Default of `timeout_ms`. */
export const DEFAULT_SCRIPT_TIMEOUT_MS = 5000;

/** Default of `max_output_bytes` (1 MiB). */
export const DEFAULT_SCRIPT_MAX_OUTPUT_BYTES = 1024 * 1024;
