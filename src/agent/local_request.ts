/**
 * Local data-model access (`cwmp-agent get|set|add|del|names|attrs …`): turns the
 * command-line arguments into the CWMP request the agent's dispatcher runs, and its
 * response into JSON lines in the style of icwmp's `icwmpd -m 1 get_value` (seed 000):
 * `{ "parameter": "Device.Time.Enable", "value": "1", "type": "xsd:boolean" }`.
 *
 * @module
 */

import type { CpeRequest, CpeResponse, Fault } from "../soap/messages.ts";

/** Local operations, as `cwmp-agent <op>` names them. */
export const LOCAL_OPS = ["get", "set", "add", "del", "names", "attrs"] as const;
/** One of {@linkcode LOCAL_OPS}. */
export type LocalOp = typeof LOCAL_OPS[number];

/** True when `op` names a local operation. */
export function isLocalOp(op: string): op is LocalOp {
  return (LOCAL_OPS as readonly string[]).includes(op);
}

/** Builds the request for `op`; throws TypeError with a one-line usage message. */
export function localRequest(op: LocalOp, args: readonly string[]): CpeRequest {
  const need = (ok: boolean, usage: string) => {
    if (!ok) throw new TypeError(`Usage: cwmp-agent ${op} ${usage}`);
  };
  switch (op) {
    case "get":
      need(args.length >= 1, "PATH...");
      return { kind: "GetParameterValues", parameterNames: [...args] };
    case "names": {
      need(args.length >= 1 && args.length <= 2, "PATH [true|false]  (next level only when true)");
      const nextLevel = args[1] === undefined ? false : parseFlag(args[1]);
      need(nextLevel !== undefined, "PATH [true|false]");
      return { kind: "GetParameterNames", parameterPath: args[0], nextLevel: nextLevel! };
    }
    case "set": {
      need(args.length >= 2 && args.length % 2 === 0, "PATH VALUE [PATH VALUE...]");
      const parameterList = [];
      for (let i = 0; i < args.length; i += 2) {
        // No xsi:type from the command line: the data model checks the value against the
        // parameter's own type.
        parameterList.push({ name: args[i], value: args[i + 1], type: "" });
      }
      return { kind: "SetParameterValues", parameterList, parameterKey: "" };
    }
    case "add":
      need(args.length === 1, "OBJECT.");
      return { kind: "AddObject", objectName: args[0], parameterKey: "" };
    case "del":
      need(args.length === 1, "OBJECT.INSTANCE.");
      return { kind: "DeleteObject", objectName: args[0], parameterKey: "" };
    case "attrs":
      if (args.length === 3 && /^[0-6]$/.test(args[1])) {
        // attrs PATH NOTIFICATION ACCESSLIST(comma list, "" = none)
        return {
          kind: "SetParameterAttributes",
          parameterList: [{
            name: args[0],
            notificationChange: true,
            notification: Number(args[1]),
            accessListChange: true,
            accessList: args[2] === "" ? [] : args[2].split(","),
          }],
        };
      }
      need(args.length >= 1, "PATH...  |  attrs PATH NOTIFICATION ACCESSLIST");
      return { kind: "GetParameterAttributes", parameterNames: [...args] };
  }
}

function parseFlag(text: string): boolean | undefined {
  if (text === "true" || text === "1") return true;
  if (text === "false" || text === "0") return false;
  return undefined;
}

/** One JSON object per line, and whether the operation succeeded. */
export function formatLocalResponse(
  response: CpeResponse | Fault,
): { lines: string[]; ok: boolean } {
  const line = (value: unknown) => JSON.stringify(value);
  switch (response.kind) {
    case "Fault": {
      const lines = [line({ fault: response.faultCode, message: response.faultString })];
      for (const f of response.setParameterValuesFault ?? []) {
        lines.push(
          line({ parameter: f.parameterName, fault: f.faultCode, message: f.faultString }),
        );
      }
      return { lines, ok: false };
    }
    case "GetParameterValuesResponse":
      // The line JSON.stringify({ parameter, value, type }) writes, built from its three
      // strings (a whole-tree read writes ~800: a third of the local request's time).
      return {
        lines: response.parameterList.map((p) =>
          '{"parameter":' + jsonString(p.name) + ',"value":' + jsonString(p.value) +
          ',"type":' + jsonString(p.type) + "}"
        ),
        ok: true,
      };
    case "GetParameterNamesResponse":
      return {
        lines: response.parameterList.map((p) =>
          line({ parameter: p.name, writable: p.writable ? "1" : "0" })
        ),
        ok: true,
      };
    case "GetParameterAttributesResponse":
      return {
        lines: response.parameterList.map((p) =>
          line({ parameter: p.name, notification: p.notification, accessList: p.accessList })
        ),
        ok: true,
      };
    case "SetParameterValuesResponse":
    case "DeleteObjectResponse":
      return { lines: [line({ status: response.status })], ok: true };
    case "AddObjectResponse":
      return {
        lines: [line({ instance: response.instanceNumber, status: response.status })],
        ok: true,
      };
    default:
      return { lines: [line({ status: 0 })], ok: true };
  }
}

/** Text JSON writes unchanged between quotes: no quote, backslash, control or surrogate. */
// deno-lint-ignore no-control-regex -- the control characters are what JSON escapes.
const PLAIN_JSON = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

/** `JSON.stringify(text)`, without its general path for the common plain text. */
export function jsonString(text: string): string {
  return PLAIN_JSON.test(text) ? '"' + text + '"' : JSON.stringify(text);
}
