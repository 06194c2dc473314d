/**
 * Runs the real agent (`main.ts`) as a child process against a test ACS, with a
 * generated configuration in a temp directory. Tests read its log lines and kill
 * it (SIGTERM or SIGKILL) to prove what survives.
 *
 * @module
 */

import { V8_FLAGS, v8FlagsArgument } from "../../src/cli/v8_flags.ts";

/** Options of {@linkcode writeAgentConfig}. */
export interface AgentConfigOptions {
  acsUrl: string;
  stateDir: string;
  crPort?: number;
  crUsername?: string;
  crPassword?: string;
  acsUsername?: string;
  acsPassword?: string;
  periodicInterval?: number;
  rebootCommand?: string[];
  factoryResetCommand?: string[];
  amdVersion?: number;
  severity?: string;
  /** More `[acs]` keys, TOML lines as is (e.g. `max_body_bytes = 20000`). */
  acs?: string;
  /** More `[cpe]` keys, TOML lines as is (e.g. `datamodel = "tr098"`). */
  cpe?: string;
  /** More `[agent]` keys, TOML lines as is (e.g. `mapping_file = "…"`). */
  agent?: string;
  /** `[twamp]` keys, TOML lines as is (e.g. `control_enable = true`). */
  twamp?: string;
  /** Extra TOML appended as is (it lands in `[log]` unless it opens a table). */
  extra?: string;
}

/** Writes a configuration file for a test agent; returns its path. */
export async function writeAgentConfig(dir: string, o: AgentConfigOptions): Promise<string> {
  const q = (s: string) => JSON.stringify(s);
  const toml = `
[acs]
url = ${q(o.acsUrl)}
username = ${q(o.acsUsername ?? "")}
password = ${q(o.acsPassword ?? "")}
periodic_inform_enable = true
periodic_inform_interval = ${o.periodicInterval ?? 86400}
retry_min_wait_interval = 1
retry_interval_multiplier = 1000
${o.acs ?? ""}

[cpe]
amd_version = ${o.amdVersion ?? 5}
${o.cpe ?? ""}

[device]
manufacturer = "Example"
manufacturer_oui = "A1B2C3"
product_class = "TestGW"
serial_number = "SN0001"
model_name = "TestGW-1"
hardware_version = "HW1"
software_version = "1.0.0"
description = "Test gateway"

[connection_request]
port = ${o.crPort ?? 0}
bind = "127.0.0.1"
path = "/cr"
username = ${q(o.crUsername ?? "cr-user")}
password = ${q(o.crPassword ?? "cr-pass")}

[agent]
state_dir = ${q(o.stateDir)}
reboot_command = ${JSON.stringify(o.rebootCommand ?? ["true"])}
factory_reset_command = ${JSON.stringify(o.factoryResetCommand ?? ["true"])}
${o.agent ?? ""}

[twamp]
${o.twamp ?? ""}

[log]
severity = ${q(o.severity ?? "DEBUG")}
console = true
${o.extra ?? ""}
`;
  const path = `${dir}/cwmp.toml`;
  await Deno.writeTextFile(path, toml);
  return path;
}

/** A running agent process. */
export interface AgentProcess {
  child: Deno.ChildProcess;
  /** Log lines so far (stderr). */
  lines: string[];
  /**
   * Resolves with the first log line matching `re` at index `from` or later (rejects
   * after `timeoutMs`).
   */
  waitForLine(re: RegExp, timeoutMs?: number, from?: number): Promise<string>;
  /** Resolves when the process exits by itself (rejects after `timeoutMs`). */
  waitForExit(timeoutMs?: number): Promise<Deno.CommandStatus>;
  /**
   * Sends `signal` and waits for the exit; if the process is still there after
   * `graceMs` (default 5 s), sends SIGKILL.
   */
  kill(signal?: Deno.Signal, graceMs?: number): Promise<Deno.CommandStatus>;
}

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** Options of {@linkcode spawnAgent}. */
export interface SpawnAgentOptions {
  /** V8 flags for the agent, e.g. `["--max-old-space-size=96"]` (the bench compares them). */
  v8Flags?: readonly string[];
  /**
   * The `deno` arguments before `--config` instead of `run --allow-all <v8 flags> main.ts`
   * (the bench runs the release bundle with the launcher's arguments).
   */
  runArgs?: readonly string[];
  /** More environment variables for the agent process. */
  env?: Readonly<Record<string, string>>;
}

/** Starts `main.ts --config path`. */
export function spawnAgent(configPath: string, options: SpawnAgentOptions = {}): AgentProcess {
  // Production's heap limits unless a test or bench asks otherwise ([] = V8's defaults).
  const flags = options.v8Flags ?? V8_FLAGS;
  const v8 = flags.length > 0 ? [v8FlagsArgument(flags)] : [];
  const child = new Deno.Command(Deno.execPath(), {
    args: [...(options.runArgs ?? ["run", "--allow-all", ...v8, MAIN]), "--config", configPath],
    // No update check (a DNS query and HTTPS to dl.deno.land half a second in): tests and
    // benches talk to loopback only, and the launcher and `deno task start` turn it off too.
    env: { DENO_NO_UPDATE_CHECK: "1", ...options.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    let rest = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      rest += chunk;
      const parts = rest.split("\n");
      rest = parts.pop() ?? "";
      lines.push(...parts);
      waiters.splice(0).forEach((w) => w());
    }
    if (rest) lines.push(rest);
    waiters.splice(0).forEach((w) => w());
  };
  const pumps = Promise.all([pump(child.stderr), pump(child.stdout)]);
  let status: Promise<Deno.CommandStatus> | undefined;
  const exited = () => (status ??= child.status.then(async (s) => (await pumps, s)));
  return {
    child,
    lines,
    waitForLine(re, timeoutMs = 10_000, from = 0) {
      return new Promise((resolve, reject) => {
        let seen = from;
        const timer = setTimeout(
          () => reject(new Error(`No log line ${re} within ${timeoutMs} ms:\n${lines.join("\n")}`)),
          timeoutMs,
        );
        const check = () => {
          for (; seen < lines.length; seen++) {
            if (re.test(lines[seen])) {
              clearTimeout(timer);
              return resolve(lines[seen]);
            }
          }
          waiters.push(check);
        };
        check();
      });
    },
    waitForExit(timeoutMs = 10_000) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(new Error(`Agent did not exit within ${timeoutMs} ms:\n${lines.join("\n")}`)),
          timeoutMs,
        );
      });
      return Promise.race([exited(), timeout]).finally(() => clearTimeout(timer));
    },
    async kill(signal = "SIGTERM", graceMs = 5_000) {
      try {
        child.kill(signal);
      } catch { /* already exited */ }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
      const first = await Promise.race([exited(), late]);
      clearTimeout(timer);
      if (first) return first;
      try {
        child.kill("SIGKILL");
      } catch { /* exited meanwhile */ }
      return await exited();
    },
  };
}
