import assert from "node:assert/strict";
import { lockStateDir, StateDirBusyError } from "../../src/store/state_lock.ts";

Deno.test("lockStateDir() refuses a directory another process holds, naming its PID", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cwmp-lock-" });
  // A real second process holds the lock (flock is per open file, so in-process would pass).
  const holder = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { lockStateDir } from "${new URL("../../src/store/state_lock.ts", import.meta.url)}";
       await lockStateDir(${JSON.stringify(dir)});
       console.log("locked");
       await new Promise((r) => setTimeout(r, 20000));`,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  try {
    const reader = holder.stdout.getReader();
    const { value } = await reader.read();
    assert.match(new TextDecoder().decode(value), /locked/);
    reader.releaseLock();
    await assert.rejects(
      lockStateDir(dir),
      (error: Error) => {
        assert.ok(error instanceof StateDirBusyError);
        assert.equal(
          error.message,
          `State directory "${dir}" is in use by another cwmp-agent (pid ${holder.pid}): ` +
            `lock "${dir}/agent.lock" is held`,
        );
        return true;
      },
    );
  } finally {
    holder.kill("SIGKILL");
    await holder.status;
    await holder.stdout.cancel().catch(() => {});
  }
  // The kernel released the dead holder's lock: no stale lock.
  const lock = await lockStateDir(dir);
  assert.equal(Deno.readTextFileSync(lock.path), `${Deno.pid}\n`);
  lock.release();
  lock.release(); // twice is harmless
  await Deno.remove(dir, { recursive: true });
});
