/**
 * The arguments of every CWMP method and response, in cwmp-1-2.xsd element order
 * (TR-069 Annex A.3/A.4). One table drives both the decoder and the encoder; a
 * method with no arguments has an empty list. Fault and Empty are not here: they
 * are SOAP-level (see decode.ts, encode.ts).
 *
 * @module
 */
import type { MessageKind } from "./messages.ts";
import { bool, type Field, field, repeated, status, str, uint, withDefault } from "./_codec.ts";
import {
  allTransferList,
  autonOpResultStruct,
  deviceIdStruct,
  eventList,
  faultStruct,
  fileTypeArg,
  operationStruct,
  opResultStruct,
  optionList,
  parameterAttributeList,
  parameterInfoList,
  parameterValueList,
  setParameterAttributesList,
  stringArray,
  timeWindowList,
  transferList,
  voucherList,
} from "./_structs.ts";

/** Every message kind that is a body element in a CWMP namespace. */
export type MethodKind = Exclude<MessageKind, "Fault" | "Empty">;

const transferTimes = (): Field[] => [
  field("StartTime", "startTime", str),
  field("CompleteTime", "completeTime", str),
];

const FIELDS: Record<MethodKind, Field[]> = {
  // ---- CPE methods (ACS -> CPE) and their responses
  GetRPCMethods: [],
  GetRPCMethodsResponse: [field("MethodList", "methodList", stringArray)],
  SetParameterValues: [
    field("ParameterList", "parameterList", parameterValueList),
    field("ParameterKey", "parameterKey", str),
  ],
  SetParameterValuesResponse: [field("Status", "status", status)],
  GetParameterValues: [field("ParameterNames", "parameterNames", stringArray)],
  GetParameterValuesResponse: [field("ParameterList", "parameterList", parameterValueList)],
  GetParameterNames: [
    field("ParameterPath", "parameterPath", str),
    field("NextLevel", "nextLevel", bool),
  ],
  GetParameterNamesResponse: [field("ParameterList", "parameterList", parameterInfoList)],
  SetParameterAttributes: [field("ParameterList", "parameterList", setParameterAttributesList)],
  SetParameterAttributesResponse: [],
  GetParameterAttributes: [field("ParameterNames", "parameterNames", stringArray)],
  GetParameterAttributesResponse: [
    field("ParameterList", "parameterList", parameterAttributeList),
  ],
  AddObject: [field("ObjectName", "objectName", str), field("ParameterKey", "parameterKey", str)],
  AddObjectResponse: [
    field("InstanceNumber", "instanceNumber", uint),
    field("Status", "status", status),
  ],
  DeleteObject: [
    field("ObjectName", "objectName", str),
    field("ParameterKey", "parameterKey", str),
  ],
  DeleteObjectResponse: [field("Status", "status", status)],
  Reboot: [field("CommandKey", "commandKey", str)],
  RebootResponse: [],
  Download: [
    field("CommandKey", "commandKey", str),
    field("FileType", "fileType", str),
    field("URL", "url", str),
    field("Username", "username", str),
    field("Password", "password", str),
    field("FileSize", "fileSize", uint),
    field("TargetFileName", "targetFileName", str),
    field("DelaySeconds", "delaySeconds", uint),
    field("SuccessURL", "successURL", str),
    field("FailureURL", "failureURL", str),
  ],
  DownloadResponse: [field("Status", "status", status), ...transferTimes()],
  Upload: [
    field("CommandKey", "commandKey", str),
    field("FileType", "fileType", str),
    field("URL", "url", str),
    field("Username", "username", str),
    field("Password", "password", str),
    field("DelaySeconds", "delaySeconds", uint),
  ],
  UploadResponse: [field("Status", "status", status), ...transferTimes()],
  FactoryReset: [],
  FactoryResetResponse: [],
  GetQueuedTransfers: [],
  GetQueuedTransfersResponse: [field("TransferList", "transferList", transferList)],
  GetAllQueuedTransfers: [],
  GetAllQueuedTransfersResponse: [field("TransferList", "transferList", allTransferList)],
  ScheduleInform: [
    field("DelaySeconds", "delaySeconds", uint),
    field("CommandKey", "commandKey", str),
  ],
  ScheduleInformResponse: [],
  SetVouchers: [field("VoucherList", "voucherList", voucherList)],
  SetVouchersResponse: [],
  GetOptions: [field("OptionName", "optionName", str)],
  GetOptionsResponse: [field("OptionList", "optionList", optionList)],
  CancelTransfer: [field("CommandKey", "commandKey", str)],
  CancelTransferResponse: [],
  ScheduleDownload: [
    field("CommandKey", "commandKey", str),
    field("FileType", "fileType", str),
    field("URL", "url", str),
    field("Username", "username", str),
    field("Password", "password", str),
    field("FileSize", "fileSize", uint),
    field("TargetFileName", "targetFileName", str),
    field("TimeWindowList", "timeWindowList", timeWindowList),
  ],
  ScheduleDownloadResponse: [],
  ChangeDUState: [
    repeated("Operations", "operations", operationStruct),
    withDefault("CommandKey", "commandKey", str, ""),
  ],
  ChangeDUStateResponse: [],

  // ---- ACS methods (CPE -> ACS) and their responses
  Inform: [
    field("DeviceId", "deviceId", deviceIdStruct),
    field("Event", "event", eventList),
    field("MaxEnvelopes", "maxEnvelopes", uint),
    field("CurrentTime", "currentTime", str),
    field("RetryCount", "retryCount", uint),
    field("ParameterList", "parameterList", parameterValueList),
  ],
  InformResponse: [field("MaxEnvelopes", "maxEnvelopes", uint)],
  TransferComplete: [
    field("CommandKey", "commandKey", str),
    field("FaultStruct", "faultStruct", faultStruct),
    ...transferTimes(),
  ],
  TransferCompleteResponse: [],
  AutonomousTransferComplete: [
    field("AnnounceURL", "announceURL", str),
    field("TransferURL", "transferURL", str),
    field("IsDownload", "isDownload", bool),
    field("FileType", "fileType", str),
    field("FileSize", "fileSize", uint),
    field("TargetFileName", "targetFileName", str),
    field("FaultStruct", "faultStruct", faultStruct),
    ...transferTimes(),
  ],
  AutonomousTransferCompleteResponse: [],
  DUStateChangeComplete: [
    repeated("Results", "results", opResultStruct),
    withDefault("CommandKey", "commandKey", str, ""),
  ],
  DUStateChangeCompleteResponse: [],
  AutonomousDUStateChangeComplete: [repeated("Results", "results", autonOpResultStruct)],
  AutonomousDUStateChangeCompleteResponse: [],
  RequestDownload: [
    field("FileType", "fileType", str),
    field("FileTypeArg", "fileTypeArg", fileTypeArg),
  ],
  RequestDownloadResponse: [],
  Kicked: [
    field("Command", "command", str),
    field("Referer", "referer", str),
    field("Arg", "arg", str),
    field("Next", "next", str),
  ],
  KickedResponse: [field("NextURL", "nextURL", str)],
};

/** Argument fields of `kind`, or `undefined` when the name is not a CWMP method. */
export function methodFields(name: string): Field[] | undefined {
  return Object.hasOwn(FIELDS, name) ? FIELDS[name as MethodKind] : undefined;
}

/** Every method kind in the table. */
export const METHOD_KINDS: readonly MethodKind[] = Object.keys(FIELDS) as MethodKind[];
