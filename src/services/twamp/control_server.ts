/**
 * TWAMP-Control server, unauthenticated mode only (RFC 5357 §3 on RFC 4656 §3), so full
 * TWAMP clients can run test sessions against our reflector. It owns the TCP listener
 * and, per control connection, the test sessions it negotiated; each session is the
 * TWAMP Light reflector (`reflector.ts`) served by `services/udp` on its own port.
 *
 * Per connection (one async loop; every read is exact-length into a fixed buffer):
 *
 * ```
 * accept ──(over maxConnections or peer outside IPAllowedList)──► Greeting Modes 0, close
 *   │ Server-Greeting (Modes 1)
 *   ▼
 * setup ──(setupTimeoutMs, Mode ≠ 1, EOF)──► close
 *   │ Set-Up-Response Mode 1 → Server-Start Accept 0
 *   ▼
 * commands ◄─────────────────────────────────────────────┐ (idleTimeoutMs = SERVWAIT)
 *   │ Request-TW-Session → bind a reflector → Accept-Session (any Accept)
 *   │ Start-Sessions → Start-Ack 0 ──► testing (no read timeout; REFWAIT watches
 *   │                                  the sessions' packet counters instead)
 *   │ Stop-Sessions → stop every session after its Timeout (capped) ──┘
 *   │ unknown command, bad message, EOF ──► close
 *   ▼
 * closed: every session of the connection stops at once
 * ```
 *
 * Choices (the RFC wording is from memory; items marked [U] are unverified):
 * - **Ports**: the requested Receiver Port is bound on the connection's local address.
 *   When it is below `minTestPort` or busy, another free port is bound and returned with
 *   Accept 0 [U: RFC 5357 §3.5 lets the server suggest an alternate port; whether with
 *   Accept 0 is from one implementation]. With `alternatePorts: false` the request is
 *   refused with Accept 5 (temporary resource limitation) instead.
 * - **Reflection starts at Accept-Session**, not at Start-Sessions (the socket must be
 *   bound to answer with its port; the reflector is stateless until packets come).
 * - **Who may send test packets**: the reflector keeps `reflector`'s allow lists, and
 *   with `restrictToPeer` (default) its IPAllowedList becomes the control client's
 *   own address: the control peer must itself be in the configured IPAllowedList, so
 *   this only narrows it. MaximumTTL is 255 (TWAMP senders send with TTL 255).
 * - **Type-P Descriptor**: DSCP values (`00` prefix) are accepted but replies are not
 *   marked with them; any other form gets Accept 3 (not supported).
 * - **Conf-Sender/Conf-Receiver, Schedule Slots, Number of Packets, Start Time,
 *   addresses** are not checked (TWAMP sets them to 0 or leaves them informative).
 * - **Limits**: `maxSessionsPerConnection` → Accept 4 (permanent resource limitation);
 *   a bind failure → Accept 5; anything unexpected → Accept 2 (internal error).
 *
 * @module
 */

import { ipAllowed, parseIpAllowedList, parsePortAllowedList } from "./allow_list.ts";
import {
  AcceptCode,
  commandKind,
  CONTROL_MESSAGE_LENGTH,
  type ControlMessage,
  decodeControlMessage,
  encodeControlMessage,
  makeSid,
  MIN_COUNT,
  Mode,
  ntpDurationToMs,
  type RequestTwSession,
} from "./control_messages.ts";
import { unixNsToNtp } from "./packet.ts";
import type { TwampReflectorConfig } from "./reflector.ts";
import { twampReflectorSpec } from "./reflector_spec.ts";
import { startUdpService, type UdpPath, type UdpService } from "../udp/mod.ts";
import { clearTimer, setRepeating, setTimer, type Timer } from "../../platform/timers.ts";

/** Bounds of {@linkcode startTwampControl}; every one has a default. */
export interface TwampControlLimits {
  /** Control connections served at once; more get Modes 0. Default 16. */
  readonly maxConnections: number;
  /** Test sessions per connection (stopping ones included). Default 4. */
  readonly maxSessionsPerConnection: number;
  /** Wait for the Set-Up-Response. Default 30 s. */
  readonly setupTimeoutMs: number;
  /** Wait for the next command outside a test (RFC 5357 SERVWAIT). Default 900 s. */
  readonly idleTimeoutMs: number;
  /** During a test: close when no session received a packet for this long (REFWAIT). Default 900 s. */
  readonly refWaitMs: number;
  /** Cap of a session's Timeout after Stop-Sessions. Default 30 s. */
  readonly maxStopTimeoutMs: number;
  /** A write that does not complete in this time closes the connection. Default 10 s. */
  readonly writeTimeoutMs: number;
  /** Requested Receiver Ports below this are not bound (an alternate port is). Default 1024. */
  readonly minTestPort: number;
}

