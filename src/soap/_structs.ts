/**
 * Codecs for the CWMP structures of cwmp-1-2.xsd (TR-069 Annex A), element order as
 * in the schema. ParameterValueStruct is hand-written: it is the hot path (10,000
 * of them in a full GetParameterValuesResponse) and carries an `xsi:type`.
 *
 * @module
 */
import type {
  AllQueuedTransferStruct,
  ArgStruct,
  AutonOpResultStruct,
  DeviceIdStruct,
  EventStruct,
  FaultStruct,
  OperationStruct,
  OpResultStruct,
  OptionStruct,
  ParameterAttributeStruct,
  ParameterInfoStruct,
  ParameterValueStruct,
  QueuedTransferStruct,
  SetParameterAttributesStruct,
  SetParameterValuesFaultStruct,
  TimeWindowStruct,
} from "./messages.ts";
import {
  array,
  bool,
  type Codec,
  type Field,
  field,
  int,
  invalid,
  optional,
  readFields,
  str,
  struct,
  uint,
  withDefault,
  writeFields,
} from "./_codec.ts";
import { SOAP_ENC_NS, XSD_NS, XSI_NS } from "./_namespaces.ts";
import { attributeNS, escapeAttr, escapeText, resolveQName, type XmlElement } from "./_xml.ts";

/** Array of `xsd:string` items named `string` (ParameterNames, MethodList, AccessList). */
export const stringArray: Codec<string[]> = array("string", "xsd:string", str);

/**
 * [U] A Value without `xsi:type` is read as `xsd:string`: TR-069 requires the
 * attribute, and treating an untyped value as a string is what GenieACS does.
 */
const DEFAULT_VALUE_TYPE = "xsd:string";

/**
 * Normalises an `xsi:type` QName to our fixed prefixes (`xsd:`, `soap-enc:`), so
 * `xs:boolean` under any prefix bound to XML Schema reads as `xsd:boolean`. A QName
 * in another namespace is kept as sent.
 */
export function readXsiType(el: XmlElement): string | undefined {
  // Fast path for the common spelling (GenieACS, most CPEs): xsi:type="xsd:…".
  const common = el.attrs["xsi:type"]?.value;
  if (
    common !== undefined && common.startsWith("xsd:") && el.scope.xsi === XSI_NS &&
    el.scope.xsd === XSD_NS && common.indexOf(" ") < 0
  ) {
    return common;
  }
  const raw = attributeNS(el, XSI_NS, "type");
  if (raw === undefined) return undefined;
  const qname = raw.trim();
  const { ns, local } = resolveQName(el, qname);
  if (ns === XSD_NS) return "xsd:" + local;
  if (ns === SOAP_ENC_NS) return "soap-enc:" + local;
  return qname;
}

/** ParameterValueStruct {Name, Value xsi:type}. */
export const parameterValueStruct: Codec<ParameterValueStruct> = {
  read(el, path, ctx) {
    let name: XmlElement | undefined;
    let value: XmlElement | undefined;
    for (const child of el.children) {
      if (child.local === "Name") name ??= child;
      else if (child.local === "Value") value ??= child;
    }
    if (!name) invalid(ctx, `missing "${path}/Name"`);
    if (!value) invalid(ctx, `missing "${path}/Value"`);
    return { name: name.text, value: value.text, type: readXsiType(value) ?? DEFAULT_VALUE_TYPE };
  },
  write(out, tag, v) {
    // Four joins per item instead of eight: the fixed text around the name and the
    // value comes whole from `valueMarkup` (a whole-tree response writes ~800 of these).
    const m = valueMarkup(tag, v.type);
    out.push(m.open + escapeText(v.name) + m.value + escapeText(v.value) + m.close);
  },
};

/** The fixed text of a ParameterValueStruct around its Name and Value texts. */
interface ValueMarkup {
  readonly open: string;
  readonly value: string;
  readonly close: string;
}

/** Markup of one tag by `xsi:type`: a few types in practice, bounded all the same. */
let markupTag = "";
let markupByType = new Map<string, ValueMarkup>();
const VALUE_MARKUP_MAX = 64;

