/**
 * The XMPP client loop (RFC 6120; TR-069 Annex K; TR-181 `Device.XMPP.Connection.{i}`):
 * TCP, STARTTLS with certificate verification (always on; the XMPP domain is the name
 * checked), SASL SCRAM-SHA-1 or PLAIN (PLAIN only over TLS), resource binding, initial
 * presence, then stanzas until the stream ends. The codec is `stanza.ts`; this file only
 * moves bytes and keeps time.
 *
 * States (TR-181 Status): `Connecting` while connecting and negotiating; `Enabled` once
 * bound; after a failure `ServerNotPresent` (no TCP connection), `Error_AuthenticationFailure`
 * (SASL refused), `Error_Misconfigured` (no server, TLS or mechanism to use) or `Error`
 * (anything else) until the next attempt; `Disabled` once stopped.
 *
 * Keep-alive: an XEP-0199 ping to the server every KeepAliveInterval seconds (−1: 300 s,
 * RFC 6120 §4.6.4; 0: none); no answer within 60 s (or the interval, if shorter) ends the
 * connection. Reconnection: the n-th consecutive wait is random in
 * [0, min(ServerRetryInitialInterval × (ServerRetryIntervalMultiplier / 1000)^(n−1),
 * ServerRetryMaxInterval)] (`retry_wait.ts`); after ServerConnectAttempts failed attempts
 * on one address the next one is tried (round robin; 0 = stay).
 *
 * @module
 */

import { WakeTimer } from "../../platform/wake_timer.ts";
import { chooseMechanism, plainResponse, ScramSha1, toBase64 } from "./sasl.ts";
import { retryWait } from "./retry_wait.ts";
import type { XmppClientSettings, XmppLog, XmppServer, XmppStatus } from "./settings.ts";
import {
  attrOf,
  childOf,
  element,
  escapeXml,
  MAX_STANZA_CHARS,
  NS_CLIENT,
  NS_STREAMS,
  STREAM_END,
  type StreamEvent,
  streamHeader,
  StreamParser,
  type XmlElement,
} from "./stanza.ts";
import { clearTimer, setRepeating, setTimer, type Timer } from "../../platform/timers.ts";

// The settings types live in settings.ts (light: the agent reads rows into them without
// loading this file); re-exported for importers of the client.
export type { XmppClientSettings, XmppLog, XmppServer, XmppStatus } from "./settings.ts";

const NS_TLS = "urn:ietf:params:xml:ns:xmpp-tls";
const NS_SASL = "urn:ietf:params:xml:ns:xmpp-sasl";
const NS_BIND = "urn:ietf:params:xml:ns:xmpp-bind";
const NS_SESSION = "urn:ietf:params:xml:ns:xmpp-session";
const NS_PING = "urn:xmpp:ping";

/** Default port of client-to-server XMPP (RFC 6120 §3.2.1). */
export const XMPP_PORT = 5222;
const DEFAULT_KEEP_ALIVE_S = 300;
const PING_TIMEOUT_MS = 60_000;
const NEGOTIATION_TIMEOUT_MS = 30_000;

/** Options of {@linkcode XmppClient}. */
export interface XmppClientOptions {
  readonly settings: XmppClientSettings;
  /** PEM CA certificates; none = the runtime's roots. */
  readonly caCerts?: readonly string[];
  /**
   * An iq `get`/`set` other than a ping: returns the reply stanza (undefined: the client
   * answers `service-unavailable`).
   */
  onIq(stanza: XmlElement): string | undefined | Promise<string | undefined>;
  /** Called after every change of status, JID or TLS state. */
  onState?(client: XmppClient): void;
  readonly log: XmppLog;
  /** In [0, 1); default Math.random. */
  readonly random?: () => number;
  /** Connect and negotiate within this; default 30 s. */
  readonly negotiationTimeoutMs?: number;
}

/** Raised inside a session to end it with `status`. */
class SessionEnd extends Error {
  constructor(readonly status: XmppStatus, message: string) {
    super(message);
  }
}

/** One XMPP connection, kept up until {@linkcode XmppClient.stop}. */
export class XmppClient {
  readonly #options: XmppClientOptions;
  #status: XmppStatus = "Disabled";
  #jid = "";
  #tls = false;
  #stopped = true;
  #conn: Deno.Conn | undefined;
  #run: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  /** The reconnection wait, random each time: a WakeTimer, which does not leak when stopped. */
  readonly #retryTimer = new WakeTimer();
  #writing: Promise<void> = Promise.resolve();
  #nextId = 0;
  readonly #waiting = new Map<string, (reply: XmlElement) => void>();

