/**
 * checkStartConfig(): what the agent rejects at start beyond the file's syntax and
 * types, checked against this host: the ACS URL, the TLS files, the mapping file, the
 * state directory and the listen addresses. `cwmp-agent check-config` and the agent's
 * start run this same code, so both print the same one line `file:line: key: detail`.
 *
 * It writes nothing that stays: the state directory is probed with a temp file in it
 * (or in its nearest existing parent), removed at once. The file system calls are
 * synchronous: they run once, before the agent serves anything, and each costs a few µs
 * where an async one costs a hop through the runtime's thread pool (0.2–0.4 ms at start).
 *
 * @module
 */

import { dirname, resolve } from "./_path.ts";
import { listedAbsent } from "../platform/absent.ts";
import { ConfigError } from "./config_error.ts";
import { configOrigin } from "./load.ts";
import { readErrorReason } from "./_read_capped.ts";
import type { AgentConfig } from "./schema.ts";

/** Options of {@linkcode checkStartConfig}. */
export interface StartCheckOptions {
  /** This host's addresses; default from `Deno.networkInterfaces()` (none known: not checked). */
  readonly hostAddresses?: () => readonly string[] | undefined;
}

type Fail = (key: string, detail: string) => ConfigError;

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** The canonical text of an IP literal, or undefined when `text` is not one. */
export function canonicalIp(text: string): string | undefined {
  if (IPV4.test(text)) return text;
  if (!text.includes(":") || /[^0-9A-Fa-f:.]/.test(text)) return undefined;
  try {
    return new URL(`http://[${text}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
}

const WILDCARDS = new Set(["0.0.0.0", "::"]);

function defaultHostAddresses(): readonly string[] | undefined {
  try {
    return Deno.networkInterfaces().map((i) => i.address.replace(/%.*$/, ""));
  } catch {
    return undefined; // no permission: the listener will tell
  }
}

function checkBind(fail: Fail, key: string, bind: string, options: StartCheckOptions): void {
  const ip = canonicalIp(bind);
  if (ip === undefined) {
    throw fail(key, `${JSON.stringify(bind)} is not an IP address (e.g. "0.0.0.0" or "::")`);
  }
  if (WILDCARDS.has(ip) || ip.startsWith("127.") || ip === "::1") return;
  const addresses = (options.hostAddresses ?? defaultHostAddresses)();
  if (addresses === undefined) return;
  if (!addresses.some((a) => canonicalIp(a) === ip)) {
    throw fail(key, `${JSON.stringify(bind)} is not an address of this host`);
  }
}

function checkFile(fail: Fail, key: string, path: string, dirHint = ""): void {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch (err) {
    throw fail(key, `cannot read ${JSON.stringify(path)} (${readErrorReason(err)})`);
  }
  if (info.isDirectory) throw fail(key, `${JSON.stringify(path)} is a directory${dirHint}`);
  // Opening a FIFO would wait for a writer; a device is no certificate or key either.
  if (!info.isFile) throw fail(key, `${JSON.stringify(path)} is not a regular file`);
  try {
    Deno.openSync(path).close();
  } catch (err) {
    throw fail(key, `cannot read ${JSON.stringify(path)} (${readErrorReason(err)})`);
  }
}

function checkDirReadable(fail: Fail, key: string, path: string): void {
  try {
    for (const _ of Deno.readDirSync(path)) break;
  } catch (err) {
    throw fail(key, `cannot read the directory ${JSON.stringify(path)} (${readErrorReason(err)})`);
  }
}

/** The state dir (or where it would be created) must be a directory this process can write. */
function checkWritableDir(fail: Fail, key: string, path: string): void {
  if (path === "") throw fail(key, "must not be empty");
  let dir = resolve(path);
  for (;;) {
    // A directory not created yet (a first start): up one level without a thrown NotFound.
    if (dirname(dir) !== dir && listedAbsent(dir)) {
      dir = dirname(dir);
      continue;
    }
    try {
      const info = Deno.statSync(dir);
      if (!info.isDirectory) {
        throw fail(key, `cannot create ${JSON.stringify(path)}: "${dir}" is not a directory`);
      }
      break;
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      const absent = err instanceof Deno.errors.NotFound ||
        err instanceof Deno.errors.NotADirectory;
      if (!absent || dirname(dir) === dir) {
        throw fail(key, `cannot use ${JSON.stringify(path)} (${readErrorReason(err)})`);
      }
      dir = dirname(dir);
    }
  }
  const exists = dir === resolve(path);
  try {
    const probe = Deno.makeTempFileSync({ dir, prefix: ".cwmp-agent-check-" });
    Deno.removeSync(probe);
  } catch (err) {
    const what = exists
      ? `cannot write in ${JSON.stringify(path)}`
      : `cannot create ${JSON.stringify(path)}: cannot write in "${dir}"`;
    throw fail(key, `${what} (${readErrorReason(err)})`);
  }
}

/**
 * Checks `config` against this host the way the agent's start does.
 *
 * @throws {ConfigError} naming the config file, line and key (a mapping file's own
 * problems name the mapping file, line and key).
 */
export async function checkStartConfig(
  config: AgentConfig,
  options: StartCheckOptions = {},
): Promise<void> {
  const origin = configOrigin(config);
  const file = origin?.file ?? "config";
  const fail: Fail = (key, detail) => {
    const line = origin?.lines.get(key) ?? origin?.lines.get(key.split(".")[0]);
    return new ConfigError({ file, line, key, detail });
  };
  const { acs, agent, connectionRequest, twamp, transfer } = config;

  if (acs.url === "" && !acs.dhcpDiscovery) {
    throw fail("acs.url", "is needed (empty, and acs.dhcp_discovery is false)");
  }
  if (acs.caFile !== "") {
    checkFile(fail, "acs.ca_file", acs.caFile, " (a directory of CAs goes in acs.ca_dir)");
  }
  if (acs.caDir !== "") checkDirReadable(fail, "acs.ca_dir", acs.caDir);
  if (acs.clientCert !== "") checkFile(fail, "acs.client_cert", acs.clientCert);
  if (acs.clientKey !== "") checkFile(fail, "acs.client_key", acs.clientKey);
  if (transfer.caFile !== "") checkFile(fail, "transfer.ca_file", transfer.caFile);
  if (config.mqtt.caFile !== "") checkFile(fail, "mqtt.ca_file", config.mqtt.caFile);
  if (config.xmpp.caFile !== "") checkFile(fail, "xmpp.ca_file", config.xmpp.caFile);

  checkWritableDir(fail, "agent.state_dir", agent.stateDir);
  if (transfer.dir !== "") checkWritableDir(fail, "transfer.dir", transfer.dir);

  checkBind(fail, "connection_request.bind", connectionRequest.bind, options);
  if (twamp.controlEnable) checkBind(fail, "twamp.control_bind", twamp.controlBind, options);

  if (agent.mappingFile !== "") {
    try {
      Deno.statSync(agent.mappingFile);
    } catch (err) {
      const reason = readErrorReason(err);
      throw fail(
        "agent.mapping_file",
        `cannot read ${JSON.stringify(agent.mappingFile)} (${reason})`,
      );
    }
    // Its contents: the mapping file's own line and key (its checker loads only for this).
    const { readMappingFile } = await import("./mapping.ts");
    await readMappingFile(agent.mappingFile);
  }
}
