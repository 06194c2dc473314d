/**
 * AgentConfig: the typed, validated agent configuration, its defaults, and the
 * table of TOML keys that `loadConfig()` accepts.
 *
 * The TOML layout follows icwmp's UCI sections `acs`, `cpe` and `lwn` (seed
 * 000), renamed to snake_case, plus `[device]`, `[connection_request]`,
 * `[agent]` and `[log]`. The icwmp → TOML mapping is documented at the top of
 * config/cwmp.example.toml.
 */

import { LOG_SEVERITIES, type LogSeverity } from "../log/severity.ts";

export { LOG_SEVERITIES, type LogSeverity };

/** A CWMP protocol version, derived from `cpe.amd_version`. */
export type CwmpVersion = "1.0" | "1.1" | "1.2" | "1.3" | "1.4";

/** `[acs]`: how to reach the ACS (TR-181 Device.ManagementServer). */
export interface AcsConfig {
  /** ACS URL (http or https); empty when it comes from DHCP. */
  readonly url: string;
  /** ManagementServer.Username (icwmp acs.userid). */
  readonly username: string;
  /** ManagementServer.Password (icwmp acs.passwd); a secret. */
  readonly password: string;
  readonly periodicInformEnable: boolean;
  /** Seconds, ≥ 1. */
  readonly periodicInformInterval: number;
  /** xsd:dateTime in UTC; `0001-01-01T00:00:00Z` is the Unknown Time. */
  readonly periodicInformTime: string;
  /** ManagementServer.HeartbeatPolicy.Enable (TR-069 Annex O). */
  readonly heartbeatEnable: boolean;
  /** HeartbeatPolicy.ReportingInterval, seconds (≥ 30). */
  readonly heartbeatInterval: number;
  /** HeartbeatPolicy.InitiationTime; Unknown Time = a random phase. */
  readonly heartbeatInitiationTime: string;
  /** Initial ManagementServer.ParameterKey. */
  readonly parameterKey: string;
  /** Take the ACS URL from DHCP option 43. */
  readonly dhcpDiscovery: boolean;
  /** ACS URL last learnt from DHCP (icwmp keeps it in its config too). */
  readonly dhcpUrl: string;
  /** Layout of option 43's sub-options: TR-069's, or the Sangoma Vega guide's. */
  readonly dhcpOption43Format: "tr069" | "vega";
  /** Where the DHCP hooks keep `dhcp-<interface>.env` (read at start). */
  readonly dhcpLeaseDir: string;
  /** HTTP compression towards the ACS. */
  readonly compression: "Disabled" | "GZIP";
  /** CWMPRetryMinimumWaitInterval, 1–65535 s. */
  readonly retryMinWaitInterval: number;
  /** CWMPRetryIntervalMultiplier, 1000–65535 (units of 0.001). */
  readonly retryIntervalMultiplier: number;
  readonly ipv6Enable: boolean;
  /** CA bundle file for the ACS; empty = system store. */
  readonly caFile: string;
  /** CA directory for the ACS (icwmp acs.ssl_capath). */
  readonly caDir: string;
  /** CA directory for Download/Upload (icwmp acs.https_ssl_capath). */
  readonly transferCaDir: string;
  /** PEM client certificate file; empty = none. */
  readonly clientCert: string;
  /** PEM client key file; empty = none. */
  readonly clientKey: string;
  /** True disables ACS certificate verification (and with it every use of Basic over TLS). */
  readonly insecure: boolean;
  /**
   * Answer a Basic-only challenge from a plain-HTTP ACS (the password goes in
   * clear); false = such an ACS fails the session. Never pre-emptive.
   */
  readonly allowBasicOverHttp: boolean;
  readonly httpDisable100continue: boolean;
  /** Per-request timeout in seconds, ≥ 30. */
  readonly timeout: number;
  /** Largest ACS response body accepted, in bytes. */
  readonly maxBodyBytes: number;
  /** Largest response the agent builds (GPV/GPN/GPA), in bytes; beyond, fault 9004. */
  readonly maxResponseBytes: number;
  /** Most parameters one request may select (GPV/GPN/GPA items, SPA paths); beyond, 9004. */
  readonly maxResponseParameters: number;
}