/** Defaults of {@linkcode TwampControlLimits}. */
export const DEFAULT_TWAMP_CONTROL_LIMITS: TwampControlLimits = {
  maxConnections: 16,
  maxSessionsPerConnection: 4,
  setupTimeoutMs: 30_000,
  idleTimeoutMs: 900_000,
  refWaitMs: 900_000,
  maxStopTimeoutMs: 30_000,
  writeTimeoutMs: 10_000,
  minTestPort: 1024,
};

/** Options of {@linkcode startTwampControl}. */
export interface TwampControlOptions {
  /** Address the TCP listener binds; default "0.0.0.0". */
  readonly hostname?: string;
  /** TCP port; 862 is TWAMP-Control's; 0 picks a free one. */
  readonly port: number;
  /** Reflector settings (allow lists, clock…); MaximumTTL is always 255. */
  readonly reflector?: Omit<TwampReflectorConfig, "maximumTtl">;
  /** Only the control peer's address may send test packets; default true. */
  readonly restrictToPeer?: boolean;
  /** Bind another port when the requested one is unusable; default true. */
  readonly alternatePorts?: boolean;
  /** UDP loop of the sessions; default "auto". */
  readonly path?: "auto" | UdpPath;
  readonly limits?: Partial<TwampControlLimits>;
  /** Told about refusals, closes and failures (sentence case). */
  readonly onEvent?: (message: string) => void;
}

/** A running TWAMP-Control server. */
export interface TwampControlServer {
  /** The bound TCP port. */
  readonly port: number;
  /** Counters: connections, sessions, why connections closed. */
  stats(): Record<string, number>;
  /** Stops listening, closes every connection and stops every session. */
  close(): Promise<void>;
}

const COUNTERS = [
  "connectionsAccepted",
  "connectionsRefused",
  "connectionsOpen",
  "sessionsAccepted",
  "sessionsRefused",
  "sessionsOpen",
  "closedByPeer",
  "closedWrongMode",
  "closedMalformed",
  "closedTimeout",
  "closedError",
] as const;
type Counter = typeof COUNTERS[number];

/**
 * Listens for TWAMP-Control on `options.hostname`:`options.port` (see the module doc).
 *
 * @throws {RangeError} or {TypeError} on invalid allow lists, or the listener's error
 */
export function startTwampControl(options: TwampControlOptions): TwampControlServer {
  const limits = { ...DEFAULT_TWAMP_CONTROL_LIMITS, ...options.limits };
  const reflector = { ...options.reflector, maximumTtl: 255 };
  const allowed = parseIpAllowedList(reflector.ipAllowedList ?? "");
  parsePortAllowedList(reflector.portAllowedList ?? ""); // fail now, not per session
  const listener = Deno.listen({
    hostname: options.hostname ?? "0.0.0.0",
    port: options.port,
    transport: "tcp",
  });
  const counters = Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Record<Counter, number>;
  const connections = new Set<ControlConnection>();
  const startTime = unixNsToNtp(BigInt(Date.now()) * 1_000_000n);
  const shared: Shared = {
    limits,
    reflector,
    restrictToPeer: options.restrictToPeer ?? true,
    alternatePorts: options.alternatePorts ?? true,
    path: options.path ?? "auto",
    startTime,
    counters,
    event: (m) => options.onEvent?.(m),
  };
  let closing = false;
  const running = new Set<Promise<void>>();

  const acceptLoop = (async () => {
    for (;;) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (closing || error instanceof Deno.errors.BadResource) return;
        shared.event(`TWAMP-Control cannot accept: ${(error as Error).message}`);
        await new Promise<void>((r) => setTimer(r, 100)); // e.g. out of descriptors: no busy loop
        continue;
      }
      const peer = (conn.remoteAddr as Deno.NetAddr).hostname;
      const refuse = connections.size >= limits.maxConnections
        ? "too many control connections"
        : (allowed.length > 0 && !ipAllowed(allowed, peer))
        ? "peer not in IPAllowedList"
        : undefined;
      const connection = new ControlConnection(conn, shared);
      const task = refuse === undefined
        ? (connections.add(connection), connection.run())
        : connection.refuse(refuse);
      const done = task.finally(() => {
        connections.delete(connection);
        running.delete(done);
      });
      running.add(done);
    }
  })();

  return {
    port: (listener.addr as Deno.NetAddr).port,
    stats: () => ({ ...counters }),
    async close() {
      if (closing) return;
      closing = true;
      listener.close();
      await acceptLoop;
      for (const connection of connections) connection.close();
      await Promise.all([...running]);
    },
  };
}

