/**
 * Shared set-up of the integration tests: one temp dir, one fake ACS and the agent
 * processes of one test, torn down together; plus readers for what the ACS saw.
 * Every test ends with {@linkcode Rig.validateAll}: each body the agent sent goes
 * through the BBF strict schema validator.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  type AcsSessionRecord,
  type FakeAcs,
  type FakeAcsOptions,
  startFakeAcs,
} from "../_helpers/fake_acs.ts";
import {
  type AgentConfigOptions,
  type AgentProcess,
  spawnAgent,
  writeAgentConfig,
} from "../_helpers/agent_process.ts";
import { validateEnvelopes } from "../_helpers/validate_envelope.ts";
import { unavailable } from "../_helpers/needs.ts";
import type { Inform, ParameterValueStruct } from "../../src/soap/mod.ts";

/** One test's world. */
export interface Rig {
  dir: string;
  stateDir: string;
  acs: FakeAcs;
  /** Writes the config (defaults: this ACS, this state dir) and starts an agent. */
  start(options?: Partial<AgentConfigOptions>): Promise<AgentProcess>;
  /** Validates every non-empty body the agent posted, strictly; asserts there was one. */
  validateAll(): Promise<void>;
}

/** Runs `fn` with a fresh rig and always cleans up agents, ACS and temp dir. */
export async function withRig(
  fn: (rig: Rig) => Promise<void>,
  acsOptions: FakeAcsOptions = {},
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cwmp-it-" });
  const acs = startFakeAcs(acsOptions);
  const agents: AgentProcess[] = [];
  const rig: Rig = {
    dir,
    stateDir: `${dir}/state`,
    acs,
    async start(options = {}) {
      const config = await writeAgentConfig(dir, {
        acsUrl: acs.url,
        stateDir: `${dir}/state`,
        ...options,
      });
      const agent = spawnAgent(config);
      agents.push(agent);
      return agent;
    },
    async validateAll() {
      assert.ok(acs.received.length > 0, "The agent posted no envelope");
      const why = unavailable("xmllint");
      // The session itself was checked; only the schema check needs xmllint.
      if (why !== undefined) return console.warn(`BBF schema check skipped: ${why}`);
      await validateEnvelopes(acs.received);
    },
  };
  try {
    await fn(rig);
  } catch (error) {
    for (const [i, agent] of agents.entries()) {
      console.error(`--- agent #${i + 1} log ---\n${agent.lines.join("\n")}`);
    }
    throw error;
  } finally {
    for (const agent of agents) await agent.kill("SIGKILL");
    await acs.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** The session's Inform message. */
export function informOf(session: AcsSessionRecord): Inform {
  const message = session.inform.message;
  assert.equal(message.kind, "Inform");
  return message as Inform;
}

/** The Inform's events as `"CODE|CommandKey"` strings. */
export function eventsOf(session: AcsSessionRecord): string[] {
  return informOf(session).event.map((e) => `${e.eventCode}|${e.commandKey}`);
}

/** A ParameterList as name → value. */
export function valuesOf(list: readonly ParameterValueStruct[]): Record<string, string> {
  return Object.fromEntries(list.map((p) => [p.name, p.value]));
}

/** The Inform ParameterList as name → value. */
export function informValues(session: AcsSessionRecord): Record<string, string> {
  return valuesOf(informOf(session).parameterList);
}

/** The connection-request port from the agent's log line. */
export async function crPortOf(agent: AgentProcess): Promise<number> {
  const line = await agent.waitForLine(/Connection Request server initiated with the port: \d+/);
  return Number(line.match(/port: (\d+)/)![1]);
}

/** Runs curl against the connection-request URL; returns the HTTP status code. */
export async function curlConnectionRequest(
  port: number,
  user: string,
  password: string,
): Promise<number> {
  const out = await new Deno.Command("curl", {
    args: [
      "-sS",
      "--max-time",
      "5",
      "--digest",
      "-u",
      `${user}:${password}`,
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      `http://127.0.0.1:${port}/cr?extra=1`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  assert.ok(out.success, `curl failed: ${new TextDecoder().decode(out.stderr)}`);
  return Number(text);
}

/** Resolves when the agent logged `re` at index `from` or later, else `undefined` after `ms`. */
export async function lineWithin(
  agent: AgentProcess,
  re: RegExp,
  ms: number,
  from = 0,
): Promise<string | undefined> {
  try {
    return await agent.waitForLine(re, ms, from);
  } catch {
    return undefined;
  }
}
