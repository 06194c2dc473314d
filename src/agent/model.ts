/**
 * The agent's data model: the TR-181 (or TR-098) tree with its bindings, the stores
 * that must survive a power cut (instance numbers, values the ACS set on
 * configuration-only objects, parameter attributes), and the RPC handlers that need
 * them (AddObject, DeleteObject, Get/SetParameterAttributes).
 *
 * @module
 */

import type { AgentConfig } from "../config/mod.ts";
import {
  AttributeStore,
  type Binding,
  createDeviceModel,
  type DeviceIdentity,
  deviceSchema,
  type ManagementSettingsStore,
  MemoryInstanceNumbers,
  parameterKeyPathOf,
  type ParameterRef,
  type ParameterTree,
  persistableParameters,
  PersistedProvider,
  rootObjectOf,
  type Schema,
  type ValueStore,
} from "../datamodel/mod.ts";
import type { Logger } from "../log/mod.ts";
import {
  addObject,
  deleteObject,
  getParameterAttributes,
  type Handlers,
  setParameterAttributes,
  setParameterValues,
} from "../rpc/mod.ts";
import { bindLinux, InstanceNumbers } from "../datamodel/providers/linux/mod.ts";
import type { SystemSource } from "../platform/system_source.ts";
import { forcedInformRefs } from "./inform_data.ts";
import { PersistedJson } from "./persisted_json.ts";
import { bindXmpp, type XmppRuntime } from "../datamodel/objects/xmpp.ts";
import { bindBulkData, type BulkDataRuntime } from "../datamodel/objects/bulk_data.ts";
import { bindMqtt, type MqttRuntime } from "../datamodel/objects/mqtt.ts";
import { XMPP_SEED_FILE } from "./xmpp_seed.ts";
import type { StateJournal } from "../store/mod.ts";

/** What {@linkcode buildAgentModel} needs. */
export interface AgentModelOptions {
  config: AgentConfig;
  identity: DeviceIdentity;
  settings: ManagementSettingsStore;
  provisioningCode: ValueStore<string>;
  uptimeSeconds(): number;
  logger: Logger;
  /** Integrator bindings (script provider). */
  bindings?: readonly Binding[];
  /** Where the Linux objects read the system; none = no Linux objects (tests, TR-098). */
  system?: SystemSource;
  /** Commits the state files one request changes together; default: each file on its own. */
  journal?: StateJournal;
  /** `Device.XMPP.` (TR-181 only): the running clients' state and the change hook. */
  xmpp?: { runtime: XmppRuntime; onChange(): void };
  /** `Device.BulkData.` (TR-181 only): the running profiles and the change hook. */
  bulkdata?: { runtime: BulkDataRuntime; onChange(): void };
  /**
   * `Device.MQTT.` and `Device.BulkData.Profile.{i}.MQTT.` (TR-181 only): the running
   * clients, the change hook of the Client rows and that of the profiles' MQTT settings.
   */
  mqtt?: { runtime: MqttRuntime; onChange(): void; onProfileChange?(): void };
}

/** The model and everything built around it. */
export interface AgentModel {
  model: ParameterTree;
  schema: Schema;
  attributes: AttributeStore;
  /** Forced-inform parameters, resolved once. */
  informRefs: ParameterRef[];
  /** Where ParameterKey lives under the chosen root. */
  parameterKeyPath: string;
  /** RPC handlers for the ACS (ParameterKey updated on success). */
  handlers: Handlers;
  /** The same for local commands (ParameterKey untouched). */
  localHandlers: Handlers;
  /** Values and rows of the configuration-only objects (ACS-set; hidden ones included). */
  persisted: PersistedProvider;
  /** Forgets what the ACS set (factory reset). */
  reset(): void;
}

/**
 * Configuration-only tables kept by the persisted provider, relative to the root, with the
 * most rows the ACS may create. [U] TR-181 leaves InformParameter unbounded; every row
 * adds a parameter to each Inform, so 64 (9004 beyond).
 */
/** Configuration-only objects kept by the persisted provider, relative to the root. */
const PERSISTED_OBJECTS = ["ManagementServer.AutonomousTransferCompletePolicy."];

const PERSISTED_TABLES: Record<string, number> = { "ManagementServer.InformParameter.{i}.": 64 };

