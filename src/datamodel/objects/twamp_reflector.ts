/**
 * `Device.IP.Interface.{i}.TWAMPReflector.{i}.` (TR-181 2.12+, TR-390 profile
 * TWAMPReflectorBasic:1; FACTS §10.2): the ACS creates, configures and deletes reflector
 * rows; the agent runs them through a {@linkcode TwampReflectorController}.
 *
 * The rows live in a {@linkcode TwampReflectorTable} (the agent persists it with
 * `serialize()`/`restore()` from `onChange`). This binding serves only the sub-table:
 * the `IP.Interface.{i}` rows come from another binding, and `instances()` receives the
 * enclosing interface's instance number. Rows of an interface that disappears stay in
 * the table (and come back with it); the controller decides what an absent interface
 * means (Status Error).
 *
 * After every committed change (set, AddObject, DeleteObject, undo) the binding calls
 * `controller.apply(rows)` with all rows, so reflectors start, stop or take new settings
 * at once (SetParameterValuesResponse Status 0). Status reads `Disabled` for a disabled
 * row, else what the controller reports (`Active`, or `Error` e.g. when the port is
 * taken).
 *
 * Checks before a set (9007 when violated): an enabled row needs Port 1–65535; the
 * functional unique key Port holds among the enabled rows of one interface (TR-106: a
 * functional key binds enabled rows); Alias is unique in the interface's table; and
 * `controller.check` may reject values the schema allows (allow-list syntax).
 *
 * Every parameter of the object is supported (TWAMPReflectorNumberOfEntries is derived
 * by the tree).
 *
 * @module
 */

import type {
  Binding,
  ChangeObjection,
  MaybePromise,
  ParameterChange,
  ParameterRef,
  SetOutcome,
} from "../provider.ts";
import { nameOf } from "./_fields.ts";

/** One reflector row, as the controller sees it. */
export interface TwampReflectorRow {
  /** Instance number of the enclosing `Device.IP.Interface.{i}.` row. */
  readonly interfaceInstance: number;
  /** Instance number of this `TWAMPReflector.{i}.` row. */
  readonly instance: number;
  readonly enable: boolean;
  readonly alias: string;
  /** UDP port listened on; default 862. */
  readonly port: number;
  /** 1–255; default 1. */
  readonly maximumTtl: number;
  /** TR-181 list text: addresses and CIDR prefixes; "" = any source. */
  readonly ipAllowedList: string;
  /** TR-181 list text: ports and `a-b` ranges; "" = any port. */
  readonly portAllowedList: string;
}

/** TR-181 Status of a reflector row. */
export type TwampReflectorStatus = "Disabled" | "Active" | "Error";

/** What the agent implements to run the reflectors. */
export interface TwampReflectorController {
  /**
   * Makes the running reflectors match `rows`: starts enabled rows, stops the others,
   * reconfigures changed ones (new port = rebind). Runtime failures (port taken,
   * interface gone) must not throw: report them through {@linkcode status}. A throw
   * refuses the change (the binding restores the previous rows and re-applies them).
   */
  apply(rows: readonly TwampReflectorRow[]): MaybePromise<void>;
  /** Status of an enabled row: "Active" when it reflects, "Error" when it cannot. */
  status(row: TwampReflectorRow): "Active" | "Error";
  /** A problem with a row's values beyond the schema (sentence case), or undefined. */
  check?(row: TwampReflectorRow): string | undefined;
}

/** Supported parameters of `Device.IP.Interface.{i}.TWAMPReflector.{i}.`. */
export const TWAMP_REFLECTOR_PARAMETERS: readonly string[] = [
  "Enable",
  "Status",
  "Alias",
  "Port",
  "MaximumTTL",
  "IPAllowedList",
  "PortAllowedList",
];

type Field = "enable" | "alias" | "port" | "maximumTtl" | "ipAllowedList" | "portAllowedList";

const FIELDS: Readonly<Record<string, Field>> = {
  Enable: "enable",
  Alias: "alias",
  Port: "port",
  MaximumTTL: "maximumTtl",
  IPAllowedList: "ipAllowedList",
  PortAllowedList: "portAllowedList",
};

