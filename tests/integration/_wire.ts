/**
 * Helpers of the issue #3 integration tests (notifications, objects, TR-098, mappings,
 * Linux objects): the local CLI against the running agent, a session started by a
 * connection request with queued ACS requests, the ACS's arrival times of a session,
 * and typed readers of the CPE's answers.
 *
 * @module
 */

import assert from "node:assert/strict";
import type {
  AddObjectResponse,
  CpeRequest,
  CwmpMessage,
  Fault,
  GetParameterAttributesResponse,
  GetParameterNamesResponse,
  GetParameterValuesResponse,
} from "../../src/soap/mod.ts";
import type { AcsSessionRecord, FakeAcs } from "../_helpers/fake_acs.ts";
import type { AgentProcess } from "../_helpers/agent_process.ts";
import { crPortOf, curlConnectionRequest, valuesOf } from "./_rig.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** Result of {@linkcode cli}. */
export interface CliResult {
  code: number;
  /** stdout, one JSON value per line. */
  lines: Record<string, unknown>[];
  stderr: string;
}

/** Runs `cwmp-agent <args…> --config <config>` (the local CLI) and parses its JSON lines. */
export async function cli(config: string, ...args: string[]): Promise<CliResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", MAIN, ...args, "--config", config],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  return {
    code: out.code,
    lines: text === "" ? [] : text.split("\n").map((l) => JSON.parse(l)),
    stderr: new TextDecoder().decode(out.stderr).trim(),
  };
}

/** Runs the CLI and asserts it succeeded. */
export async function cliOk(config: string, ...args: string[]): Promise<CliResult> {
  const result = await cli(config, ...args);
  assert.equal(result.code, 0, `cwmp-agent ${args.join(" ")}: ${JSON.stringify(result)}`);
  return result;
}

/** Number of sessions the ACS saw end. */
export function endedSessions(acs: FakeAcs): number {
  return acs.sessions.filter((s) => s.ended).length;
}

/**
 * Queues `requests`, sends a connection request and resolves with the session it
 * started, once ended. The agent must be idle (no session running or due).
 */
export async function crSession(
  acs: FakeAcs,
  agent: AgentProcess,
  ...requests: CpeRequest[]
): Promise<AcsSessionRecord> {
  const port = await crPortOf(agent);
  const before = acs.sessions.length;
  assert.equal(endedSessions(acs), before, "A session is still running");
  acs.enqueue(...requests);
  assert.equal(await curlConnectionRequest(port, "cr-user", "cr-pass"), 200);
  await acs.waitForSessions(before + 1, 15_000);
  assert.equal(acs.sessions.length, before + 1, "More than one session started");
  return acs.sessions[before];
}

/** When the ACS received the session's Inform and its last request (ms since the epoch). */
export function sessionTimes(acs: FakeAcs, session: AcsSessionRecord): {
  start: number;
  end: number;
} {
  const first = acs.requests.findIndex((r) => r.body === session.bodies[0]);
  assert.ok(first >= 0, "The session's Inform was not received");
  const index = acs.sessions.indexOf(session);
  const next = acs.sessions[index + 1];
  let last = acs.requests.length - 1;
  if (next !== undefined) {
    last = acs.requests.findIndex((r) => r.body === next.bodies[0]) - 1;
  }
  return { start: acs.requests[first].at, end: acs.requests[last].at };
}

/** Asserts that no session starts within `ms` (counts the sessions the ACS saw). */
export async function assertNoSession(acs: FakeAcs, ms: number, why: string): Promise<void> {
  const before = acs.sessions.length;
  const started = await acs.waitUntil(() => acs.sessions.length > before, why, ms).then(
    () => true,
    () => false,
  );
  assert.equal(started, false, `A session started: ${why}`);
}

function expectKind<T extends CwmpMessage>(message: CwmpMessage | undefined, kind: string): T {
  assert.ok(message !== undefined, `No ${kind}`);
  assert.equal(message.kind, kind, `Expected ${kind}, got ${JSON.stringify(message)}`);
  return message as T;
}

/** The session's `i`-th CPE message as a GetParameterValuesResponse, name → value. */
export function gpvOf(session: AcsSessionRecord, i: number): Record<string, string> {
  const response = expectKind<GetParameterValuesResponse>(
    session.messages[i],
    "GetParameterValuesResponse",
  );
  return valuesOf(response.parameterList);
}

/** The session's `i`-th CPE message as a GetParameterNamesResponse's names. */
export function gpnOf(session: AcsSessionRecord, i: number): string[] {
  return expectKind<GetParameterNamesResponse>(session.messages[i], "GetParameterNamesResponse")
    .parameterList.map((p) => p.name);
}

/** The session's `i`-th CPE message as GetParameterAttributesResponse, name → notification. */
export function gpaOf(session: AcsSessionRecord, i: number): Record<string, number> {
  const response = expectKind<GetParameterAttributesResponse>(
    session.messages[i],
    "GetParameterAttributesResponse",
  );
  return Object.fromEntries(response.parameterList.map((p) => [p.name, p.notification]));
}

/** The session's `i`-th CPE message as AddObjectResponse. */
export function addOf(session: AcsSessionRecord, i: number): AddObjectResponse {
  return expectKind<AddObjectResponse>(session.messages[i], "AddObjectResponse");
}

/** The session's `i`-th CPE message as a Fault. */
export function faultOf(session: AcsSessionRecord, i: number): Fault {
  return expectKind<Fault>(session.messages[i], "Fault");
}

/** The session's `i`-th CPE message has this kind. */
export function kindAt(session: AcsSessionRecord, i: number, kind: string): void {
  expectKind(session.messages[i], kind);
}
