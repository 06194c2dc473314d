/**
 * Test helper: Debian's mosquitto on 127.0.0.1 in a temp dir of its own (config,
 * password file made with `mosquitto_passwd`, log), with a plain listener and a TLS
 * listener whose `localhost` certificate a test CA made here with openssl signs. No
 * anonymous access. Stopped (and restartable on the same ports) by the test.
 *
 * {@linkcode subscribe} runs `mosquitto_sub` and hands back what it received: QoS,
 * retain flag, topic and payload of each message.
 *
 * @module
 */

/** A running (or stopped) mosquitto. */
export interface Mosquitto {
  /** Plain MQTT port on 127.0.0.1. */
  readonly port: number;
  /** MQTT over TLS port on 127.0.0.1 (certificate for `localhost`). */
  readonly tlsPort: number;
  /** PEM of the CA that signed the broker's certificate. */
  readonly caPem: string;
  readonly caFile: string;
  readonly dir: string;
  /** Stops the broker (SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>;
  /** Starts it again on the same ports. */
  restart(): Promise<void>;
  /** The broker's log so far. */
  log(): Promise<string>;
}

/** Options of {@linkcode startMosquitto}. */
export interface MosquittoOptions {
  /** username → password. */
  users: Record<string, string>;
}

async function run(cmd: string, args: string[], cwd?: string): Promise<string> {
  const out = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`${cmd} ${args.join(" ")} failed: ${text}`);
  return text;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Makes a CA (`<prefix>ca.pem`) in `dir`; with `server`, a `localhost` certificate it signs. */
export async function makeTestCa(dir: string, prefix = "", server = true): Promise<string> {
  await run("openssl", [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-keyout",
    `${prefix}ca.key`,
    "-out",
    `${prefix}ca.pem`,
    "-subj",
    `/CN=cwmp-agent test CA ${prefix}`,
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign",
  ], dir); // deno-fmt-ignore
  if (server) {
    await run("openssl", [
      "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "localhost.key",
      "-out", "localhost.csr", "-subj", "/CN=localhost",
    ], dir); // deno-fmt-ignore
    await Deno.writeTextFile(
      `${dir}/ext.cnf`,
      "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n",
    );
    await run("openssl", [
      "x509", "-req", "-in", "localhost.csr", "-CA", `${prefix}ca.pem`,
      "-CAkey", `${prefix}ca.key`, "-CAcreateserial", "-days", "2",
      "-out", "localhost.crt", "-extfile", "ext.cnf",
    ], dir); // deno-fmt-ignore
  }
  return await Deno.readTextFile(`${dir}/${prefix}ca.pem`);
}

/** Starts mosquitto; see the module doc. */
export async function startMosquitto(options: MosquittoOptions): Promise<Mosquitto> {
  const dir = await Deno.makeTempDir({ prefix: "cwmp-mosquitto-" });
  const caPem = await makeTestCa(dir);
  const passwd = `${dir}/passwd`;
  await Deno.writeTextFile(passwd, "");
  for (const [user, password] of Object.entries(options.users)) {
    await run("/usr/bin/mosquitto_passwd", ["-b", passwd, user, password]);
  }
  const port = freePort();
  const tlsPort = freePort();
  const config = `${dir}/mosquitto.conf`;
  await Deno.writeTextFile(
    config,
    `# cwmp-agent test broker
user root
per_listener_settings false
allow_anonymous false
password_file ${passwd}
persistence false
log_dest file ${dir}/mosquitto.log
log_type all
connection_messages true
listener ${port} 127.0.0.1
listener ${tlsPort} 127.0.0.1
cafile ${dir}/ca.pem
certfile ${dir}/localhost.crt
keyfile ${dir}/localhost.key
`,
  );
  let child: Deno.ChildProcess | undefined;
  const start = async () => {
    child = new Deno.Command("/usr/sbin/mosquitto", {
      args: ["-c", config],
      stdout: "null",
      stderr: "null",
    }).spawn();
    const deadline = Date.now() + 10_000;
    for (const p of [port, tlsPort]) {
      for (;;) {
        try {
          const conn = await Deno.connect({ hostname: "127.0.0.1", port: p });
          conn.close();
          break;
        } catch {
          if (Date.now() > deadline) {
            const log = await Deno.readTextFile(`${dir}/mosquitto.log`).catch(() => "");
            throw new Error(`mosquitto did not listen on ${p}: ${log.slice(-2000)}`);
          }
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    }
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    if (c === undefined) return;
    try {
      c.kill("SIGTERM");
    } catch { /* gone */ }
    const timer = setTimeout(() => {
      try {
        c.kill("SIGKILL");
      } catch { /* gone */ }
    }, 5000);
    await c.status;
    clearTimeout(timer);
  };
  await start();
  return {
    port,
    tlsPort,
    caPem,
    caFile: `${dir}/ca.pem`,
    dir,
    stop,
    async restart() {
      await stop();
      await start();
    },
    log: () => Deno.readTextFile(`${dir}/mosquitto.log`).catch(() => ""),
  };
}

/** Stops `broker` and removes its directory. */
export async function disposeMosquitto(broker: Mosquitto): Promise<void> {
  await broker.stop();
  await Deno.remove(broker.dir, { recursive: true }).catch(() => {});
}

/** One message as `mosquitto_sub` received it. */
export interface Received {
  qos: number;
  retain: boolean;
  topic: string;
  payload: Uint8Array;
}

/** A running `mosquitto_sub`. */
export interface Subscription {
  /** Resolves once the broker has the subscription. */
  readonly ready: Promise<void>;
  /** Resolves with `count` messages (or what came before the timeout). */
  readonly messages: Promise<Received[]>;
}

let subscribers = 0;

/**
 * Subscribes to `topic` (QoS 2) as `user` and collects `count` messages, waiting at most
 * `timeoutSeconds` (default 20).
 */
export function subscribe(
  broker: Mosquitto,
  options: {
    topic: string;
    count: number;
    user: string;
    password: string;
    timeoutSeconds?: number;
  },
): Subscription {
  const id = `cwmp-test-sub-${Deno.pid}-${++subscribers}`;
  const child = new Deno.Command("/usr/bin/mosquitto_sub", {
    args: [
      "-h",
      "127.0.0.1",
      "-p",
      String(broker.port),
      "-u",
      options.user,
      "-P",
      options.password,
      "-i",
      id,
      "-q",
      "2",
      "-t",
      options.topic,
      "-C",
      String(options.count),
      "-W",
      String(options.timeoutSeconds ?? 20),
      "-F",
      "%q %r %t %x",
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn(); // deno-fmt-ignore
  const messages = child.output().then((out) =>
    new TextDecoder().decode(out.stdout).split("\n").filter((l) => l !== "").map((line) => {
      const [qos, retain, topic, hex = ""] = line.split(" ");
      const payload = new Uint8Array((hex.match(/../g) ?? []).map((b) => parseInt(b, 16)));
      return { qos: Number(qos), retain: retain === "1", topic, payload };
    })
  );
  const ready = (async () => {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const log = await broker.log();
      if (new RegExp(`${id} \\d+ ${escapeRegExp(options.topic)}`).test(log)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`mosquitto_sub ${id} did not subscribe to "${options.topic}"`);
  })();
  return { ready, messages };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
