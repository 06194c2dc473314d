/**
 * Test helper: Debian's prosody on 127.0.0.1 in a temp dir of its own (config, data,
 * log, pid file), with TLS from a test CA made here with openssl (a `localhost`
 * certificate, the CA PEM handed to the clients) and accounts registered with
 * `prosodyctl register`. Encryption is required on c2s, PLAIN only over TLS. Stopped
 * (and restartable on the same port) by the test.
 *
 * @module
 */

import { freePort, makeTestCa, run, stopChild, waitListening } from "./test_servers.ts";

/** A running (or stopped) prosody. */
export interface Prosody {
  /** The c2s port on 127.0.0.1. */
  readonly port: number;
  /** The XMPP domain (and the certificate's name). */
  readonly domain: string;
  /** PEM of the CA that signed the server's certificate. */
  readonly caPem: string;
  readonly caFile: string;
  readonly dir: string;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  restart(): Promise<void>;
  /** The server's log so far. */
  log(): Promise<string>;
}

/** Options of {@linkcode startProsody}. */
export interface ProsodyOptions {
  /** username → password, registered before the start. */
  accounts: Record<string, string>;
  /** Require TLS before authentication (default true). */
  requireTls?: boolean;
}

const DOMAIN = "localhost";

/** Starts prosody; see the module doc. */
export async function startProsody(options: ProsodyOptions): Promise<Prosody> {
  const dir = await Deno.makeTempDir({ prefix: "cwmp-prosody-" });
  await Deno.mkdir(`${dir}/data`);
  await makeTestCa(dir);
  const port = freePort();
  const requireTls = options.requireTls ?? true;
  const config = `${dir}/prosody.cfg.lua`;
  await Deno.writeTextFile(
    config,
    `-- cwmp-agent test server
pidfile = "${dir}/prosody.pid"
data_path = "${dir}/data"
daemonize = false
run_as_root = true
admins = { }
modules_enabled = { "roster"; "saslauth"; "tls"; "disco"; "ping"; "posix" }
modules_disabled = { "s2s" }
c2s_ports = { ${port} }
c2s_interfaces = { "127.0.0.1" }
s2s_ports = { }
component_ports = { }
http_ports = { }
https_ports = { }
c2s_direct_tls_ports = { }
authentication = "internal_hashed"
storage = "internal"
c2s_require_encryption = ${requireTls}
allow_unencrypted_plain_auth = false
log = { { levels = { min = "debug" }, to = "file", filename = "${dir}/prosody.log" } }
certificates = "${dir}/certs"
ssl = { certificate = "${dir}/localhost.crt"; key = "${dir}/localhost.key"; }
VirtualHost "${DOMAIN}"
  ssl = { certificate = "${dir}/localhost.crt"; key = "${dir}/localhost.key"; }
`,
  );
  for (const [user, password] of Object.entries(options.accounts)) {
    await run("prosodyctl", ["--config", config, "register", user, DOMAIN, password]);
  }
  let child: Deno.ChildProcess | undefined;
  const log = () => Deno.readTextFile(`${dir}/prosody.log`).catch(() => "");
  const start = async () => {
    child = new Deno.Command("prosody", {
      args: ["--config", config],
      stdout: "null",
      stderr: "null",
    }).spawn();
    await waitListening("prosody", [port], log);
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    await stopChild(c);
  };
  await start();
  return {
    port,
    domain: DOMAIN,
    caPem: await Deno.readTextFile(`${dir}/ca.pem`),
    caFile: `${dir}/ca.pem`,
    dir,
    async stop() {
      await stop();
    },
    async restart() {
      await stop();
      await start();
    },
    log,
  };
}

/** Stops `prosody` and removes its directory. */
export async function disposeProsody(prosody: Prosody): Promise<void> {
  await prosody.stop();
  await Deno.remove(prosody.dir, { recursive: true }).catch(() => {});
}
