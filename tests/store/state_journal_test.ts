import assert from "node:assert/strict";
import { JOURNAL_NAME, recoverStateDir, StateJournal } from "../../src/store/state_journal.ts";

async function withDir(fn: (dir: string) => void | Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cwmp-journal-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const read = (path: string) => {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
};

Deno.test("StateJournal.write() outside a transaction writes at once", async () => {
  await withDir((dir) => {
    const journal = new StateJournal(dir);
    journal.write(`${dir}/a.json`, "1");
    assert.equal(read(`${dir}/a.json`), "1");
    journal.write(`${dir}/a.json`, null);
    assert.equal(read(`${dir}/a.json`), undefined);
    journal.write(`${dir}/a.json`, null); // deleting nothing is fine
    assert.throws(() => journal.write("/elsewhere/a.json", "x"), RangeError);
  });
});

Deno.test("StateJournal.transaction() writes nothing until the work settles, then all", async () => {
  await withDir(async (dir) => {
    const journal = new StateJournal(dir);
    Deno.writeTextFileSync(`${dir}/gone.json`, "old");
    let seenDuring: (string | undefined)[] = [];
    await journal.transaction(async () => {
      journal.write(`${dir}/a.json`, "A");
      await Promise.resolve();
      journal.write(`${dir}/b.json`, "B");
      journal.write(`${dir}/a.json`, "A2"); // the last write of a file wins
      journal.write(`${dir}/gone.json`, null);
      seenDuring = [read(`${dir}/a.json`), read(`${dir}/b.json`), read(`${dir}/gone.json`)];
    });
    assert.deepEqual(seenDuring, [undefined, undefined, "old"]);
    assert.equal(read(`${dir}/a.json`), "A2");
    assert.equal(read(`${dir}/b.json`), "B");
    assert.equal(read(`${dir}/gone.json`), undefined);
    assert.equal(read(`${dir}/${JOURNAL_NAME}`), undefined);
  });
});

Deno.test("StateJournal.transaction() commits what a failing request changed and rethrows", async () => {
  await withDir(async (dir) => {
    const journal = new StateJournal(dir);
    await assert.rejects(
      journal.transaction(() => {
        journal.write(`${dir}/a.json`, "A");
        journal.write(`${dir}/b.json`, "B");
        return Promise.reject(new Error("boom"));
      }),
      /boom/,
    );
    assert.equal(read(`${dir}/a.json`), "A");
    assert.equal(read(`${dir}/b.json`), "B");
  });
});

Deno.test("StateJournal.transaction() runs transactions one after the other", async () => {
  await withDir(async (dir) => {
    const journal = new StateJournal(dir);
    const order: string[] = [];
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = journal.transaction(async () => {
      order.push("first begins");
      journal.write(`${dir}/a.json`, "1");
      await gate;
      order.push("first ends");
    });
    const second = journal.transaction(() => {
      order.push(`second begins, a=${read(`${dir}/a.json`)}`);
      journal.write(`${dir}/a.json`, "2");
      return Promise.resolve();
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    release();
    await Promise.all([first, second]);
    assert.deepEqual(order, ["first begins", "first ends", "second begins, a=1"]);
    assert.equal(read(`${dir}/a.json`), "2");
  });
});

Deno.test("recoverStateDir() replays a committed journal so a crashed request is whole", async () => {
  await withDir(async (dir) => {
    Deno.writeTextFileSync(`${dir}/a.json`, "old A");
    Deno.writeTextFileSync(`${dir}/b.json`, "old B");
    Deno.writeTextFileSync(`${dir}/c.json`, "old C");
    const journal = new StateJournal(dir);
    // Crash right after the commit point: the journal is on disk, no file replaced yet.
    journal.afterJournal = () => {
      throw new Error("power cut");
    };
    await assert.rejects(
      journal.transaction(() => {
        journal.write(`${dir}/a.json`, "new A");
        journal.write(`${dir}/b.json`, "new B");
        journal.write(`${dir}/c.json`, null);
        return Promise.resolve();
      }),
      /power cut/,
    );
    assert.equal(read(`${dir}/a.json`), "old A");
    const result = recoverStateDir(dir);
    assert.deepEqual(result.replayed.sort(), [`${dir}/a.json`, `${dir}/b.json`, `${dir}/c.json`]);
    assert.equal(read(`${dir}/a.json`), "new A");
    assert.equal(read(`${dir}/b.json`), "new B");
    assert.equal(read(`${dir}/c.json`), undefined);
    assert.equal(read(`${dir}/${JOURNAL_NAME}`), undefined);
    assert.deepEqual(recoverStateDir(dir), { replayed: [], removedTempFiles: [] });
  });
});

Deno.test("recoverStateDir() removes every temp file of an interrupted write, nothing else", async () => {
  await withDir((dir) => {
    for (const name of ["settings.json", "values.json", "journal.json", "session.json"]) {
      Deno.writeTextFileSync(`${dir}/${name}.tmp-0123abcd`, "{partial");
    }
    Deno.writeTextFileSync(`${dir}/notes.tmp-keep`, "not ours");
    Deno.writeTextFileSync(`${dir}/values.json`, "{}");
    const result = recoverStateDir(dir);
    assert.equal(result.removedTempFiles.length, 4);
    const left = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(left, ["notes.tmp-keep", "values.json"]);
  });
});

Deno.test("recoverStateDir() keeps an unreadable journal aside and changes nothing", async () => {
  await withDir((dir) => {
    Deno.writeTextFileSync(`${dir}/a.json`, "old");
    for (
      const bad of [
        "{not json",
        '{"version":2,"files":{}}',
        '{"version":1,"files":{"../escape":"x"}}',
        '{"version":1,"files":{"a.json":5}}',
      ]
    ) {
      Deno.writeTextFileSync(`${dir}/${JOURNAL_NAME}`, bad);
      const result = recoverStateDir(dir);
      assert.ok(result.corrupt, bad);
      assert.equal(read(`${dir}/a.json`), "old");
      assert.equal(read(`${dir}/${JOURNAL_NAME}.corrupt`), bad);
    }
    assert.equal(read(`${dir}/../escape`), undefined);
  });
});
