/**
 * createLogger(): icwmp-style logging to stderr and/or a rotating file, and the last
 * lines kept in memory for `cwmp-agent log`. Messages below the configured severity are
 * dropped before any formatting; the severity can change at run time (reload).
 */

import { formatLine } from "./format_line.ts";
import { RotatingFile } from "./rotating_file.ts";
import { type LogSeverity, severityRank } from "./severity.ts";

/** A message, or a function building it only when it will be logged. */
export type LogMessage = string | (() => string);

/** Options for createLogger(). */
export interface LoggerOptions {
  /** Lowest severity kept; default "INFO". */
  readonly severity?: LogSeverity;
  /** Write lines to the console sink (stderr). */
  readonly console: boolean;
  /** Also append to this file, rotating to `<path>.1` past `maxSize` bytes. */
  readonly file?: { readonly path: string; readonly maxSize: number };
  /** Clock; default `() => new Date()`. */
  readonly now?: () => Date;
  /** Console sink; default writes to stderr. */
  readonly writeConsole?: (line: string) => void;
  /** File sink; default a RotatingFile for `file`. */
  readonly writeFile?: (line: string) => void;
  /** Lines kept in memory for {@linkcode Logger.recent}; default 200, 0 keeps none. */
  readonly recentLines?: number;
}

/** Default number of lines {@linkcode Logger.recent} keeps. */
export const RECENT_LINES = 200;

/** The agent's logger: one method per icwmp severity. */
export interface Logger {
  /** The lowest severity kept. */
  readonly severity: LogSeverity;
  /** Changes the lowest severity kept (a config reload). */
  setSeverity(severity: LogSeverity): void;
  /** The last lines logged (at most `limit`, oldest first), without their newline. */
  recent(limit?: number): string[];
  /** Whether messages of `severity` are kept. */
  enabled(severity: LogSeverity): boolean;
  /** Logs at `severity`; an `error` is appended with its stack. */
  log(severity: LogSeverity, message: LogMessage, error?: unknown): void;
  emerg(message: LogMessage, error?: unknown): void;
  alert(message: LogMessage, error?: unknown): void;
  crit(message: LogMessage, error?: unknown): void;
  error(message: LogMessage, error?: unknown): void;
  warning(message: LogMessage, error?: unknown): void;
  notice(message: LogMessage, error?: unknown): void;
  info(message: LogMessage, error?: unknown): void;
  debug(message: LogMessage, error?: unknown): void;
}

const encoder = new TextEncoder();

function writeStderr(line: string): void {
  Deno.stderr.writeSync(encoder.encode(line));
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * Creates a logger. Sink failures are swallowed (logging never stops the
 * agent); a failing file sink reports once on the console sink.
 *
 * @example
 * ```ts
 * import { createLogger } from "./logger.ts";
 * const lines: string[] = [];
 * const log = createLogger({
 *   severity: "INFO",
 *   console: true,
 *   now: () => new Date(2019, 11, 24, 10, 21, 18),
 *   writeConsole: (line) => lines.push(line),
 * });
 * log.info("Start session");
 * log.debug("dropped");
 * console.assert(lines.join("") === "24-12-2019, 10:21:18 [INFO] Start session\n");
 * ```
 */
export function createLogger(options: LoggerOptions): Logger {
  let severity = options.severity ?? "INFO";
  let limit = severityRank(severity);
  // A ring of the last lines: `next` is where the next one goes once it is full.
  const keep = Math.max(0, options.recentLines ?? RECENT_LINES);
  const ring: string[] = [];
  let next = 0;
  const now = options.now ?? (() => new Date());
  const sinks: ((line: string) => void)[] = [];
  const writeConsole = options.writeConsole ?? writeStderr;
  if (options.console) sinks.push(writeConsole);
  const writeFile = options.writeFile ??
    (options.file ? fileSink(new RotatingFile(options.file), writeConsole) : undefined);
  if (writeFile) sinks.push(writeFile);

  function log(level: LogSeverity, message: LogMessage, error?: unknown): void {
    if (severityRank(level) > limit || (sinks.length === 0 && keep === 0)) return;
    let text = typeof message === "function" ? message() : message;
    if (error !== undefined) text += `: ${describeError(error)}`;
    const line = formatLine(now(), level, text);
    if (keep > 0) {
      const kept = line.endsWith("\n") ? line.slice(0, -1) : line;
      if (ring.length < keep) ring.push(kept);
      else {
        ring[next] = kept;
        next = (next + 1) % keep;
      }
    }
    for (const sink of sinks) {
      try {
        sink(line);
      } catch {
        // A broken sink must not break the agent.
      }
    }
  }

  const at = (level: LogSeverity) => (message: LogMessage, error?: unknown) =>
    log(level, message, error);
  return {
    get severity() {
      return severity;
    },
    setSeverity(level) {
      severity = level;
      limit = severityRank(level);
    },
    recent(max = keep) {
      const ordered = [...ring.slice(next), ...ring.slice(0, next)];
      return max <= 0 ? [] : ordered.slice(-max);
    },
    enabled: (level) => severityRank(level) <= limit,
    log,
    emerg: at("EMERG"),
    alert: at("ALERT"),
    crit: at("CRITIC"),
    error: at("ERROR"),
    warning: at("WARNING"),
    notice: at("NOTICE"),
    info: at("INFO"),
    debug: at("DEBUG"),
  };
}

/** Wraps a RotatingFile; reports its first failure on `fallback`. */
function fileSink(file: RotatingFile, fallback: (line: string) => void) {
  let reported = false;
  return (line: string) => {
    try {
      file.write(line);
    } catch (err) {
      if (reported) return;
      reported = true;
      fallback(`[log] Cannot write the log file: ${describeError(err).split("\n")[0]}\n`);
    }
  };
}
