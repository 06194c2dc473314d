/**
 * The floor the agent's start-up and memory are measured against, in the same run: a bare
 * Deno script, spawned the same way as the agent (`deno run` with the agent's V8 flags and
 * the launcher's environment: without `DENO_NO_UPDATE_CHECK` the runtime's update check alone
 * kept 2 MiB more of it resident, measured 38.1 against 36.0–36.1 MiB; `MALLOC_ARENA_MAX` made
 * no difference to it), that POSTs one small SOAP body to a loopback server and then stays
 * alive. Measured: spawn
 * → the POST's arrival, and its RSS `idleAfterMs` after the POST (the agent's idle figure
 * is taken at the same delay after its first session).
 *
 * @module
 */

import { V8_FLAGS, v8FlagsArgument } from "../src/cli/v8_flags.ts";
import { LAUNCHER_ENV } from "../src/build/tarball.ts";
import { memory } from "./_proc.ts";
import { summarize, type Summary } from "./_stats.ts";

/** The bare script (plain JavaScript): POST once to `Deno.args[0]`, stay `Deno.args[1]` ms. */
export const POST_ONCE_SCRIPT = `
const url = Deno.args[0];
await (await fetch(url, {
  method: "POST",
  headers: { "content-type": "text/xml; charset=utf-8" },
  body: '<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/"><soap-env:Body/></soap-env:Envelope>',
})).body?.cancel();
await new Promise((resolve) => setTimeout(resolve, Number(Deno.args[1])));
`;

/** Figures of the bare script. */
export interface BareReference {
  runs: number;
  /** Spawn → POST received, ms. */
  postMs: Summary;
  /** RSS `idleAfterMs` after the POST, KiB (median). */
  idleRssKiB: number;
  idleAfterMs: number;
}

/** Runs the bare script `runs` times (after one discarded). */
export async function benchBare(runs: number, idleAfterMs: number): Promise<BareReference> {
  const dir = await Deno.makeTempDir({ prefix: "cwmp-bench-bare-" });
  const script = `${dir}/bare.ts`;
  await Deno.writeTextFile(script, POST_ONCE_SCRIPT);
  let arrived: () => void = () => {};
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    await req.text();
    arrived();
    return new Response(null, { status: 204 });
  });
  const url = `http://127.0.0.1:${server.addr.port}/`;
  const times: number[] = [];
  const rss: number[] = [];
  try {
    for (let run = 0; run <= runs; run++) {
      const got = new Promise<number>((resolve) => (arrived = () => resolve(performance.now())));
      const t0 = performance.now();
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--allow-net",
          "--no-config",
          v8FlagsArgument(V8_FLAGS),
          script,
          url,
          String(idleAfterMs + 2000),
        ],
        env: LAUNCHER_ENV,
        stdout: "null",
        stderr: "null",
      }).spawn();
      const at = await got;
      await new Promise((resolve) => setTimeout(resolve, idleAfterMs));
      const mem = await memory(child.pid);
      child.kill("SIGKILL");
      await child.status;
      if (run === 0) continue; // fills the module cache
      times.push(at - t0);
      rss.push(mem.rssKiB);
    }
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
  return {
    runs,
    postMs: summarize(times),
    idleRssKiB: summarize(rss).median,
    idleAfterMs,
  };
}