  /** A stopped client; {@linkcode start} connects. */
  constructor(options: XmppClientOptions) {
    this.#options = options;
  }

  /** TR-181 Status. */
  get status(): XmppStatus {
    return this.#status;
  }

  /** The full JID the server bound; "" until the first bind. */
  get jid(): string {
    return this.#jid;
  }

  /** TR-181 TLSEstablished. */
  get tlsEstablished(): boolean {
    return this.#tls;
  }

  /**
   * Sends the iq `stanza` whose id is `id` and resolves with the `result` or `error`
   * that answers it (the ACS side of tests and tools).
   *
   * @throws {Error} when not connected or nothing answers within `timeoutMs`.
   */
  async request(stanza: string, id: string, timeoutMs = 10_000): Promise<XmlElement> {
    let timer: Timer | undefined;
    try {
      return await new Promise<XmlElement>((resolve, reject) => {
        this.#waiting.set(id, resolve);
        timer = setTimer(() => reject(new Error(`No answer to iq "${id}"`)), timeoutMs);
        this.#send(stanza).catch(reject);
      });
    } finally {
      clearTimer(timer);
      this.#waiting.delete(id);
    }
  }

  /**
   * Sends `stanza` as is on the current connection.
   *
   * @throws {Error} when not connected.
   */
  send(stanza: string): Promise<void> {
    return this.#send(stanza);
  }

