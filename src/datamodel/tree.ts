/**
 * The parameter tree: the schema's objects and parameters that some provider
 * supports, resolved against concrete paths and instance numbers. It owns path
 * resolution, walks, batched reads, validation of sets and their commit. RPC
 * semantics (GPV, GPN, SPV rules) live in `rpc/`; the tree offers the primitives.
 *
 * Structure: object nodes hold named children (parameters, objects, tables); a table
 * node (`Interface` of `Device.IP.Interface.{i}.`) holds one row node whose
 * instances come from the row binding's `Provider.instances()`. Only bound
 * parameters appear: unsupported ones are absent (9005), as are objects with
 * nothing supported below them.
 *
 * No clock, no I/O: everything goes through providers.
 *
 * @module
 */

import { InvalidValueError, NotWritableError, ParameterNameError } from "./errors.ts";
import type { CwmpFault, ParameterFault } from "./errors.ts";
import { isInstanceNumber, parsePath } from "./path.ts";
import type { Binding, ParameterChange, ParameterRef, Provider } from "./provider.ts";
import { objectOf, type ObjectSchema, type ParameterSchema, type Schema } from "./schema.ts";
import { type ChangeGroup, commitChanges } from "./transaction.ts";
import { validateValue } from "./validate.ts";

/** One object or parameter found by {@linkcode ParameterTree.list}. */
export interface TreeItem {
  /** Concrete path; objects end in ".". */
  readonly path: string;
  /** Parameters: settable. Tables: AddObject allowed. Rows: DeleteObject allowed. */
  readonly writable: boolean;
  /** Present for parameters only. */
  readonly ref?: ParameterRef;
}

/** Options of {@linkcode ParameterTree.list}. */
export interface ListOptions {
  /** Levels below the path to visit; a table's rows are one level below it. Default: all. */
  depth?: number;
  /** Include objects (GPN) or only parameters (GPV). Default true. */
  objects?: boolean;
  /** Include the item named by the path itself (never for the root ""). Default false. */
  self?: boolean;
}

/** A requested change, as it comes from SetParameterValues. */
export interface ChangeRequest {
  readonly name: string;
  readonly value: string;
  /** xsi:type QName as sent; "" when absent. */
  readonly type: string;
}

/** Result of {@linkcode ParameterTree.prepare}. */
export interface PreparedChanges {
  /** Validated changes, canonical values, in request order (only if `faults` is empty). */
  readonly changes: readonly ParameterChange[];
  /** One entry per rejected change, in request order. */
  readonly faults: readonly ParameterFault[];
}

/** Options of the {@linkcode ParameterTree} constructor. */
export interface ParameterTreeOptions {
  readonly schema: Schema;
  readonly bindings: readonly Binding[];
}

interface Node {
  readonly name: string;
  readonly kind: "object" | "table" | "parameter";
  readonly children: Map<string, Node>;
  readonly object?: ObjectSchema;
  readonly parameter?: ParameterSchema;
  /** Parameters: their provider. Rows: the provider listing their instances. */
  provider?: Provider;
}

interface Located {
  readonly node: Node;
  readonly path: string;
  readonly instances: readonly number[];
}

/** Objects and parameters of the schema that providers support. */
export class ParameterTree {
  readonly #root: Node = { name: "", kind: "object", children: new Map() };
  readonly #providers = new Map<ParameterSchema, Provider>();

