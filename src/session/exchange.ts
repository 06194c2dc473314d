/**
 * Handlers for the messages of one session (TR-069 §3.4, §3.7.1.4; CWMP-FACTS §1):
 * Inform first, then the CPE's queued requests one at a time unless HoldRequests, then empty
 * POSTs; ACS requests are dispatched and answered in the next POST with their cwmp:ID.
 *
 * @module
 */

import {
  AcsFaultCode,
  CPE_METHODS,
  type CpeRequest,
  CWMP_NAMESPACES,
  type CwmpMessage,
  type CwmpNamespace,
  type Envelope,
  type Fault,
  type Inform,
  type SoapHeader,
} from "../soap/messages.ts";
import type { EventOf } from "./events.ts";
import { addEvents, afterAcknowledged } from "./event_queue.ts";
import { endSession, failSession } from "./lifecycle.ts";
import {
  isCwmpVersion,
  namespaceForVersion,
  sendsSessionTimeout,
  supportedVersionsHeader,
} from "./version.ts";
import { type Context, nextMessageId, sessionOf } from "./_context.ts";
import { forgetReported, queueTransfer, transferOf } from "./transfers.ts";
import { formatDateTime } from "../datamodel/date_time.ts";

/** TR-069 dateTime of `now` in UTC, whole seconds (what GenieACS and most CPEs send). */
export const currentTime: (now: number) => string = formatDateTime;

function send(ctx: Context, envelope: Envelope): void {
  const session = sessionOf(ctx);
  ctx.actions.push({ kind: "send", session: session.number, acsUrl: session.acsUrl, envelope });
}

function sendMessage(ctx: Context, message: CwmpMessage, id?: string): void {
  const session = sessionOf(ctx);
  send(ctx, { namespace: session.namespace, header: id === undefined ? {} : { id }, message });
}

function isCpeRequest(message: CwmpMessage): message is CpeRequest {
  return (CPE_METHODS as readonly string[]).includes(message.kind);
}

function describeFault(fault: Fault): string {
  return `ACS fault "${fault.faultCode}" ("${fault.faultString}")`;
}

/**
 * The CPE's next POST after an ACS message that needs no answer: its next queued request
 * (unless HoldRequests), else the end of the session when the ACS sent an empty response and
 * every end condition of FACTS §1.1 holds, else an empty POST.
 */
function nextPost(ctx: Context, acsWasEmpty: boolean): void {
  const session = sessionOf(ctx);
  const queue = ctx.s.persisted.queuedRequests;
  if (!session.holdRequests && session.eligibleRequests > 0 && queue.length > 0) {
    const request = queue[0];
    const id = nextMessageId(ctx);
    session.outstanding = { id, request };
    ctx.s.phase = "requesting";
    sendMessage(ctx, request, id);
    return;
  }
  if (acsWasEmpty && session.emptyPostSent && !session.holdRequests) {
    endSession(ctx, "success");
    return;
  }
  session.emptyPostSent = true;
  ctx.s.phase = "awaitingAcs";
  sendMessage(ctx, { kind: "Empty" });
}

/** `informData` in `collecting`: builds and sends the Inform. */
export function onInformData(ctx: Context, event: EventOf<"informData">): void {
  const { s, now } = ctx;
  const session = sessionOf(ctx);
  if (event.events !== undefined && event.events.length > 0) {
    session.inFlightEvents = addEvents(session.inFlightEvents, event.events);
  }
  const inform: Inform = {
    kind: "Inform",
    deviceId: event.deviceId,
    event: session.inFlightEvents,
    maxEnvelopes: 1,
    currentTime: currentTime(now),
    retryCount: s.persisted.retryCount,
    parameterList: event.parameterList,
  };
  const id = nextMessageId(ctx);
  const supported = supportedVersionsHeader(s.settings.cwmpVersion);
  session.outstanding = { id, request: inform };
  s.phase = "informing";
  const header: SoapHeader = { id };
  if (supported !== undefined) header.supportedCWMPVersions = supported;
  const timeout = s.settings.informSessionTimeout;
  if (timeout !== undefined && sendsSessionTimeout(s.settings.cwmpVersion)) {
    header.sessionTimeout = timeout;
  }
  send(ctx, { namespace: session.namespace, header, message: inform });
}

/**
 * `acsMessage` in `informing`: only an InformResponse continues the session. Its namespace
 * (or UseCWMPVersion, if present) is used from then on. Any fault fails the session, 8005
 * included: the 8005 rule covers requests other than Inform ([U] for Inform), and a failed
 * session retries with backoff instead of hammering a busy ACS; GenieACS never sends 8005.
 */
export function onInformReply(ctx: Context, event: EventOf<"acsMessage">): void {
  const session = sessionOf(ctx);
  const { header, message, namespace } = event.envelope;
  session.holdRequests = header.holdRequests === true;
  if (message.kind === "Fault") return failSession(ctx, `${describeFault(message)} to Inform`);
  if (message.kind !== "InformResponse") {
    return failSession(ctx, `Expected "InformResponse" to Inform, got "${message.kind}"`);
  }
  // Answer in the ACS's namespace, but never above the version we were configured for
  // (a 1.0 CPE does not start speaking cwmp-1-2 because the ACS does).
  session.namespace = lowerNamespace(namespace, session.namespace);
  const use = header.useCWMPVersion;
  if (use !== undefined && isCwmpVersion(use)) {
    session.negotiatedVersion = use;
    session.namespace = namespaceForVersion(use);
  }
  session.outstanding = undefined;
  nextPost(ctx, false);
}

/**
 * `acsMessage` in `requesting`: the response acknowledges and dequeues the request; fault 8005
 * resends the same request (same cwmp:ID); any other fault or message fails the session.
 */
