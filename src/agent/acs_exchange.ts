/**
 * Carries out one `send` action of the session engine: encodes the envelope, POSTs
 * it on the session's HTTP connection and turns the HTTP outcome into the engine's
 * answer event (`acsMessage`, `acsRequestRejected` or `transportError`).
 *
 * @module
 */

import type { SendAction, SessionEvent } from "../session/mod.ts";
import {
  CwmpDecodeError,
  decodeEnvelope,
  encodeEnvelope,
  type Envelope,
  faultFor,
  isEmptyBody,
} from "../soap/mod.ts";
import { AcsHttpError, type AcsSession } from "../transport/mod.ts";

/** What the exchange reports, besides the event, for the log. */
export interface ExchangeResult {
  event: SessionEvent;
  /** The decoded ACS message, when there was one. */
  received?: Envelope;
  status?: number;
}

const RESPONSE_KINDS = /Response$|^Fault$/;

/** POSTs `action.envelope` with `http` and returns the engine event for the outcome. */
export async function exchange(
  http: AcsSession,
  action: SendAction,
  maxBodyBytes: number,
): Promise<ExchangeResult> {
  const { session, envelope } = action;
  const empty = envelope.message.kind === "Empty";
  const body = empty ? null : encodeEnvelope(envelope);
  // TR-069 §3.4.1: SOAPAction empty on a CPE response or fault; [U] `""` on requests.
  const soapAction = RESPONSE_KINDS.test(envelope.message.kind) ? "" : undefined;
  let status: number;
  let text: string;
  try {
    const res = await http.post(body, { soapAction });
    status = res.status;
    text = res.body;
  } catch (error) {
    const message = error instanceof AcsHttpError ? error.message : String(error);
    return { event: { kind: "transportError", session, message } };
  }
  if (status === 204 || ((status === 200) && isEmptyBody(text))) {
    return {
      status,
      event: {
        kind: "acsMessage",
        session,
        envelope: { namespace: envelope.namespace, header: {}, message: { kind: "Empty" } },
      },
    };
  }
  if (status !== 200) {
    return { status, event: { kind: "transportError", session, message: `HTTP ${status}` } };
  }
  try {
    const received = decodeEnvelope(text, { maxBytes: maxBodyBytes });
    return { status, received, event: { kind: "acsMessage", session, envelope: received } };
  } catch (error) {
    if (error instanceof CwmpDecodeError) {
      return {
        status,
        event: { kind: "acsRequestRejected", session, id: error.id, fault: faultFor(error) },
      };
    }
    return { status, event: { kind: "transportError", session, message: String(error) } };
  }
}
