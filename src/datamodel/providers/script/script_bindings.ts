/**
 * createScriptBindings(): Bindings whose providers run integrator commands, as a
 * mapping file describes them (format: `config/openwrt-mapping.toml`).
 *
 * Batching: entries of the mapping that share the same get and set commands share one
 * Provider, and the tree calls each provider once per request, so a GetParameterValues
 * costs one process per get command and a SetParameterValues one process per set
 * command (plus one get, to be able to undo). A table's rows are listed by a separate
 * row provider per `[[object]]` with an `instances` command (bound with no parameters),
 * so AddObject/DeleteObject are allowed exactly where `add`/`delete` are configured.
 *
 * Contract of the commands (the protocol is in `protocol.ts`):
 * - get: exit 0 and one `path<TAB>value` line per requested path; every value is
 *   validated against the schema. A bad value, garbage, other exit code, timeout or too
 *   much output → the whole read fails with 9002 (details logged only). A path the
 *   command leaves out (a row that went away since it was listed) reads as the
 *   parameter's default, else its type's null value ("", false, 0, Unknown Time).
 * - set: all or nothing is the command's job. Exit 0 = applied (Status 0); exit 1 =
 *   committed, applied after the session or a reboot (Status 1); anything else = nothing
 *   applied → 9002, the first stderr line logged, never sent. A timeout kills the
 *   process (and its process group) and faults the batch, whatever it did meanwhile.
 *   Undo (when a later provider of the same SPV fails) sets the values read just
 *   before; hidden parameters (passwords) are neither read back nor restored.
 * - instances / add / delete: exit 0; instances prints row numbers, add the new one.
 *
 * Environment of every command: `PATH=/usr/sbin:/usr/bin:/sbin:/bin`, `LC_ALL=C`, the
 * mapping's `[env]`, and `CWMP_OPERATION` (get, set, instances, add, delete),
 * `CWMP_TABLE` (instances, add: e.g. `Device.WiFi.SSID.`), `CWMP_ROW` (delete: e.g.
 * `Device.WiFi.SSID.2.`), `CWMP_INSTANCES` (instance numbers along that path, space
 * separated) and `CWMP_NEW_INSTANCE` (add: the number the agent proposes; the command
 * prints the number it really used). Nothing of the agent's own environment is passed on.
 *
 * @module
 */

import { defaultValue } from "../../null_value.ts";
import { InternalError, InvalidValueError } from "../../errors.ts";
import type {
  Binding,
  ChangeObjection,
  ParameterChange,
  ParameterRef,
  Provider,
  SetOutcome,
} from "../../provider.ts";
import { validateValue } from "../../validate.ts";
import type { ObjectMapping, ScriptCommand, ScriptMapping } from "./mapping.ts";
import {
  encodeGetInput,
  encodeSetInput,
  firstLine,
  isLineSafe,
  parseGetOutput,
  parseInstances,
  parseNewInstance,
} from "./protocol.ts";
import type { ScriptResult, ScriptRunner } from "./runner.ts";

/** Where the provider reports script failures (the agent's Logger fits). */
export interface ScriptLog {
  error(message: string): void;
  debug?(message: string): void;
}

/** Options of {@linkcode createScriptBindings}. */
export interface ScriptBindingsOptions {
  /** Failure details (stderr's first line, bad output); default: dropped. */
  readonly log?: ScriptLog;
  /**
   * Keep each table's instance list this long (milliseconds), since the tree asks for
   * it on every path it resolves. Needs `now`. Default 0: only concurrent calls share
   * one process. Add, delete and set clear it.
   */
  readonly instancesCacheMs?: number;
  /** Clock for `instancesCacheMs`. */
  readonly now?: () => number;
}

/** Environment every command gets before the mapping's `[env]`. */
export const SCRIPT_BASE_ENV: Readonly<Record<string, string>> = {
  PATH: "/usr/sbin:/usr/bin:/sbin:/bin",
  LC_ALL: "C",
};

/**
 * Bindings for every `[[object]]` of `mapping`, running commands through `runner`.
 *
 * @example
 * ```ts
 * import { createScriptBindings } from "./script_bindings.ts";
 * const command = { argv: ["/usr/libexec/cwmp/time", "get"], timeoutMs: 5000, maxOutputBytes: 65536 };
 * const bindings = createScriptBindings(
 *   { file: "map.toml", env: {}, objects: [{ path: "Device.Time.", parameters: ["NTPServer1"], get: command }] },
 *   () => Promise.resolve({ code: 0, stdout: "Device.Time.NTPServer1\tpool.ntp.org\n", stderr: "" }),
 * );
 * console.assert(bindings[0].object === "Device.Time.");
 * ```
 */
