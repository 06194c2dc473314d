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
} from "../soap/mod.ts";
import type { AgentConfig } from "../config/mod.ts";
import type { Logger } from "../log/mod.ts";
import { AcsHttpError, type AcsSession, createAcsSession } from "../transport/mod.ts";
import type { StoredSettings } from "./settings_store.ts";
import type { TlsMaterial } from "./tls.ts";

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
  let bytes: Uint8Array;
  try {
    const res = await http.post(body, { soapAction });
    status = res.status;
    bytes = res.bytes;
  } catch (error) {
    const message = error instanceof AcsHttpError ? error.message : String(error);
    return { event: { kind: "transportError", session, message } };
  }
  if (status === 204 || ((status === 200) && isEmptyBytes(bytes))) {
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
    // The bytes, not text: a body that is not UTF-8 is a 9003 fault, never U+FFFD.
    const received = decodeEnvelope(bytes, { maxBytes: maxBodyBytes });
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

/** `isEmptyBody()` on bytes: only spaces, tabs, CR and LF (or nothing). */
function isEmptyBytes(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return false;
  return true;
}

/** What {@linkcode AcsConnections} needs. */
export interface AcsConnectionsOptions {
  config: AgentConfig;
  tls: TlsMaterial;
  /** The current settings (credentials may change between sessions). */
  settings(): StoredSettings;
  logger: Logger;
}

/** The HTTP side of each open session: one keep-alive connection per session number. */
export class AcsConnections {
  readonly #o: AcsConnectionsOptions;
  readonly #open = new Map<number, AcsSession>();

  /** Connections configured from `options`; warns once if Basic over plain HTTP is allowed. */
  constructor(options: AcsConnectionsOptions) {
    this.#o = options;
    if (options.config.acs.allowBasicOverHttp) {
      options.logger.warning(
        "acs.allow_basic_over_http is on: a plain-HTTP ACS that offers only Basic authentication gets the ACS password in clear",
      );
    }
  }

  /** The session's connection, created on its first POST; throws on an unusable URL. */
  connection(session: number, url: string): AcsSession {
    let client = this.#open.get(session);
    if (client === undefined) {
      const { config, tls, logger } = this.#o;
      const s = this.#o.settings();
      client = createAcsSession({
        url,
        username: s.username || undefined,
        password: s.password,
        ...tls,
        insecure: config.acs.insecure,
        allowBasicOverHttp: config.acs.allowBasicOverHttp,
        timeoutMs: config.acs.timeout * 1000,
        maxBodyBytes: config.acs.maxBodyBytes,
        compression: config.acs.compression,
        userAgent: "cwmp-agent/0.1.0",
        onLog: (line) => logger.debug(line),
      });
      this.#open.set(session, client);
    }
    return client;
  }

  /** Closes the session's connection and drops its cookies. */
  close(session: number): void {
    this.#open.get(session)?.close();
    this.#open.delete(session);
  }

  /** Closes every connection (shutdown). */
  closeAll(): void {
    for (const client of this.#open.values()) client.close();
    this.#open.clear();
  }
}
