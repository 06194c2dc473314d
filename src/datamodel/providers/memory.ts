/**
 * In-memory provider: values in a map keyed by concrete path. Used by tests, the fake
 * platform and as the simplest reference for the Provider contract.
 *
 * @module
 */

import { isInstanceNumber } from "../path.ts";
import type { ParameterChange, ParameterRef, Provider, SetOutcome } from "../provider.ts";

/** Options of {@linkcode MemoryProvider}. */
export interface MemoryProviderOptions {
  /** Status its sets report: 1 models "applied after the session/reboot". Default 0. */
  readonly applyStatus?: 0 | 1;
}

/** Holds canonical values by concrete path; tables are the instance numbers its paths use. */
export class MemoryProvider implements Provider {
  readonly #values: Map<string, string>;
  readonly #tables = new Map<string, Set<number>>();
  readonly #status: 0 | 1;

  /** Starts with `values` (concrete path → canonical text). */
  constructor(values: Record<string, string> = {}, options: MemoryProviderOptions = {}) {
    this.#values = new Map(Object.entries(values));
    this.#status = options.applyStatus ?? 0;
    for (const path of this.#values.keys()) this.#index(path);
  }

  /** Stored value of `path` ("" when unset). */
  value(path: string): string {
    return this.#values.get(path) ?? "";
  }

  /** Values of `refs`; an unset parameter reads "". */
  get(refs: readonly ParameterRef[]): string[] {
    return refs.map((ref) => this.#values.get(ref.path) ?? "");
  }

  /** Stores the batch and returns an undo that restores the old values. */
  set(changes: readonly ParameterChange[]): SetOutcome {
    const before = changes.map((c) => [c.path, this.#values.get(c.path)] as const);
    for (const change of changes) this.#values.set(change.path, change.value);
    return {
      status: this.#status,
      undo: () => {
        for (const [path, old] of before.reverse()) {
          if (old === undefined) this.#values.delete(path);
          else this.#values.set(path, old);
        }
      },
    };
  }

  /** Instance numbers used under `tablePath`, ascending. */
  instances(tablePath: string): number[] {
    return [...(this.#tables.get(tablePath) ?? [])].sort((a, b) => a - b);
  }

  #index(path: string): void {
    const segments = path.split(".");
    for (let i = 1; i < segments.length; i++) {
      if (!isInstanceNumber(segments[i])) continue;
      const table = `${segments.slice(0, i).join(".")}.`;
      let set = this.#tables.get(table);
      if (set === undefined) this.#tables.set(table, set = new Set());
      set.add(Number(segments[i]));
    }
  }
}
