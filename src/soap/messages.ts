/**
 * CWMP message model: every RPC of TR-069 Amendment 6 Annex A (CWMP 1.4), in both
 * directions, as a discriminated union on `kind`. Kinds keep the spec's element
 * names verbatim; fields are the spec's argument names in camelCase. This file owns
 * only types and constants: no XML, no I/O.
 *
 * dateTime arguments stay strings exactly as on the wire (TR-106 dateTime, which
 * carries microseconds, Unknown Time `0001-01-01T00:00:00Z` and relative times that a
 * `Date` cannot represent).
 *
 * @module
 */

/** The three RPC namespaces; CWMP 1.3 and 1.4 still use cwmp-1-2 (TR-069 Amd 4/5/6). */
export const CWMP_NAMESPACES = [
  "urn:dslforum-org:cwmp-1-0",
  "urn:dslforum-org:cwmp-1-1",
  "urn:dslforum-org:cwmp-1-2",
] as const;
/** One of {@linkcode CWMP_NAMESPACES}. */
export type CwmpNamespace = typeof CWMP_NAMESPACES[number];

/** SOAP header elements of CWMP (TR-069 §3.5, cwmp-1-0…1-4.xsd). */
export interface SoapHeader {
  /** `cwmp:ID`, echoed in the response (mustUnderstand="1"). */
  id?: string;
  /** `cwmp:HoldRequests` (ACS only, deprecated but honoured). */
  holdRequests?: boolean;
  /** `cwmp:NoMoreRequests` (CWMP 1.0 CPE only, absent from every XSD: read, never sent). */
  noMoreRequests?: boolean;
  /** `cwmp:SessionTimeout` in seconds (CWMP 1.3, cwmp-1-3.xsd). */
  sessionTimeout?: number;
  /** `cwmp:SupportedCWMPVersions`, e.g. `"1.0,1.1,1.2,1.3,1.4"` (CWMP 1.4, CPE in Inform). */
  supportedCWMPVersions?: string;
  /** `cwmp:UseCWMPVersion`, e.g. `"1.4"` (CWMP 1.4, ACS in InformResponse). */
  useCWMPVersion?: string;
}

/** A decoded or to-be-encoded SOAP envelope. An HTTP body with no envelope is `{ kind: "Empty" }`. */
export interface Envelope {
  namespace: CwmpNamespace;
  header: SoapHeader;
  message: CwmpMessage;
}

// ---------------------------------------------------------------- structures

/** ParameterValueStruct. `type` is the xsi:type QName as sent, e.g. `"xsd:unsignedInt"`. */
export interface ParameterValueStruct {
  name: string;
  value: string;
  type: string;
}

/** DeviceIdStruct of Inform. */
export interface DeviceIdStruct {
  manufacturer: string;
  oui: string;
  productClass: string;
  serialNumber: string;
}

/** EventStruct of Inform. */
export interface EventStruct {
  eventCode: string;
  commandKey: string;
}

/** FaultStruct of TransferComplete and friends (FaultCode 0 = success). */
export interface FaultStruct {
  faultCode: number;
  faultString: string;
}

/** ParameterInfoStruct of GetParameterNamesResponse. */
export interface ParameterInfoStruct {
  name: string;
  writable: boolean;
}

/** SetParameterAttributesStruct. */
export interface SetParameterAttributesStruct {
  name: string;
  notificationChange: boolean;
  notification: number;
  accessListChange: boolean;
  accessList: string[];
}

/** ParameterAttributeStruct of GetParameterAttributesResponse. */
export interface ParameterAttributeStruct {
  name: string;
  notification: number;
  accessList: string[];
}

/** QueuedTransferStruct of GetQueuedTransfersResponse. State: 1 not started, 2 running, 3 done. */
export interface QueuedTransferStruct {
  commandKey: string;
  state: number;
}

/** AllQueuedTransferStruct of GetAllQueuedTransfersResponse. */
export interface AllQueuedTransferStruct {
  commandKey: string;
  state: number;
  isDownload: boolean;
  fileType: string;
  fileSize: number;
  targetFileName: string;
}

/** TimeWindowStruct of ScheduleDownload. */
export interface TimeWindowStruct {
  windowStart: number;
  windowEnd: number;
  windowMode: string;
  userMessage: string;
  maxRetries: number;
}

/** OptionStruct of GetOptionsResponse. `expirationDate` is optional in the schema. */
export interface OptionStruct {
  optionName: string;
  voucherSN: number;
  state: number;
  mode: number;
  startDate: string;
  expirationDate?: string;
  isTransferable: boolean;
}

