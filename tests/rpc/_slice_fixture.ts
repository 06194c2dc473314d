/**
 * The slice model with a recording ManagementSettings store, shared by the RPC tests.
 *
 * @module
 */

import {
  createDeviceModel,
  type DeviceIdentity,
  type ManagementSettings,
  type ManagementSettingsStore,
  type ParameterTree,
} from "../../src/datamodel/mod.ts";

/** Identity used by every slice test. */
export const IDENTITY: DeviceIdentity = {
  manufacturer: "Acme Networks",
  manufacturerOui: "00D09E",
  modelName: "AR-1",
  description: "Acme test router",
  productClass: "AR",
  serialNumber: "SN0001",
  hardwareVersion: "hw1",
  softwareVersion: "1.2.3",
};

/** Factory settings of the slice tests. */
export function initialSettings(): ManagementSettings {
  return {
    enableCwmp: true,
    url: "http://acs.example:7547/",
    username: "cpe",
    password: "secret",
    periodicInformEnable: true,
    periodicInformInterval: 3600,
    periodicInformTime: "0001-01-01T00:00:00Z",
    parameterKey: "",
    connectionRequestUrl: "http://192.0.2.1:7547/cr",
    connectionRequestUsername: "acs",
    connectionRequestPassword: "crsecret",
    upgradesManaged: false,
    defaultActiveNotificationThrottle: 0,
    cwmpRetryMinimumWaitInterval: 5,
    cwmpRetryIntervalMultiplier: 2000,
    httpConnectionRequestEnable: true,
    instanceMode: "InstanceNumber",
    autoCreateInstances: false,
    heartbeatEnable: false,
    heartbeatReportingInterval: 30,
    heartbeatInitiationTime: "0001-01-01T00:00:00Z",
    stunEnable: false,
    stunServerAddress: "",
    stunServerPort: 3478,
    stunUsername: "",
    stunPassword: "",
    stunMaximumKeepAlivePeriod: -1,
    stunMinimumKeepAlivePeriod: 30,
    udpConnectionRequestAddressNotificationLimit: 0,
    udpConnectionRequestAddress: "",
    natDetected: false,
    lightweightNotificationProtocolsUsed: "",
    lightweightNotificationTriggerInterval: 0,
    lightweightNotificationTriggerTime: "0001-01-01T00:00:00Z",
    udpLightweightNotificationHost: "",
    udpLightweightNotificationPort: 7547,
  };
}

/** A store that records every `set` call. */
export class RecordingStore implements ManagementSettingsStore {
  settings: ManagementSettings = initialSettings();
  readonly calls: Partial<ManagementSettings>[] = [];

  get(): ManagementSettings {
    return this.settings;
  }

  set(changes: Partial<ManagementSettings>): void {
    this.calls.push(changes);
    this.settings = { ...this.settings, ...changes };
  }
}

/** The slice model, its store and a settable uptime. */
export interface SliceFixture {
  model: ParameterTree;
  store: RecordingStore;
  uptime: { seconds: number };
}

/** Builds a fresh slice model. */
export function sliceFixture(): SliceFixture {
  const store = new RecordingStore();
  const uptime = { seconds: 42 };
  const model = createDeviceModel({
    deviceInfo: { identity: IDENTITY, uptimeSeconds: () => uptime.seconds },
    managementServer: { store },
  });
  return { model, store, uptime };
}
