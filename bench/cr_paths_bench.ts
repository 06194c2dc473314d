/**
 * Connection-request paths to session start, same agent, same run:
 *
 * - HTTP (Digest, TR-069 §3.2.2), the reference: GET, 401, GET with Digest, then the
 *   Inform at the test ACS.
 * - UDP (TR-069 Annex G / TR-111): one signed datagram to the agent's STUN-bound UDP
 *   port, then the Inform. Each valid request is preceded by invalid ones (a replay, a bad
 *   signature, a stale `ts`, garbage), which must start nothing.
 * - XMPP (TR-069 Annex K), where Debian's prosody is installed: a connectionRequest iq from
 *   an ACS account through prosody on loopback (TLS, SCRAM), then the Inform.
 * - STUN keep-alive traffic per hour at the default periods (STUNMaximumKeepAlivePeriod
 *   -1 → one Binding Request every 30 s): the sizes of our request and of coturn's answer
 *   as measured here (UDP payload + 28 bytes of IPv4/UDP headers), times the requests an
 *   hour.
 *
 * Latency is from the send of the request to the Inform's arrival at the ACS, p50/p99
 * over `--requests` (default 1,000) each, sequential (one session at a time, as the
 * agent runs them), 20 ms after the previous session ended.
 *
 *   deno run -A bench/cr_paths_bench.ts [--requests=1000]
 *
 * @module
 */

import { startFakeAcs } from "../tests/_helpers/fake_acs.ts";
import { udpCrSignature } from "../src/services/stun/udp_connection_request.ts";
import {
  CONNECTION_REQUEST_BINDING_VALUE,
  encodeBindingRequest,
  newTransactionId,
} from "../src/services/stun/message.ts";
import { DEFAULT_KEEPALIVE_S } from "../src/services/stun/client.ts";
import {
  CR_CREDENTIALS,
  makeBenchTempDir,
  removeBenchTempDir,
  startAgentProcess,
  stopAgent,
  writeBenchConfig,
} from "./_agent.ts";
import { sendConnectionRequest } from "./_connection_request.ts";
import { disposeProsody, type Prosody, startProsody } from "../tests/_helpers/prosody.ts";
import { unavailable } from "../tests/_helpers/needs.ts";
import { XmppClient } from "../src/services/xmpp/client.ts";
import { connectionRequestIq } from "../src/services/xmpp/conn_req.ts";

function flag(name: string, fallback: number): number {
  const arg = Deno.args.find((a) => a.startsWith(`--${name}=`));
  return arg === undefined ? fallback : Number(arg.slice(name.length + 3));
}

const REQUESTS = flag("requests", 1000);
/** Pause between a session's end and the next request, ms. */
const SETTLE_MS = 20;

/** p50 and p99 of `values` (ms). */
function percentiles(values: number[]): { p50: number; p99: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p99: at(0.99) };
}

/** A STUN server that maps every client to its own address (like coturn on loopback). */
function stunServer() {
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const sizes: { request: number; response: number }[] = [];
  (async () => {
    while (true) {
      let data: Uint8Array, from: Deno.NetAddr;
      try {
        const [d, a] = await socket.receive();
        data = d;
        from = a as Deno.NetAddr;
      } catch {
        return;
      }
      // The smallest RFC 5389 answer: XOR-MAPPED-ADDRESS alone.
      const reply = new Uint8Array(20 + 12);
      const v = new DataView(reply.buffer);
      v.setUint16(0, 0x0101);
      v.setUint16(2, 12);
      reply.set(data.subarray(4, 20), 4);
      v.setUint16(20, 0x0020);
      v.setUint16(22, 8);
      v.setUint16(24, 1);
      v.setUint16(26, from.port ^ 0x2112);
      const ip = from.hostname.split(".").map(Number);
      const cookie = [0x21, 0x12, 0xa4, 0x42];
      reply.set(ip.map((b, i) => b ^ cookie[i]), 28);
      sizes.push({ request: data.length, response: reply.length });
      await socket.send(reply, from).catch(() => {});
    }
  })();
  return { port: (socket.addr as Deno.NetAddr).port, sizes, close: () => socket.close() };
}

