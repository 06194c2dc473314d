/**
 * cwmp-agent composition root: parse the command line, load the configuration,
 * pick the platform and run the agent. `--version` and running the agent are answered
 * without loading the CLI parser or the local commands (`src/cli/quick_args.ts`); each
 * path imports only what it needs.
 *
 *   cwmp-agent --config cwmp.toml          run the agent
 *   cwmp-agent check-config --config FILE  validate a configuration file
 *   cwmp-agent --version | --help
 *
 * @module
 */

import { quickCommand } from "./src/cli/quick_args.ts";

/** The agent's version, as `--version` prints it. */
export const VERSION = "0.1.0";

async function main(argv: string[]): Promise<number> {
  const quick = quickCommand(argv);
  if (quick?.kind === "version") {
    console.log(`cwmp-agent ${VERSION}`);
    return 0;
  }
  if (quick?.kind === "warmCache") {
    // Loading is the whole job (see `warm-cache` in src/cli/commands.ts), without the CLI
    // parser, so the cache holds what a start of the agent loads and nothing more.
    await import("./src/cli/run_agent.ts");
    return 0;
  }
  if (quick?.kind === "run") {
    const { runAgent } = await import("./src/cli/run_agent.ts");
    return await runAgent(quick.configPath, VERSION);
  }
  const { cliMain } = await import("./src/cli/commands.ts");
  return await cliMain(argv, VERSION);
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
