/**
 * The ScriptRunner interface: how the script provider starts a command. The real one
 * (`command_runner.ts`) uses `Deno.Command`; tests inject fakes.
 *
 * @module
 */

/** One command to run. */
export interface ScriptRequest {
  /** Program and arguments; no shell is involved. */
  readonly argv: readonly string[];
  /** Written to the process's stdin, which is then closed. */
  readonly stdin: string;
  /** Kill the process (and its process group) after this many milliseconds. */
  readonly timeoutMs: number;
  /** Kill the process once stdout exceeds this many bytes. */
  readonly maxOutputBytes: number;
  /** The complete environment of the process (nothing is inherited). */
  readonly env: Readonly<Record<string, string>>;
}

/** What a finished (or killed) command produced. */
export interface ScriptResult {
  /** Exit code; 128 + signal number when killed by a signal. */
  readonly code: number;
  readonly stdout: string;
  /** Possibly truncated; only its first line is ever logged. */
  readonly stderr: string;
  /** The process was killed because it ran past `timeoutMs`. */
  readonly timedOut?: boolean;
  /** The process was killed because stdout exceeded `maxOutputBytes`. */
  readonly outputExceeded?: boolean;
}

/**
 * Runs one command. Rejects only when the command cannot be started at all (e.g. the
 * program does not exist); a failing command resolves with its exit code.
 */
export type ScriptRunner = (request: ScriptRequest) => Promise<ScriptResult>;