/** A new row's values (TR-181 object defaults; Enable has none, so false). */
export function defaultTwampReflectorRow(
  interfaceInstance: number,
  instance: number,
): TwampReflectorRow {
  return {
    interfaceInstance,
    instance,
    enable: false,
    alias: "",
    port: 862,
    maximumTtl: 1,
    ipAllowedList: "",
    portAllowedList: "",
  };
}

/** Options of {@linkcode TwampReflectorTable}. */
export interface TwampReflectorTableOptions {
  /** Called after every change of the rows (persist them then). */
  readonly onChange?: () => void;
}

/** The reflector rows of every interface, keyed by `interface.instance`. */
export class TwampReflectorTable {
  #rows = new Map<string, TwampReflectorRow>();
  readonly #onChange?: () => void;

  /** Starts empty. */
  constructor(options: TwampReflectorTableOptions = {}) {
    this.#onChange = options.onChange;
  }

  /** All rows, by interface then instance number. */
  rows(): TwampReflectorRow[] {
    return [...this.#rows.values()].sort((a, b) =>
      a.interfaceInstance - b.interfaceInstance || a.instance - b.instance
    );
  }

  /** The row, or undefined. */
  row(interfaceInstance: number, instance: number): TwampReflectorRow | undefined {
    return this.#rows.get(keyOf(interfaceInstance, instance));
  }

  /** Replaces every row (undo, restore) and reports the change. */
  replace(rows: readonly TwampReflectorRow[]): void {
    this.#rows = new Map(rows.map((r) => [keyOf(r.interfaceInstance, r.instance), r]));
    this.#onChange?.();
  }

  /** Everything as JSON text, for {@linkcode restore}. */
  serialize(): string {
    return JSON.stringify(this.rows());
  }

  /**
   * Replaces the rows with those in `text` (from {@linkcode serialize}); does not call
   * `onChange`.
   *
   * @throws {SyntaxError} when `text` is not JSON; {TypeError} when a row's shape is
   * wrong (and then nothing changes)
   */
  restore(text: string): void {
    const saved: unknown = JSON.parse(text);
    if (!Array.isArray(saved) || !saved.every(isRow)) {
      throw new TypeError("Cannot restore TWAMP reflector rows: bad shape");
    }
    this.#rows = new Map(saved.map((r) => [keyOf(r.interfaceInstance, r.instance), r]));
  }
}

/** The most TWAMPReflector rows one IP.Interface may hold. */
export const MAX_REFLECTORS_PER_INTERFACE = 8;

/**
 * Binds `Device.IP.Interface.{i}.TWAMPReflector.{i}.` to `table` and `controller`.
 * Call `controller.apply(table.rows())` once at start-up after restoring the table.
 */
