/**
 * Drives the session engine in tests: a virtual clock, a record of every action, and a
 * scripted fake ACS at the message level (no HTTP, no XML).
 *
 * @module
 */

import type {
  CpeRequest,
  CpeResponse,
  CwmpMessage,
  CwmpNamespace,
  DeviceIdStruct,
  Envelope,
  Fault,
  SoapHeader,
} from "../../src/soap/messages.ts";
import {
  createSessionState,
  type SessionAction,
  type SessionEvent,
  type SessionSettings,
  type SessionSnapshot,
  type SessionState,
  step,
} from "../../src/session/mod.ts";
import { VirtualClock } from "../_helpers/virtual_clock.ts";

/** The DeviceId every test Inform carries. */
export const DEVICE_ID: DeviceIdStruct = {
  manufacturer: "Example",
  oui: "001122",
  productClass: "TestCPE",
  serialNumber: "SN0001",
};

/** The ACS URL of the tests. */
export const ACS_URL = "http://acs.example:7547/";

/** The snapshot of a device that already reached {@linkcode ACS_URL} once (no BOOTSTRAP). */
export function knownSnapshot(extra: Partial<SessionSnapshot> = {}): SessionSnapshot {
  return {
    version: 1,
    pendingEvents: [],
    retryCount: 0,
    lastAcsUrl: ACS_URL,
    queuedRequests: [],
    scheduledInforms: [],
    transfers: [],
    ...extra,
  };
}

/** Options of {@linkcode Harness}. */
export interface HarnessOptions {
  settings?: Partial<SessionSettings>;
  snapshot?: SessionSnapshot;
  random?: () => number;
  start?: number | string;
}

/** One reply of the fake ACS: a message and optional header fields. */
export interface AcsReply {
  message: CwmpMessage;
  header?: SoapHeader;
  namespace?: CwmpNamespace;
}

/** The engine plus a clock and an action log. */
export class Harness {
  state: SessionState;
  clock: VirtualClock;
  wakeAt?: number;
  /** Every action emitted, in order. */
  log: SessionAction[] = [];
  /** Actions of the last step. */
  last: SessionAction[] = [];

  constructor(options: HarnessOptions = {}) {
    this.clock = new VirtualClock(options.start);
    this.state = createSessionState(
      { acsUrl: ACS_URL, ...options.settings },
      { snapshot: options.snapshot, random: options.random ?? (() => 0) },
    );
  }

  /** Feeds one event at the current virtual time. */
  feed(event: SessionEvent): SessionAction[] {
    const result = step(this.state, event, this.clock.now());
    this.state = result.state;
    this.wakeAt = result.wakeAt;
    this.last = result.actions;
    this.log.push(...result.actions);
    return result.actions;
  }

  /** The open session's number (throws when none). */
  get session(): number {
    const n = this.state.session?.number;
    if (n === undefined) throw new Error(`No open session in phase "${this.state.phase}"`);
    return n;
  }

  /** Advances the clock to `wakeAt` and fires the timer. */
  fireTimer(): SessionAction[] {
    if (this.wakeAt === undefined) throw new Error("No timer armed");
    this.clock.advanceTo(this.wakeAt);
    return this.feed({ kind: "timerFired" });
  }

  /** Answers `collectInform`. */
  informData(): SessionAction[] {
    return this.feed({
      kind: "informData",
      session: this.session,
      deviceId: DEVICE_ID,
      parameterList: [{
        name: "Device.DeviceInfo.SoftwareVersion",
        value: "1.0.0",
        type: "xsd:string",
      }],
    });
  }

  /** Feeds an ACS message (default namespace cwmp-1-2). */
  acs(reply: AcsReply | CwmpMessage): SessionAction[] {
    const r: AcsReply = "kind" in reply ? { message: reply } : reply;
    const envelope: Envelope = {
      namespace: r.namespace ?? "urn:dslforum-org:cwmp-1-2",
      header: r.header ?? {},
      message: r.message,
    };
    return this.feed({ kind: "acsMessage", session: this.session, envelope });
  }

  /** The envelopes the CPE sent, in order. */
  sent(): Envelope[] {
    return this.log.flatMap((a) => a.kind === "send" ? [a.envelope] : []);
  }

  /** The last envelope the CPE sent. */
  lastSent(): Envelope {
    const all = this.sent();
    if (all.length === 0) throw new Error("Nothing sent");
    return all[all.length - 1];
  }