/** `[cpe]`: agent behaviour towards the ACS and the data model. */
export interface CpeConfig {
  /** Interface used to reach the ACS; empty = any. */
  readonly interface: string;
  readonly defaultWanInterface: string;
  readonly ubusSocket: string;
  /** Initial DeviceInfo.ProvisioningCode. */
  readonly provisioningCode: string;
  /** TR-069 amendment, 1–6. */
  readonly amdVersion: number;
  /** Highest CWMP version offered, derived from amdVersion. */
  readonly cwmpVersion: CwmpVersion;
  readonly instanceMode: "InstanceNumber" | "InstanceAlias";
  /** Value of the cwmp:SessionTimeout header, seconds. */
  readonly sessionTimeout: number;
  /** Enable parameter change notifications. */
  readonly notification: boolean;
  /** Seconds between polls of the parameters with notification (value-change detection). */
  readonly notificationInterval: number;
  readonly datamodel: "tr181" | "tr098";
  /** icwmp's option, accepted for its configs; not used: `[transfer]` commands apply files. */
  readonly execDownload: boolean;
}

/** `[device]`: DeviceInfo identity; empty strings are filled in by the platform. */
export interface DeviceConfig {
  readonly manufacturer: string;
  /** Six upper-case hex digits, or empty. */
  readonly manufacturerOui: string;
  readonly productClass: string;
  readonly serialNumber: string;
  readonly modelName: string;
  readonly hardwareVersion: string;
  readonly softwareVersion: string;
  readonly description: string;
}

/** `[connection_request]`: the HTTP connection request server. */
export interface ConnectionRequestConfig {
  readonly port: number;
  /** URL path, starts with "/". */
  readonly path: string;
  /** ConnectionRequestUsername (icwmp cpe.userid). */
  readonly username: string;
  /** ConnectionRequestPassword (icwmp cpe.passwd); a secret. */
  readonly password: string;
  /** Listen address. */
  readonly bind: string;
  /** Advertised ConnectionRequestURL; empty = derived from the WAN address. */
  readonly url: string;
  /**
   * Authenticated connection requests accepted per period (a token bucket of this size that
   * refills over the period; beyond it, 503); 0 = unlimited.
   */
  readonly rateLimitRequests: number;
  /** Rate limit period in seconds. */
  readonly rateLimitPeriod: number;
}

/**
 * `[lwn]`: UDP lightweight notifications (TR-069 Annex M). The factory values of
 * ManagementServer.LightweightNotification* and UDPLightweightNotification*; the ACS may
 * change them at run time.
 */
export interface LwnConfig {
  /** LightweightNotificationProtocolsUsed: "UDP" when true, "" (off) when false. */
  readonly enable: boolean;
  /** UDPLightweightNotificationHost; empty = the host of the ACS URL. */
  readonly hostname: string;
  /** UDPLightweightNotificationPort (TR-181: 7547 when not given). */
  readonly port: number;
  /** LightweightNotificationTriggerInterval, seconds; 0 = passive ones wait for an active one. */
  readonly triggerInterval: number;
  /** LightweightNotificationTriggerTime (the phase); Unknown Time = the agent's start. */
  readonly triggerTime: string;
}

/**
 * `[stun]`: STUN and UDP connection requests (TR-069 Annex G, TR-111 Part 2). The
 * factory values of ManagementServer.STUN*; the ACS may change them at run time.
 */
export interface StunConfig {
  /** STUNEnable: keep a STUN binding and take UDP connection requests. */
  readonly enable: boolean;
  /** STUNServerAddress; empty = the host of the ACS URL. */
  readonly serverAddress: string;
  /** STUNServerPort. */
  readonly serverPort: number;
  /** STUNUsername; empty = no MESSAGE-INTEGRITY. */
  readonly username: string;
  /** STUNPassword. */
  readonly password: string;
  /** STUNMaximumKeepAlivePeriod, seconds; −1 = none. */
  readonly maximumKeepAlivePeriod: number;
  /** STUNMinimumKeepAlivePeriod, seconds. */
  readonly minimumKeepAlivePeriod: number;
  /** UDPConnectionRequestAddressNotificationLimit, seconds. */
  readonly notificationLimit: number;
  /** Local UDP port of the binding and the UDP connection requests (0 = any, tests). */
  readonly udpPort: number;
}

/**
 * `[xmpp]`: one XMPP connection for connection requests (TR-069 Annex K), seeded into
 * `Device.XMPP.Connection.{i}` and ManagementServer.ConnReqXMPPConnection /
 * ConnReqAllowedJabberIDs; the ACS may change them at run time. Off while `domain` is empty.
 */