  /** Starts connecting (and reconnecting) in the background. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#run = this.#loop();
  }

  /** Closes the stream and stops reconnecting. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    const conn = this.#conn;
    if (conn !== undefined && this.#status === "Enabled") {
      let timer: Timer | undefined;
      const late = new Promise<void>((resolve) => timer = setTimer(resolve, 200));
      await Promise.race([this.#write(conn, STREAM_END), late]).catch(() => {});
      clearTimer(timer);
    }
    closeQuietly(conn);
    this.#wake?.();
    await this.#run;
    this.#set({ status: "Disabled", tls: false });
  }

  async #loop(): Promise<void> {
    const { settings, log } = this.#options;
    const random = this.#options.random ?? Math.random;
    let failures = 0;
    let target = 0;
    let attempts = 0;
    while (!this.#stopped) {
      let targets: XmppServer[] = [];
      try {
        targets = await this.#targets();
      } catch (error) {
        log.warning(`XMPP: cannot find a server for "${settings.domain}": ${messageOf(error)}`);
      }
      let status: XmppStatus = "Error_Misconfigured";
      let established = false;
      if (targets.length > 0) {
        const server = targets[target % targets.length];
        const outcome = await this.#session(server);
        status = outcome.status;
        established = outcome.established;
      } else {
        log.warning("XMPP: no server to connect to");
      }
      if (this.#stopped) break;
      this.#set({ status, tls: false });
      if (established) {
        failures = 0;
        attempts = 0;
      } else if (settings.connectAttempts > 0 && ++attempts >= settings.connectAttempts) {
        target++;
        attempts = 0;
      }
      failures++;
      const wait = retryWait(failures, settings.retry, random);
      log.info(`XMPP: reconnecting in ${Math.round(wait / 100) / 10} s`);
      await this.#sleep(wait);
    }
  }

  /** The addresses to try, by ServerConnectAlgorithm. */
  async #targets(): Promise<XmppServer[]> {
    const { algorithm, servers, domain } = this.#options.settings;
    if (algorithm === "ServerTable") return [...servers];
    if (domain === "") return [];
    if (algorithm === "DNS-SRV") {
      try {
        const records = await Deno.resolveDns(`_xmpp-client._tcp.${domain}`, "SRV");
        const sorted = records
          .filter((r) => r.target !== "." && r.target !== "")
          .sort((a, b) => a.priority - b.priority || b.weight - a.weight);
        if (sorted.length > 0) {
          return sorted.map((r) => ({ address: r.target.replace(/\.$/, ""), port: r.port }));
        }
      } catch { /* no SRV record: fall back to the domain (RFC 6120 §3.2.2) */ }
    }
    return [{ address: domain, port: XMPP_PORT }];
  }

  /** One connection, from TCP connect to its end. */
  async #session(server: XmppServer): Promise<{ status: XmppStatus; established: boolean }> {
    const { settings, log } = this.#options;
    const where = server.address.includes(":")
      ? `[${server.address}]:${server.port}`
      : `${server.address}:${server.port}`;
    this.#set({ status: "Connecting", tls: false });
    let conn: Deno.Conn;
    try {
      conn = await Deno.connect({ hostname: server.address, port: server.port });
    } catch (error) {
      log.warning(`XMPP: cannot connect to ${where}: ${messageOf(error)}`);
      return { status: "ServerNotPresent", established: false };
    }
    this.#conn = conn;
    if (this.#stopped) {
      closeQuietly(conn);
      return { status: "Disabled", established: false };
    }
    const timeoutMs = this.#options.negotiationTimeoutMs ?? NEGOTIATION_TIMEOUT_MS;
    let negotiating = true;
    const deadline = setTimer(() => {
      if (negotiating) {
        log.warning(`XMPP: no session with ${where} after ${timeoutMs / 1000} s`);
        closeQuietly(this.#conn);
      }
    }, timeoutMs);
    const io = new StreamReader(conn);
    let established = false;
    try {
      const { features, tls } = await this.#negotiate(io, settings);
      await this.#authenticate(io, features, tls);
      await this.#bind(io);
      negotiating = false;
      clearTimer(deadline);
      established = true;
      this.#set({ status: "Enabled", tls });
      log.info(`XMPP: connected to ${where} as ${this.#jid}${tls ? " over TLS" : ""}`);
      await this.#serve(io);
      return { status: this.#stopped ? "Disabled" : "Error", established };
    } catch (error) {
      if (this.#stopped) return { status: "Disabled", established };
      const status = error instanceof SessionEnd ? error.status : "Error";
      log.warning(`XMPP: connection to ${where} ended: ${messageOf(error)}`);
      return { status, established };
    } finally {
      negotiating = false;
      clearTimer(deadline);
      closeQuietly(this.#conn);
      this.#conn = undefined;
    }
  }

  /** Stream header and features; STARTTLS when asked for or required. */
  async #negotiate(
    io: StreamReader,
    settings: XmppClientSettings,
  ): Promise<{ features: XmlElement; tls: boolean }> {
    let features = await this.#open(io);
    const starttls = childOf(features, "starttls", NS_TLS);
    if (starttls === undefined) {
      if (settings.useTls) {
        throw new SessionEnd("Error_Misconfigured", "UseTLS is true but the server offers no TLS");
      }
      return { features, tls: false };
    }
    if (!settings.useTls && childOf(starttls, "required") === undefined) {
      return { features, tls: false };
    }
    await this.#send(element("starttls", { xmlns: NS_TLS }));
    const answer = await io.stanza();
    if (answer.local !== "proceed" || answer.ns !== NS_TLS) {
      throw new SessionEnd("Error", `STARTTLS refused ("${answer.local}")`);
    }
    if (!io.parser.idle) throw new SessionEnd("Error", "Data after <proceed/>");
    let tlsConn: Deno.TlsConn;
    try {
      tlsConn = await Deno.startTls(this.#conn as Deno.TcpConn, {
        hostname: settings.domain,
        caCerts: this.#options.caCerts === undefined ? undefined : [...this.#options.caCerts],
      });
      await tlsConn.handshake();
    } catch (error) {
      throw new SessionEnd("Error", `TLS: ${messageOf(error)}`);
    }
    this.#conn = tlsConn;
    io.replace(tlsConn);
    features = await this.#open(io);
    return { features, tls: true };
  }

  /** Sends our stream header and reads the server's header and features. */
  async #open(io: StreamReader): Promise<XmlElement> {
    io.parser.reset();
    await this.#send(streamHeader(this.#options.settings.domain));
    const start = await io.next();
    if (start.kind !== "streamStart") throw new SessionEnd("Error", "No stream header");
    const features = await io.stanza();
    if (features.local !== "features" || features.ns !== NS_STREAMS) {
      throw new SessionEnd("Error", `Expected stream features, got "<${features.name}>"`);
    }
    return features;
  }

  async #authenticate(io: StreamReader, features: XmlElement, tls: boolean): Promise<void> {
    const { username, password } = this.#options.settings;
    const offered = childOf(features, "mechanisms", NS_SASL)?.children
      .filter((c) => c.local === "mechanism")
      .map((c) => c.text.trim()) ?? [];
    const mechanism = chooseMechanism(offered, tls);
    if (mechanism === undefined) {
      throw new SessionEnd(
        "Error_Misconfigured",
        `No usable SASL mechanism (offered: ${offered.join(", ") || "none"}${
          tls ? "" : "; PLAIN needs TLS"
        })`,
      );
    }
    let scram: ScramSha1 | undefined;
    if (mechanism === "PLAIN") {
      await this.#send(
        element("auth", { xmlns: NS_SASL, mechanism }, plainResponse(username, password)),
      );
    } else {
      const nonce = toBase64(crypto.getRandomValues(new Uint8Array(18)));
      scram = new ScramSha1(username, password, nonce);
      await this.#send(element("auth", { xmlns: NS_SASL, mechanism }, scram.first()));
    }
    for (;;) {
      const reply = await io.stanza();
      if (reply.ns !== NS_SASL) throw new SessionEnd("Error", `Unexpected "<${reply.name}>"`);
      if (reply.local === "failure") {
        const condition = reply.children[0]?.local ?? "unknown";
        throw new SessionEnd("Error_AuthenticationFailure", `SASL ${mechanism}: ${condition}`);
      }
      if (reply.local === "challenge" && scram !== undefined) {
        let response: string;
        try {
          response = await scram.final(reply.text);
        } catch (error) {
          await this.#send(element("abort", { xmlns: NS_SASL })).catch(() => {});
          throw new SessionEnd("Error", `SCRAM: ${messageOf(error)}`);
        }
        await this.#send(element("response", { xmlns: NS_SASL }, response));
        continue;
      }
      if (reply.local === "success") {
        if (scram !== undefined && !scram.verify(reply.text)) {
          throw new SessionEnd("Error_AuthenticationFailure", "SCRAM: wrong server signature");
        }
        return;
      }
      throw new SessionEnd("Error", `Unexpected SASL "<${reply.local}>"`);
    }
  }

  /** Restarts the stream, binds the resource, opens a session if required, presence. */
  async #bind(io: StreamReader): Promise<void> {
    const { resource } = this.#options.settings;
    const features = await this.#open(io);
    if (childOf(features, "bind", NS_BIND) === undefined) {
      throw new SessionEnd("Error", "The server offers no resource binding");
    }
    const inner = resource === "" ? "" : element("resource", {}, escapeXml(resource));
    const bound = await this.#query(io, element("bind", { xmlns: NS_BIND }, inner));
    const jid = childOf(childOf(bound, "bind", NS_BIND) ?? bound, "jid", NS_BIND)?.text.trim();
    if (!jid) throw new SessionEnd("Error", "Resource binding gave no JID");
    this.#jid = jid;
    const session = childOf(features, "session", NS_SESSION);
    if (session !== undefined && childOf(session, "optional") === undefined) {
      await this.#query(io, element("session", { xmlns: NS_SESSION }));
    }
    await this.#send(element("presence"));
  }

  /** Sends an iq `set` and waits for its result (stanzas in between are dropped). */
  async #query(io: StreamReader, payload: string): Promise<XmlElement> {
    const id = `cwmp-${++this.#nextId}`;
    await this.#send(element("iq", { type: "set", id }, payload));
    for (;;) {
      const reply = await io.stanza();
      if (reply.local !== "iq" || attrOf(reply, "id") !== id) continue;
      if (attrOf(reply, "type") === "result") return reply;
      const condition = childOf(reply, "error")?.children[0]?.local ?? "unknown";
      throw new SessionEnd(
        "Error",
        `iq ${payload.slice(1, payload.search(/[ />]/))}: ${condition}`,
      );
    }
  }

  /** The bound stream: answers iqs and keeps the connection alive until it ends. */
  async #serve(io: StreamReader): Promise<void> {
    const { settings, log } = this.#options;
    const interval = settings.keepAliveInterval < 0
      ? DEFAULT_KEEP_ALIVE_S * 1000
      : settings.keepAliveInterval * 1000;
    let pingId = "";
    let pingTimer: Timer | undefined;
    const keepAlive = interval > 0
      ? setRepeating(() => {
        if (pingId !== "") return;
        pingId = `ping-${++this.#nextId}`;
        const ping = element("ping", { xmlns: NS_PING });
        this.#send(element("iq", { type: "get", id: pingId, to: settings.domain }, ping))
          .catch(() => {});
        pingTimer = setTimer(() => {
          log.warning("XMPP: no answer to a keep-alive ping: reconnecting");
          closeQuietly(this.#conn);
        }, Math.min(PING_TIMEOUT_MS, interval));
      }, interval)
      : undefined;
    try {
      for (;;) {
        const event = await io.next();
        if (event.kind === "streamEnd") {
          await this.#send(STREAM_END).catch(() => {});
          throw new SessionEnd("Error", "The server closed the stream");
        }
        if (event.kind !== "stanza") continue;
        const stanza = event.element;
        if (stanza.ns === NS_STREAMS && stanza.local === "error") {
          const condition = stanza.children[0]?.local ?? "unknown";
          throw new SessionEnd("Error", `Stream error "${condition}"`);
        }
        if (stanza.ns !== NS_CLIENT || stanza.local !== "iq") continue;
        const type = attrOf(stanza, "type");
        if (type === "result" || type === "error") {
          const id = attrOf(stanza, "id");
          if (pingId !== "" && id === pingId) {
            pingId = "";
            clearTimer(pingTimer);
          }
          this.#waiting.get(id)?.(stanza);
          continue;
        }
        if (type !== "get" && type !== "set") continue;
        if (childOf(stanza, "ping", NS_PING) !== undefined) {
          await this.#send(element("iq", {
            type: "result",
            id: attrOf(stanza, "id"),
            to: attrOf(stanza, "from") || undefined,
          }));
          continue;
        }
        const reply = await this.#options.onIq(stanza);
        await this.#send(reply ?? unavailable(stanza));
      }
    } finally {
      clearTimer(keepAlive);
      clearTimer(pingTimer);
    }
  }

  /** Queues `text` on the current connection. */
  #send(text: string): Promise<void> {
    const conn = this.#conn;
    if (conn === undefined) return Promise.reject(new Error("Not connected"));
    return this.#write(conn, text);
  }

  #write(conn: Deno.Conn, text: string): Promise<void> {
    const next = this.#writing.catch(() => {}).then(() => writeAll(conn, text));
    this.#writing = next;
    return next;
  }

  #set(change: { status: XmppStatus; tls: boolean }): void {
    if (change.status === this.#status && change.tls === this.#tls) return;
    this.#status = change.status;
    this.#tls = change.tls;
    this.#options.onState?.(this);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.#retryTimer.cancel();
        this.#wake = undefined;
        resolve();
      };
      this.#retryTimer.arm(ms, done);
      this.#wake = done;
    });
  }
}