export function createScriptBindings(
  mapping: ScriptMapping,
  runner: ScriptRunner,
  options: ScriptBindingsOptions = {},
): Binding[] {
  const context = new ScriptContext(mapping, runner, options);
  const shared = new Map<string, { labels: string[]; provider: Provider }>();
  const bindings: Binding[] = [];
  for (const entry of mapping.objects) {
    if (entry.parameters.length > 0 && entry.get !== undefined) {
      const key = JSON.stringify([entry.get, entry.set ?? null]);
      let group = shared.get(key);
      if (group === undefined) {
        const labels: string[] = [];
        group = { labels, provider: valueProvider(context, entry.get, entry.set, labels) };
        shared.set(key, group);
      }
      if (!group.labels.includes(entry.path)) group.labels.push(entry.path);
      bindings.push({ object: entry.path, parameters: entry.parameters, provider: group.provider });
    }
    if (entry.instances !== undefined) {
      bindings.push({ object: entry.path, parameters: [], provider: rowProvider(context, entry) });
    }
  }
  return bindings;
}

type Operation = "get" | "set" | "instances" | "add" | "delete";

/** What every provider of one mapping shares: runner, environment, log, row cache. */
class ScriptContext {
  readonly #mapping: ScriptMapping;
  readonly #runner: ScriptRunner;
  readonly #options: ScriptBindingsOptions;
  readonly #rows = new Map<string, { at: number; rows: Promise<number[]> }>();

  constructor(mapping: ScriptMapping, runner: ScriptRunner, options: ScriptBindingsOptions) {
    if ((options.instancesCacheMs ?? 0) > 0 && options.now === undefined) {
      throw new TypeError('Cannot cache instances without a clock: pass "now"');
    }
    this.#mapping = mapping;
    this.#runner = runner;
    this.#options = options;
  }

