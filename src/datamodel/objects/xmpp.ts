/**
 * `Device.XMPP.` (TR-181 2.17) and the XMPP parameters of `Device.ManagementServer.`
 * (TR-069 Annex K): the Connection and Server rows the ACS (or the `[xmpp]` config
 * section) creates are configuration, kept by the persisted provider given here and so
 * across restarts; Status, JabberID, TLSEstablished, LastChangeDate and ConnReqJabberID
 * come from the running clients ({@linkcode XmppRuntime}). Every committed change of these
 * (set, undo, AddObject, DeleteObject) calls `onChange`, so the agent reconnects at once.
 *
 * Checks beyond the schema: ServerConnectAlgorithm is one of
 * SupportedServerConnectAlgorithms (DNS-SRV, DNS, ServerTable; WebSocket is not), and
 * ConnReqXMPPConnection is "" or an existing Connection row (`Device.XMPP.Connection.1`,
 * with or without the final dot).
 *
 * Unsupported: Connection.{i}.Stats.
 *
 * @module
 */

import type {
  Binding,
  ChangeObjection,
  ParameterChange,
  ParameterRef,
  Provider,
  SetOutcome,
} from "../provider.ts";
import { nameOf } from "./_fields.ts";

/** SupportedServerConnectAlgorithms. */
export const XMPP_CONNECT_ALGORITHMS: readonly string[] = ["DNS-SRV", "DNS", "ServerTable"];

/** Writable parameters of `Device.XMPP.Connection.{i}.` kept as configuration. */
export const XMPP_CONNECTION_PARAMETERS: readonly string[] = [
  "Enable",
  "Alias",
  "Username",
  "Password",
  "Domain",
  "Resource",
  "ServerConnectAlgorithm",
  "KeepAliveInterval",
  "ServerConnectAttempts",
  "ServerRetryInitialInterval",
  "ServerRetryIntervalMultiplier",
  "ServerRetryMaxInterval",
  "UseTLS",
];

/** Parameters of `Device.XMPP.Connection.{i}.Server.{i}.`. */
export const XMPP_SERVER_PARAMETERS: readonly string[] = [
  "Enable",
  "Alias",
  "Priority",
  "Weight",
  "ServerAddress",
  "Port",
];

/** `Device.XMPP.Connection.` */
export const XMPP_CONNECTION_TABLE = "Device.XMPP.Connection.";

/** The run-time state of one Connection row. */
export interface XmppConnectionState {
  /** TR-181 Status (Disabled, Connecting, Enabled, ServerNotPresent, Error_…). */
  readonly status: string;
  readonly jabberId: string;
  readonly tlsEstablished: boolean;
  /** TR-106 dateTime of the last Status change. */
  readonly lastChangeDate: string;
}

/** What the running clients report. */
export interface XmppRuntime {
  /** The state of Connection row `instance`. */
  connection(instance: number): XmppConnectionState;
  /** ManagementServer.ConnReqJabberID: the JID of the connection-request connection. */
  connReqJabberId(): string;
}

/** Options of {@linkcode bindXmpp}. */
export interface XmppBindingOptions {
  /** Keeps the rows and values (the agent's persisted provider). */
  readonly store: Provider;
  readonly runtime: XmppRuntime;
  /** After every committed change of XMPP configuration. */
  onChange(): void;
  /** Most Connection rows; default 4. */
  readonly maxConnections?: number;
  /** Most Server rows per Connection; default 8. */
  readonly maxServers?: number;
}

const ROW_REFERENCE = /^Device\.XMPP\.Connection\.([1-9][0-9]*)\.?$/;

/**
 * The Connection instance `reference` (ConnReqXMPPConnection) names, or undefined for ""
 * and anything else.
 */
export function xmppConnectionOf(reference: string): number | undefined {
  const m = ROW_REFERENCE.exec(reference);
  return m === null ? undefined : Number(m[1]);
}

/** The bindings of `Device.XMPP.` and the ManagementServer XMPP parameters. */
export function bindXmpp(options: XmppBindingOptions): Binding[] {
  const store = notifying(options.store, options.onChange);
  const { runtime } = options;
  const algorithms = XMPP_CONNECT_ALGORITHMS.join(",");
  const connectionState: Provider = {
    get: (refs: readonly ParameterRef[]) =>
      refs.map((ref) => {
        const state = runtime.connection(ref.instances[0]);
        switch (nameOf(ref)) {
          case "Status":
            return state.status;
          case "JabberID":
            return state.jabberId;
          case "TLSEstablished":
            return String(state.tlsEstablished);
          default:
            return state.lastChangeDate;
        }
      }),
  };
  const connections: Provider = {
    ...store,
    check(changes) {
      return changes
        .filter((c) =>
          nameOf(c) === "ServerConnectAlgorithm" && !XMPP_CONNECT_ALGORITHMS.includes(c.value)
        )
        .map((c) => ({
          path: c.path,
          message: `ServerConnectAlgorithm must be one of ${algorithms}: "${c.value}"`,
        }));
    },
  };
  const managementServer: Provider = {
    get: (refs) => store.get(refs),
    set: (changes) => store.set!(changes),
    async check(changes) {
      const objections: ChangeObjection[] = [];
      const rows = await store.instances!(XMPP_CONNECTION_TABLE, []);
      for (const c of changes) {
        if (nameOf(c) !== "ConnReqXMPPConnection" || c.value === "") continue;
        const n = xmppConnectionOf(c.value);
        if (n === undefined || !rows.includes(n)) {
          objections.push({
            path: c.path,
            message: `ConnReqXMPPConnection must name a Device.XMPP.Connection row: "${c.value}"`,
          });
        }
      }
      return objections;
    },
  };
  return [
    {
      object: "Device.XMPP.",
      parameters: ["SupportedServerConnectAlgorithms"],
      provider: { get: (refs) => refs.map(() => algorithms) },
    },
    {
      object: "Device.XMPP.Connection.{i}.",
      parameters: XMPP_CONNECTION_PARAMETERS,
      provider: connections,
      maxEntries: options.maxConnections ?? 4,
    },
    {
      object: "Device.XMPP.Connection.{i}.",
      parameters: ["JabberID", "Status", "LastChangeDate", "TLSEstablished"],
      provider: connectionState,
    },
    {
      object: "Device.XMPP.Connection.{i}.Server.{i}.",
      parameters: XMPP_SERVER_PARAMETERS,
      provider: store,
      maxEntries: options.maxServers ?? 8,
    },
    {
      object: "Device.ManagementServer.",
      parameters: ["ConnReqXMPPConnection", "ConnReqAllowedJabberIDs"],
      provider: managementServer,
    },
    {
      object: "Device.ManagementServer.",
      parameters: ["ConnReqJabberID"],
      provider: { get: (refs) => refs.map(() => runtime.connReqJabberId()) },
    },
  ];
}

/** `store`, calling `onChange` after each change it commits or undoes. */
function notifying(store: Provider, onChange: () => void): Provider {
  const after = async <T>(result: T | Promise<T>): Promise<T> => {
    const value = await result;
    onChange();
    return value;
  };
  return {
    get: (refs) => store.get(refs),
    instances: (table, instances) => store.instances!(table, instances),
    async set(changes: readonly ParameterChange[]): Promise<SetOutcome> {
      const outcome = await after(store.set!(changes));
      const undo = outcome.undo;
      return undo === undefined ? outcome : { ...outcome, undo: () => after(undo()) };
    },
    addInstance: (table, instances, n) => after(store.addInstance!(table, instances, n)),
    deleteInstance: (row, instances) => after(store.deleteInstance!(row, instances)),
  };
}
