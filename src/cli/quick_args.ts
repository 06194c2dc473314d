/**
 * The command lines that need no CLI parser: `--version`, `warm-cache` and running the agent
 * (`[run] [-c|--config FILE]`). main.ts answers these without loading commander or the
 * local-command modules (start-up time and memory on a router); every other command line,
 * and any variation of these (repeated or unknown options, `--help`), goes to the full
 * parser of `args.ts`, which gives the same answer for the forms below.
 *
 * Imports nothing.
 *
 * @module
 */

/** Config file used when neither `-c` nor `--config` is given (as `args.ts`). */
export const QUICK_DEFAULT_CONFIG = "/etc/cwmp-agent/cwmp.toml";

/** What a quick command line asks for. */
export type QuickCommand =
  | { readonly kind: "version" }
  | { readonly kind: "warmCache" }
  | { readonly kind: "run"; readonly configPath: string };

/** The command of `argv` if it is one of the quick forms, else undefined. */
export function quickCommand(argv: readonly string[]): QuickCommand | undefined {
  if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
    return { kind: "version" };
  }
  if (argv.length === 1 && argv[0] === "warm-cache") return { kind: "warmCache" };
  const rest = argv[0] === "run" ? argv.slice(1) : argv;
  if (rest.length === 0) return { kind: "run", configPath: QUICK_DEFAULT_CONFIG };
  if (rest.length === 1 && /^--config=./.test(rest[0])) {
    return { kind: "run", configPath: rest[0].slice("--config=".length) };
  }
  if (rest.length === 2 && (rest[0] === "-c" || rest[0] === "--config")) {
    // A value that looks like an option is the full parser's to judge.
    if (rest[1] === "" || rest[1].startsWith("-")) return undefined;
    return { kind: "run", configPath: rest[1] };
  }
  return undefined;
}