interface Shared {
  readonly limits: TwampControlLimits;
  readonly reflector: TwampReflectorConfig;
  readonly restrictToPeer: boolean;
  readonly alternatePorts: boolean;
  readonly path: "auto" | UdpPath;
  readonly startTime: bigint;
  readonly counters: Record<Counter, number>;
  event(message: string): void;
}

interface Session {
  readonly service: UdpService;
  readonly timeoutMs: number;
  /** Set once Stop-Sessions scheduled its end. */
  stopTimer?: Timer;
  lastReceived: number;
}

/** Why the loop ended, when it was not the peer's EOF. */
class CloseReason extends Error {
  constructor(readonly counter: Counter, message: string) {
    super(message);
  }
}

/** One control connection: its state machine, its sessions and its timers. */
class ControlConnection {
  readonly #conn: Deno.TcpConn;
  readonly #shared: Shared;
  readonly #peer: string;
  readonly #local: string;
  readonly #name: string;
  /** Big enough for the longest message (Set-Up-Response); nothing else is buffered. */
  readonly #buffer = new Uint8Array(CONTROL_MESSAGE_LENGTH.SetUpResponse);
  readonly #sessions = new Set<Session>();
  #timer: Timer | undefined;
  #watch: Timer | undefined;
  #reason: CloseReason | undefined;
  #closed = false;

  constructor(conn: Deno.TcpConn, shared: Shared) {
    this.#conn = conn;
    this.#shared = shared;
    const remote = conn.remoteAddr as Deno.NetAddr;
    this.#peer = remote.hostname;
    this.#local = (conn.localAddr as Deno.NetAddr).hostname;
    this.#name = `${remote.hostname}:${remote.port}`;
  }

  /** Greets with Modes 0 (RFC 4656 §3.1: the server will not talk) and closes. */
  async refuse(why: string): Promise<void> {
    this.#shared.counters.connectionsRefused++;
    this.#shared.event(`TWAMP-Control refuses ${this.#name}: ${why}`);
    try {
      await this.#send(this.#greeting(Mode.Closed));
    } catch { /* the peer may already be gone */ }
    this.close();
  }

  /** Serves the connection until it closes; never rejects. */
  async run(): Promise<void> {
    const counters = this.#shared.counters;
    counters.connectionsAccepted++;
    counters.connectionsOpen++;
    try {
      await this.#serve();
      counters.closedByPeer++;
    } catch (error) {
      const reason = this.#reason ?? (error instanceof CloseReason ? error : undefined);
      if (reason !== undefined) {
        counters[reason.counter]++;
        this.#shared.event(`TWAMP-Control closes ${this.#name}: ${reason.message}`);
      } else if (!this.#closed) {
        counters.closedError++;
        this.#shared.event(`TWAMP-Control closes ${this.#name}: ${(error as Error).message}`);
      }
    } finally {
      counters.connectionsOpen--;
      this.close();
      await this.#stopAll();
    }
  }

