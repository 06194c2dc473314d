/**
 * The real ScriptRunner: `Deno.Command` with a cleared environment, stdin written and
 * closed, stdout capped, and the whole process group killed on timeout or overflow
 * (the command runs in its own session, so `sh -c "…; sleep 99"` dies with its shell).
 *
 * The only file of the script provider that touches the system.
 *
 * @module
 */

import type { ScriptRequest, ScriptResult, ScriptRunner } from "./runner.ts";
import { clearTimer, setTimer } from "../../../platform/timers.ts";

/** Options of {@linkcode createCommandRunner}. */
export interface CommandRunnerOptions {
  /** stderr kept per run (the rest is read and dropped). Default 16 KiB. */
  readonly maxStderrBytes?: number;
}

/**
 * A ScriptRunner that spawns processes.
 *
 * @example
 * ```ts
 * import { createCommandRunner } from "./command_runner.ts";
 * const run = createCommandRunner();
 * const result = await run({ argv: ["cat"], stdin: "hi\n", timeoutMs: 5000, maxOutputBytes: 1024, env: {} });
 * console.assert(result.stdout === "hi\n");
 * ```
 */
export function createCommandRunner(options: CommandRunnerOptions = {}): ScriptRunner {
  const maxStderr = options.maxStderrBytes ?? 16 * 1024;
  return (request) => runCommand(request, maxStderr);
}

async function runCommand(request: ScriptRequest, maxStderr: number): Promise<ScriptResult> {
  const [program, ...args] = request.argv;
  const child = new Deno.Command(program, {
    args,
    env: { ...request.env },
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    detached: true, // own session and process group, killed as a whole
  }).spawn();
  let timedOut = false;
  let outputExceeded = false;
  const readers = [child.stdout.getReader(), child.stderr.getReader()];
  let killed = false;
  const kill = () => {
    if (killed) return;
    killed = true;
    try {
      Deno.kill(-child.pid, "SIGKILL");
    } catch {
      try {
        child.kill("SIGKILL");
      } catch {
        // Already gone.
      }
    }
    // A grandchild that left the group may still hold the pipes open: stop reading.
    for (const reader of readers) reader.cancel().catch(() => {});
  };
  const timer = setTimer(() => {
    timedOut = true;
    kill();
  }, request.timeoutMs);
  try {
    const [stdout, stderr] = await Promise.all([
      writeInput(child.stdin, request.stdin),
      collect(readers[0], request.maxOutputBytes, () => {
        outputExceeded = true;
        kill();
      }),
      collect(readers[1], maxStderr),
    ]).then(([, out, err]) => [out, err]);
    const status = await child.status;
    const code = status.signal === null ? status.code : status.code || 128 + signalNumber(status);
    return { code, stdout, stderr, timedOut, outputExceeded };
  } finally {
    clearTimer(timer);
  }
}

function signalNumber(status: Deno.CommandStatus): number {
  return status.signal === "SIGKILL" ? 9 : status.signal === "SIGTERM" ? 15 : 0;
}

async function writeInput(stream: WritableStream<Uint8Array>, text: string): Promise<void> {
  const writer = stream.getWriter();
  try {
    await writer.write(new TextEncoder().encode(text));
    await writer.close();
  } catch {
    // The command exited without reading stdin (EPIPE): its exit code tells the rest.
    writer.releaseLock();
  }
}

/** Reads `reader` to its end; past `limit` bytes calls `onOverflow` (or keeps reading and drops). */
async function collect(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  limit: number,
  onOverflow?: () => void,
): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      if (size >= limit) continue;
      const room = limit - size;
      if (value.length > room) {
        chunks.push(value.subarray(0, room));
        size = limit;
        if (onOverflow !== undefined) {
          onOverflow();
          break;
        }
        continue;
      }
      chunks.push(value);
      size += value.length;
    }
  } catch {
    // Cancelled after a kill.
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return new TextDecoder().decode(bytes);
}