/** InstallOpStruct / UpdateOpStruct / UninstallOpStruct of ChangeDUState. */
export type OperationStruct =
  | {
    op: "Install";
    url: string;
    uuid?: string;
    username?: string;
    password?: string;
    executionEnvRef?: string;
  }
  | {
    op: "Update";
    uuid?: string;
    version?: string;
    url?: string;
    username?: string;
    password?: string;
  }
  | { op: "Uninstall"; uuid: string; version?: string; executionEnvRef?: string };

/** OpResultStruct of DUStateChangeComplete. */
export interface OpResultStruct {
  uuid: string;
  deploymentUnitRef: string;
  version: string;
  currentState: string;
  resolved: boolean;
  executionUnitRefList: string;
  startTime: string;
  completeTime: string;
  fault: FaultStruct;
}

/** AutonOpResultStruct of AutonomousDUStateChangeComplete. */
export interface AutonOpResultStruct extends OpResultStruct {
  operationPerformed: string;
}

/** ArgStruct of RequestDownload. */
export interface ArgStruct {
  name: string;
  value: string;
}

/** SetParameterValuesFault entry of a 9003 fault to SetParameterValues. */
export interface SetParameterValuesFaultStruct {
  parameterName: string;
  faultCode: number;
  faultString: string;
}

// ------------------------------------------------- ACS → CPE (CPE methods)

export interface GetRPCMethods {
  kind: "GetRPCMethods";
}
export interface GetRPCMethodsResponse {
  kind: "GetRPCMethodsResponse";
  methodList: string[];
}
export interface SetParameterValues {
  kind: "SetParameterValues";
  parameterList: ParameterValueStruct[];
  parameterKey: string;
}
export interface SetParameterValuesResponse {
  kind: "SetParameterValuesResponse";
  status: 0 | 1;
}
export interface GetParameterValues {
  kind: "GetParameterValues";
  parameterNames: string[];
}
export interface GetParameterValuesResponse {
  kind: "GetParameterValuesResponse";
  parameterList: ParameterValueStruct[];
}
export interface GetParameterNames {
  kind: "GetParameterNames";
  parameterPath: string;
  nextLevel: boolean;
}
export interface GetParameterNamesResponse {
  kind: "GetParameterNamesResponse";
  parameterList: ParameterInfoStruct[];
}
export interface SetParameterAttributes {
  kind: "SetParameterAttributes";
  parameterList: SetParameterAttributesStruct[];
}
export interface SetParameterAttributesResponse {
  kind: "SetParameterAttributesResponse";
}
export interface GetParameterAttributes {
  kind: "GetParameterAttributes";
  parameterNames: string[];
}
export interface GetParameterAttributesResponse {
  kind: "GetParameterAttributesResponse";
  parameterList: ParameterAttributeStruct[];
}
export interface AddObject {
  kind: "AddObject";
  objectName: string;
  parameterKey: string;
}
export interface AddObjectResponse {
  kind: "AddObjectResponse";
  instanceNumber: number;
  status: 0 | 1;
}
export interface DeleteObject {
  kind: "DeleteObject";
  objectName: string;
  parameterKey: string;
}
export interface DeleteObjectResponse {
  kind: "DeleteObjectResponse";
  status: 0 | 1;
}
export interface Reboot {
  kind: "Reboot";
  commandKey: string;
}
export interface RebootResponse {
  kind: "RebootResponse";
}
export interface Download {
  kind: "Download";
  commandKey: string;
  fileType: string;
  url: string;
  username: string;
  password: string;
  fileSize: number;
  targetFileName: string;
  delaySeconds: number;
  successURL: string;
  failureURL: string;
}
export interface DownloadResponse {
  kind: "DownloadResponse";
  status: 0 | 1;
  startTime: string;
  completeTime: string;
}
export interface Upload {
  kind: "Upload";
  commandKey: string;
  fileType: string;
  url: string;
  username: string;
  password: string;
  delaySeconds: number;
}
export interface UploadResponse {
  kind: "UploadResponse";
  status: 0 | 1;
  startTime: string;
  completeTime: string;
}
export interface FactoryReset {
  kind: "FactoryReset";
}
export interface FactoryResetResponse {
  kind: "FactoryResetResponse";
}
export interface GetQueuedTransfers {
  kind: "GetQueuedTransfers";
}
export interface GetQueuedTransfersResponse {
  kind: "GetQueuedTransfersResponse";
  transferList: QueuedTransferStruct[];
}
export interface GetAllQueuedTransfers {
  kind: "GetAllQueuedTransfers";
}
export interface GetAllQueuedTransfersResponse {
  kind: "GetAllQueuedTransfersResponse";
  transferList: AllQueuedTransferStruct[];
}
export interface ScheduleInform {
  kind: "ScheduleInform";
  delaySeconds: number;
  commandKey: string;
}
export interface ScheduleInformResponse {
  kind: "ScheduleInformResponse";
}
export interface SetVouchers {
  kind: "SetVouchers";
  /** base64 vouchers, kept as text. */
  voucherList: string[];
}
export interface SetVouchersResponse {
  kind: "SetVouchersResponse";
}
export interface GetOptions {
  kind: "GetOptions";
  optionName: string;
}
export interface GetOptionsResponse {
  kind: "GetOptionsResponse";
  optionList: OptionStruct[];
}
export interface CancelTransfer {
  kind: "CancelTransfer";
  commandKey: string;
}
export interface CancelTransferResponse {
  kind: "CancelTransferResponse";
}
export interface ScheduleDownload {
  kind: "ScheduleDownload";
  commandKey: string;
  fileType: string;
  url: string;
  username: string;
  password: string;
  fileSize: number;
  targetFileName: string;
  timeWindowList: TimeWindowStruct[];
}
export interface ScheduleDownloadResponse {
  kind: "ScheduleDownloadResponse";
}
export interface ChangeDUState {
  kind: "ChangeDUState";
  operations: OperationStruct[];
  commandKey: string;
}
export interface ChangeDUStateResponse {
  kind: "ChangeDUStateResponse";
}