  /** Closes the TCP connection (the loop ends with its pending read). */
  close(): void {
    clearTimer(this.#timer);
    clearTimer(this.#watch);
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch { /* already closed */ }
  }

  async #serve(): Promise<void> {
    const limits = this.#shared.limits;
    await this.#send(this.#greeting(Mode.Unauthenticated));
    const setup = await this.#readSetUp(limits.setupTimeoutMs);
    if (setup === undefined) return;
    if (setup.mode !== Mode.Unauthenticated) {
      throw new CloseReason("closedWrongMode", `Set-Up-Response Mode "${setup.mode}" is not 1`);
    }
    await this.#send({
      kind: "ServerStart",
      accept: AcceptCode.Ok,
      startTime: this.#shared.startTime,
    });
    let testing = false;
    for (;;) {
      const timeout = testing ? undefined : limits.idleTimeoutMs;
      const command = await this.#readCommand(timeout);
      if (command === undefined) return;
      switch (command.kind) {
        case "RequestTwSession":
          await this.#send(await this.#requestSession(command));
          break;
        case "StartSessions":
          await this.#send({ kind: "StartAck", accept: AcceptCode.Ok });
          testing = true;
          this.#watchSessions();
          break;
        case "StopSessions":
          testing = false;
          clearTimer(this.#watch);
          this.#scheduleStops();
          break;
      }
    }
  }

