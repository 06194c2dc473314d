/**
 * The map behind the children of a root object in a lazy `ParameterTree` (`tree.ts`): the
 * groups under it (`IP` for `Device.IP.` and all below) are registered unbuilt; looking
 * one up builds it first, going through them all builds every one and puts the names in
 * the order the caller gives (an eager tree's).
 *
 * @module
 */

/** Children of a root object whose groups are built on first reach (see the module). */
export class LazyChildren<V> extends Map<string, V> {
  /** Names of the groups not built yet; undefined once all are, in order. */
  #pending: Set<string> | undefined = new Set();
  #build: (name: string) => void;
  #order: () => readonly string[];

  constructor(build: (name: string) => void, order: () => readonly string[]) {
    super();
    this.#build = build;
    this.#order = order;
  }

  /** The names in the map now, building nothing. */
  builtNames(): string[] {
    return [...super.keys()];
  }

  /** Registers the group `name` as not built yet. */
  defer(name: string): void {
    this.#pending?.add(name);
  }

  override get(name: string): V | undefined {
    if (this.#pending?.has(name)) {
      this.#build(name); // Throws again at every reach while the group cannot be built.
      this.#pending?.delete(name);
    }
    return super.get(name);
  }

  override has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  override get size(): number {
    this.all();
    return super.size;
  }

  override keys(): MapIterator<string> {
    this.all();
    return super.keys();
  }

  override values(): MapIterator<V> {
    this.all();
    return super.values();
  }

  override entries(): MapIterator<[string, V]> {
    this.all();
    return super.entries();
  }

  override [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }

  override forEach(fn: (value: V, key: string, map: Map<string, V>) => void): void {
    this.all();
    super.forEach(fn);
  }

  /** Builds every group not built yet and puts the names in order (once). */
  all(): void {
    const pending = this.#pending;
    if (pending === undefined) return;
    for (const name of pending) this.get(name);
    this.#pending = undefined;
    const order = this.#order();
    const at = (name: string) => {
      const i = order.indexOf(name);
      return i < 0 ? order.length : i;
    };
    const sorted = [...super.entries()].sort((a, b) => at(a[0]) - at(b[0]));
    super.clear();
    for (const [name, node] of sorted) super.set(name, node);
  }
}
