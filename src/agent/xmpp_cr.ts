/**
 * XMPP connection requests (TR-069 Annex K, CWMP-FACTS §7.4): runs one
 * {@linkcode XmppClient} per enabled `Device.XMPP.Connection.{i}` row (the client code is
 * imported when the first one starts), restarts it when its row (or its Server rows)
 * change, and answers the connectionRequest iqs that reach the connection
 * ManagementServer.ConnReqXMPPConnection names:
 *
 * 1. a sender outside ConnReqAllowedJabberIDs, a request on another connection, or
 *    EnableCWMP false → `service-unavailable`;
 * 2. username/password other than ConnectionRequestUsername/Password (an empty username
 *    never matches) → `not-authorized`;
 * 3. over the connection-request rate limit (shared with HTTP and UDP) → `service-unavailable`;
 * 4. else an empty result and a `6 CONNECTION REQUEST` session.
 *
 * Refusals are logged at most once a minute per sender and reason; passwords never.
 * Also the {@linkcode XmppRuntime} of the data model (Status, JabberID, TLSEstablished,
 * LastChangeDate, ConnReqJabberID, which keeps its value while the connection is down).
 *
 * @module
 */

import type { ManagementSettingsStore, PersistedProvider, Schema } from "../datamodel/mod.ts";
import {
  XMPP_CONNECTION_TABLE,
  xmppConnectionOf,
  type XmppConnectionState,
  type XmppRuntime,
} from "../datamodel/objects/xmpp.ts";
import { formatDateTime, UNKNOWN_TIME } from "../datamodel/date_time.ts";
import { type Logger, LogThrottle } from "../log/mod.ts";
import { constantTimeEqual } from "../transport/hash.ts";
import { readCaFile, RowClients, rowLog, type RunningRow, storedValue } from "./row_clients.ts";
// Light modules only: the client (client.ts, sasl.ts, stanza.ts) is imported when the
// first enabled row needs one (RowClients' `load`), not at start-up.
import {
  connReqReply,
  type ConnReqVerdict,
  readConnectionRequest,
  type XmppConnectionRequest,
} from "../services/xmpp/conn_req.ts";
import { jidAllowed } from "../services/xmpp/jid.ts";
import type { XmppClientSettings, XmppServer } from "../services/xmpp/settings.ts";
import type { XmppClient } from "../services/xmpp/client.ts";

/** The client's module, imported on demand. */
type ClientModule = typeof import("../services/xmpp/client.ts");

/** Options of {@linkcode XmppConnectionRequests}. */
export interface XmppConnectionRequestsOptions {
  /** The persisted provider holding the XMPP rows (read with their passwords). */
  store(): PersistedProvider;
  readonly schema: Schema;
  readonly settings: ManagementSettingsStore;
  /** PEM CA certificates for the servers; none = the runtime's roots. */
  readonly caCerts?: readonly string[];
  readonly logger: Logger;
  /** Takes one token of the connection-request rate limit; false = over it. */
  admit(now: number): boolean;
  /** False while EnableCWMP is false. */
  available(): boolean;
  onConnectionRequest(): void;
  now(): number;
}

interface Running extends RunningRow<XmppClient> {
  lastChange: string;
}

const REFUSALS: Record<Exclude<ConnReqVerdict, "accepted">, string> = {
  notAllowed: "not allowed (service-unavailable)",
  rateLimited: "over the rate limit (service-unavailable)",
  credentials: "wrong credentials (not-authorized)",
};

/** The XMPP connections and their connection requests; see the module doc. */
export class XmppConnectionRequests implements XmppRuntime {
  readonly #options: XmppConnectionRequestsOptions;
  readonly #rows: RowClients<XmppClientSettings, Running, ClientModule>;
  #connReqJid = "";
  /** One refusal line per sender and reason a minute. */
  readonly #logged = new LogThrottle({ periodMs: 60_000, maxKeys: 256 });