  /** The last snapshot the engine asked to persist. */
  lastSnapshot(): SessionSnapshot | undefined {
    const all = this.log.flatMap((a) => a.kind === "persist" ? [a.snapshot] : []);
    return all[all.length - 1];
  }

  /** The in-session action still waiting for its answer, if a session is open. */
  outstanding(): SessionAction | undefined {
    const session = this.state.session?.number;
    if (session === undefined) return undefined;
    for (let i = this.log.length - 1; i >= 0; i--) {
      const a = this.log[i];
      if (a.kind === "collectInform" || a.kind === "send" || a.kind === "dispatch") {
        return a.session === session ? a : undefined;
      }
    }
    return undefined;
  }

  /** The kinds of the last step's actions. */
  kinds(): string[] {
    return this.last.map((a) => a.kind);
  }
}

/** A fault the ACS sends. */
export function acsFault(faultCode: number, faultString = "Fault"): Fault {
  return { kind: "Fault", faultcode: "Server", faultstring: "CWMP fault", faultCode, faultString };
}

/** The dispatcher used by {@linkcode FakeAcs.run}: request in, response out. */
export type Dispatcher = (request: CpeRequest) => CpeResponse | Fault;

/** A default dispatcher: empty responses, GPV answers one value. */
export function defaultDispatcher(request: CpeRequest): CpeResponse | Fault {
  switch (request.kind) {
    case "GetParameterValues":
      return {
        kind: "GetParameterValuesResponse",
        parameterList: request.parameterNames.map((name) => ({
          name,
          value: "v",
          type: "xsd:string",
        })),
      };
    case "Reboot":
      return { kind: "RebootResponse" };
    case "FactoryReset":
      return { kind: "FactoryResetResponse" };
    case "ScheduleInform":
      return { kind: "ScheduleInformResponse" };
    default:
      return {
        kind: "Fault",
        faultcode: "Server",
        faultstring: "CWMP fault",
        faultCode: 9000,
        faultString: "Method not supported",
      };
  }
}

/**
 * A scripted ACS: answers Informs and CPE requests, then sends its queued requests one per
 * HTTP response, then 204. `replyOverride` may replace the reply to the n-th CPE POST.
 */
export class FakeAcs {
  /** ACS requests still to send, in order. */
  requests: CpeRequest[];
  /** Everything the CPE POSTed. */
  received: Envelope[] = [];
  /** Header to put on every reply (e.g. HoldRequests). */
  header: SoapHeader = {};
  /** Replies that replace the default for the given POST index (0-based, across sessions). */
  overrides = new Map<number, AcsReply | "transportError">();
  #n = 0;

  constructor(requests: CpeRequest[] = []) {
    this.requests = [...requests];
  }

  /** The reply to one CPE POST. */
  reply(envelope: Envelope): AcsReply | "transportError" {
    this.received.push(envelope);
    const override = this.overrides.get(this.#n++);
    if (override) return override;
    const msg = envelope.message;
    const header = { ...this.header };
    if (msg.kind === "Inform") {
      return {
        message: { kind: "InformResponse", maxEnvelopes: 1 },
        header: { ...header, id: envelope.header.id },
      };
    }
    if (msg.kind === "TransferComplete") {
      return {
        message: { kind: "TransferCompleteResponse" },
        header: { ...header, id: envelope.header.id },
      };
    }
    const next = this.requests.shift();
    if (next) return { message: next, header: { ...header, id: `acs-${this.#n}` } };
    return { message: { kind: "Empty" } };
  }

  /**
   * Performs the harness's pending in-session actions until none is left: answers
   * collectInform, POSTs through {@linkcode reply}, dispatches ACS requests.
   */
  run(h: Harness, dispatch: Dispatcher = defaultDispatcher, limit = 100): void {
    for (let i = 0; i < limit; i++) {
      const action = h.outstanding();
      if (!action) return;
      if (action.kind === "collectInform") {
        h.informData();
      } else if (action.kind === "send") {
        const r = this.reply(action.envelope);
        if (r === "transportError") {
          h.feed({ kind: "transportError", session: action.session, message: "Connection reset" });
        } else {
          h.acs(r);
        }
      } else if (action.kind === "dispatch") {
        h.feed({ kind: "rpcResult", session: action.session, response: dispatch(action.request) });
      }
    }
    throw new Error(`Session did not settle within "${limit}" steps`);
  }
}