function valueMarkup(tag: string, type: string): ValueMarkup {
  if (tag !== markupTag) {
    markupTag = tag;
    markupByType = new Map();
  }
  let m = markupByType.get(type);
  if (m === undefined) {
    m = {
      open: "<" + tag + "><Name>",
      value: '</Name><Value xsi:type="' + escapeAttr(type) + '">',
      close: "</Value></" + tag + ">",
    };
    if (markupByType.size < VALUE_MARKUP_MAX) markupByType.set(type, m);
  }
  return m;
}

/** ParameterValueList. */
export const parameterValueList: Codec<ParameterValueStruct[]> = array(
  "ParameterValueStruct",
  "cwmp:ParameterValueStruct",
  parameterValueStruct,
);

/** DeviceIdStruct. */
export const deviceIdStruct: Codec<DeviceIdStruct> = struct([
  field("Manufacturer", "manufacturer", str),
  field("OUI", "oui", str),
  field("ProductClass", "productClass", str),
  field("SerialNumber", "serialNumber", str),
]);

/** EventList. */
export const eventList: Codec<EventStruct[]> = array(
  "EventStruct",
  "cwmp:EventStruct",
  struct<EventStruct>([
    field("EventCode", "eventCode", str),
    field("CommandKey", "commandKey", str),
  ]),
);

/** TransferCompleteFaultStruct (FaultString required there). */
export const faultStruct: Codec<FaultStruct> = struct([
  field("FaultCode", "faultCode", uint),
  field("FaultString", "faultString", str),
]);

/** DeploymentUnitFaultStruct (FaultString optional in the schema, "" when absent). */
const duFaultStruct: Codec<FaultStruct> = struct([
  field("FaultCode", "faultCode", uint),
  withDefault("FaultString", "faultString", str, ""),
]);

/** ParameterInfoList. */
export const parameterInfoList: Codec<ParameterInfoStruct[]> = array(
  "ParameterInfoStruct",
  "cwmp:ParameterInfoStruct",
  struct<ParameterInfoStruct>([field("Name", "name", str), field("Writable", "writable", bool)]),
);

/** SetParameterAttributesList. */
export const setParameterAttributesList: Codec<SetParameterAttributesStruct[]> = array(
  "SetParameterAttributesStruct",
  "cwmp:SetParameterAttributesStruct",
  struct<SetParameterAttributesStruct>([
    field("Name", "name", str),
    field("NotificationChange", "notificationChange", bool),
    field("Notification", "notification", int),
    field("AccessListChange", "accessListChange", bool),
    field("AccessList", "accessList", stringArray),
  ]),
);

/** ParameterAttributeList. */
export const parameterAttributeList: Codec<ParameterAttributeStruct[]> = array(
  "ParameterAttributeStruct",
  "cwmp:ParameterAttributeStruct",
  struct<ParameterAttributeStruct>([
    field("Name", "name", str),
    field("Notification", "notification", int),
    field("AccessList", "accessList", stringArray),
  ]),
);

/** TimeWindowList. */
export const timeWindowList: Codec<TimeWindowStruct[]> = array(
  "TimeWindowStruct",
  "cwmp:TimeWindowStruct",
  struct<TimeWindowStruct>([
    field("WindowStart", "windowStart", uint),
    field("WindowEnd", "windowEnd", uint),
    field("WindowMode", "windowMode", str),
    field("UserMessage", "userMessage", str),
    field("MaxRetries", "maxRetries", int),
  ]),
);

/** TransferList of GetQueuedTransfersResponse. */
export const transferList: Codec<QueuedTransferStruct[]> = array(
  "QueuedTransferStruct",
  "cwmp:QueuedTransferStruct",
  struct<QueuedTransferStruct>([
    field("CommandKey", "commandKey", str),
    field("State", "state", int),
  ]),
);

/** AllTransferList of GetAllQueuedTransfersResponse. */
export const allTransferList: Codec<AllQueuedTransferStruct[]> = array(
  "AllQueuedTransferStruct",
  "cwmp:AllQueuedTransferStruct",
  struct<AllQueuedTransferStruct>([
    field("CommandKey", "commandKey", str),
    field("State", "state", int),
    field("IsDownload", "isDownload", bool),
    field("FileType", "fileType", str),
    field("FileSize", "fileSize", uint),
    field("TargetFileName", "targetFileName", str),
  ]),
);

