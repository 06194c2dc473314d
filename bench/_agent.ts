/**
 * Starts the real agent (`main.ts`, a child process) against the test ACS for the
 * benchmarks, with a fresh state directory, quiet logging and no rate limit on
 * connection requests.
 *
 * @module
 */

import {
  type AgentProcess,
  spawnAgent,
  type SpawnAgentOptions,
  writeAgentConfig,
} from "../tests/_helpers/agent_process.ts";

const live = new Set<AgentProcess>();
const tempDirs = new Set<string>();

/** Makes a temp directory that {@linkcode cleanUpNow} removes if the bench is interrupted. */
export async function makeBenchTempDir(prefix: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix });
  tempDirs.add(dir);
  return dir;
}

/** Removes a directory of {@linkcode makeBenchTempDir}. */
export async function removeBenchTempDir(dir: string): Promise<void> {
  await Deno.remove(dir, { recursive: true });
  tempDirs.delete(dir);
}

/** Starts the agent with `configPath` and tracks it until {@linkcode stopAgent}. */
export function startAgentProcess(
  configPath: string,
  options: SpawnAgentOptions = {},
): AgentProcess {
  const agent = spawnAgent(configPath, options);
  live.add(agent);
  return agent;
}

/** The bench was interrupted: SIGKILLs every agent still running, removes the temp dirs. */
export function cleanUpNow(): void {
  for (const agent of live) {
    try {
      agent.child.kill("SIGKILL");
    } catch { /* already exited */ }
  }
  for (const dir of tempDirs) {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch { /* the agent may still be writing; nothing more to do */ }
  }
}

/** Credentials the bench's agents accept for connection requests. */
export const CR_CREDENTIALS = { username: "bench-cr", password: "bench-cr-pass" };

/** Writes the bench configuration into `dir`; returns its path. */
export async function writeBenchConfig(dir: string, acsUrl: string): Promise<string> {
  const path = await writeAgentConfig(dir, {
    acsUrl,
    stateDir: `${dir}/state`,
    crUsername: CR_CREDENTIALS.username,
    crPassword: CR_CREDENTIALS.password,
    periodicInterval: 86400,
    severity: "WARNING",
  });
  // The default limit (10 connection requests a minute) would refuse most of the run.
  // writeAgentConfig has no option for it and its `extra` lands in [log], so patch the table.
  const text = await Deno.readTextFile(path);
  const patched = text.replace(
    "[connection_request]\n",
    "[connection_request]\nrate_limit_requests = 0\n",
  );
  if (patched === text) throw new Error(`Cannot add rate_limit_requests to "${path}"`);
  await Deno.writeTextFile(path, patched);
  return path;
}

/** Stops `agent`: SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stopAgent(agent: AgentProcess, graceMs = 3000): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const killed = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      try {
        agent.child.kill("SIGKILL");
      } catch { /* already exited */ }
      resolve();
    }, graceMs);
  });
  await Promise.race([agent.kill("SIGTERM"), killed]);
  clearTimeout(timer);
  await agent.child.status;
  live.delete(agent);
}
