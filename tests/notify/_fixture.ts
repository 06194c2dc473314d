/** A small tree for the attribute and notification tests: every activeNotify kind, a table, the InformParameter table. */

import type { Binding } from "../../src/datamodel/provider.ts";
import { MemoryProvider } from "../../src/datamodel/providers/memory.ts";
import { Schema, type SchemaEntry } from "../../src/datamodel/schema.ts";
import { ParameterTree } from "../../src/datamodel/tree.ts";

const IP = "Device.ManagementServer.InformParameter.{i}.";

export const ENTRIES: SchemaEntry[] = [
  { kind: "object", path: "Device.", access: "readOnly", minEntries: 1, maxEntries: 1 },
  { kind: "parameter", path: "Device.Name", type: "string", access: "readWrite" },
  {
    kind: "parameter",
    path: "Device.Version",
    type: "string",
    access: "readOnly",
    forcedInform: true,
    activeNotify: "forceEnabled",
  },
  {
    kind: "parameter",
    path: "Device.Code",
    type: "string",
    access: "readWrite",
    forcedInform: true,
    activeNotify: "forceDefaultEnabled",
  },
  {
    kind: "parameter",
    path: "Device.UpTime",
    type: "unsignedInt",
    access: "readOnly",
    activeNotify: "canDeny",
  },
  { kind: "object", path: "Device.Box.", access: "readOnly", minEntries: 1, maxEntries: 1 },
  {
    kind: "object",
    path: "Device.Box.Port.{i}.",
    access: "readWrite",
    minEntries: 0,
    maxEntries: "unbounded",
  },
  { kind: "parameter", path: "Device.Box.Port.{i}.Enable", type: "boolean", access: "readWrite" },
  {
    kind: "parameter",
    path: "Device.Box.Port.{i}.Status",
    type: "string",
    access: "readOnly",
    activeNotify: "forceDefaultEnabled",
  },
  {
    kind: "object",
    path: "Device.ManagementServer.",
    access: "readOnly",
    minEntries: 1,
    maxEntries: 1,
  },
  {
    kind: "object",
    path: IP,
    access: "readWrite",
    minEntries: 0,
    maxEntries: "unbounded",
  },
  { kind: "parameter", path: `${IP}Enable`, type: "boolean", access: "readWrite" },
  { kind: "parameter", path: `${IP}ParameterName`, type: "string", access: "readWrite" },
  { kind: "parameter", path: `${IP}EventList`, type: "string", access: "readWrite" },
];

/** Rows of the InformParameter table: [Enable, ParameterName, EventList]. */
export type InformParameterRow = [string, string, string];

/** The tree, its providers and a helper that changes a value as the device would. */
export function fixture(informParameters: InformParameterRow[] = []) {
  const root = new MemoryProvider({
    "Device.Name": "box",
    "Device.Version": "1.0",
    "Device.Code": "A",
    "Device.UpTime": "10",
  });
  const ports = new MemoryProvider({
    "Device.Box.Port.1.Enable": "true",
    "Device.Box.Port.1.Status": "Up",
    "Device.Box.Port.2.Enable": "false",
    "Device.Box.Port.2.Status": "Down",
  });
  const table: Record<string, string> = {};
  informParameters.forEach(([enable, name, events], i) => {
    const row = `Device.ManagementServer.InformParameter.${i + 1}.`;
    table[`${row}Enable`] = enable;
    table[`${row}ParameterName`] = name;
    table[`${row}EventList`] = events;
  });
  const informTable = new MemoryProvider(table);
  const bindings: Binding[] = [
    { object: "Device.", parameters: ["Name", "Version", "Code", "UpTime"], provider: root },
    { object: "Device.Box.Port.{i}.", parameters: ["Enable", "Status"], provider: ports },
    {
      object: IP,
      parameters: ["Enable", "ParameterName", "EventList"],
      provider: informTable,
    },
  ];
  const model = new ParameterTree({ schema: new Schema(ENTRIES), bindings });
  /** Sets `path` to `value` behind the agent's back (a change on the device). */
  async function deviceSets(path: string, value: string): Promise<void> {
    const ref = await model.parameter(path);
    if (ref === undefined) throw new TypeError(`No parameter "${path}"`);
    const provider = path.startsWith("Device.Box.") ? ports : root;
    provider.set([{ ...ref, value }]);
  }
  async function ref(path: string) {
    const found = await model.parameter(path);
    if (found === undefined) throw new TypeError(`No parameter "${path}"`);
    return found;
  }
  return { model, root, ports, deviceSets, ref };
}