function udpCr(target: string, id: string, options: { ts?: number; password?: string } = {}) {
  const f = {
    ts: options.ts ?? Math.floor(Date.now() / 1000),
    id,
    un: CR_CREDENTIALS.username,
    cn: crypto.randomUUID().slice(0, 12),
  };
  const sig = udpCrSignature(f, options.password ?? CR_CREDENTIALS.password);
  const q = new URLSearchParams({ ts: String(f.ts), id: f.id, un: f.un, cn: f.cn, sig });
  return new TextEncoder().encode(`GET http://${target}?${q} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
}

/**
 * The size of coturn's answer to our Binding Request (XOR-MAPPED-ADDRESS, MAPPED-ADDRESS,
 * RESPONSE-ORIGIN, SOFTWARE), or of the smallest RFC 5389 answer (32 bytes) without it.
 */
async function coturnAnswerBytes(): Promise<number> {
  const probe = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const dir = await Deno.makeTempDir({ prefix: "cwmp-bench-turn-" });
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("turnserver", {
      args: [
        "-n",
        "--listening-ip=127.0.0.1",
        `--listening-port=${port}`,
        "--stun-only",
        "--no-cli",
        "--no-tls",
        "--no-dtls",
        `--db=${dir}/turndb`,
        `--pidfile=${dir}/turnserver.pid`,
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
  } catch {
    await Deno.remove(dir, { recursive: true });
    return 32;
  }
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    const request = encodeBindingRequest({
      transactionId: newTransactionId(crypto.getRandomValues(new Uint8Array(12))),
    });
    const answer = socket.receive().then(([d]) => d.length, () => 32);
    for (let i = 0; i < 50; i++) {
      await socket.send(request, { transport: "udp", hostname: "127.0.0.1", port });
      const got = await Promise.race([
        answer,
        new Promise<undefined>((r) => setTimeout(() => r(undefined), 100)),
      ]);
      if (got !== undefined) return got;
    }
    return 32;
  } finally {
    socket.close();
    child.kill("SIGKILL");
    await child.status;
    await Deno.remove(dir, { recursive: true });
  }
}

async function main(): Promise<void> {
  const informs: number[] = [];
  const acs = startFakeAcs({
    hook: (message) => {
      if (message.kind === "Inform") informs.push(performance.now());
      return undefined;
    },
  });
  const stun = stunServer();
  const dir = await makeBenchTempDir("cwmp-bench-cr-");
  const noProsody = unavailable("/usr/bin/prosody") ?? unavailable("openssl");
  let prosody: Prosody | undefined;
  let acsPeer: XmppClient | undefined;
  try {
    if (noProsody === undefined) {
      prosody = await startProsody({ accounts: { cpe: "cpe-secret", acs: "acs-secret" } });
    }
    const config = await writeBenchConfig(dir, acs.url);
    // INFO: the ports come from the log lines.
    const text = (await Deno.readTextFile(config)).replace(/severity = "\w+"/, 'severity = "INFO"');
    const xmpp = prosody === undefined ? "" : `
[xmpp]
server = "127.0.0.1"
port = ${prosody.port}
domain = "${prosody.domain}"
username = "cpe"
password = "cpe-secret"
resource = "cwmp"
allowed_jids = ["acs@${prosody.domain}"]
ca_file = "${prosody.caFile}"
`;
    await Deno.writeTextFile(
      config,
      `${text}\n[stun]\nenable = true\nserver_address = "127.0.0.1"\nserver_port = ${stun.port}\nudp_port = 0\n${xmpp}`,
    );
    const agent = startAgentProcess(config);
    const crLine = await agent.waitForLine(
      /Connection Request server initiated with the port: \d+/,
    );
    const httpPort = Number(crLine.match(/port: (\d+)/)![1]);
    const udpLine = await agent.waitForLine(/UDP connection requests \(STUN\) on port \d+/);
    const udpPort = Number(udpLine.match(/port (\d+)/)![1]);
    await acs.waitForSessions(1, 20_000);
    await acs.waitUntil(() => acs.sessions[0].ended, "the boot session", 20_000);

    /**
     * The latency of the session a request started at `t0` opened: waits for the next
     * Inform, then for every session to end (another one, e.g. a VALUE CHANGE, may follow).
     */
    const sessionAfter = async (before: number, t0: number): Promise<number> => {
      await acs.waitUntil(() => informs.length > before, "an Inform", 10_000);
      await acs.waitUntil(() => acs.sessions.every((x) => x.ended), "the sessions' end", 10_000);
      // The agent records the session's end (state written and fsynced) after the ACS's
      // 204: the next request waits for that, so it does not measure the previous one.
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      return informs[before] - t0;
    };

    // HTTP reference.
    const http: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const before = informs.length;
      const t0 = performance.now();
      await sendConnectionRequest(`http://127.0.0.1:${httpPort}/cr`, CR_CREDENTIALS);
      http.push(await sessionAfter(before, t0));
    }

    // UDP, with invalid requests in between.
    const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    const target = `127.0.0.1:${udpPort}`;
    const send = (data: Uint8Array) =>
      socket.send(data, { transport: "udp", hostname: "127.0.0.1", port: udpPort });
    const udp: number[] = [];
    let invalid = 0;
    const sessionsBefore = acs.sessions.length;
    for (let i = 0; i < REQUESTS; i++) {
      await send(udpCr(target, `bad-sig-${i}`, { password: "guess" }));
      await send(udpCr(target, `stale-${i}`, { ts: Math.floor(Date.now() / 1000) - 7200 }));
      await send(crypto.getRandomValues(new Uint8Array(64 + (i % 200))));
      if (i > 0) await send(udpCr(target, `ok-${i - 1}`)); // a replay of the last valid id
      invalid += i > 0 ? 4 : 3;
      const before = informs.length;
      const t0 = performance.now();
      await send(udpCr(target, `ok-${i}`));
      udp.push(await sessionAfter(before, t0));
    }
    socket.close();
    // Sessions opened by a connection request in the UDP phase, beyond the valid ones.
    const extra = acs.sessions.slice(sessionsBefore).filter((x) => {
      const inform = x.inform.message;
      return inform.kind === "Inform" &&
        inform.event.some((e) => e.eventCode === "6 CONNECTION REQUEST");
    }).length - REQUESTS;

    // XMPP, through prosody.
    const xmppMs: number[] = [];
    if (prosody !== undefined) {
      const quiet = { info() {}, warning() {}, debug() {} };
      acsPeer = new XmppClient({
        settings: {
          username: "acs",
          password: "acs-secret",
          domain: prosody.domain,
          resource: "acs",
          useTls: true,
          algorithm: "ServerTable",
          servers: [{ address: "127.0.0.1", port: prosody.port }],
          keepAliveInterval: 0,
          connectAttempts: 16,
          retry: { initialInterval: 1, intervalMultiplier: 1000, maxInterval: 1 },
        },
        caCerts: [prosody.caPem],
        log: quiet,
        onIq: () => undefined,
      });
      acsPeer.start();
      const to = `cpe@${prosody.domain}/cwmp`;
      for (let i = 0; acsPeer.status !== "Enabled"; i++) {
        if (i > 200) throw new Error("The ACS's XMPP account did not log in within 20 s");
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await agent.waitForLine(/connected to .* as cpe@/, 20_000);
      for (let i = 0; i < REQUESTS; i++) {
        const id = `bench-${i}`;
        const before = informs.length;
        const t0 = performance.now();
        const reply = await acsPeer.request(
          connectionRequestIq({
            id,
            to,
            username: CR_CREDENTIALS.username,
            password: CR_CREDENTIALS.password,
          }),
          id,
        );
        if (reply.attrs.type?.value !== "result") {
          throw new Error(`XMPP connection request ${i}: ${reply.attrs.type?.value}`);
        }
        xmppMs.push(await sessionAfter(before, t0));
      }
    }
    await stopAgent(agent);

    const h = percentiles(http);
    const u = percentiles(udp);
    const x = xmppMs.length > 0 ? percentiles(xmppMs) : undefined;
    const keepalive = { request: stun.sizes[0].request, response: await coturnAnswerBytes() };
    const perHour = 3600 / DEFAULT_KEEPALIVE_S;
    const bytesPerHour = perHour * (keepalive.request + keepalive.response + 2 * 28);
    const result = {
      requests: REQUESTS,
      httpP50Ms: h.p50,
      httpP99Ms: h.p99,
      udpP50Ms: u.p50,
      udpP99Ms: u.p99,
      xmppP50Ms: x?.p50,
      xmppP99Ms: x?.p99,
      udpInvalidSent: invalid,
      sessionsFromInvalid: extra,
      stunRequestBytes: keepalive.request,
      stunResponseBytes: keepalive.response,
      stunRequestsPerHour: perHour,
      stunBytesPerHour: bytesPerHour,
    };
    const f = (v: number) => `${v.toFixed(2)} ms`;
    console.log(
      [
        `Connection request → Inform at the ACS, ${REQUESTS} each, sequential:`,
        `  HTTP Digest (reference)      p50 ${f(h.p50)}  p99 ${f(h.p99)}`,
        `  UDP (TR-111)                 p50 ${f(u.p50)}  p99 ${f(u.p99)}` +
        `  (${invalid} invalid datagrams in between, ${extra} sessions from them)`,
        x === undefined
          ? `  XMPP (Annex K)               skipped: ${noProsody}`
          : `  XMPP (Annex K, via prosody)  p50 ${f(x.p50)}  p99 ${f(x.p99)}`,
        `STUN keep-alive at the default period (${DEFAULT_KEEPALIVE_S} s): ${perHour} Binding Requests/h,` +
        ` ${keepalive.request} + ${keepalive.response} bytes of UDP payload each way` +
        ` (CONNECTION-REQUEST-BINDING "${CONNECTION_REQUEST_BINDING_VALUE}") = ` +
        `${(bytesPerHour / 1024).toFixed(1)} KiB/h with IPv4/UDP headers`,
      ].join("\n"),
    );
    console.log(`RESULT ${JSON.stringify(result)}`);
    if (extra !== 0) Deno.exit(1);
  } finally {
    await acsPeer?.stop();
    if (prosody !== undefined) await disposeProsody(prosody);
    stun.close();
    await acs.close();
    await removeBenchTempDir(dir);
  }
}

await main();