  /** Runs `command`; resolves with stdout when it exited 0 (or 1 when `allowOne`). */
  async run(
    command: ScriptCommand,
    request: { operation: Operation; label: string; stdin: string; vars?: Record<string, string> },
  ): Promise<ScriptResult> {
    const { operation, label } = request;
    const env = {
      ...SCRIPT_BASE_ENV,
      ...this.#mapping.env,
      ...request.vars,
      CWMP_OPERATION: operation,
    };
    let result: ScriptResult;
    try {
      result = await this.#runner({
        argv: command.argv,
        stdin: request.stdin,
        timeoutMs: command.timeoutMs,
        maxOutputBytes: command.maxOutputBytes,
        env,
      });
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw this.fail(
        operation,
        label,
        `cannot start ${JSON.stringify(command.argv[0])}: ${reason}`,
      );
    }
    if (result.timedOut) {
      throw this.fail(operation, label, `killed after ${command.timeoutMs} ms (timeout_ms)`);
    }
    if (result.outputExceeded) {
      throw this.fail(
        operation,
        label,
        `killed after more than ${command.maxOutputBytes} bytes of output (max_output_bytes)`,
      );
    }
    if (result.code !== 0 && !(operation === "set" && result.code === 1)) {
      const said = firstLine(result.stderr);
      const tail = said === "" ? "" : `: ${said}`;
      throw this.fail(operation, label, `exited with ${result.code}${tail}`);
    }
    return result;
  }

  /** Logs `detail` and returns the 9002 the ACS sees (no script output in it). */
  fail(operation: Operation, label: string, detail: string): InternalError {
    this.#options.log?.error(
      `${this.#mapping.file}: ${operation} command of ${label}: ${detail}`,
    );
    return new InternalError(`Cannot ${VERBS[operation]} ${label}: integrator command failed`);
  }

  /** Logs a detail at debug level. */
  note(message: string): void {
    this.#options.log?.debug?.(`${this.#mapping.file}: ${message}`);
  }

  /** The rows of `tablePath`, from the cache or one run of `command`. */
  rows(tablePath: string, produce: () => Promise<number[]>): Promise<number[]> {
    const ttl = this.#options.instancesCacheMs ?? 0;
    const now = this.#options.now?.() ?? 0;
    const cached = this.#rows.get(tablePath);
    if (cached !== undefined && (cached.at === -1 || now - cached.at < ttl)) return cached.rows;
    const entry = { at: -1, rows: produce() };
    this.#rows.set(tablePath, entry);
    entry.rows.then(
      () => {
        if (ttl > 0) entry.at = this.#options.now!();
        else if (this.#rows.get(tablePath) === entry) this.#rows.delete(tablePath);
      },
      () => {
        if (this.#rows.get(tablePath) === entry) this.#rows.delete(tablePath);
      },
    );
    return entry.rows;
  }

  /** Forgets every cached instance list (after add, delete or set). */
  forgetRows(): void {
    this.#rows.clear();
  }
}

const VERBS: Record<Operation, string> = {
  get: "read",
  set: "set",
  instances: "list the instances of",
  add: "add an instance to",
  delete: "delete",
};

function valueProvider(
  context: ScriptContext,
  get: ScriptCommand,
  set: ScriptCommand | undefined,
  labels: readonly string[],
): Provider {
  const label = (): string => labels.map((l) => `"${l}"`).join(", ");
  async function read(refs: readonly ParameterRef[]): Promise<string[]> {
    if (refs.length === 0) return [];
    const result = await context.run(get, {
      operation: "get",
      label: label(),
      stdin: encodeGetInput(refs.map((ref) => ref.path)),
    });
    let values: Map<string, string>;
    try {
      values = parseGetOutput(result.stdout);
    } catch (error) {
      throw context.fail("get", label(), (error as Error).message);
    }
    return refs.map((ref) => {
      const raw = values.get(ref.path);
      if (raw === undefined) {
        // The row went away between listing and reading (or the command skipped it).
        context.note(`get command of ${label()}: no value for "${ref.path}", read as default`);
        return defaultValue(ref.schema);
      }
      try {
        return validateValue(ref.schema, raw);
      } catch (error) {
        const why = error instanceof InvalidValueError ? error.message : String(error);
        throw context.fail("get", label(), `bad value for "${ref.path}": ${why}`);
      }
    });
  }

  const provider: Provider = {
    get: read,
    check(changes: readonly ParameterChange[]): ChangeObjection[] {
      return changes.filter((c) => !isLineSafe(c.value)).map((c) => ({
        path: c.path,
        message: `Value of "${c.path}" cannot contain a tab or line break`,
      }));
    },
  };
  if (set === undefined) return provider;

  async function apply(changes: readonly { path: string; value: string }[]): Promise<0 | 1> {
    const result = await context.run(set!, {
      operation: "set",
      label: label(),
      stdin: encodeSetInput(changes),
    });
    context.forgetRows();
    return result.code === 1 ? 1 : 0;
  }

  return {
    ...provider,
    async set(changes: readonly ParameterChange[]): Promise<SetOutcome> {
      const objections = provider.check!(changes) as ChangeObjection[];
      if (objections.length > 0) throw new InvalidValueError(objections[0].message);
      const readable = changes.filter((c) => !c.schema.hidden);
      const before = await read(readable);
      const previous = readable.map((c, i) => ({ path: c.path, value: before[i] }));
      const status = await apply(changes);
      return { status, undo: async () => void await apply(previous) };
    },
  };
}

function rowProvider(context: ScriptContext, entry: ObjectMapping): Provider {
  const label = `"${entry.path}"`;
  const list = entry.instances!;
  const provider: Provider = {
    get: () => [],
    instances(tablePath: string, instances: readonly number[]): Promise<number[]> {
      return context.rows(tablePath, async () => {
        const result = await context.run(list, {
          operation: "instances",
          label,
          stdin: `${tablePath}\n`,
          vars: { CWMP_TABLE: tablePath, CWMP_INSTANCES: instances.join(" ") },
        });
        try {
          return parseInstances(result.stdout);
        } catch (error) {
          throw context.fail("instances", label, (error as Error).message);
        }
      });
    },
  };
  const add = entry.add;
  const remove = entry.delete;
  return {
    ...provider,
    ...(add === undefined ? {} : {
      async addInstance(
        tablePath: string,
        instances: readonly number[],
        instanceNumber?: number,
      ): Promise<number> {
        context.forgetRows();
        const vars: Record<string, string> = {
          CWMP_TABLE: tablePath,
          CWMP_INSTANCES: instances.join(" "),
        };
        if (instanceNumber !== undefined) vars.CWMP_NEW_INSTANCE = String(instanceNumber);
        const result = await context.run(add, {
          operation: "add",
          label,
          stdin: `${tablePath}\n`,
          vars,
        });
        try {
          return parseNewInstance(result.stdout);
        } catch (error) {
          throw context.fail("add", label, (error as Error).message);
        }
      },
    }),
    ...(remove === undefined ? {} : {
      async deleteInstance(rowPath: string, instances: readonly number[]): Promise<void> {
        context.forgetRows();
        await context.run(remove, {
          operation: "delete",
          label,
          stdin: `${rowPath}\n`,
          vars: { CWMP_ROW: rowPath, CWMP_INSTANCES: instances.join(" ") },
        });
      },
    }),
  };
}