/** Builds the data model and restores its state from `config.agent.stateDir`. */
export async function buildAgentModel(options: AgentModelOptions): Promise<AgentModel> {
  const { config, logger } = options;
  const dir = config.agent.stateDir;
  const root = config.cpe.datamodel;
  const schema = deviceSchema(root);
  const onCorrupt = (message: string) => logger.error(message);

  const numbersFile = new PersistedJson(dir, "instances.json", options.journal);
  const numbers = new MemoryInstanceNumbers({ onChange: () => numbersFile.save() });
  numbersFile.attach(numbers, onCorrupt);

  const valuesFile = new PersistedJson(dir, "values.json", options.journal);
  const persisted = new PersistedProvider({ onChange: () => valuesFile.save() });
  valuesFile.attach(persisted, onCorrupt);
  const persistedObjects = PERSISTED_OBJECTS
    .map((object) => rootObjectOf(root) + object)
    .filter((pattern) => schema.object(pattern) !== undefined)
    .map((pattern) => persisted.bind(pattern, persistableParameters(schema, pattern)));
  const persistedBindings = Object.entries(PERSISTED_TABLES)
    .map(([table, max]) => [rootObjectOf(root) + table, max] as const)
    .filter(([pattern]) => schema.object(pattern) !== undefined)
    .map(([pattern, max]) => persisted.bind(pattern, persistableParameters(schema, pattern), max));

  const attributesFile = new PersistedJson(dir, "attributes.json", options.journal);
  const attributes = new AttributeStore({ onChange: () => attributesFile.save() });
  attributesFile.attach(attributes, onCorrupt);

  const linux: Binding[] = [];
  if (options.system !== undefined && root === "tr181") {
    const linuxFile = new PersistedJson(dir, "linux_instances.json", options.journal);
    const linuxNumbers = new InstanceNumbers({}, { onChange: () => linuxFile.save() });
    linuxFile.attach({
      serialize: () => JSON.stringify(linuxNumbers.serialize()),
      restore: (text) => linuxNumbers.restore(JSON.parse(text)),
    }, onCorrupt);
    const wan = config.cpe.defaultWanInterface;
    linux.push(...bindLinux(options.system, {
      numbers: linuxNumbers,
      upstream: wan === "" ? [] : [wan],
      time: { tz: Deno.env.get("TZ") },
    }));
  }
  // Connection rows, Server rows and ConnReq* settings are kept like InformParameter rows.
  const xmpp = options.xmpp !== undefined && root === "tr181"
    ? bindXmpp({ store: persisted, ...options.xmpp })
    : [];
  // Bulk Data profiles are configuration too, kept with the values the ACS set.
  const bulkdata = options.bulkdata !== undefined && root === "tr181"
    ? bindBulkData({
      store: persisted,
      schema,
      ...options.bulkdata,
      enable: config.bulkdata.enable,
      minReportingInterval: config.bulkdata.minReportingInterval,
      maxProfiles: config.bulkdata.maxProfiles,
      maxParameterReferences: config.bulkdata.maxParameterReferences,
    })
    : [];
  // MQTT Client rows and the profiles' MQTT settings, kept like InformParameter rows.
  const mqtt = options.mqtt !== undefined && root === "tr181"
    ? bindMqtt({ store: persisted, maxClients: config.mqtt.maxClients, ...options.mqtt })
    : [];
  // Integrator mappings win over the built-in Linux objects they also name.
  const mapped = new Set((options.bindings ?? []).map((b) => b.object));

  const model = createDeviceModel({
    root,
    deviceInfo: {
      identity: options.identity,
      uptimeSeconds: options.uptimeSeconds,
      provisioningCode: options.provisioningCode,
    },
    // CWMP 1.4 alias-based addressing (TR-069 §3.6.1): `[alias]` paths are accepted;
    // InstanceMode (set by the ACS, default from cpe.instance_mode) picks the names sent.
    managementServer: {
      store: options.settings,
      aliasBasedAddressing: true,
      ...(xmpp.length > 0 ? { supportedConnReqMethods: ["HTTP", "STUN", "XMPP"] } : {}),
    },
    alias: { enabled: () => true, instanceMode: () => options.settings.get().instanceMode },
    bindings: [
      ...persistedObjects,
      ...persistedBindings,
      ...xmpp,
      ...bulkdata,
      ...mqtt,
      ...linux.filter((b) => !mapped.has(b.object)),
      ...(options.bindings ?? []),
    ],
    instanceNumbers: numbers,
  });
  const parameterKeyPath = parameterKeyPathOf(root);

  const common: Handlers = {
    GetParameterAttributes: (request, { model, limits }) =>
      getParameterAttributes(model, attributes, request, { limits }),
    // Lightweight notifications (3–6) exist from CWMP 1.4 (TR-069 Annex M).
    SetParameterAttributes: (request, { model, limits }) =>
      setParameterAttributes(model, attributes, request, {
        limits,
        lightweight: config.cpe.cwmpVersion === "1.4",
      }),
  };
  const withKey = (key: string | null): Handlers => ({
    ...common,
    SetParameterValues: (request, { model }) =>
      setParameterValues(model, request, { parameterKeyPath: key }),
    AddObject: (request, { model }) => addObject(model, request, { parameterKeyPath: key }),
    DeleteObject: (request, { model }) => deleteObject(model, request, { parameterKeyPath: key }),
  });

  return {
    model,
    schema,
    attributes,
    informRefs: await forcedInformRefs(model, model.notableParameterSchemas()),
    parameterKeyPath,
    handlers: withKey(parameterKeyPath),
    localHandlers: withKey(null),
    persisted,
    reset() {
      numbersFile.remove();
      valuesFile.remove();
      attributesFile.remove();
      // The XMPP rows went with values.json: the [xmpp] section seeds them again.
      new PersistedJson(dir, XMPP_SEED_FILE, options.journal).remove();
    },
  };
}
