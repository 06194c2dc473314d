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

import { freePort, makeTestCa, run, stopChild, waitListening } from "./test_servers.ts";

export { makeTestCa } from "./test_servers.ts";

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
  const log = () => Deno.readTextFile(`${dir}/mosquitto.log`).catch(() => "");
  const start = async () => {
    child = new Deno.Command("/usr/sbin/mosquitto", {
      args: ["-c", config],
      stdout: "null",
      stderr: "null",
    }).spawn();
    await waitListening("mosquitto", [port, tlsPort], log);
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    await stopChild(c);
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
    log,
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
  let exited = false;
  const messages = child.output().then((out) =>
    new TextDecoder().decode(out.stdout).split("\n").filter((l) => l !== "").map((line) => {
      const [qos, retain, topic, hex = ""] = line.split(" ");
      const payload = new Uint8Array((hex.match(/../g) ?? []).map((b) => parseInt(b, 16)));
      return { qos: Number(qos), retain: retain === "1", topic, payload };
    })
  ).finally(() => exited = true);
  const ready = (async () => {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      // A subscriber that already got its messages and left had subscribed (a retained
      // message arrives at once): the broker and its log may be gone by now.
      if (exited) return;
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