/** VoucherList: `base64` items typed `soap-enc:base64`. */
export const voucherList: Codec<string[]> = array("base64", "soap-enc:base64", str);

/** OptionList. IsTransferable is an xs:int 0/1 in the schema, a boolean in the model. */
export const optionList: Codec<OptionStruct[]> = array(
  "OptionStruct",
  "cwmp:OptionStruct",
  struct<OptionStruct>([
    field("OptionName", "optionName", str),
    field("VoucherSN", "voucherSN", uint),
    field("State", "state", uint),
    field("Mode", "mode", int),
    field("StartDate", "startDate", str),
    optional("ExpirationDate", "expirationDate", str),
    field("IsTransferable", "isTransferable", bool),
  ]),
);

/** FileTypeArg of RequestDownload. */
export const fileTypeArg: Codec<ArgStruct[]> = array(
  "ArgStruct",
  "cwmp:ArgStruct",
  struct<ArgStruct>([field("Name", "name", str), field("Value", "value", str)]),
);

const OP_RESULT_FIELDS: Field[] = [
  field("UUID", "uuid", str),
  field("DeploymentUnitRef", "deploymentUnitRef", str),
  field("Version", "version", str),
  field("CurrentState", "currentState", str),
  field("Resolved", "resolved", bool),
  field("ExecutionUnitRefList", "executionUnitRefList", str),
  field("StartTime", "startTime", str),
  field("CompleteTime", "completeTime", str),
  field("Fault", "fault", duFaultStruct),
];

/** OpResultStruct of DUStateChangeComplete. */
export const opResultStruct: Codec<OpResultStruct> = struct(OP_RESULT_FIELDS);

/** AutonOpResultStruct: OpResultStruct plus OperationPerformed. */
export const autonOpResultStruct: Codec<AutonOpResultStruct> = struct([
  ...OP_RESULT_FIELDS,
  field("OperationPerformed", "operationPerformed", str),
]);

/** SetParameterValuesFault entries of a CWMP Fault detail. */
export const setParameterValuesFault: Codec<SetParameterValuesFaultStruct> = struct([
  field("ParameterName", "parameterName", str),
  field("FaultCode", "faultCode", uint),
  withDefault("FaultString", "faultString", str, ""),
]);

const OPERATION_FIELDS: Record<OperationStruct["op"], Field[]> = {
  Install: [
    field("URL", "url", str),
    optional("UUID", "uuid", str),
    optional("Username", "username", str),
    optional("Password", "password", str),
    optional("ExecutionEnvRef", "executionEnvRef", str),
  ],
  Update: [
    optional("UUID", "uuid", str),
    optional("Version", "version", str),
    optional("URL", "url", str),
    optional("Username", "username", str),
    optional("Password", "password", str),
  ],
  Uninstall: [
    field("UUID", "uuid", str),
    optional("Version", "version", str),
    optional("ExecutionEnvRef", "executionEnvRef", str),
  ],
};

/**
 * `Operations` of ChangeDUState: the schema type OperationStruct is abstract, so each
 * element names its concrete type with `xsi:type="cwmp:InstallOpStruct"` (or Update,
 * Uninstall).
 */
export const operationStruct: Codec<OperationStruct> = {
  read(el, path, ctx) {
    const type = readXsiType(el);
    if (type === undefined) invalid(ctx, `missing xsi:type on "${path}"`);
    const local = type.slice(type.indexOf(":") + 1);
    const op = local.endsWith("OpStruct") ? local.slice(0, -8) : "";
    if (!Object.hasOwn(OPERATION_FIELDS, op)) {
      invalid(ctx, `unknown operation type "${type}" in "${path}"`);
    }
    const fields = OPERATION_FIELDS[op as OperationStruct["op"]];
    return { op, ...readFields(el, fields, path, ctx) } as OperationStruct;
  },
  write(out, tag, value) {
    out.push("<" + tag + ' xsi:type="cwmp:' + value.op + 'OpStruct">');
    writeFields(out, OPERATION_FIELDS[value.op], value as unknown as Record<string, unknown>);
    out.push("</" + tag + ">");
  },
};