export interface XmppConfig {
  /** The server's host; empty = DNS (SRV `_xmpp-client._tcp.<domain>`, then the domain). */
  readonly server: string;
  readonly port: number;
  /** The XMPP domain: the JID's domain part and the name the server's certificate must have. */
  readonly domain: string;
  readonly username: string;
  readonly password: string;
  readonly resource: string;
  /** Start TLS even when the server does not require it (TR-181 UseTLS). */
  readonly useTls: boolean;
  /** ConnReqAllowedJabberIDs: bare or full JIDs; empty = everyone. */
  readonly allowedJids: readonly string[];
  /** PEM CA bundle for the XMPP server; empty = the system's roots. */
  readonly caFile: string;
  /** KeepAliveInterval, seconds: −1 = 300, 0 = none. */
  readonly keepAliveInterval: number;
  /** ServerRetryInitialInterval, seconds. */
  readonly retryInitialInterval: number;
}

/** `[agent]`: local files and system commands. */
export interface AgentSection {
  readonly stateDir: string;
  /** argv run for the Reboot RPC. */
  readonly rebootCommand: readonly string[];
  /** argv run for FactoryReset; empty = FactoryReset unsupported. */
  readonly factoryResetCommand: readonly string[];
  /** Integrator mapping file (script provider); empty = none. */
  readonly mappingFile: string;
}

/** `[log]`: the agent's log (icwmp cpe.log_*). */
export interface LogConfig {
  readonly severity: LogSeverity;
  readonly console: boolean;
  readonly file: boolean;
  readonly fileName: string;
  /** Bytes before the file is rotated to `<file_name>.1`. */
  readonly maxSize: number;
}

/**
 * `[bulkdata]`: Bulk Data collection (TR-069 Annex N, TR-181 `Device.BulkData.`). The
 * profiles come from the ACS; these are the device's limits and the factory value of
 * `Device.BulkData.Enable`.
 */
export interface BulkDataConfig {
  /** Factory value of Device.BulkData.Enable (the ACS may change it). */
  readonly enable: boolean;
  /** MinReportingInterval, seconds: a shorter Profile.{i}.ReportingInterval is refused. */
  readonly minReportingInterval: number;
  /** MaxNumberOfProfiles. */
  readonly maxProfiles: number;
  /** MaxNumberOfParameterReferences, partial paths and wildcards expanded, all profiles. */
  readonly maxParameterReferences: number;
}

/**
 * `[mqtt]`: the MQTT clients Bulk Data profiles publish through (TR-181
 * `Device.MQTT.Client.{i}`, created by the ACS).
 */
export interface MqttConfig {
  /** PEM CA bundle for TLS brokers; empty = the ACS's (`acs.ca_file`, `acs.ca_dir`). */
  readonly caFile: string;
  /** Most Device.MQTT.Client rows the ACS may create. */
  readonly maxClients: number;
}

/** `[twamp]`: the TWAMP-Control server (TR-181 covers only the TWAMP-Light reflectors). */
export interface TwampConfig {
  /** Serve TWAMP-Control (RFC 5357, unauthenticated mode) so full TWAMP clients can test. */
  readonly controlEnable: boolean;
  /** TCP port of TWAMP-Control (default 862). */
  readonly controlPort: number;
  /** Listen address. */
  readonly controlBind: string;
}

/**
 * `[transfer]`: file transfers (Download). Each FileType is applied by its own command
 * (an argv, no shell; the downloaded file's path is appended); a FileType without one is
 * refused when the ACS asks for it.
 */
