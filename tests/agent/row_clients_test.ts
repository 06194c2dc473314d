import assert from "node:assert/strict";
import { RowClients, type RunningRow } from "../../src/agent/row_clients.ts";
import { createLogger } from "../../src/log/mod.ts";

interface FakeClient {
  stopped: boolean;
  stop(): Promise<void>;
}

/** A table whose rows are `rows` and whose `load` is counted (and may fail). */
function table(rows: Map<number, string>, options: { failLoads?: number } = {}) {
  const events: string[] = [];
  let failLoads = options.failLoads ?? 0;
  let release: () => void = () => {};
  let gate: Promise<void> | undefined;
  const clients = new RowClients<string, RunningRow<FakeClient>, { tag: string }>({
    label: "Fake client",
    logger: createLogger({ console: false }),
    wanted: () => new Map(rows),
    load: async () => {
      events.push("load");
      if (gate !== undefined) await gate;
      if (failLoads > 0) {
        failLoads--;
        throw new Error("Cannot load the client");
      }
      return { tag: "module" };
    },
    start: (n, settings, fingerprint, loaded) => {
      events.push(`start ${n} ${settings} ${loaded.tag}`);
      const client: FakeClient = {
        stopped: false,
        stop: () => {
          client.stopped = true;
          events.push(`stop ${n}`);
          return Promise.resolve();
        },
      };
      return { client, fingerprint };
    },
  });
  return {
    clients,
    events,
    /** Holds the next loads until the returned function is called. */
    holdLoads(): () => void {
      gate = new Promise((resolve) => release = resolve);
      return () => {
        gate = undefined;
        release();
      };
    },
  };
}

Deno.test("RowClients.apply() loads the client code only once a row is enabled, and once", async () => {
  const rows = new Map<number, string>();
  const { clients, events } = table(rows);
  await clients.apply();
  assert.deepEqual(events, []);
  rows.set(1, "a");
  rows.set(2, "b");
  await clients.apply();
  assert.deepEqual(events, ["load", "start 1 a module", "start 2 b module"]);
  rows.set(2, "c");
  rows.set(3, "d");
  await clients.apply();
  assert.deepEqual(events.slice(3), ["stop 2", "start 2 c module", "start 3 d module"]);
  await clients.close();
});

Deno.test("RowClients.apply() fails while the client code cannot load and loads it again next time", async () => {
  const rows = new Map([[1, "a"]]);
  const { clients, events } = table(rows, { failLoads: 1 });
  await assert.rejects(clients.apply(), { message: "Cannot load the client" });
  assert.equal(clients.running.size, 0);
  await clients.apply();
  assert.deepEqual(events, ["load", "load", "start 1 a module"]);
  assert.equal(clients.running.size, 1);
  await clients.close();
});

Deno.test("RowClients.close() during the first load starts nothing", async () => {
  const rows = new Map([[1, "a"]]);
  const { clients, events, holdLoads } = table(rows);
  const release = holdLoads();
  const applied = clients.apply();
  while (!events.includes("load")) await Promise.resolve();
  const closed = clients.close();
  release();
  await applied;
  await closed;
  assert.deepEqual(events, ["load"]);
  assert.equal(clients.running.size, 0);
});