  #greeting(modes: number): ControlMessage {
    return {
      kind: "ServerGreeting",
      modes,
      challenge: crypto.getRandomValues(new Uint8Array(16)),
      salt: crypto.getRandomValues(new Uint8Array(16)),
      count: MIN_COUNT,
    };
  }

  async #requestSession(request: RequestTwSession): Promise<ControlMessage> {
    const counters = this.#shared.counters;
    const refuse = (accept: number, why: string): ControlMessage => {
      counters.sessionsRefused++;
      this.#shared.event(`TWAMP-Control refuses a session of ${this.#name}: ${why}`);
      return { kind: "AcceptSession", accept, port: 0, sid: new Uint8Array(16) };
    };
    const limits = this.#shared.limits;
    if (this.#sessions.size >= limits.maxSessionsPerConnection) {
      return refuse(AcceptCode.PermanentResourceLimitation, "too many sessions");
    }
    if (request.ipvn !== (this.#local.includes(":") ? 6 : 4)) {
      return refuse(AcceptCode.NotSupported, `IPv${request.ipvn} over this connection`);
    }
    if ((request.typePDescriptor >>> 30) !== 0) {
      return refuse(AcceptCode.NotSupported, `Type-P Descriptor "${request.typePDescriptor}"`);
    }
    const config: TwampReflectorConfig = this.#shared.restrictToPeer
      ? { ...this.#shared.reflector, ipAllowedList: this.#peer }
      : this.#shared.reflector;
    let service: UdpService | undefined;
    const wanted = request.receiverPort;
    try {
      if (wanted >= limits.minTestPort) service = await this.#bind(wanted, config);
      if (service === undefined && this.#shared.alternatePorts) {
        service = await this.#bind(0, config);
      }
    } catch (error) {
      return refuse(AcceptCode.InternalError, (error as Error).message);
    }
    if (service === undefined) {
      return refuse(AcceptCode.TemporaryResourceLimitation, `port ${wanted} unavailable`);
    }
    if (this.#closed) { // closed while binding: run() may already have stopped the rest
      await service.close();
      return refuse(AcceptCode.InternalError, "connection closed");
    }
    const now = unixNsToNtp(BigInt(Date.now()) * 1_000_000n);
    const timeoutMs = Math.min(ntpDurationToMs(request.timeout), limits.maxStopTimeoutMs);
    this.#sessions.add({ service, timeoutMs, lastReceived: 0 });
    counters.sessionsAccepted++;
    counters.sessionsOpen++;
    return {
      kind: "AcceptSession",
      accept: AcceptCode.Ok,
      port: service.port,
      sid: makeSid(this.#local, now, crypto.getRandomValues(new Uint8Array(4))),
    };
  }

  /** A reflector on `port` of the local address, or undefined when it cannot bind. */
  async #bind(port: number, config: TwampReflectorConfig): Promise<UdpService | undefined> {
    try {
      return await startUdpService({
        hostname: this.#local,
        port,
        spec: twampReflectorSpec(config),
        path: this.#shared.path,
      });
    } catch (error) {
      if (error instanceof Deno.errors.AddrInUse || error instanceof Deno.errors.PermissionDenied) {
        return undefined;
      }
      // The FFI path reports bind errors as plain errors: treat "in use" text alike.
      if (/in use|EADDRINUSE|EACCES|denied/i.test((error as Error).message)) return undefined;
      throw error;
    }
  }

  /** REFWAIT: during a test, closes the connection when no session received anything. */
  #watchSessions(): void {
    clearTimer(this.#watch);
    const refWait = this.#shared.limits.refWaitMs;
    this.#watch = setRepeating(async () => {
      let progressed = false;
      try {
        for (const session of [...this.#sessions]) {
          const received = Number((await session.service.stats()).received ?? 0);
          if (received !== session.lastReceived) progressed = true;
          session.lastReceived = received;
        }
      } catch {
        return; // a session closed under us: the connection is going away anyway
      }
      if (!progressed && !this.#closed) {
        this.#reason ??= new CloseReason("closedTimeout", `no test packet for ${refWait} ms`);
        this.close();
      }
    }, refWait);
  }

  /** Stop-Sessions: each session ends after its Timeout (capped); the port is then free. */
  #scheduleStops(): void {
    for (const session of this.#sessions) {
      if (session.stopTimer !== undefined) continue;
      session.stopTimer = setTimer(() => this.#stop(session), session.timeoutMs);
    }
  }

  async #stop(session: Session): Promise<void> {
    if (!this.#sessions.delete(session)) return;
    clearTimer(session.stopTimer);
    this.#shared.counters.sessionsOpen--;
    await session.service.close().catch((error) =>
      this.#shared.event(`TWAMP-Control cannot stop a session: ${(error as Error).message}`)
    );
  }

  #stopAll(): Promise<unknown> {
    return Promise.all([...this.#sessions].map((s) => this.#stop(s)));
  }

  /** The next command, or undefined at EOF between messages. */
  async #readCommand(timeoutMs: number | undefined) {
    // Every command is at least 32 bytes: read those, then the rest its number implies.
    const head = this.#buffer.subarray(0, CONTROL_MESSAGE_LENGTH.StartSessions);
    if (!await this.#readExact(head, timeoutMs, "no command", true)) return undefined;
    const kind = commandKind(head[0]);
    if (kind === undefined) {
      throw new CloseReason("closedMalformed", `unknown command "${head[0]}"`);
    }
    const whole = this.#buffer.subarray(0, CONTROL_MESSAGE_LENGTH[kind]);
    if (whole.length > head.length) {
      await this.#readExact(whole.subarray(head.length), timeoutMs, `incomplete ${kind}`);
    }
    return this.#decode(kind, whole);
  }

  /** The Set-Up-Response, or undefined at EOF before its first byte. */
  async #readSetUp(timeoutMs: number) {
    const data = this.#buffer.subarray(0, CONTROL_MESSAGE_LENGTH.SetUpResponse);
    if (!await this.#readExact(data, timeoutMs, "no Set-Up-Response", true)) return undefined;
    return this.#decode("SetUpResponse", data);
  }

  #decode<K extends "SetUpResponse" | "RequestTwSession" | "StartSessions" | "StopSessions">(
    kind: K,
    data: Uint8Array,
  ) {
    try {
      return decodeControlMessage(kind, data);
    } catch (error) {
      throw new CloseReason("closedMalformed", (error as Error).message);
    }
  }

  /**
   * Fills `data` from the connection. Returns false on EOF before the first byte when
   * `eofOk`; EOF inside a message and the deadline close the connection.
   */
  async #readExact(
    data: Uint8Array,
    timeoutMs: number | undefined,
    what: string,
    eofOk = false,
  ): Promise<boolean> {
    this.#arm(timeoutMs, what);
    try {
      let got = 0;
      while (got < data.length) {
        const n = await this.#conn.read(data.subarray(got));
        if (n === null) {
          if (got === 0 && eofOk) return false;
          throw new CloseReason("closedMalformed", `EOF after ${got} of ${data.length} bytes`);
        }
        got += n;
      }
      return true;
    } finally {
      clearTimer(this.#timer);
    }
  }

  async #send(message: ControlMessage): Promise<void> {
    const data = encodeControlMessage(message);
    this.#arm(this.#shared.limits.writeTimeoutMs, `${message.kind} not taken`);
    try {
      for (let sent = 0; sent < data.length;) sent += await this.#conn.write(data.subarray(sent));
    } finally {
      clearTimer(this.#timer);
    }
  }

  /** After `ms`, records `what` as the reason and closes the connection. */
  #arm(ms: number | undefined, what: string): void {
    clearTimer(this.#timer);
    if (ms === undefined) return;
    this.#timer = setTimer(() => {
      this.#reason ??= new CloseReason("closedTimeout", `${what} within ${ms} ms`);
      this.close();
    }, ms);
  }
}
