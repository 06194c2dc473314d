/**
 * The parameter tree: the schema's objects and parameters that some provider
 * supports, resolved against concrete paths and instance numbers. It owns path
 * resolution, walks, batched reads, validation of sets, AddObject/DeleteObject and
 * their commit. RPC semantics (GPV, GPN, SPV rules) live in `rpc/`; the tree offers
 * the primitives.
 *
 * Structure: object nodes hold named children (parameters, objects, tables); a table
 * node (`Interface` of `Device.IP.Interface.{i}.`) holds one row node whose
 * instances come from the row binding's `Provider.instances()`. Only bound
 * parameters appear: unsupported ones are absent (9005), as are objects with
 * nothing supported below them.
 *
 * Derived parameters: every `…NumberOfEntries` named by a present table's
 * `numEntriesParameter` is counted by the tree from the table's instances; providers
 * never serve them.
 *
 * Session snapshot (STYLE: cache expensive reads for one session): between
 * {@linkcode ParameterTree.beginSession} and {@linkcode ParameterTree.endSession}
 * each table is listed once (unless its binding says `snapshot: false`), so GPN and
 * GPV of one session agree; AddObject/DeleteObject refresh the tables they change.
 *
 * Alias-based addressing (TR-069 §3.6.1, opt-in through `alias`): rows may be named
 * `[alias]` (the row's Alias parameter) when AliasBasedAddressing is on; with
 * InstanceMode "InstanceAlias" the names the ACS sees (`TreeItem.name`,
 * `ParameterRef.name`) use that form while `path` stays numeric for providers.
 *
 * Auto-create (ManagementServer.AutoCreateInstances, TR-069 §3.6.1 and A.3.2.1): when
 * {@linkcode ParameterTree.prepare} is asked to, a name under a `[alias]` row that does
 * not exist yet (nested tables too) plans that row instead of failing with 9005; the
 * prepared changes then carry provisional paths (`Table.[alias].X`, instance 0) that
 * {@linkcode ParameterTree.commit} rewrites once it has created the rows, in the same
 * transaction as the values (a failure deletes the rows again; the instance numbers
 * they took stay used).
 *
 * No clock, no I/O: everything goes through providers.
 *
 * @module
 */

import {
  InvalidArgumentsError,
  InvalidValueError,
  NotWritableError,
  ParameterNameError,
  ResourcesExceededError,
} from "./errors.ts";
import type { CwmpFault, ParameterFault } from "./errors.ts";
import { type InstanceNumbers, MemoryInstanceNumbers } from "./instance_numbers.ts";
import { isAliasSegment, isInstanceNumber, parsePath } from "./path.ts";
import type {
  Binding,
  MaybePromise,
  ParameterChange,
  ParameterRef,
  Provider,
  SetOutcome,
} from "./provider.ts";
import { objectOf, type ObjectSchema, type ParameterSchema, type Schema } from "./schema.ts";
import { type ChangeGroup, commitChanges, runTransaction, setStep } from "./transaction.ts";
import { LazyChildren } from "./lazy_children.ts";
import { validateValue } from "./validate.ts";

/** One object or parameter found by {@linkcode ParameterTree.list}. */
export interface TreeItem {
  /** Concrete path with instance numbers; objects end in ".". */
  readonly path: string;
  /** The name the ACS sees, when it differs from `path` (InstanceMode InstanceAlias). */
  readonly name?: string;
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
  /**
   * Stop the walk once more than this many items are found: the list then holds
   * `limit` + 1 items and is incomplete, which tells the caller there were more
   * (the RPC budgets, so one request cannot walk the tree without end). Default: none.
   */
  limit?: number;
}

/** A requested change, as it comes from SetParameterValues. */
export interface ChangeRequest {
  readonly name: string;
  readonly value: string;
  /** xsi:type QName as sent; "" when absent. */
  readonly type: string;
}

/** Options of {@linkcode ParameterTree.prepare}. */
export interface PrepareOptions {
  /**
   * ManagementServer.AutoCreateInstances: a missing `[alias]` row is planned for
   * creation rather than a 9005 (only while alias-based addressing is on). Default false.
   */
  readonly autoCreate?: boolean;
}

/** A row that {@linkcode ParameterTree.commit} creates (AutoCreateInstances). */
export interface PlannedRow {
  /** The table, possibly provisional itself (`Device.X.[a].Y.`). */
  readonly table: string;
  /** Instance numbers of the table's path; 0 where a row is still planned. */
  readonly instances: readonly number[];
  /** The new row's Alias. */
  readonly alias: string;
}

/** Result of {@linkcode ParameterTree.prepare}. */
export interface PreparedChanges {
  /**
   * Validated changes, canonical values, in request order (only if `faults` is empty).
   * Under a planned row the path is provisional (`Table.[alias].X`, instance 0).
   */
  readonly changes: readonly ParameterChange[];
  /** One entry per rejected change, in request order. */
  readonly faults: readonly ParameterFault[];
  /** Rows to create first, parents before children (only if `faults` is empty). */
  readonly rows: readonly PlannedRow[];
}

/** Result of {@linkcode ParameterTree.addObject}. */
export interface AddedObject {
  readonly instanceNumber: number;
  /** Concrete path of the new row, e.g. `Device.Hosts.AccessControl.4.`. */
  readonly path: string;
  /** 1 when a provider applies part of it only later (AddObjectResponse Status). */
  readonly status: 0 | 1;
}