export interface TransferConfig {
  /** Staging directory for downloads; empty = `<state_dir>/transfers`. */
  readonly dir: string;
  /** `1 Firmware Upgrade Image`, e.g. `["sysupgrade"]` on OpenWrt. */
  readonly firmwareCommand: readonly string[];
  /** Run `agent.reboot_command` after a successful firmware command (false: it reboots itself). */
  readonly firmwareReboot: boolean;
  /**
   * Report a firmware Download as applied (FaultCode 0) only when DeviceInfo.SoftwareVersion
   * after the reboot differs from before it; otherwise 9010.
   */
  readonly firmwareCheckVersion: boolean;
  /** `2 Web Content`. */
  readonly webContentCommand: readonly string[];
  /** `3 Vendor Configuration File`, e.g. `["sysupgrade", "-r"]` on OpenWrt. */
  readonly vendorConfigCommand: readonly string[];
  /** `4 Tone File`. */
  readonly toneFileCommand: readonly string[];
  /** `5 Ringer File`. */
  readonly ringerFileCommand: readonly string[];
  /** Optional check before applying any file (signatures), path appended; failure → 9018. */
  readonly verifyCommand: readonly string[];
  /**
   * Upload `1 Vendor Configuration File`: writes a backup to the path appended (OpenWrt:
   * `["sysupgrade", "-b"]`); empty = that Upload is refused.
   */
  readonly configBackupCommand: readonly string[];
  /**
   * Upload `2 Vendor Log File`: writes the system log to the path appended (e.g.
   * `["sh", "-c", "logread > \"$1\"", "logread"]`); the agent's own log file is sent too.
   */
  readonly logCommand: readonly string[];
  /**
   * Vendor Download FileTypes (`X <OUI> <name>`, TR-069 A.3.2.8) and the command that
   * applies each (path appended), e.g. `{ "X 00D09E Signed Bundle" = ["apply-bundle"] }`.
   */
  readonly vendorFileTypes: Readonly<Record<string, readonly string[]>>;
  /** Vendor Upload FileTypes (`X <OUI> <name>`) and the command that writes each file. */
  readonly vendorUploadTypes: Readonly<Record<string, readonly string[]>>;
  /** Largest file accepted, bytes, whatever FileSize says. */
  readonly maxFileSize: number;
  /** Seconds to connect, without progress, and in all. */
  readonly connectTimeout: number;
  readonly stallTimeout: number;
  readonly totalTimeout: number;
  /** PEM CA bundle for file servers; empty = the ACS's (`acs.ca_file`) or the system's. */
  readonly caFile: string;
}

/** The whole agent configuration, grouped by TOML section. */
export interface AgentConfig {
  readonly acs: AcsConfig;
  readonly cpe: CpeConfig;
  readonly device: DeviceConfig;
  readonly connectionRequest: ConnectionRequestConfig;
  readonly lwn: LwnConfig;
  readonly stun: StunConfig;
  readonly xmpp: XmppConfig;
  readonly twamp: TwampConfig;
  readonly bulkdata: BulkDataConfig;
  readonly mqtt: MqttConfig;
  readonly transfer: TransferConfig;
  readonly agent: AgentSection;
  readonly log: LogConfig;
}

/** Default Unknown Time for `acs.periodic_inform_time` (TR-181). */
export const UNKNOWN_TIME = "0001-01-01T00:00:00Z";

/**
 * A fresh (mutable) copy of the defaults: what an empty config file yields.
 *
 * @example
 * ```ts
 * import { defaultConfig } from "./schema.ts";
 * console.assert(defaultConfig().connectionRequest.port === 7547);
 * ```
 */