  /** Nothing runs until {@linkcode apply}. */
  constructor(options: XmppConnectionRequestsOptions) {
    this.#options = options;
    this.#rows = new RowClients({
      label: "XMPP connection",
      logger: options.logger,
      wanted: () => {
        const store = options.store();
        const wanted = new Map<number, XmppClientSettings>();
        for (const n of store.instances(XMPP_CONNECTION_TABLE)) {
          const row = this.#readRow(store, n);
          if (row !== undefined) wanted.set(n, row);
        }
        return wanted;
      },
      load: () => import("../services/xmpp/client.ts"),
      start: (n, settings, fingerprint, { XmppClient }) =>
        this.#start(n, settings, fingerprint, XmppClient),
      afterApply: () => {
        const crRow = this.#connReqRow();
        const jid = crRow === undefined ? "" : this.#running.get(crRow)?.client.jid ?? "";
        if (jid !== "") this.#connReqJid = jid;
      },
    });
  }

  get #running(): Map<number, Running> {
    return this.#rows.running;
  }

  /** Status and the rest of Connection row `instance`. */
  connection(instance: number): XmppConnectionState {
    const running = this.#running.get(instance);
    if (running === undefined) {
      return {
        status: "Disabled",
        jabberId: "",
        tlsEstablished: false,
        lastChangeDate: UNKNOWN_TIME,
      };
    }
    const { client } = running;
    return {
      status: client.status,
      jabberId: client.jid,
      tlsEstablished: client.tlsEstablished,
      lastChangeDate: running.lastChange,
    };
  }

  /** ManagementServer.ConnReqJabberID. */
  connReqJabberId(): string {
    return this.#connReqJid;
  }

  /** The XMPP configuration changed: apply it once the current change is committed. */
  changed(): void {
    this.#rows.changed();
  }

  /** Starts, restarts and stops clients to match the rows. */
  apply(): Promise<void> {
    return this.#rows.apply();
  }

  /** Stops every client. */
  close(): Promise<void> {
    return this.#rows.close();
  }

  #start(
    n: number,
    settings: XmppClientSettings,
    fingerprint: string,
    XmppClient: ClientModule["XmppClient"],
  ): Running {
    const { logger } = this.#options;
    const log = rowLog(logger, "XMPP", "XMPP connection", n);
    const running: Running = {
      fingerprint,
      lastChange: formatDateTime(this.#options.now()),
      client: new XmppClient({
        settings,
        caCerts: this.#options.caCerts,
        log,
        onIq: (stanza) => {
          const request = readConnectionRequest(stanza);
          if (request === undefined) return undefined;
          return connReqReply(stanza, this.#verdict(n, request));
        },
        onState: (client) => {
          running.lastChange = formatDateTime(this.#options.now());
          if (client.jid !== "" && this.#connReqRow() === n) this.#connReqJid = client.jid;
        },
      }),
    };
    logger.info(`XMPP connection ${n}: connecting as ${settings.username}@${settings.domain}`);
    running.client.start();
    return running;
  }

  #verdict(n: number, request: XmppConnectionRequest): ConnReqVerdict {
    const options = this.#options;
    const settings = options.settings.get();
    const from = request.from;
    let verdict: ConnReqVerdict;
    if (
      this.#connReqRow() !== n || !options.available() ||
      !jidAllowed(from, this.#allowedJids())
    ) {
      verdict = "notAllowed";
    } else if (
      settings.connectionRequestUsername === "" ||
      !sameText(request.username, settings.connectionRequestUsername) ||
      !sameText(request.password, settings.connectionRequestPassword)
    ) {
      verdict = "credentials";
    } else if (!options.admit(options.now())) {
      verdict = "rateLimited";
    } else {
      verdict = "accepted";
    }
    if (verdict === "accepted") {
      options.logger.info(`XMPP connection request from ${from} accepted`);
      options.onConnectionRequest();
    } else {
      this.#refused(verdict, from);
    }
    return verdict;
  }

  #refused(verdict: Exclude<ConnReqVerdict, "accepted">, from: string): void {
    if (!this.#logged.admit(`${verdict} ${from}`, this.#options.now()).log) return;
    this.#options.logger.warning(
      `XMPP connection request from ${from || "an unknown sender"} refused: ${REFUSALS[verdict]}`,
    );
  }

  #value(store: PersistedProvider, path: string): string {
    return storedValue(store, this.#options.schema, path);
  }

  #connReqRow(): number | undefined {
    const store = this.#options.store();
    const n = xmppConnectionOf(this.#value(store, "Device.ManagementServer.ConnReqXMPPConnection"));
    return n !== undefined && store.instances(XMPP_CONNECTION_TABLE).includes(n) ? n : undefined;
  }

  #allowedJids(): string[] {
    const store = this.#options.store();
    return this.#value(store, "Device.ManagementServer.ConnReqAllowedJabberIDs")
      .split(",")
      .map((jid) => jid.trim())
      .filter((jid) => jid !== "");
  }

  /** Connection row `n` as client settings, or undefined when it is disabled. */
  #readRow(store: PersistedProvider, n: number): XmppClientSettings | undefined {
    const row = `${XMPP_CONNECTION_TABLE}${n}.`;
    const get = (name: string) => this.#value(store, row + name);
    if (get("Enable") !== "true") return undefined;
    const servers: (XmppServer & { priority: number; weight: number })[] = [];
    for (const m of store.instances(`${row}Server.`)) {
      const server = `${row}Server.${m}.`;
      const address = this.#value(store, server + "ServerAddress");
      if (this.#value(store, server + "Enable") !== "true" || address === "") continue;
      servers.push({
        address,
        port: Number(this.#value(store, server + "Port")) || 5222,
        priority: Number(this.#value(store, server + "Priority")),
        weight: Number(this.#value(store, server + "Weight")),
      });
    }
    // Lowest Priority first; among equals the higher Weight first (RFC 2782 in spirit).
    servers.sort((a, b) => a.priority - b.priority || b.weight - a.weight);
    const algorithm = get("ServerConnectAlgorithm");
    return {
      username: get("Username"),
      password: get("Password"),
      domain: get("Domain"),
      resource: get("Resource"),
      useTls: get("UseTLS") === "true",
      algorithm: algorithm === "DNS" || algorithm === "ServerTable" ? algorithm : "DNS-SRV",
      servers: servers.map(({ address, port }) => ({ address, port })),
      keepAliveInterval: Number(get("KeepAliveInterval")),
      connectAttempts: Number(get("ServerConnectAttempts")),
      retry: {
        initialInterval: Number(get("ServerRetryInitialInterval")) || 60,
        intervalMultiplier: Number(get("ServerRetryIntervalMultiplier")) || 2000,
        maxInterval: Number(get("ServerRetryMaxInterval")) || 30720,
      },
    };
  }
}

/**
 * The PEM certificates of `xmpp.ca_file`; undefined for "" (the runtime's roots).
 *
 * @throws {Error} naming the key when the file cannot be read.
 */
export function readXmppCaFile(path: string): Promise<string[] | undefined> {
  return readCaFile("xmpp.ca_file", path);
}

/** Compares in time independent of where the texts differ. */
function sameText(a: string, b: string): boolean {
  return constantTimeEqual(encoder.encode(a), encoder.encode(b));
}

const encoder = new TextEncoder();