// ------------------------------------------------- CPE → ACS (ACS methods)

export interface Inform {
  kind: "Inform";
  deviceId: DeviceIdStruct;
  event: EventStruct[];
  maxEnvelopes: number;
  currentTime: string;
  retryCount: number;
  parameterList: ParameterValueStruct[];
}
export interface InformResponse {
  kind: "InformResponse";
  maxEnvelopes: number;
}
export interface TransferComplete {
  kind: "TransferComplete";
  commandKey: string;
  faultStruct: FaultStruct;
  startTime: string;
  completeTime: string;
}
export interface TransferCompleteResponse {
  kind: "TransferCompleteResponse";
}
export interface AutonomousTransferComplete {
  kind: "AutonomousTransferComplete";
  announceURL: string;
  transferURL: string;
  isDownload: boolean;
  fileType: string;
  fileSize: number;
  targetFileName: string;
  faultStruct: FaultStruct;
  startTime: string;
  completeTime: string;
}
export interface AutonomousTransferCompleteResponse {
  kind: "AutonomousTransferCompleteResponse";
}
export interface DUStateChangeComplete {
  kind: "DUStateChangeComplete";
  results: OpResultStruct[];
  commandKey: string;
}
export interface DUStateChangeCompleteResponse {
  kind: "DUStateChangeCompleteResponse";
}
export interface AutonomousDUStateChangeComplete {
  kind: "AutonomousDUStateChangeComplete";
  results: AutonOpResultStruct[];
}
export interface AutonomousDUStateChangeCompleteResponse {
  kind: "AutonomousDUStateChangeCompleteResponse";
}
export interface RequestDownload {
  kind: "RequestDownload";
  fileType: string;
  fileTypeArg: ArgStruct[];
}
export interface RequestDownloadResponse {
  kind: "RequestDownloadResponse";
}
export interface Kicked {
  kind: "Kicked";
  command: string;
  referer: string;
  arg: string;
  next: string;
}
export interface KickedResponse {
  kind: "KickedResponse";
  nextURL: string;
}

// ------------------------------------------------------------------ faults

/** A SOAP Fault carrying a CWMP Fault detail (TR-069 §3.5, A.5). */
export interface Fault {
  kind: "Fault";
  /** SOAP faultcode without prefix. */
  faultcode: "Client" | "Server";
  /** SOAP faultstring, `"CWMP fault"` by convention. */
  faultstring: string;
  faultCode: number;
  faultString: string;
  /** Only on a SetParameterValues fault. */
  setParameterValuesFault?: SetParameterValuesFaultStruct[];
}

/** An HTTP body with no envelope: the CPE's empty POST or the ACS's 204. */
export interface Empty {
  kind: "Empty";
}

/** Requests the ACS sends to the CPE (TR-069 Annex A, "CPE methods"). */
export type CpeRequest =
  | GetRPCMethods
  | SetParameterValues
  | GetParameterValues
  | GetParameterNames
  | SetParameterAttributes
  | GetParameterAttributes
  | AddObject
  | DeleteObject
  | Reboot
  | Download
  | Upload
  | FactoryReset
  | GetQueuedTransfers
  | GetAllQueuedTransfers
  | ScheduleInform
  | SetVouchers
  | GetOptions
  | CancelTransfer
  | ScheduleDownload
  | ChangeDUState;

