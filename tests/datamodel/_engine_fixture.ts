/**
 * The full TR-181 model with persisted tables, shared by the engine tests
 * (AddObject/DeleteObject, NumberOfEntries, aliases, snapshot, fault table).
 *
 * Bound tables: `Device.Hosts.AccessControl.{i}.` (writable, Alias) and its
 * `Schedule.{i}.`, `Device.Hosts.Host.{i}.` (read-only, seeded with rows 1 and 2),
 * `Device.Ghn.Interface.{i}.` (row 1) and its `SMMaskedBand.{i}.` (maxEntries 32).
 *
 * @module
 */

import { createDeviceModel, deviceSchema } from "../../src/datamodel/device_model.ts";
import { MemoryInstanceNumbers } from "../../src/datamodel/instance_numbers.ts";
import type { Binding } from "../../src/datamodel/provider.ts";
import {
  persistableParameters,
  PersistedProvider,
} from "../../src/datamodel/providers/persisted.ts";
import type { ParameterTree } from "../../src/datamodel/tree.ts";
import { IDENTITY, RecordingStore } from "../rpc/_slice_fixture.ts";

/** What {@linkcode engineFixture} builds. */
export interface EngineFixture {
  model: ParameterTree;
  store: RecordingStore;
  persisted: PersistedProvider;
  numbers: MemoryInstanceNumbers;
  /** How often the persisted provider reported a change. */
  changes: { count: number };
}

/** Options of {@linkcode engineFixture}. */
export interface EngineFixtureOptions {
  /** Turn alias-based addressing on (InstanceMode follows the store). */
  alias?: boolean;
  /** Start from this persisted state (`serialize()` text). */
  state?: string;
  /** Start from these instance counters (`serialize()` text). */
  counters?: string;
}

const ACL = "Device.Hosts.AccessControl.{i}.";
const SCHEDULE = `${ACL}Schedule.{i}.`;
const BAND = "Device.Ghn.Interface.{i}.SMMaskedBand.{i}.";

/** Builds a fresh full model. */
export function engineFixture(options: EngineFixtureOptions = {}): EngineFixture {
  const store = new RecordingStore();
  const changes = { count: 0 };
  const persisted = new PersistedProvider({ onChange: () => changes.count++ });
  if (options.state !== undefined) persisted.restore(options.state);
  else {
    persisted.load("Device.Hosts.Host.", [1, 2], {
      "Device.Hosts.Host.1.HostName": "laptop",
      "Device.Hosts.Host.2.HostName": "phone",
    });
    persisted.load("Device.Ghn.Interface.", [1]);
  }
  const numbers = new MemoryInstanceNumbers();
  if (options.counters !== undefined) numbers.restore(options.counters);
  const schema = deviceSchema();
  const bindings: Binding[] = [
    persisted.bind(ACL, persistableParameters(schema, ACL)),
    persisted.bind(SCHEDULE, persistableParameters(schema, SCHEDULE)),
    persisted.bind("Device.Hosts.Host.{i}.", ["PhysAddress", "IPAddress", "HostName", "Active"]),
    persisted.bind("Device.Ghn.Interface.{i}.", ["Enable"]),
    persisted.bind(BAND, persistableParameters(schema, BAND)),
  ];
  const model = createDeviceModel({
    deviceInfo: { identity: IDENTITY, uptimeSeconds: () => 42 },
    managementServer: { store, aliasBasedAddressing: options.alias },
    bindings,
    instanceNumbers: numbers,
    alias: options.alias
      ? { enabled: () => true, instanceMode: () => store.settings.instanceMode }
      : undefined,
  });
  return { model, store, persisted, numbers, changes };
}