/**
 * Alias-based addressing (TR-069 §3.6.1), read live from ManagementServer settings.
 * Giving it also makes new rows of tables with an Alias get `cpe-<n>` (TR-181).
 */
export interface AliasOptions {
  /** ManagementServer.AliasBasedAddressing: `[alias]` segments are accepted. */
  enabled(): boolean;
  /** ManagementServer.InstanceMode: "InstanceAlias" names rows `[alias]` in answers. */
  instanceMode(): "InstanceNumber" | "InstanceAlias";
}

/** Options of the {@linkcode ParameterTree} constructor. */
export interface ParameterTreeOptions {
  readonly schema: Schema;
  readonly bindings: readonly Binding[];
  /** Where AddObject takes instance numbers from; default an in-memory counter. */
  readonly instanceNumbers?: InstanceNumbers;
  /** Turns alias-based addressing on; absent = instance numbers only. */
  readonly alias?: AliasOptions;
  /**
   * Builds each object right below a root object (`Device.IP.`, with everything under it)
   * when a path first reaches it, instead of all at construction: a start that only reads
   * `DeviceInfo.` and `ManagementServer.` decodes and builds only those. The names listed
   * and their order are the same. The bindings' objects are checked at construction, their
   * parameters (and the tables' providers) when their object is built: for bindings
   * already checked against the schema (the built-in ones, a checked mapping file).
   * Default false.
   */
  readonly lazy?: boolean;
}

interface Node {
  readonly name: string;
  readonly kind: "object" | "table" | "parameter";
  readonly children: Map<string, Node>;
  readonly object?: ObjectSchema;
  readonly parameter?: ParameterSchema;
  /** Parameters: their provider. Rows: the provider listing their instances. */
  provider?: Provider;
  /** Rows: whether the instance list is kept for the session. */
  snapshot?: boolean;
  /** Rows: the device's own bound on the table's rows (a binding's `maxEntries`). */
  maxRows?: number;
}

interface Located {
  readonly node: Node;
  readonly path: string;
  /** As the ACS sees it (differs from `path` only in InstanceAlias mode). */
  readonly name: string;
  readonly instances: readonly number[];
}

interface Counted {
  readonly row: Node;
  /** Table name, e.g. `Interface`. */
  readonly table: string;
}

type Aliases = ReadonlyMap<number, string>;

/** What stays the same through one walk of {@linkcode ParameterTree.list}. */
interface Walk {
  /** Objects are listed too. */
  readonly objects: boolean;
  /** Rows are named by alias (InstanceMode InstanceAlias). */
  readonly names: boolean;
  /** Stop once `out` holds more items than this. */
  readonly limit: number;
  /** List parameter references, not items (objects is false then). */
  readonly refs: boolean;
}

/** What a walk lists: items, or parameter references only. */
type Listed = TreeItem | ParameterRef;

/**
 * The bindings of one object right below a root object (`Device.IP.`), or of the root
 * object itself (`Device.`): what building it needs.
 */
interface Group {
  /** Bindings by the object they bind. */
  readonly byObject: Map<string, Binding[]>;
  /** Those objects and their ancestors inside the group. */
  readonly present: Set<string>;
  built: boolean;
  /** What its build threw: thrown again at every later reach, never a half-built group. */
  failure?: unknown;
  /** The objects added when it was built, in schema order. */
  visited: readonly string[];
}

/** `Device.IP.` for `Device.IP.Interface.{i}.`; a root object (`Device.`) is its own. */
function groupOf(pattern: string): string {
  const second = pattern.indexOf(".", pattern.indexOf(".") + 1);
  return second < 0 ? pattern : pattern.slice(0, second + 1);
}

/** Rows planned by one {@linkcode ParameterTree.prepare}, by provisional row path. */
type Plan = Map<string, PlannedRow>;

/** A created row: provisional row path → real one, and the instance at `depth`. */
interface Rename {
  readonly from: string;
  readonly to: string;
  readonly depth: number;
  readonly n: number;
}

/** Objects and parameters of the schema that providers support. */
export class ParameterTree {
  readonly #root: Node = { name: "", kind: "object", children: new Map() };
  readonly #schema: Schema;
  readonly #providers = new Map<ParameterSchema, Provider>();
  readonly #counted = new Map<ParameterSchema, Counted>();
  readonly #numbers: InstanceNumbers;
  readonly #alias?: AliasOptions;
  #rows?: Map<string, MaybePromise<readonly number[]>>;
  #aliases?: Map<string, Promise<Aliases>>;
  /** The row node of each planned row, for commit. */
  readonly #planned = new WeakMap<PlannedRow, Node>();
  /** The provider of every counter parameter. */
  readonly #counter: Provider = { get: (refs) => this.#count(refs) };
  /** A lazy tree's groups, by key (`Device.IP.`; `Device.` for the root object's own). */
  #groups?: Map<string, Group>;
  /** A lazy tree's names under each root object once its own group was built. */
  readonly #rootNames = new Map<string, string[]>();