/** Responses the CPE returns to {@linkcode CpeRequest}s. */
export type CpeResponse =
  | GetRPCMethodsResponse
  | SetParameterValuesResponse
  | GetParameterValuesResponse
  | GetParameterNamesResponse
  | SetParameterAttributesResponse
  | GetParameterAttributesResponse
  | AddObjectResponse
  | DeleteObjectResponse
  | RebootResponse
  | DownloadResponse
  | UploadResponse
  | FactoryResetResponse
  | GetQueuedTransfersResponse
  | GetAllQueuedTransfersResponse
  | ScheduleInformResponse
  | SetVouchersResponse
  | GetOptionsResponse
  | CancelTransferResponse
  | ScheduleDownloadResponse
  | ChangeDUStateResponse;

/** Requests the CPE sends to the ACS ("ACS methods"). GetRPCMethods goes both ways. */
export type AcsRequest =
  | Inform
  | TransferComplete
  | AutonomousTransferComplete
  | DUStateChangeComplete
  | AutonomousDUStateChangeComplete
  | RequestDownload
  | Kicked
  | GetRPCMethods;

/** Responses the ACS returns to {@linkcode AcsRequest}s. */
export type AcsResponse =
  | InformResponse
  | TransferCompleteResponse
  | AutonomousTransferCompleteResponse
  | DUStateChangeCompleteResponse
  | AutonomousDUStateChangeCompleteResponse
  | RequestDownloadResponse
  | KickedResponse
  | GetRPCMethodsResponse;

/** Every message the codec reads or writes. */
export type CwmpMessage =
  | CpeRequest
  | CpeResponse
  | AcsRequest
  | AcsResponse
  | Fault
  | Empty;

/** The `kind` of every message. */
export type MessageKind = CwmpMessage["kind"];

/** The 20 CPE methods of TR-069 Amd 6 Table 5, spelled as on the wire. */
export const CPE_METHODS = [
  "GetRPCMethods",
  "SetParameterValues",
  "GetParameterValues",
  "GetParameterNames",
  "SetParameterAttributes",
  "GetParameterAttributes",
  "AddObject",
  "DeleteObject",
  "Reboot",
  "Download",
  "Upload",
  "FactoryReset",
  "GetQueuedTransfers",
  "GetAllQueuedTransfers",
  "ScheduleInform",
  "SetVouchers",
  "GetOptions",
  "CancelTransfer",
  "ScheduleDownload",
  "ChangeDUState",
] as const satisfies readonly CpeRequest["kind"][];

/** The ACS methods a CPE may call. */
export const ACS_METHODS = [
  "Inform",
  "TransferComplete",
  "AutonomousTransferComplete",
  "DUStateChangeComplete",
  "AutonomousDUStateChangeComplete",
  "RequestDownload",
  "Kicked",
  "GetRPCMethods",
] as const satisfies readonly AcsRequest["kind"][];

/** TR-069 Annex A fault codes the CPE sends. */
export const FaultCode = {
  MethodNotSupported: 9000,
  RequestDenied: 9001,
  InternalError: 9002,
  InvalidArguments: 9003,
  ResourcesExceeded: 9004,
  InvalidParameterName: 9005,
  InvalidParameterType: 9006,
  InvalidParameterValue: 9007,
  NotWritable: 9008,
  NotificationRejected: 9009,
  DownloadFailure: 9010,
  UploadFailure: 9011,
  FileTransferAuthFailure: 9012,
  UnsupportedProtocol: 9013,
  MulticastJoinFailure: 9014,
  FileServerUnreachable: 9015,
  FileAccessFailure: 9016,
  DownloadIncomplete: 9017,
  FileCorrupted: 9018,
  FileAuthenticationFailure: 9019,
  OutsideTimeWindow: 9020,
  CancelNotPermitted: 9021,
  InvalidUuid: 9022,
} as const;

/** ACS fault codes the CPE receives (8000–8006). */
export const AcsFaultCode = {
  MethodNotSupported: 8000,
  RequestDenied: 8001,
  InternalError: 8002,
  InvalidArguments: 8003,
  ResourcesExceeded: 8004,
  RetryRequest: 8005,
  VersionIncompatible: 8006,
} as const;

/** Unknown Time of TR-106 (dateTime with no known value). */
export const UNKNOWN_TIME = "0001-01-01T00:00:00Z";
