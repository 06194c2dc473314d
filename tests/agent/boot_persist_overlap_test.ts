/**
 * startAgent() in process with a state store whose first write is held back: the BOOT
 * Inform goes out while the start's snapshot write is still in flight (its fsync is not on
 * the path to the first Inform), but nothing the ACS answers is acted on before that write
 * has landed, and the writes land in order.
 */

import assert from "node:assert/strict";
import { emptySnapshot, type SessionSnapshot } from "../../src/session/mod.ts";
import { StateStore } from "../../src/store/mod.ts";
import type { FakeAcs } from "../_helpers/fake_acs.ts";
import type { AgentConfigOptions } from "../_helpers/agent_process.ts";
import { startInProcessAgent, withAgentRig } from "../_helpers/in_process_agent.ts";
import { until } from "../_helpers/until.ts";

/** A StateStore whose writes wait for `release()`; records what it was given and when. */
class HeldStore extends StateStore {
  started: SessionSnapshot[] = [];
  landed: SessionSnapshot[] = [];
  #gate: Promise<void>;
  release!: () => void;
  constructor(dir: string) {
    super(dir);
    this.#gate = new Promise((resolve) => (this.release = resolve));
  }
  override async save(snapshot: SessionSnapshot): Promise<void> {
    this.started.push(snapshot);
    await this.#gate;
    await super.save(snapshot);
    this.landed.push(snapshot);
  }
}

const events = (s: SessionSnapshot | undefined) => (s?.pendingEvents ?? []).map((e) => e.eventCode);

/** What a test body gets: the agent started on a HeldStore, its ACS and its log lines. */
interface Run {
  dir: string;
  acs: FakeAcs;
  store: HeldStore;
  lines: string[];
}

/**
 * Starts the agent in a temp dir on a HeldStore (after `prepare`), runs `body`, then
 * releases the store and stops everything; the agent's log is printed if `body` throws.
 */
function withHeldAgent(
  config: (dir: string) => Partial<AgentConfigOptions>,
  prepare: (dir: string, acs: FakeAcs) => Promise<void> | void,
  body: (run: Run) => Promise<void>,
): Promise<void> {
  return withAgentRig("cwmp-boot-overlap-", config, async ({ dir, path, acs, lines }) => {
    await prepare(dir, acs);
    const store = new HeldStore(`${dir}/state`);
    const agent = await startInProcessAgent(path, lines, {
      stateStore: store,
      rebootWaitMs: 60_000,
    });
    try {
      await body({ dir, acs, store, lines });
    } finally {
      store.release();
      await agent.stop();
    }
  });
}

Deno.test({
  name:
    "startAgent() sends the BOOT Inform before the start's write lands, and acts on the answer after",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    withHeldAgent(
      () => ({}),
      (_dir, acs) => acs.enqueue({ kind: "GetRPCMethods" }),
      async ({ acs, store }) => {
        await acs.waitUntil(() => acs.received.some((b) => b.includes("cwmp:Inform>")), "Inform");
        assert.equal(store.landed.length, 0, "the Inform went out before the write landed");
        assert.deepEqual(events(store.started[0]), ["0 BOOTSTRAP", "1 BOOT"]);
        // The InformResponse is back, but the session does not go on while the write waits.
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.equal(acs.requests.filter((r) => r.body === "").length, 0, "no empty POST yet");
        assert.equal(acs.sessions[0]?.ended ?? false, false);
        store.release();
        const [session] = await acs.waitForSessions(1, 10_000);
        assert.equal(session.messages[0]?.kind, "GetRPCMethodsResponse");
        // The success is written after the session: no events left.
        await until(
          () => store.landed.length > 1 && events(store.landed.at(-1)).length === 0,
          "the write after the session",
        );
        // In order: the start's write landed first.
        assert.equal(store.landed[0], store.started[0]);
        const onDisk = JSON.parse(await Deno.readTextFile(store.path)) as SessionSnapshot;
        assert.deepEqual(events(onDisk), []);
      },
    ),
});

Deno.test({
  name: "startAgent() waits for the start's write before a reboot left pending by the last run",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    withHeldAgent(
      (dir) => ({ rebootCommand: ["sh", "-c", `echo rebooted >> ${dir}/reboots`] }),
      async (dir, acs) => {
        // A run that acknowledged a Reboot and died before running the command.
        await new StateStore(`${dir}/state`).save({
          ...emptySnapshot(),
          lastAcsUrl: acs.url,
          rebootPending: "rb-1",
        });
      },
      async ({ dir, store, lines }) => {
        await until(() => store.started.length > 0, "the start's write");
        await new Promise((resolve) => setTimeout(resolve, 300));
        const reboots = await Deno.readTextFile(`${dir}/reboots`).catch(() => "");
        assert.equal(reboots, "", "no reboot command before the write that records it landed");
        store.release();
        await until(() => lines.some((l) => /Rebooting the device/.test(l)), "the reboot");
        assert.equal(store.landed[0]?.rebootCommandKey, "rb-1");
      },
    ),
});