  /**
   * Builds the tree from `schema` and `bindings`.
   *
   * @throws {TypeError} when a binding names an object or parameter the schema lacks,
   * binds a parameter twice, or a table has no provider listing its instances.
   */
  constructor(options: ParameterTreeOptions) {
    const { schema, bindings } = options;
    this.#schema = schema;
    this.#numbers = options.instanceNumbers ?? new MemoryInstanceNumbers();
    this.#alias = options.alias;
    if (options.lazy === true) {
      this.#buildLazily(bindings);
      return;
    }
    const byObject = new Map<string, Binding[]>();
    const present = new Set<string>();
    for (const binding of bindings) {
      checkBinding(schema, binding, true);
      byObject.set(binding.object, [...(byObject.get(binding.object) ?? []), binding]);
      for (const pattern of patternsTo(binding.object)) present.add(pattern);
    }
    // NumberOfEntries pattern → row pattern, for the tables that will be in the tree.
    const counters = new Map<string, string>();
    for (const pattern of present) {
      const counted = schema.object(pattern)?.numEntriesParameter;
      if (counted !== undefined) counters.set(counted, pattern);
    }
    for (const pattern of this.#visit(byObject, counters)) {
      this.#addObject(pattern, byObject.get(pattern), counters);
    }
    checkTables(this.#root, "");
  }

  /**
   * The objects bound or holding a counter, in schema order: only they have anything to
   * add, and visiting them in that order lists names in the schema's order.
   */
  #visit(byObject: ReadonlyMap<string, Binding[]>, counters: ReadonlyMap<string, string>) {
    const visit = new Set(byObject.keys());
    for (const counted of counters.keys()) visit.add(objectOf(counted));
    const schema = this.#schema;
    return [...visit].sort((a, b) => schema.objectIndex(a) - schema.objectIndex(b));
  }

