/**
 * `Device.MQTT.` (TR-181 2.17) as far as Bulk Data needs it, and the
 * `Device.BulkData.Profile.{i}.MQTT.` sub-object of each profile: the Client rows and the
 * profiles' MQTT settings the ACS writes are configuration, kept by the persisted provider
 * given here and so across restarts; Status and ResponseInformation come from the running
 * clients ({@linkcode MqttRuntime}). Every committed change of a Client row (set, undo,
 * AddObject, DeleteObject) calls `onChange`, so the agent reconnects at once; a change of a
 * profile's MQTT settings calls `onProfileChange`.
 *
 * Checks beyond the schema (9007): ProtocolVersion is one of
 * Capabilities.ProtocolVersionsSupported (3.1, 3.1.1, 5.0), TransportProtocol one of
 * TransportProtocolSupported (TCP/IP, TLS), a profile's MQTT.Reference "" or an existing
 * Client row (`Device.MQTT.Client.1`, with or without the final dot), its PublishTopic free
 * of the wildcards `+` and `#` (MQTT §4.7.1). An unset ProtocolVersion reads 3.1.1.
 * ForceReconnect always reads false; setting it true reconnects a Connected client once
 * the SetParameterValues is committed.
 *
 * Unsupported: Client.{i}.Interface, EnableEncryption (obsoleted), the Will parameters,
 * ReceiveMaximum, MaximumPacketSize, TopicAliasMaximum, RequestResponseInfo,
 * RequestProblemInfo, AuthenticationMethod, PublishMessageExpiryInterval, MessageRetryTime
 * (MQTT 3.1 retransmission: a report not acknowledged is retained and sent again by Bulk
 * Data instead), Subscription.{i}, UserProperty.{i}, Stats, and the broker
 * (`Device.MQTT.Broker.{i}`; MaxNumberOfBrokerBridges 0).
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
import { clearTimer, setTimer } from "../../platform/timers.ts";

/** Capabilities.ProtocolVersionsSupported. */
export const MQTT_PROTOCOL_VERSIONS: readonly string[] = ["3.1", "3.1.1", "5.0"];
/** Capabilities.TransportProtocolSupported. */
export const MQTT_TRANSPORT_PROTOCOLS: readonly string[] = ["TCP/IP", "TLS"];

/** `Device.MQTT.Client.` */
export const MQTT_CLIENT_TABLE = "Device.MQTT.Client.";

/** Writable parameters of `Device.MQTT.Client.{i}.` kept as configuration. */
export const MQTT_CLIENT_PARAMETERS: readonly string[] = [
  "Alias",
  "Name",
  "Enable",
  "ProtocolVersion",
  "BrokerAddress",
  "BrokerPort",
  "TransportProtocol",
  "CleanSession",
  "CleanStart",
  "KeepAliveTime",
  "SessionExpiryInterval",
  "ClientID",
  "Username",
  "Password",
  "ConnectRetryTime",
  "ConnectRetryIntervalMultiplier",
  "ConnectRetryMaxInterval",
];

/** Parameters of `Device.BulkData.Profile.{i}.MQTT.`. */
export const BULKDATA_MQTT_PARAMETERS: readonly string[] = [
  "Reference",
  "PublishTopic",
  "PublishQoS",
  "PublishRetain",
];

/** What the running clients report and do. */
export interface MqttRuntime {
  /** TR-181 Status of Client row `instance` ("Disabled" when it does not run). */
  status(instance: number): string;
  /** ResponseInformation of the row's last MQTT 5.0 CONNACK; "" otherwise. */
  responseInformation(instance: number): string;
  /** ForceReconnect of the row (no effect unless Connected). */
  forceReconnect(instance: number): void;
}

/** Options of {@linkcode bindMqtt}. */
export interface MqttBindingOptions {
  /** Keeps the rows and values (the agent's persisted provider). */
  readonly store: Provider;
  readonly runtime: MqttRuntime;
  /** After every committed change of a Client row. */
  onChange(): void;
  /** After every committed change of a profile's MQTT settings. */
  onProfileChange?(): void;
  /** Most Client rows; default 4. */
  readonly maxClients?: number;
}

const ROW_REFERENCE = /^Device\.MQTT\.Client\.([1-9][0-9]*)\.?$/;

/** The Client instance `reference` (a profile's MQTT.Reference) names, or undefined. */
export function mqttClientOf(reference: string): number | undefined {
  const m = ROW_REFERENCE.exec(reference);
  return m === null ? undefined : Number(m[1]);
}

