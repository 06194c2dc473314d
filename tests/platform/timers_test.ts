import assert from "node:assert/strict";
import {
  clearTimer,
  pendingTimers,
  setRepeating,
  setTimer,
  type Timer,
} from "../../src/platform/timers.ts";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimer(resolve, ms));

Deno.test("setTimer() runs callbacks once, by deadline and then in the order set", async () => {
  const order: string[] = [];
  const t0 = performance.now();
  setTimer(() => order.push("c30"), 30);
  setTimer(() => order.push("a10"), 10);
  setTimer(() => order.push("b10"), 10);
  setTimer(() => order.push("zero"), 0);
  setTimer(() => order.push("negative"), -5);
  await sleep(60);
  assert.deepEqual(order, ["zero", "negative", "a10", "b10", "c30"]);
  assert.ok(performance.now() - t0 >= 30);
  assert.equal(pendingTimers(), 0);
});

Deno.test("setTimer() never fires before its delay", async () => {
  const late: number[] = [];
  const waits = [1, 2, 5, 9, 17, 25];
  await Promise.all(waits.map((ms) =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      setTimer(() => {
        late.push(performance.now() - t0 - ms);
        resolve();
      }, ms);
    })
  ));
  assert.ok(late.every((d) => d >= -0.5), `early by ${Math.min(...late)} ms`);
});

Deno.test("clearTimer() cancels; clearing twice, after the run or undefined does nothing", async () => {
  let ran = 0;
  const a = setTimer(() => ran++, 5);
  const b = setTimer(() => ran += 10, 5);
  clearTimer(a);
  clearTimer(a);
  clearTimer(undefined);
  await sleep(20);
  clearTimer(b);
  assert.equal(ran, 10);
  assert.equal(pendingTimers(), 0);
});

Deno.test("a deadline moved earlier and later keeps firing at the earliest one", async () => {
  const fired: string[] = [];
  let long = setTimer(() => fired.push("long"), 10_000);
  const short = setTimer(() => fired.push("short"), 15);
  clearTimer(long);
  long = setTimer(() => fired.push("long2"), 40);
  await sleep(70);
  assert.deepEqual(fired, ["short", "long2"]);
  clearTimer(short);
});

Deno.test("setRepeating() repeats until cleared, also from inside its callback", async () => {
  let n = 0;
  let timer: Timer | undefined = undefined;
  timer = setRepeating(() => {
    if (++n === 3) clearTimer(timer);
  }, 5);
  await sleep(60);
  assert.equal(n, 3);
  assert.equal(pendingTimers(), 0);
});

Deno.test("a callback re-arming itself at 0 ms yields to I/O and other timers", async () => {
  let spins = 0;
  let stop = false;
  const spin = () => {
    spins++;
    if (!stop) setTimer(spin, 0);
  };
  setTimer(spin, 0);
  // Other work still gets its turn: a file read and a timer set after the spinning began.
  await Deno.readFile(new URL(import.meta.url));
  await sleep(10);
  stop = true;
  await sleep(5);
  assert.ok(spins > 1 && spins < 100_000, `${spins} spins`);
});

Deno.test("a throwing callback is reported and the others still run", async () => {
  const errors: unknown[] = [];
  const onError = (event: ErrorEvent) => {
    event.preventDefault();
    errors.push(event.error);
  };
  globalThis.addEventListener("error", onError);
  try {
    let ran = false;
    setTimer(() => {
      throw new Error("boom");
    }, 1);
    setTimer(() => ran = true, 1);
    await sleep(15);
    assert.ok(ran);
    assert.equal((errors[0] as Error).message, "boom");
  } finally {
    globalThis.removeEventListener("error", onError);
  }
});

Deno.test("cleared long timers do not keep the process alive", async () => {
  // A child process: it must exit at once, and never load ext:deno_node's timers.
  const script = `
    import { clearTimer, setTimer } from ${
    JSON.stringify(new URL("../../src/platform/timers.ts", import.meta.url).href)
  };
    for (let i = 0; i < 1000; i++) clearTimer(setTimer(() => {}, 3_600_000 + i));
    await new Promise((resolve) => setTimer(resolve, 5));
    const t = setTimer(() => {}, 60_000);
    clearTimer(t);
  `;
  const t0 = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-config", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.ok(performance.now() - t0 < 5_000);
});

Deno.test("100,000 timers with distinct delays, most cleared, leave no heap behind", async () => {
  const script = `
    import { clearTimer, pendingTimers, setTimer } from ${
    JSON.stringify(new URL("../../src/platform/timers.ts", import.meta.url).href)
  };
    const sleep = (ms) => new Promise((resolve) => setTimer(resolve, ms));
    const round = async () => {
      for (let i = 0; i < 20000; i++) {
        const t = setTimer(() => {}, 1 + (i % 97) + i / 1000);
        if (i % 10 !== 0) clearTimer(t);
      }
      await sleep(150);
    };
    await round();
    gc(); gc();
    const before = Deno.memoryUsage().heapUsed;
    for (let r = 0; r < 5; r++) await round();
    gc(); gc();
    console.log(JSON.stringify({ grown: Deno.memoryUsage().heapUsed - before, pending: pendingTimers() }));
  `;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-config", "--v8-flags=--expose-gc", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const { grown, pending } = JSON.parse(new TextDecoder().decode(out.stdout));
  assert.equal(pending, 0);
  assert.ok(grown < 300_000, `heap grew ${grown} bytes`);
});