  /** Adds the object `pattern` with its bound parameters and the counters it holds. */
  #addObject(
    pattern: string,
    owners: readonly Binding[] | undefined,
    counters: ReadonlyMap<string, string>,
  ): void {
    const schema = this.#schema;
    let node = owners === undefined ? undefined : this.#ensureObject(schema, pattern, owners);
    // Parameter name → the binding serving it; names two bindings serve.
    const serving = new Map<string, Binding>();
    const twice = new Set<string>();
    for (const binding of owners ?? []) {
      for (const name of binding.parameters) {
        const other = serving.get(name);
        if (other !== undefined && other !== binding) twice.add(name);
        serving.set(name, binding);
      }
    }
    for (const entry of schema.parametersOf(pattern)) {
      const name = entry.path.slice(pattern.length);
      const rowPattern = counters.get(entry.path);
      if (rowPattern !== undefined) {
        const parent = node ??= this.#ensureObject(schema, pattern, []);
        parent.children.set(name, {
          name,
          kind: "parameter",
          children: new Map(),
          parameter: entry,
        });
        this.#providers.set(entry, this.#counter);
        const table = rowPattern.slice(0, -4); // Drops "{i}.".
        this.#counted.set(entry, {
          row: this.#ensureObject(schema, rowPattern, []),
          table: table.slice(table.slice(0, -1).lastIndexOf(".") + 1, -1),
        });
        continue;
      }
      const binding = serving.get(name);
      if (binding === undefined) continue;
      if (twice.has(name)) throw new TypeError(`Parameter bound twice: "${entry.path}"`);
      node!.children.set(name, {
        name,
        kind: "parameter",
        children: new Map(),
        parameter: entry,
      });
      this.#providers.set(entry, binding.provider);
    }
  }

  /**
   * The lazy construction (`lazy`): groups the bindings by the object right below their
   * root object, builds the root objects' own groups now and the others when first reached.
   */
  #buildLazily(bindings: readonly Binding[]): void {
    const schema = this.#schema;
    const groups = this.#groups = new Map();
    const groupAt = (key: string): Group => {
      let group = groups.get(key);
      if (group === undefined) {
        group = { byObject: new Map(), present: new Set(), built: false, visited: [] };
        groups.set(key, group);
      }
      return group;
    };
    for (const binding of bindings) {
      checkBinding(schema, binding, false);
      const owners = groupAt(groupOf(binding.object)).byObject;
      owners.set(binding.object, [...(owners.get(binding.object) ?? []), binding]);
      for (const pattern of patternsTo(binding.object)) {
        groupAt(groupOf(pattern)).present.add(pattern);
      }
    }
    const roots = [...groups.keys()].filter(isRoot);
    for (const root of roots) {
      const name = root.slice(0, -1);
      const children = new LazyChildren<Node>(
        (child) => this.#buildGroup(`${root}${child}.`),
        () => this.#eagerOrder(root),
      );
      this.#root.children.set(name, {
        name,
        kind: "object",
        children,
        object: schema.object(root),
      });
      for (const key of groups.keys()) {
        if (key !== root && key.startsWith(root)) children.defer(key.slice(root.length, -1));
      }
    }
    for (const root of roots) {
      this.#buildGroup(root);
      const children = this.#root.children.get(root.slice(0, -1))!.children as LazyChildren<Node>;
      this.#rootNames.set(root, children.builtNames());
    }
  }

  /** Builds the group `key` (see {@linkcode Group}) if it is not built yet. */
  #buildGroup(key: string): void {
    const group = this.#groups?.get(key);
    if (group === undefined) return;
    if (group.failure !== undefined) throw group.failure;
    if (group.built) return;
    group.built = true;
    try {
      this.#fillGroup(key, group);
    } catch (error) {
      group.failure = error;
      throw error;
    }
  }

  #fillGroup(key: string, group: Group): void {
    const schema = this.#schema;
    for (const owners of group.byObject.values()) {
      for (const binding of owners) checkBinding(schema, binding, true);
    }
    const root = isRoot(key);
    // Counters the group holds: TR-106 puts a table's NumberOfEntries in its parent object,
    // so a table right below a root object is counted by the root object's group.
    const counters = new Map<string, string>();
    const candidates = root
      ? [...this.#groups!].flatMap(([other, g]) =>
        other !== key && other.startsWith(key) && g.present.has(`${other}{i}.`)
          ? [`${other}{i}.`]
          : []
      )
      : group.present;
    for (const pattern of candidates) {
      const counted = schema.object(pattern)?.numEntriesParameter;
      if (counted === undefined) continue;
      const holder = groupOf(objectOf(counted));
      if (holder === key) counters.set(counted, pattern);
      else if (!root && (!isRoot(holder) || pattern !== `${groupOf(pattern)}{i}.`)) {
        // Neither here nor a root object's count of a table right below it.
        throw new TypeError(`Counter outside its table's parent object: "${counted}"`);
      }
    }
    const visited = this.#visit(group.byObject, counters);
    group.visited = visited;
    for (const pattern of visited) this.#addObject(pattern, group.byObject.get(pattern), counters);
    if (root) return; // Its tables are groups of their own, checked as they are built.
    const [first, second] = key.split(".");
    // This group is built (or being built): the lookup builds nothing again.
    const top = this.#root.children.get(first)?.children.get(second);
    if (top !== undefined) checkNode(top, key);
  }

  /**
   * The names right below the root object `root` in the order an eager tree inserts them:
   * what its own group added (its parameters, each counted table after its counter), then
   * the other groups in the order their first object comes in the schema.
   */
  #eagerOrder(root: string): readonly string[] {
    const schema = this.#schema;
    const own = this.#rootNames.get(root) ?? [];
    const first = (g: Group) => Math.min(...g.visited.map((p) => schema.objectIndex(p)));
    const others = [...this.#groups!]
      .filter(([key]) =>
        key !== root && key.startsWith(root) && !own.includes(key.slice(root.length, -1))
      )
      .sort((a, b) => first(a[1]) - first(b[1]))
      .map(([key]) => key.slice(root.length, -1));
    return [...own, ...others];
  }

  /** The schema the tree was built on. */
  get schema(): Schema {
    return this.#schema;
  }

  /** The schema's parameters the tree holds (bound, or counting a table's rows), in schema order. */
  parameterSchemas(): Iterable<ParameterSchema> {
    if (this.#groups === undefined) return this.#providers.keys();
    for (const node of this.#root.children.values()) (node.children as LazyChildren<Node>).all();
    const schema = this.#schema;
    const objects = [...this.#groups.values()].flatMap((g) => g.visited)
      .sort((a, b) => schema.objectIndex(a) - schema.objectIndex(b));
    return objects.flatMap((pattern) =>
      [...schema.parametersOf(pattern)].filter((entry) => this.#providers.has(entry))
    );
  }

  /**
   * The tree's parameters among the schema's notable ones
   * ({@linkcode Schema.notableParameters}: forced into the Inform, or notified actively by
   * default), in schema order; a lazy tree builds only the objects holding them.
   */
  notableParameterSchemas(): ParameterSchema[] {
    const out: ParameterSchema[] = [];
    for (const path of this.#schema.notableParameters()) {
      // Nothing bound in its group: nothing to build or decode.
      if (this.#groups !== undefined && !this.#groups.has(groupOf(objectOf(path)))) continue;
      const [first, second] = path.split(".");
      this.#root.children.get(first)?.children.get(second); // Builds its group.
      const entry = this.#schema.parameter(path);
      if (entry !== undefined && this.#providers.has(entry)) out.push(entry);
    }
    return out;
  }

  /**
   * Starts the per-session snapshot: from now on each table is listed once (bindings
   * with `snapshot: false` excepted) until {@linkcode endSession}.
   */
  beginSession(): void {
    this.#rows = new Map();
    this.#aliases = new Map();
  }

  /** Drops the session snapshot; listings are live again. */
  endSession(): void {
    this.#rows = undefined;
    this.#aliases = undefined;
  }

  /**
   * Objects and parameters at and below `path` ("" = root, partial paths end in ".").
   *
   * @throws {ParameterNameError} when `path` is malformed or names nothing.
   */
  async list(path: string, options: ListOptions = {}): Promise<TreeItem[]> {
    return await this.#list(path, options, false) as TreeItem[];
  }

  /**
   * The parameters at and below `path`, as {@linkcode list} with `objects: false` lists them,
   * but only their references (the hot path of a whole-tree GetParameterValues: no item
   * object and no writability per parameter).
   *
   * @throws {ParameterNameError} when `path` is malformed or names nothing.
   */
  async refs(
    path: string,
    options: Omit<ListOptions, "objects"> = {},
  ): Promise<ParameterRef[]> {
    return await this.#list(path, { ...options, objects: false }, true) as ParameterRef[];
  }

  async #list(path: string, options: ListOptions, refs: boolean): Promise<Listed[]> {
    const at = await this.#locate(path);
    const out: Listed[] = [];
    const objects = options.objects ?? true;
    if (options.self && at.node !== this.#root && (objects || at.node.kind === "parameter")) {
      out.push(this.#item(at.node, at.path, at.name, at.instances, refs));
    }
    const limit = options.limit ?? Infinity;
    if (at.node.kind !== "parameter" && out.length <= limit) {
      const names = this.#showAliases();
      const depth = options.depth ?? Infinity;
      const walk = { objects, names, limit, refs };
      const name = at.name === at.path ? undefined : at.name;
      await this.#below(at.node, at.path, name, at.instances, depth, walk, out);
    }
    if (out.length > limit + 1) out.length = limit + 1;
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
    const pending: Promise<void>[] = [];
    for (const [provider, indexes] of groups) {
      const batch = indexes.length === refs.length ? refs : indexes.map((i) => refs[i]);
      const got = provider.get(batch);
      if (got instanceof Promise) pending.push(got.then((v) => fill(values, indexes, v)));
      else fill(values, indexes, got);
    }
    if (pending.length > 0) await Promise.all(pending);
    return values;
  }

  /**
   * Resolves and validates `requests` without changing anything: unknown names (9005),
   * read-only parameters (9008), wrong xsi:type (9006), bad values (9007), then the
   * providers' own checks (9007). Collects every fault rather than stopping at the first.
   *
   * With `autoCreate` (and alias addressing on), a missing `[alias]` row of a table that
   * allows AddObject and has a settable Alias is planned (`rows`) instead; it is a 9005
   * when the table cannot have it, 9004 when the table is full.
   */
  async prepare(
    requests: readonly ChangeRequest[],
    options: PrepareOptions = {},
  ): Promise<PreparedChanges> {
    const changes: ParameterChange[] = [];
    const faults: ParameterFault[] = [];
    const names = new Map<string, string>();
    const plan: Plan | undefined = options.autoCreate && this.#alias?.enabled()
      ? new Map()
      : undefined;
    for (const request of requests) {
      try {
        const at = await this.#locate(request.name, plan);
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
    const ok = faults.length === 0;
    return { changes: ok ? changes : [], faults, rows: ok ? [...(plan?.values() ?? [])] : [] };
  }

  /**
   * Applies changes from {@linkcode prepare} (plus internal ones such as ParameterKey,
   * which skip the writability check) all or nothing, after creating the planned
   * `rows` (with their Alias) in the same transaction. Returns the SPV Status.
   */
  async commit(
    changes: readonly ParameterChange[],
    rows: readonly PlannedRow[] = [],
  ): Promise<0 | 1> {
    if (rows.length === 0) {
      try {
        return await commitChanges(this.#group(changes));
      } finally {
        if (changes.some((c) => c.schema.path.endsWith(".Alias"))) this.#aliases?.clear();
      }
    }
    const renames: Rename[] = [];
    try {
      return await runTransaction([
        ...rows.map((row) => () => this.#createRow(row, renames)),
        async () => {
          const aliases = rows.map((row) => {
            const { path, instances } = renamed(renames, `${row.table}[${row.alias}].`, [
              ...row.instances,
              0,
            ]);
            return {
              path: `${path}Alias`,
              schema: this.#planned.get(row)!.children.get("Alias")!.parameter!,
              instances,
              value: row.alias,
            };
          });
          const resolved = changes.map((c) => ({ ...c, ...renamed(renames, c.path, c.instances) }));
          return { status: await commitChanges(this.#group([...aliases, ...resolved])) };
        },
      ]);
    } finally {
      this.#aliases?.clear();
    }
  }

  /**
   * Creates a row (AddObject, TR-069 A.3.2.6) and applies `extra` (the ParameterKey)
   * in the same transaction. `objectName` is the table (`Device.Hosts.AccessControl.`)
   * or, with alias addressing on, `Table.[alias].` to create the row with that Alias.
   * Rows of tables with a bound, settable Alias get `cpe-<n>` when alias options are on.
   *
   * @throws {ParameterNameError} (9005) when `objectName` is malformed, names nothing,
   * names no table, or a table that does not allow AddObject.
   * @throws {ResourcesExceededError} (9004) when the table holds maxEntries rows.
   * @throws {InvalidArgumentsError} (9003) when the alias is taken.
   */
  async addObject(
    objectName: string,
    extra: readonly ParameterChange[] = [],
  ): Promise<AddedObject> {
    const parsed = parsePath(objectName, { aliases: this.#alias?.enabled() ?? false });
    if (!parsed.partial || parsed.segments.length === 0) {
      throw new ParameterNameError(objectName, `Object name must end in ".": "${objectName}"`);
    }
    const last = parsed.segments[parsed.segments.length - 1];
    const alias = isAliasSegment(last) ? last.slice(1, -1) : undefined;
    const tableName = alias === undefined ? objectName : objectName.slice(0, -last.length - 1);
    const at = await this.#locate(tableName);
    if (at.node.kind !== "table") {
      throw new ParameterNameError(objectName, `Not a multi-instance object: "${objectName}"`);
    }
    // [U] TR-069 names no code for a table that forbids AddObject; 9005 is what
    // icwmp/bbfdm answer for objects without an add method (9008 is for parameters).
    if (!this.#writable(at.node)) {
      throw new ParameterNameError(objectName, `Object does not allow AddObject: "${objectName}"`);
    }
    const row = rowOf(at.node);
    const inUse = await this.#instances(row, at.path, at.instances);
    const max = maxRowsOf(row);
    if (typeof max === "number" && inUse.length >= max) {
      throw new ResourcesExceededError(`Table already holds ${max} entries: "${objectName}"`);
    }
    const aliasNode = row.children.get("Alias");
    const aliasSettable = aliasNode !== undefined && this.#writable(aliasNode);
    if (alias !== undefined) {
      if (!aliasSettable) {
        throw new ParameterNameError(objectName, `Table has no settable Alias: "${objectName}"`);
      }
      const taken = await this.#aliasMap(row, at.path, at.instances);
      // [U] TR-069 §3.6.1 gives no code for an alias in use; 9003 (invalid arguments).
      if ([...taken.values()].includes(alias)) {
        throw new InvalidArgumentsError(`Alias already in use: "${alias}"`);
      }
      validateValue(aliasNode.parameter!, alias, "");
    }
    const proposed = this.#numbers.allocate(at.path, inUse);
    const provider = row.provider!;
    let n = proposed;
    const status = await runTransaction([
      async () => {
        n = await provider.addInstance!(at.path, at.instances, proposed);
        this.#forget(at.path);
        const rowPath = `${at.path}${n}.`;
        return {
          status: 0,
          undo: async () => {
            // A provider without deleteInstance cannot take the row back.
            await provider.deleteInstance?.(rowPath, [...at.instances, n]);
            this.#forget(at.path);
          },
        };
      },
      async () => {
        const changes = [...extra];
        if (aliasSettable && (alias !== undefined || this.#alias !== undefined)) {
          changes.unshift({
            path: `${at.path}${n}.Alias`,
            schema: aliasNode.parameter!,
            instances: [...at.instances, n],
            value: alias ?? `cpe-${n}`,
          });
        }
        return { status: await this.commit(changes) };
      },
    ]);
    return { instanceNumber: n, path: `${at.path}${n}.`, status };
  }

  /**
   * Deletes the row `objectName` (DeleteObject, TR-069 A.3.2.7) and everything below
   * it, applying `extra` (the ParameterKey) in the same transaction.
   *
   * @throws {ParameterNameError} (9005) when `objectName` is malformed, names nothing,
   * names no row, or a row that does not allow DeleteObject.
   */
  async deleteObject(objectName: string, extra: readonly ParameterChange[] = []): Promise<0 | 1> {
    const at = await this.#locate(objectName);
    if (at.node.name !== "{i}" || at.node.kind !== "object") {
      throw new ParameterNameError(objectName, `Not an object instance: "${objectName}"`);
    }
    // [U] As for AddObject: 9005 for a row that does not allow DeleteObject.
    if (!this.#writable(at.node)) {
      throw new ParameterNameError(
        objectName,
        `Object does not allow DeleteObject: "${objectName}"`,
      );
    }
    const provider = at.node.provider!;
    const tablePath = at.path.slice(0, at.path.slice(0, -1).lastIndexOf(".") + 1);
    return await runTransaction([
      ...this.#group(extra).map(setStep),
      // Last, because a deleted row cannot be restored.
      async () => {
        await provider.deleteInstance!(at.path, at.instances);
        this.#forget(tablePath);
        this.#numbers.forget?.(at.path);
        return { status: 0 };
      },
    ]);
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
        parsePath(path, { aliases: this.#alias?.enabled() ?? false }); // Rethrows if malformed.
        return undefined;
      }
      throw error;
    }
  }

  /** Creates the planned `row` under its (now real) table and records the rename. */
  async #createRow(row: PlannedRow, renames: Rename[]): Promise<SetOutcome> {
    const node = this.#planned.get(row);
    if (node === undefined) throw new TypeError(`Row was not planned: "${row.table}"`);
    const { path: table, instances } = renamed(renames, row.table, row.instances);
    const provider = node.provider!;
    const inUse = await this.#instances(node, table, instances);
    const proposed = this.#numbers.allocate(table, inUse);
    const n = await provider.addInstance!(table, instances, proposed);
    this.#forget(table);
    const to = `${table}${n}.`;
    renames.push({ from: `${table}[${row.alias}].`, to, depth: instances.length, n });
    return {
      status: 0,
      undo: async () => {
        // A provider without deleteInstance cannot take the row back.
        await provider.deleteInstance?.(to, [...instances, n]);
        this.#forget(table);
      },
    };
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
    if (node.provider === undefined) {
      const owner = owners.find((b) => b.provider.instances);
      node.provider = owner?.provider;
      node.snapshot = owner?.snapshot !== false;
      node.maxRows = owner?.maxEntries;
    }
    return node;
  }

  /**
   * Resolves `text`. With a `plan` (auto-create), a missing `[alias]` row is added to
   * it (or found there) and the path goes on provisionally below it.
   */
  async #locate(text: string, plan?: Plan): Promise<Located> {
    const parsed = parsePath(text, { aliases: this.#alias?.enabled() ?? false });
    const names = this.#showAliases();
    let node = this.#root;
    let path = "";
    let name = "";
    let instances: readonly number[] = [];
    let planned = false; // Below a planned row: no rows exist there yet.
    for (const segment of parsed.segments) {
      if (node.kind === "parameter") throw new ParameterNameError(text);
      if (node.kind === "table") {
        const row = rowOf(node);
        const aliased = isAliasSegment(segment);
        if (!aliased && !isInstanceNumber(segment)) throw new ParameterNameError(text);
        const aliases = !planned && (aliased || names)
          ? await this.#aliasMap(row, path, instances)
          : undefined;
        let n = Number(segment);
        if (aliased) n = planned ? 0 : keyOf(aliases!, segment.slice(1, -1)) ?? 0;
        if (n === 0 && aliased && plan !== undefined) {
          await this.#plan(plan, node, path, instances, segment.slice(1, -1), text);
          planned = true;
          node = row;
          instances = [...instances, 0];
          path += `${segment}.`;
          name += `${segment}.`;
          continue;
        }
        if (planned || !(await this.#instances(row, path, instances)).includes(n)) {
          throw new ParameterNameError(text, `No such instance: "${text}"`);
        }
        node = row;
        instances = [...instances, n];
        path += `${n}.`;
        name += `${rowName(n, names ? aliases : undefined)}.`;
        continue;
      }
      const child = node.children.get(segment);
      if (child === undefined) throw new ParameterNameError(text);
      node = child;
      const part = child.kind === "parameter" ? segment : `${segment}.`;
      path += part;
      name += part;
    }
    if ((node.kind === "parameter") === parsed.partial) throw new ParameterNameError(text);
    return { node, path, name, instances };
  }

  /** Adds the row `[alias]` of `table` (at `tablePath`) to `plan`, or finds it there. */
  async #plan(
    plan: Plan,
    table: Node,
    tablePath: string,
    instances: readonly number[],
    alias: string,
    text: string,
  ): Promise<void> {
    const key = `${tablePath}[${alias}].`;
    if (plan.has(key)) return;
    const row = rowOf(table);
    const aliasNode = row.children.get("Alias");
    if (!this.#writable(table) || aliasNode === undefined || !this.#writable(aliasNode)) {
      throw new ParameterNameError(text, `No such instance, and none can be created: "${text}"`);
    }
    validateValue(aliasNode.parameter!, alias, "");
    const max = maxRowsOf(row);
    if (typeof max === "number") {
      const existing = instances.includes(0)
        ? 0
        : (await this.#instances(row, tablePath, instances)).length;
      const more = [...plan.values()].filter((p) => p.table === tablePath).length;
      if (existing + more >= max) {
        throw new ResourcesExceededError(`Table already holds ${max} entries: "${text}"`);
      }
    }
    const planned: PlannedRow = { table: tablePath, instances, alias };
    this.#planned.set(planned, row);
    plan.set(key, planned);
  }

  async #below(
    node: Node,
    path: string,
    name: string | undefined,
    instances: readonly number[],
    depth: number,
    walk: Walk,
    out: Listed[],
  ): Promise<void> {
    if (depth <= 0) return;
    const { objects, names, limit } = walk;
    if (node.kind === "table") {
      const row = rowOf(node);
      const listed = this.#instances(row, path, instances);
      const numbers = listed instanceof Promise ? await listed : listed;
      const aliases = names ? await this.#aliasMap(row, path, instances) : undefined;
      const leaf = depth === 1 || !hasObjects(row);
      for (const n of numbers) {
        if (out.length > limit) return;
        const rowPath = `${path}${n}.`;
        const rowShown = aliases === undefined
          ? undefined
          : `${name ?? path}${rowName(n, aliases)}.`;
        const rowInstances = [...instances, n];
        if (objects) out.push(this.#item(row, rowPath, rowShown, rowInstances, false));
        if (leaf) this.#parameters(row, rowPath, rowShown, rowInstances, depth - 1, walk, out);
        else {
          await this.#below(row, rowPath, rowShown, rowInstances, depth - 1, walk, out);
        }
      }
      return;
    }
    for (const child of node.children.values()) {
      if (out.length > limit) return;
      if (child.kind === "parameter") {
        const childName = name === undefined ? undefined : name + child.name;
        out.push(this.#item(child, path + child.name, childName, instances, walk.refs));
        continue;
      }
      const childPath = `${path}${child.name}.`;
      const childName = name === undefined ? undefined : `${name}${child.name}.`;
      if (objects) out.push(this.#item(child, childPath, childName, instances, false));
      await this.#below(child, childPath, childName, instances, depth - 1, walk, out);
    }
  }

  /** The parameters of an object with no sub-objects: the synchronous hot path. */
  #parameters(
    node: Node,
    path: string,
    name: string | undefined,
    instances: readonly number[],
    depth: number,
    walk: Walk,
    out: Listed[],
  ): void {
    if (depth <= 0) return;
    // forEach: a for-of over the map allocates a result per step.
    node.children.forEach((child) => {
      const childName = name === undefined ? undefined : name + child.name;
      out.push(this.#item(child, path + child.name, childName, instances, walk.refs));
    });
  }

  /**
   * The item of `node`, or with `ref` only its parameter reference. `name` is the name the
   * ACS sees, undefined when it is `path` (no row shown by alias above it: the walk then
   * builds no second name to compare).
   */
  #item(
    node: Node,
    path: string,
    name: string | undefined,
    instances: readonly number[],
    ref: boolean,
  ): Listed {
    const shown = name === undefined || name === path ? undefined : name;
    const schema = node.parameter;
    if (ref) {
      return shown === undefined ? { path, schema: schema!, instances } : {
        path,
        name: shown,
        schema: schema!,
        instances,
      };
    }
    const writable = this.#writable(node);
    if (schema === undefined) {
      return shown === undefined ? { path, writable } : { path, name: shown, writable };
    }
    const parameter: ParameterRef = shown === undefined
      ? { path, schema, instances }
      : { path, name: shown, schema, instances };
    return shown === undefined
      ? { path, writable, ref: parameter }
      : { path, name: shown, writable, ref: parameter };
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

  #showAliases(): boolean {
    return this.#alias !== undefined && this.#alias.instanceMode() === "InstanceAlias";
  }

  #instances(
    row: Node,
    tablePath: string,
    instances: readonly number[],
  ): MaybePromise<readonly number[]> {
    const cache = row.snapshot ? this.#rows : undefined;
    const hit = cache?.get(tablePath);
    if (hit !== undefined) return hit;
    const got = row.provider!.instances!(tablePath, instances);
    if (cache === undefined) return got;
    if (got instanceof Promise) {
      got.catch(() => cache.delete(tablePath));
    }
    cache.set(tablePath, got);
    return got;
  }

  /** Instance number → Alias of the table's rows (empty when the rows have no Alias). */
  #aliasMap(row: Node, tablePath: string, instances: readonly number[]): Promise<Aliases> {
    const hit = this.#aliases?.get(tablePath);
    if (hit !== undefined) return hit;
    const got = (async () => {
      const alias = row.children.get("Alias")?.parameter;
      const map = new Map<number, string>();
      if (alias === undefined) return map;
      const numbers = await this.#instances(row, tablePath, instances);
      const values = await this.read(numbers.map((n) => ({
        path: `${tablePath}${n}.Alias`,
        schema: alias,
        instances: [...instances, n],
      })));
      for (let i = 0; i < numbers.length; i++) map.set(numbers[i], values[i]);
      return map;
    })();
    this.#aliases?.set(tablePath, got);
    return got;
  }

  /** Drops the snapshot of `tablePath` and of every table below it. */
  #forget(tablePath: string): void {
    for (const cache of [this.#rows, this.#aliases]) {
      if (cache === undefined) continue;
      for (const key of cache.keys()) if (key.startsWith(tablePath)) cache.delete(key);
    }
  }

  #count(refs: readonly ParameterRef[]): MaybePromise<string[]> {
    const lists = refs.map((ref) => {
      const { row, table } = this.#counted.get(ref.schema)!;
      return this.#instances(row, `${objectOf(ref.path)}${table}.`, ref.instances);
    });
    if (!lists.some((l) => l instanceof Promise)) {
      return lists.map((l) => String((l as readonly number[]).length));
    }
    return Promise.all(lists).then((all) => all.map((l) => String(l.length)));
  }
}

/** `path` and `instances` with the created rows' numbers in place of `[alias]` and 0. */
function renamed(
  renames: readonly Rename[],
  path: string,
  instances: readonly number[],
): { path: string; instances: readonly number[] } {
  let out = instances;
  for (const { from, to, depth, n } of renames) {
    if (!path.startsWith(from)) continue;
    path = to + path.slice(from.length);
    if (out === instances) out = [...instances];
    (out as number[])[depth] = n;
  }
  return { path, instances: out };
}

function fill(values: string[], indexes: readonly number[], got: readonly string[]): void {
  if (got.length !== indexes.length) {
    throw new RangeError(`Provider returned ${got.length} values for ${indexes.length}`);
  }
  for (let k = 0; k < indexes.length; k++) values[indexes[k]] = got[k];
}

function rowName(n: number, aliases: Aliases | undefined): string {
  const alias = aliases?.get(n);
  return alias ? `[${alias}]` : String(n);
}

function keyOf(aliases: Aliases, alias: string): number | undefined {
  for (const [n, value] of aliases) if (value === alias) return n;
  return undefined;
}

function hasObjects(node: Node): boolean {
  for (const child of node.children.values()) if (child.kind !== "parameter") return true;
  return false;
}

/**
 * Throws when `binding` names an object the schema lacks or (with `parameters`) a
 * parameter it lacks; the first needs no object decoded.
 */
function checkBinding(schema: Schema, binding: Binding, parameters: boolean): void {
  if (schema.objectIndex(binding.object) < 0) {
    throw new TypeError(`Binding names no schema object: "${binding.object}"`);
  }
  if (!parameters) return;
  for (const name of binding.parameters) {
    if (schema.parameter(binding.object + name) === undefined) {
      throw new TypeError(`Binding names no schema parameter: "${binding.object}${name}"`);
    }
  }
}

/** `Device.`, `Device.IP.`, … `Device.IP.Interface.{i}.` for the last of them. */
function patternsTo(object: string): string[] {
  const out: string[] = [];
  for (let i = object.indexOf("."); i >= 0; i = object.indexOf(".", i + 1)) {
    out.push(object.slice(0, i + 1));
  }
  return out;
}

/** A root object's pattern: one segment (`Device.`). */
function isRoot(pattern: string): boolean {
  return pattern.indexOf(".") === pattern.length - 1;
}

function checkTables(node: Node, path: string): void {
  for (const child of node.children.values()) checkNode(child, `${path}${child.name}.`);
}

/** {@linkcode checkTables} of `node` at `path`, itself included. */
function checkNode(node: Node, path: string): void {
  if (node.kind === "table" && rowOf(node).provider === undefined) {
    throw new TypeError(`No provider lists the instances of "${path}{i}."`);
  }
  checkTables(node, path);
}

/** The most rows a table may hold: the schema's maxEntries or the binding's, the lower. */
function maxRowsOf(row: Node): number | undefined {
  const schema = row.object?.maxEntries;
  const limits = [typeof schema === "number" ? schema : Infinity, row.maxRows ?? Infinity];
  const max = Math.min(...limits);
  return Number.isFinite(max) ? max : undefined;
}

function rowOf(table: Node): Node {
  return table.children.get("{i}")!;
}

function isFault(error: unknown): error is CwmpFault {
  return error instanceof Error && typeof (error as CwmpFault).faultCode === "number";
}