export function defaultConfig(): AgentConfig {
  return {
    acs: {
      url: "",
      username: "",
      password: "",
      periodicInformEnable: true,
      periodicInformInterval: 1800,
      periodicInformTime: UNKNOWN_TIME,
      heartbeatEnable: false,
      heartbeatInterval: 30,
      heartbeatInitiationTime: UNKNOWN_TIME,
      parameterKey: "",
      dhcpDiscovery: false,
      dhcpUrl: "",
      dhcpOption43Format: "tr069",
      dhcpLeaseDir: "/var/run/cwmp-agent",
      compression: "Disabled",
      retryMinWaitInterval: 5,
      retryIntervalMultiplier: 2000,
      ipv6Enable: false,
      caFile: "",
      caDir: "",
      transferCaDir: "",
      clientCert: "",
      clientKey: "",
      insecure: false,
      allowBasicOverHttp: false,
      httpDisable100continue: false,
      timeout: 30,
      maxBodyBytes: 1048576,
      maxResponseBytes: 8388608,
      maxResponseParameters: 65536,
    },
    cpe: {
      interface: "",
      defaultWanInterface: "wan",
      ubusSocket: "/var/run/ubus.sock",
      provisioningCode: "",
      amdVersion: 5,
      cwmpVersion: "1.4",
      instanceMode: "InstanceNumber",
      sessionTimeout: 60,
      notification: true,
      notificationInterval: 30,
      datamodel: "tr181",
      execDownload: false,
    },
    device: {
      manufacturer: "",
      manufacturerOui: "",
      productClass: "",
      serialNumber: "",
      modelName: "",
      hardwareVersion: "",
      softwareVersion: "",
      description: "",
    },
    connectionRequest: {
      port: 7547,
      path: "/",
      username: "",
      password: "",
      bind: "0.0.0.0",
      url: "",
      rateLimitRequests: 60,
      rateLimitPeriod: 60,
    },
    lwn: {
      enable: false,
      hostname: "",
      port: 7547,
      triggerInterval: 0,
      triggerTime: UNKNOWN_TIME,
    },
    stun: {
      enable: false,
      serverAddress: "",
      serverPort: 3478,
      username: "",
      password: "",
      maximumKeepAlivePeriod: -1,
      minimumKeepAlivePeriod: 30,
      notificationLimit: 0,
      udpPort: 7547,
    },
    xmpp: {
      server: "",
      port: 5222,
      domain: "",
      username: "",
      password: "",
      resource: "cwmp",
      useTls: true,
      allowedJids: [],
      caFile: "",
      keepAliveInterval: -1,
      retryInitialInterval: 60,
    },
    twamp: { controlEnable: false, controlPort: 862, controlBind: "0.0.0.0" },
    bulkdata: {
      enable: true,
      minReportingInterval: 60,
      maxProfiles: 8,
      maxParameterReferences: 20000,
    },
    mqtt: { caFile: "", maxClients: 4 },
    transfer: {
      dir: "",
      firmwareCommand: [],
      firmwareReboot: true,
      firmwareCheckVersion: false,
      webContentCommand: [],
      vendorConfigCommand: [],
      toneFileCommand: [],
      ringerFileCommand: [],
      verifyCommand: [],
      configBackupCommand: [],
      logCommand: [],
      vendorFileTypes: {},
      vendorUploadTypes: {},
      maxFileSize: 256 * 1024 * 1024,
      connectTimeout: 30,
      stallTimeout: 60,
      totalTimeout: 3600,
      caFile: "",
    },
    agent: {
      stateDir: "/var/lib/cwmp-agent",
      rebootCommand: ["reboot"],
      factoryResetCommand: [],
      mappingFile: "",
    },
    log: {
      severity: "INFO",
      console: true,
      file: false,
      fileName: "/var/log/cwmp-agent.log",
      maxSize: 102400,
    },
  };
}

/**
 * The CWMP version for a TR-069 amendment: 1→1.0, 2→1.1, 3→1.2, 4→1.3,
 * 5 and 6→1.4 (CWMP-FACTS §1.1).
 */
export function cwmpVersionForAmendment(amd: number): CwmpVersion {
  const versions: CwmpVersion[] = ["1.0", "1.0", "1.1", "1.2", "1.3", "1.4", "1.4"];
  const version = versions[amd];
  if (version === undefined) throw new RangeError(`Unknown TR-069 amendment "${amd}"`);
  return version;
}

/** How one TOML key is checked. */
export type KeyKind =
  | { readonly type: "string" }
  | { readonly type: "boolean" }
  | { readonly type: "integer"; readonly min: number; readonly max?: number }
  | { readonly type: "enum"; readonly values: readonly string[]; readonly ignoreCase?: boolean }
  | { readonly type: "url"; readonly allowEmpty: boolean }
  | { readonly type: "oui" }
  | { readonly type: "urlPath" }
  | { readonly type: "argv" }
  /** A table of vendor FileType (`X <OUI> <name>`) → argv. */
  | { readonly type: "vendorFileTypes" }
  | { readonly type: "dateTime" }
  | { readonly type: "secret"; readonly source: "value" | "file" | "env" };

/** One accepted TOML key: its check and the AgentConfig field it fills. */
export interface KeySpec {
  readonly kind: KeyKind;
  /** camelCase field in the section's object. */
  readonly field: string;
}

/** One accepted TOML section. */
export interface SectionSpec {
  /** The AgentConfig property this section fills. */
  readonly field: keyof AgentConfig;
  readonly keys: Readonly<Record<string, KeySpec>>;
}