function unavailable(stanza: XmlElement): string {
  const NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";
  const error = element(
    "error",
    { type: "cancel" },
    element("service-unavailable", { xmlns: NS_STANZAS }),
  );
  return element("iq", {
    type: "error",
    id: attrOf(stanza, "id"),
    to: attrOf(stanza, "from") || undefined,
  }, error);
}

/** Pulls stream events from a connection on demand (never reads ahead of the caller). */
class StreamReader {
  readonly parser = new StreamParser({ maxStanzaChars: MAX_STANZA_CHARS });
  #conn: Deno.Conn;
  #decoder = new TextDecoder("utf-8", { fatal: true });
  #pending: StreamEvent[] = [];
  readonly #buf = new Uint8Array(16 * 1024);

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /** Reads from `conn` from now on (after STARTTLS). */
  replace(conn: Deno.Conn): void {
    this.#conn = conn;
    this.#decoder = new TextDecoder("utf-8", { fatal: true });
    this.#pending = [];
  }

  async next(): Promise<StreamEvent> {
    while (this.#pending.length === 0) {
      const n = await this.#conn.read(this.#buf);
      if (n === null) throw new SessionEnd("Error", "Connection closed by the server");
      let text: string;
      try {
        text = this.#decoder.decode(this.#buf.subarray(0, n), { stream: true });
      } catch {
        throw new SessionEnd("Error", "The server sent bytes that are not UTF-8");
      }
      try {
        this.#pending.push(...this.parser.push(text));
      } catch (error) {
        throw new SessionEnd("Error", `Bad stream: ${messageOf(error)}`);
      }
    }
    return this.#pending.shift()!;
  }

  async stanza(): Promise<XmlElement> {
    const event = await this.next();
    if (event.kind === "stanza") return event.element;
    throw new SessionEnd(
      "Error",
      event.kind === "streamEnd" ? "Stream closed" : "Stream restarted",
    );
  }
}

async function writeAll(conn: Deno.Conn, text: string): Promise<void> {
  let bytes = new TextEncoder().encode(text);
  while (bytes.length > 0) {
    const n = await conn.write(bytes);
    bytes = bytes.subarray(n);
  }
}

function closeQuietly(conn: Deno.Conn | undefined): void {
  try {
    conn?.close();
  } catch { /* already closed */ }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