export function bindTwampReflector(
  controller: TwampReflectorController,
  table: TwampReflectorTable = new TwampReflectorTable(),
): Binding {
  const apply = async (before: readonly TwampReflectorRow[]): Promise<SetOutcome> => {
    try {
      await controller.apply(table.rows());
    } catch (error) {
      table.replace(before);
      await Promise.resolve(controller.apply(before)).catch(() => {}); // the first error wins
      throw error;
    }
    return {
      status: 0,
      undo: async () => {
        table.replace(before);
        await controller.apply(before);
      },
    };
  };
  return {
    object: "Device.IP.Interface.{i}.TWAMPReflector.{i}.",
    parameters: TWAMP_REFLECTOR_PARAMETERS,
    // Rows change only through this binding, and listing them is cheap.
    snapshot: false,
    // Each enabled row is a socket: [U] 8 reflectors per interface (TR-181 leaves the
    // table unbounded); the ACS gets 9004 beyond.
    maxEntries: MAX_REFLECTORS_PER_INTERFACE,
    provider: {
      get(refs: readonly ParameterRef[]): string[] {
        return refs.map((ref) => {
          const [ifIndex, n] = ref.instances.slice(-2);
          const row = table.row(ifIndex, n) ?? defaultTwampReflectorRow(ifIndex, n);
          const name = nameOf(ref);
          if (name === "Status") return row.enable ? controller.status(row) : "Disabled";
          return String(row[FIELDS[name]]);
        });
      },
      check(changes: readonly ParameterChange[]): ChangeObjection[] {
        const after = patched(table, changes);
        // One objection per changed row, on its first change in the batch.
        const firstPath = new Map<string, string>();
        for (const c of changes) {
          const key = keyOf(...rowKey(c));
          if (!firstPath.has(key)) firstPath.set(key, c.path);
        }
        const objections: ChangeObjection[] = [];
        for (const [key, path] of firstPath) {
          const row = after.get(key)!;
          const problem = rowProblem(row, after) ?? controller.check?.(row);
          if (problem !== undefined) objections.push({ path, message: problem });
        }
        return objections;
      },
      set(changes: readonly ParameterChange[]): Promise<SetOutcome> {
        const before = table.rows();
        table.replace([...patched(table, changes).values()]);
        return apply(before);
      },
      instances(_tablePath: string, instances: readonly number[]): number[] {
        const ifIndex = instances[instances.length - 1];
        return table.rows().filter((r) => r.interfaceInstance === ifIndex).map((r) => r.instance);
      },
      async addInstance(
        tablePath: string,
        instances: readonly number[],
        instanceNumber?: number,
      ): Promise<number> {
        const ifIndex = instances[instances.length - 1];
        const taken = table.rows().filter((r) => r.interfaceInstance === ifIndex);
        const n = instanceNumber ?? Math.max(0, ...taken.map((r) => r.instance)) + 1;
        if (taken.some((r) => r.instance === n)) {
          throw new RangeError(`Instance in use: "${tablePath}${n}."`);
        }
        const before = table.rows();
        table.replace([...before, defaultTwampReflectorRow(ifIndex, n)]);
        await apply(before);
        return n;
      },
      async deleteInstance(_rowPath: string, instances: readonly number[]): Promise<void> {
        const [ifIndex, n] = instances.slice(-2);
        const before = table.rows();
        table.replace(before.filter((r) => r.interfaceInstance !== ifIndex || r.instance !== n));
        await apply(before);
      },
    },
  };
}

function keyOf(interfaceInstance: number, instance: number): string {
  return `${interfaceInstance}.${instance}`;
}

function rowKey(change: ParameterRef): [number, number] {
  const [ifIndex, n] = change.instances.slice(-2);
  return [ifIndex, n];
}

/** The rows as they would be after `changes` (values are canonical: validated upstream). */
function patched(
  table: TwampReflectorTable,
  changes: readonly ParameterChange[],
): Map<string, TwampReflectorRow> {
  const rows = new Map(table.rows().map((r) => [keyOf(r.interfaceInstance, r.instance), r]));
  for (const change of changes) {
    const [ifIndex, n] = rowKey(change);
    const key = keyOf(ifIndex, n);
    const row = rows.get(key) ?? defaultTwampReflectorRow(ifIndex, n);
    const field = FIELDS[nameOf(change)];
    const value = field === "enable"
      ? change.value === "true"
      : field === "port" || field === "maximumTtl"
      ? Number(change.value)
      : change.value;
    rows.set(key, { ...row, [field]: value });
  }
  return rows;
}

function rowProblem(
  row: TwampReflectorRow,
  rows: ReadonlyMap<string, TwampReflectorRow>,
): string | undefined {
  const siblings = [...rows.values()].filter((r) =>
    r.interfaceInstance === row.interfaceInstance && r.instance !== row.instance
  );
  if (row.enable && row.port === 0) return `Port must be 1–65535 to enable: "${row.port}"`;
  if (row.enable && siblings.some((r) => r.enable && r.port === row.port)) {
    return `Port already used by an enabled reflector: "${row.port}"`;
  }
  if (row.alias !== "" && siblings.some((r) => r.alias === row.alias)) {
    return `Alias already in use: "${row.alias}"`;
  }
  return undefined;
}

function isRow(value: unknown): value is TwampReflectorRow {
  if (value === null || typeof value !== "object") return false;
  const r = value as Record<string, unknown>;
  const integer = (v: unknown, min: number, max: number) =>
    Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
  return integer(r.interfaceInstance, 1, 0xffffffff) && integer(r.instance, 1, 0xffffffff) &&
    typeof r.enable === "boolean" && typeof r.alias === "string" &&
    integer(r.port, 0, 65535) && integer(r.maximumTtl, 1, 255) &&
    typeof r.ipAllowedList === "string" && typeof r.portAllowedList === "string";
}