/** The bindings of `Device.MQTT.` and `Device.BulkData.Profile.{i}.MQTT.`. */
export function bindMqtt(options: MqttBindingOptions): Binding[] {
  const { runtime } = options;
  const store = notifying(options.store, options.onChange);
  const profileStore = notifying(options.store, () => options.onProfileChange?.());
  const clients: Provider = {
    ...store,
    async get(refs) {
      const values = await store.get(refs);
      return refs.map((ref, i) =>
        nameOf(ref) === "ProtocolVersion" && values[i] === "" ? "3.1.1" : values[i]
      );
    },
    check(changes) {
      const objections: ChangeObjection[] = [];
      for (const c of changes) {
        const name = nameOf(c);
        if (name === "ProtocolVersion" && !MQTT_PROTOCOL_VERSIONS.includes(c.value)) {
          objections.push({
            path: c.path,
            message: `ProtocolVersion must be one of ${
              MQTT_PROTOCOL_VERSIONS.join(",")
            }: "${c.value}"`,
          });
        }
        if (name === "TransportProtocol" && !MQTT_TRANSPORT_PROTOCOLS.includes(c.value)) {
          objections.push({
            path: c.path,
            message: `TransportProtocol must be one of ${
              MQTT_TRANSPORT_PROTOCOLS.join(",")
            }: "${c.value}"`,
          });
        }
      }
      return objections;
    },
  };
  const clientState: Provider = {
    get: (refs: readonly ParameterRef[]) =>
      refs.map((ref) => {
        const n = ref.instances[0];
        switch (nameOf(ref)) {
          case "Status":
            return runtime.status(n);
          case "ResponseInformation":
            return runtime.responseInformation(n);
          default: // ForceReconnect: a command, always false
            return "false";
        }
      }),
    set(changes: readonly ParameterChange[]): SetOutcome {
      const rows = changes
        .filter((c) => nameOf(c) === "ForceReconnect" && (c.value === "true" || c.value === "1"))
        .map((c) => c.instances[0]);
      // Once the whole SetParameterValues is committed (undo cancels it).
      const timer = rows.length === 0
        ? undefined
        : setTimer(() => rows.forEach((n) => runtime.forceReconnect(n)), 0);
      return { status: 0, undo: () => clearTimer(timer) };
    },
  };
  const profiles: Provider = {
    get: (refs) => profileStore.get(refs),
    set: (changes) => profileStore.set!(changes),
    async check(changes) {
      const objections: ChangeObjection[] = [];
      const rows = await options.store.instances!(MQTT_CLIENT_TABLE, []);
      for (const c of changes) {
        const name = nameOf(c);
        if (name === "Reference" && c.value !== "") {
          const n = mqttClientOf(c.value);
          if (n === undefined || !rows.includes(n)) {
            objections.push({
              path: c.path,
              message: `MQTT.Reference must name a Device.MQTT.Client row: "${c.value}"`,
            });
          }
        }
        if (name === "PublishTopic" && /[+#]/.test(c.value)) {
          objections.push({
            path: c.path,
            message: `PublishTopic must not hold the wildcards + or #: "${c.value}"`,
          });
        }
      }
      return objections;
    },
  };
  return [
    {
      object: "Device.MQTT.Capabilities.",
      parameters: [
        "ProtocolVersionsSupported",
        "TransportProtocolSupported",
        "MaxNumberOfClientSubscriptions",
        "MaxNumberOfBrokerBridges",
        "MaxNumberOfBrokerBridgeSubscriptions",
      ],
      provider: {
        get: (refs) =>
          refs.map((ref) => {
            switch (nameOf(ref)) {
              case "ProtocolVersionsSupported":
                return MQTT_PROTOCOL_VERSIONS.join(",");
              case "TransportProtocolSupported":
                return MQTT_TRANSPORT_PROTOCOLS.join(",");
              default:
                return "0";
            }
          }),
      },
    },
    {
      object: "Device.MQTT.Client.{i}.",
      parameters: MQTT_CLIENT_PARAMETERS,
      provider: clients,
      maxEntries: options.maxClients ?? 4,
    },
    {
      object: "Device.MQTT.Client.{i}.",
      parameters: ["Status", "ResponseInformation", "ForceReconnect"],
      provider: clientState,
    },
    {
      object: "Device.BulkData.Profile.{i}.MQTT.",
      parameters: BULKDATA_MQTT_PARAMETERS,
      provider: profiles,
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