const str = (field: string): KeySpec => ({ kind: { type: "string" }, field });
const bool = (field: string): KeySpec => ({ kind: { type: "boolean" }, field });
const int = (field: string, min: number, max?: number): KeySpec => ({
  kind: { type: "integer", min, max },
  field,
});
const port = (field: string) => int(field, 1, 65535);
const oneOf = (field: string, values: readonly string[], ignoreCase = false): KeySpec => ({
  kind: { type: "enum", values, ignoreCase },
  field,
});
const url = (field: string): KeySpec => ({ kind: { type: "url", allowEmpty: true }, field });
const argv = (field: string): KeySpec => ({ kind: { type: "argv" }, field });
const secret = (prefix: string): Record<string, KeySpec> => ({
  [prefix]: { kind: { type: "secret", source: "value" }, field: prefix },
  [`${prefix}_file`]: { kind: { type: "secret", source: "file" }, field: prefix },
  [`${prefix}_env`]: { kind: { type: "secret", source: "env" }, field: prefix },
});

/** Every accepted TOML section and key, by TOML name. */
export const CONFIG_SCHEMA: Readonly<Record<string, SectionSpec>> = {
  acs: {
    field: "acs",
    keys: {
      url: url("url"),
      username: str("username"),
      ...secret("password"),
      periodic_inform_enable: bool("periodicInformEnable"),
      periodic_inform_interval: int("periodicInformInterval", 1),
      periodic_inform_time: { kind: { type: "dateTime" }, field: "periodicInformTime" },
      heartbeat_enable: bool("heartbeatEnable"),
      heartbeat_interval: int("heartbeatInterval", 30),
      heartbeat_initiation_time: { kind: { type: "dateTime" }, field: "heartbeatInitiationTime" },
      parameter_key: str("parameterKey"),
      dhcp_discovery: bool("dhcpDiscovery"),
      dhcp_url: url("dhcpUrl"),
      dhcp_option43_format: oneOf("dhcpOption43Format", ["tr069", "vega"]),
      dhcp_lease_dir: str("dhcpLeaseDir"),
      compression: oneOf("compression", ["Disabled", "GZIP"]),
      retry_min_wait_interval: int("retryMinWaitInterval", 1, 65535),
      retry_interval_multiplier: int("retryIntervalMultiplier", 1000, 65535),
      ipv6_enable: bool("ipv6Enable"),
      ca_file: str("caFile"),
      ca_dir: str("caDir"),
      transfer_ca_dir: str("transferCaDir"),
      client_cert: str("clientCert"),
      client_key: str("clientKey"),
      insecure: bool("insecure"),
      allow_basic_over_http: bool("allowBasicOverHttp"),
      http_disable_100continue: bool("httpDisable100continue"),
      timeout: int("timeout", 30, 3600),
      max_body_bytes: int("maxBodyBytes", 1024),
      max_response_bytes: int("maxResponseBytes", 65536),
      max_response_parameters: int("maxResponseParameters", 100),
    },
  },
  cpe: {
    field: "cpe",
    keys: {
      interface: str("interface"),
      default_wan_interface: str("defaultWanInterface"),
      ubus_socket: str("ubusSocket"),
      provisioning_code: str("provisioningCode"),
      amd_version: int("amdVersion", 1, 6),
      instance_mode: oneOf("instanceMode", ["InstanceNumber", "InstanceAlias"]),
      session_timeout: int("sessionTimeout", 1, 86400),
      notification: bool("notification"),
      notification_interval: int("notificationInterval", 1, 86400),
      datamodel: oneOf("datamodel", ["tr181", "tr098"]),
      exec_download: bool("execDownload"),
    },
  },
  device: {
    field: "device",
    keys: {
      manufacturer: str("manufacturer"),
      manufacturer_oui: { kind: { type: "oui" }, field: "manufacturerOui" },
      product_class: str("productClass"),
      serial_number: str("serialNumber"),
      model_name: str("modelName"),
      hardware_version: str("hardwareVersion"),
      software_version: str("softwareVersion"),
      description: str("description"),
    },
  },
  connection_request: {
    field: "connectionRequest",
    keys: {
      port: int("port", 0, 65535),
      path: { kind: { type: "urlPath" }, field: "path" },
      username: str("username"),
      ...secret("password"),
      bind: str("bind"),
      url: url("url"),
      rate_limit_requests: int("rateLimitRequests", 0),
      rate_limit_period: int("rateLimitPeriod", 1, 86400),
    },
  },
  lwn: {
    field: "lwn",
    keys: {
      enable: bool("enable"),
      hostname: str("hostname"),
      port: port("port"),
      trigger_interval: int("triggerInterval", 0),
      trigger_time: { kind: { type: "dateTime" }, field: "triggerTime" },
    },
  },
  stun: {
    field: "stun",
    keys: {
      enable: bool("enable"),
      server_address: str("serverAddress"),
      server_port: port("serverPort"),
      username: str("username"),
      ...secret("password"),
      maximum_keepalive_period: int("maximumKeepAlivePeriod", -1),
      minimum_keepalive_period: int("minimumKeepAlivePeriod", 1, 86400),
      notification_limit: int("notificationLimit", 0),
      udp_port: int("udpPort", 0, 65535),
    },
  },
  xmpp: {
    field: "xmpp",
    keys: {
      server: str("server"),
      port: port("port"),
      domain: str("domain"),
      username: str("username"),
      ...secret("password"),
      resource: str("resource"),
      use_tls: bool("useTls"),
      allowed_jids: argv("allowedJids"),
      ca_file: str("caFile"),
      keep_alive_interval: int("keepAliveInterval", -1),
      retry_initial_interval: int("retryInitialInterval", 1, 65535),
    },
  },
  bulkdata: {
    field: "bulkdata",
    keys: {
      enable: bool("enable"),
      min_reporting_interval: int("minReportingInterval", 1),
      max_profiles: int("maxProfiles", 0, 1024),
      max_parameter_references: int("maxParameterReferences", 1),
    },
  },
  mqtt: {
    field: "mqtt",
    keys: {
      ca_file: str("caFile"),
      max_clients: int("maxClients", 0, 64),
    },
  },
  twamp: {
    field: "twamp",
    keys: {
      control_enable: bool("controlEnable"),
      control_port: int("controlPort", 0, 65535),
      control_bind: str("controlBind"),
    },
  },
  transfer: {
    field: "transfer",
    keys: {
      dir: str("dir"),
      firmware_command: argv("firmwareCommand"),
      firmware_reboot: bool("firmwareReboot"),
      firmware_check_version: bool("firmwareCheckVersion"),
      web_content_command: argv("webContentCommand"),
      vendor_config_command: argv("vendorConfigCommand"),
      tone_file_command: argv("toneFileCommand"),
      ringer_file_command: argv("ringerFileCommand"),
      verify_command: argv("verifyCommand"),
      config_backup_command: argv("configBackupCommand"),
      log_command: argv("logCommand"),
      vendor_file_types: { kind: { type: "vendorFileTypes" }, field: "vendorFileTypes" },
      vendor_upload_types: { kind: { type: "vendorFileTypes" }, field: "vendorUploadTypes" },
      max_file_size: int("maxFileSize", 1),
      connect_timeout: int("connectTimeout", 1, 3600),
      stall_timeout: int("stallTimeout", 1, 3600),
      total_timeout: int("totalTimeout", 1, 7 * 86400),
      ca_file: str("caFile"),
    },
  },
  agent: {
    field: "agent",
    keys: {
      state_dir: str("stateDir"),
      reboot_command: argv("rebootCommand"),
      factory_reset_command: argv("factoryResetCommand"),
      mapping_file: str("mappingFile"),
    },
  },
  log: {
    field: "log",
    keys: {
      severity: oneOf("severity", LOG_SEVERITIES, true),
      console: bool("console"),
      file: bool("file"),
      file_name: str("fileName"),
      max_size: int("maxSize", 1),
    },
  },
};

/**
 * Where icwmp's UCI options live now, for "unknown key" hints. Options whose
 * name did not change (e.g. `acs.url`) are not listed.
 */
export const ICWMP_RENAMES: Readonly<Record<string, string>> = {
  "acs.userid": "acs.username",
  "acs.passwd": "acs.password",
  "acs.ParameterKey": "acs.parameter_key",
  "acs.https_ssl_capath": "acs.transfer_ca_dir",
  "acs.ssl_capath": "acs.ca_dir",
  "acs.insecure_enable": "acs.insecure",
  "cpe.userid": "connection_request.username",
  "cpe.passwd": "connection_request.password",
  "cpe.port": "connection_request.port",
  "cpe.log_to_console": "log.console",
  "cpe.log_to_file": "log.file",
  "cpe.log_severity": "log.severity",
  "cpe.log_file_name": "log.file_name",
  "cpe.log_max_size": "log.max_size",
  "cpe.manufacturer": "device.manufacturer",
  "cpe.manufacturer_oui": "device.manufacturer_oui",
  "cpe.model_name": "device.model_name",
  "cpe.product_class": "device.product_class",
};