export function onRequestReply(ctx: Context, event: EventOf<"acsMessage">): void {
  const session = sessionOf(ctx);
  const outstanding = session.outstanding;
  if (!outstanding) throw new Error(`No outstanding request in phase "${ctx.s.phase}"`);
  const { header, message } = event.envelope;
  session.holdRequests = header.holdRequests === true;
  if (message.kind === "Fault") {
    if (message.faultCode === AcsFaultCode.RetryRequest) {
      return sendMessage(ctx, outstanding.request, outstanding.id);
    }
    if (message.faultCode === AcsFaultCode.MethodNotSupported) {
      // [U] 8000 will not change on a retry (GenieACS 1.2.16 answers RequestDownload or
      // Kicked this way): drop the request so it cannot fail every later session too.
      // The session still fails, as TR-069 §3.7.1.4 wants for any fault but 8005.
      ctx.s.persisted.queuedRequests = ctx.s.persisted.queuedRequests.slice(1);
      session.eligibleRequests -= 1;
      forgetReported(ctx, outstanding.request);
    }
    return failSession(ctx, `${describeFault(message)} to "${outstanding.request.kind}"`);
  }
  const expected = `${outstanding.request.kind}Response`;
  if (message.kind !== expected) {
    return failSession(ctx, `Expected "${expected}", got "${message.kind}"`);
  }
  ctx.s.persisted.queuedRequests = ctx.s.persisted.queuedRequests.slice(1);
  session.eligibleRequests -= 1;
  forgetReported(ctx, outstanding.request);
  session.inFlightEvents = afterAcknowledged(
    session.inFlightEvents,
    outstanding.request as { kind: string; commandKey?: string },
    ctx.s.persisted.queuedRequests,
  );
  session.outstanding = undefined;
  nextPost(ctx, false);
}

/**
 * `acsMessage` in `awaitingAcs`: an ACS request goes to the dispatcher; an empty response may
 * end the session; anything else is a protocol error.
 */
export function onAcsTurn(ctx: Context, event: EventOf<"acsMessage">): void {
  const session = sessionOf(ctx);
  const { header, message } = event.envelope;
  session.holdRequests = header.holdRequests === true;
  if (message.kind === "Empty") return nextPost(ctx, true);
  if (!isCpeRequest(message)) {
    return failSession(ctx, `Expected an ACS request or an empty response, got "${message.kind}"`);
  }
  session.acsRequest = { id: header.id, request: message };
  ctx.s.phase = "dispatching";
  ctx.actions.push({
    kind: "dispatch",
    session: session.number,
    ...(header.id === undefined ? {} : { id: header.id }),
    request: message,
  });
}

/**
 * `rpcResult` in `dispatching`: sends the response with the request's cwmp:ID. A successful
 * Reboot or FactoryReset is stored as pending and carried out when the session ends (or at
 * the next start, if the agent dies first); a successful ScheduleInform is stored (it
 * survives restarts) and fires after DelaySeconds.
 */
export function onRpcResult(ctx: Context, event: EventOf<"rpcResult">): void {
  const session = sessionOf(ctx);
  const pending = session.acsRequest;
  if (!pending) throw new Error(`No dispatched request in phase "${ctx.s.phase}"`);
  const { request } = pending;
  if (event.response.kind !== "Fault") {
    // Stored before the response goes out (step() persists first): a crash after the
    // ACS saw the response must not lose the order it acknowledged.
    if (request.kind === "Reboot") {
      session.rebootCommandKey = request.commandKey;
      ctx.s.persisted.rebootPending = request.commandKey;
    }
    if (request.kind === "FactoryReset") {
      session.factoryReset = true;
      ctx.s.persisted.factoryResetPending = true;
    }
    // Download, Upload, ScheduleDownload: stored before the response goes out.
    const transfer = transferOf(request, ctx.now);
    if (transfer !== undefined) queueTransfer(ctx, transfer);
    if (request.kind === "CancelTransfer") {
      ctx.s.persisted.transfers = ctx.s.persisted.transfers.filter((t) =>
        t.commandKey !== request.commandKey || t.state !== 1
      );
    }
    if (request.kind === "ScheduleInform") {
      const at = ctx.now + request.delaySeconds * 1000;
      ctx.s.persisted.scheduledInforms = [
        ...ctx.s.persisted.scheduledInforms,
        { at, commandKey: request.commandKey },
      ];
    }
  }
  session.acsRequest = undefined;
  ctx.s.phase = "awaitingAcs";
  sendMessage(ctx, event.response, pending.id);
}

/** `acsRequestRejected` in `awaitingAcs`: answers the undecodable request with its Fault. */
export function onAcsRequestRejected(ctx: Context, event: EventOf<"acsRequestRejected">): void {
  ctx.s.phase = "awaitingAcs";
  sendMessage(ctx, event.fault, event.id);
}

/** `acsRequestRejected` while waiting for a response to our own request: protocol error. */
export function onUnexpectedRejection(ctx: Context, event: EventOf<"acsRequestRejected">): void {
  failSession(
    ctx,
    `Undecodable ACS message (fault "${event.fault.faultCode}") instead of a response`,
  );
}

/** `transportError` while a POST is in flight: the session failed (FACTS §1.9). */
export function onTransportError(ctx: Context, event: EventOf<"transportError">): void {
  failSession(ctx, `Transport error: ${event.message}`);
}

/** The older of two RPC namespaces (cwmp-1-0 < cwmp-1-1 < cwmp-1-2). */
function lowerNamespace(a: CwmpNamespace, b: CwmpNamespace): CwmpNamespace {
  return CWMP_NAMESPACES.indexOf(a) <= CWMP_NAMESPACES.indexOf(b) ? a : b;
}