  /**
   * Builds the tree from `schema` and `bindings`.
   *
   * @throws {TypeError} when a binding names an object or parameter the schema lacks,
   * binds a parameter twice, or a table has no provider listing its instances.
   */
  constructor(options: ParameterTreeOptions) {
    const { schema, bindings } = options;
    const byObject = new Map<string, Binding[]>();
    for (const binding of bindings) {
      if (schema.object(binding.object) === undefined) {
        throw new TypeError(`Binding names no schema object: "${binding.object}"`);
      }
      for (const name of binding.parameters) {
        if (schema.parameter(binding.object + name) === undefined) {
          throw new TypeError(`Binding names no schema parameter: "${binding.object}${name}"`);
        }
      }
      byObject.set(binding.object, [...(byObject.get(binding.object) ?? []), binding]);
    }
    for (const entry of schema.entries) {
      const owners = byObject.get(entry.kind === "object" ? entry.path : objectOf(entry.path));
      if (owners === undefined) continue;
      if (entry.kind === "object") {
        this.#ensureObject(schema, entry.path, owners);
        continue;
      }
      const name = entry.path.slice(objectOf(entry.path).length);
      const serving = owners.filter((b) => b.parameters.includes(name));
      if (serving.length === 0) continue;
      if (serving.length > 1) throw new TypeError(`Parameter bound twice: "${entry.path}"`);
      const parent = this.#ensureObject(schema, objectOf(entry.path), owners);
      parent.children.set(name, { name, kind: "parameter", children: new Map(), parameter: entry });
      this.#providers.set(entry, serving[0].provider);
    }
    checkTables(this.#root, "");
  }

  /**
   * Objects and parameters at and below `path` ("" = root, partial paths end in ".").
   *
   * @throws {ParameterNameError} when `path` is malformed or names nothing.
   */
  async list(path: string, options: ListOptions = {}): Promise<TreeItem[]> {
    const at = await this.#locate(path);
    const out: TreeItem[] = [];
    const objects = options.objects ?? true;
    if (options.self && at.node !== this.#root && (objects || at.node.kind === "parameter")) {
      out.push(this.#item(at.node, at.path, at.instances));
    }
    if (at.node.kind !== "parameter") {
      await this.#below(at.node, at.path, at.instances, options.depth ?? Infinity, objects, out);
    }
    return out;
  }

  /** Values of `refs`, in order: one batched call per provider; hidden parameters read "". */
  async read(refs: readonly ParameterRef[]): Promise<string[]> {
    const values = new Array<string>(refs.length);
    const groups = new Map<Provider, number[]>();
    for (let i = 0; i < refs.length; i++) {
      const schema = refs[i].schema;
      if (schema.hidden) {
        values[i] = "";
        continue;
      }
      const provider = this.#providers.get(schema);
      if (provider === undefined) throw new ParameterNameError(refs[i].path);
      const group = groups.get(provider);
      if (group === undefined) groups.set(provider, [i]);
      else group.push(i);
    }
    await Promise.all([...groups].map(async ([provider, indexes]) => {
      const got = await provider.get(indexes.map((i) => refs[i]));
      if (got.length !== indexes.length) {
        throw new RangeError(`Provider returned ${got.length} values for ${indexes.length}`);
      }
      for (let k = 0; k < indexes.length; k++) values[indexes[k]] = got[k];
    }));
    return values;
  }

  /**
   * Resolves and validates `requests` without changing anything: unknown names (9005),
   * read-only parameters (9008), wrong xsi:type (9006), bad values (9007), then the
   * providers' own checks (9007). Collects every fault rather than stopping at the first.
   */
  async prepare(requests: readonly ChangeRequest[]): Promise<PreparedChanges> {
    const changes: ParameterChange[] = [];
    const faults: ParameterFault[] = [];
    const names = new Map<string, string>();
    for (const request of requests) {
      try {
        const at = await this.#locate(request.name);
        const schema = at.node.parameter;
        if (schema === undefined) throw new ParameterNameError(request.name);
        if (!this.#writable(at.node)) throw new NotWritableError(request.name);
        const value = validateValue(schema, request.value, request.type);
        changes.push({ path: at.path, schema, instances: at.instances, value });
        names.set(at.path, request.name);
      } catch (error) {
        if (!isFault(error)) throw error;
        faults.push({ parameterName: request.name, error });
      }
    }
    for (const group of this.#group(changes)) {
      const objections = await group.provider.check?.(group.changes) ?? [];
      for (const { path, message } of objections) {
        faults.push({
          parameterName: names.get(path) ?? path,
          error: new InvalidValueError(message),
        });
      }
    }
    return { changes: faults.length === 0 ? changes : [], faults };
  }

  /**
   * Applies changes from {@linkcode prepare} (plus internal ones such as ParameterKey,
   * which skip the writability check) all or nothing. Returns the SPV Status.
   */
  commit(changes: readonly ParameterChange[]): Promise<0 | 1> {
    return commitChanges(this.#group(changes));
  }

  /**
   * The parameter at `path`, or undefined when the tree has no such parameter.
   *
   * @throws {ParameterNameError} when `path` is malformed.
   */
  async parameter(path: string): Promise<ParameterRef | undefined> {
    try {
      const item = (await this.list(path, { self: true, depth: 0 }))[0];
      return item?.ref;
    } catch (error) {
      if (error instanceof ParameterNameError && error.path === path) {
        parsePath(path); // Rethrows for a malformed path.
        return undefined;
      }
      throw error;
    }
  }

  #group(changes: readonly ParameterChange[]): ChangeGroup[] {
    const groups = new Map<Provider, ParameterChange[]>();
    for (const change of changes) {
      const provider = this.#providers.get(change.schema);
      if (provider === undefined) throw new ParameterNameError(change.path);
      const group = groups.get(provider);
      if (group === undefined) groups.set(provider, [change]);
      else group.push(change);
    }
    return [...groups].map(([provider, changes]) => ({ provider, changes }));
  }

  #ensureObject(schema: Schema, pattern: string, owners: readonly Binding[]): Node {
    const segments = pattern.slice(0, -1).split(".");
    let node = this.#root;
    let prefix = "";
    for (let i = 0; i < segments.length; i++) {
      const name = segments[i];
      prefix += `${name}.`;
      let child = node.children.get(name);
      if (child === undefined) {
        const kind = segments[i + 1] === "{i}" ? "table" : "object";
        child = { name, kind, children: new Map(), object: schema.object(prefix) };
        node.children.set(name, child);
      }
      node = child;
    }
    node.provider ??= owners.find((b) => b.provider.instances)?.provider;
    return node;
  }

  async #locate(text: string): Promise<Located> {
    const parsed = parsePath(text);
    let node = this.#root;
    let path = "";
    let instances: readonly number[] = [];
    for (const segment of parsed.segments) {
      if (node.kind === "parameter") throw new ParameterNameError(text);
      if (node.kind === "table") {
        if (!isInstanceNumber(segment)) throw new ParameterNameError(text);
        const n = Number(segment);
        const row = rowOf(node);
        if (!(await this.#instances(row, path, instances)).includes(n)) {
          throw new ParameterNameError(text, `No such instance: "${text}"`);
        }
        node = row;
        instances = [...instances, n];
        path += `${segment}.`;
        continue;
      }
      const child = node.children.get(segment);
      if (child === undefined) throw new ParameterNameError(text);
      node = child;
      path += child.kind === "parameter" ? segment : `${segment}.`;
    }
    if ((node.kind === "parameter") === parsed.partial) throw new ParameterNameError(text);
    return { node, path, instances };
  }

  async #below(
    node: Node,
    path: string,
    instances: readonly number[],
    depth: number,
    objects: boolean,
    out: TreeItem[],
  ): Promise<void> {
    if (depth <= 0) return;
    if (node.kind === "table") {
      const row = rowOf(node);
      for (const n of await this.#instances(row, path, instances)) {
        const rowPath = `${path}${n}.`;
        const rowInstances = [...instances, n];
        if (objects) out.push(this.#item(row, rowPath, rowInstances));
        await this.#below(row, rowPath, rowInstances, depth - 1, objects, out);
      }
      return;
    }
    for (const child of node.children.values()) {
      if (child.kind === "parameter") {
        out.push(this.#item(child, path + child.name, instances));
        continue;
      }
      const childPath = `${path}${child.name}.`;
      if (objects) out.push(this.#item(child, childPath, instances));
      await this.#below(child, childPath, instances, depth - 1, objects, out);
    }
  }

  #item(node: Node, path: string, instances: readonly number[]): TreeItem {
    if (node.parameter === undefined) return { path, writable: this.#writable(node) };
    return {
      path,
      writable: this.#writable(node),
      ref: { path, schema: node.parameter, instances },
    };
  }

  #writable(node: Node): boolean {
    if (node.kind === "parameter") {
      return node.parameter!.access === "readWrite" &&
        this.#providers.get(node.parameter!)?.set !== undefined;
    }
    if (node.kind === "table") {
      const row = rowOf(node);
      return row.object?.access === "readWrite" && row.provider?.addInstance !== undefined;
    }
    return node.name === "{i}" && node.object?.access === "readWrite" &&
      node.provider?.deleteInstance !== undefined;
  }

  async #instances(row: Node, tablePath: string, instances: readonly number[]) {
    return await row.provider!.instances!(tablePath, instances);
  }
}

function checkTables(node: Node, path: string): void {
  for (const child of node.children.values()) {
    const childPath = `${path}${child.name}.`;
    if (child.kind === "table" && rowOf(child).provider === undefined) {
      throw new TypeError(`No provider lists the instances of "${childPath}{i}."`);
    }
    checkTables(child, childPath);
  }
}

function rowOf(table: Node): Node {
  return table.children.get("{i}")!;
}

function isFault(error: unknown): error is CwmpFault {
  return error instanceof Error && typeof (error as CwmpFault).faultCode === "number";
}
