/**
 * Value-change detection (TR-069 §3.2.1 notification, CWMP-FACTS §2 `4 VALUE CHANGE`,
 * §5.1): the watched parameters (notification 1–6) each have a baseline value; a
 * {@linkcode ValueChangeDetector.poll} reads them in one batch, reports those whose
 * value differs and moves their baseline on.
 *
 * One change may count twice: for the Inform (1, 4 and 6 passive; 2 active) and for a
 * lightweight notification (3 and 4 passive; 5 and 6 active; TR-069 Annex M). The two
 * "operate independently" (cwmp-1-4.xsd).
 *
 * Changes made by the ACS do not notify: after a successful SetParameterValues the
 * agent calls {@linkcode ValueChangeDetector.acknowledge}, which moves the baseline to
 * the new value. A poll whose read was in flight when a path was acknowledged skips
 * that path, so it cannot report the ACS's own change.
 *
 * Pure: values come from the injected `read` (normally `ParameterTree.read`); the poll
 * interval belongs to the agent.
 *
 * @module
 */

import type { MaybePromise, ParameterRef } from "../datamodel/provider.ts";
import { xsiType } from "../datamodel/xsi_type.ts";
import type { ParameterValueStruct } from "../soap/messages.ts";

/** A Notification attribute that asks for something (0 asks for nothing). */
export type WatchedNotification = 1 | 2 | 3 | 4 | 5 | 6;

/** A parameter to watch and its notification attribute. */
export interface WatchedParameter {
  readonly ref: ParameterRef;
  readonly notification: WatchedNotification;
}

/** A detected change for the Inform: the ParameterValueStruct plus 1 passive or 2 active. */
export interface ChangedParameter extends ParameterValueStruct {
  readonly notification: 1 | 2;
}

/** A detected change for a lightweight notification. */
export interface LightweightChange extends ParameterValueStruct {
  /** Notification 5 or 6 (send now); false for 3 or 4 (wait for the trigger). */
  readonly active: boolean;
}

/** Result of {@linkcode ValueChangeDetector.poll}. */
export interface ValueChanges {
  /** For the Inform: notification 1, 4 or 6. */
  readonly passive: ChangedParameter[];
  /** For the Inform: notification 2. */
  readonly active: ChangedParameter[];
  /** For lightweight notifications: notification 3–6. */
  readonly lightweight: LightweightChange[];
}

const INFORM_KIND: Record<WatchedNotification, 1 | 2 | undefined> = {
  1: 1,
  2: 2,
  3: undefined,
  4: 1,
  5: undefined,
  6: 1,
};

/** Reads the values of `refs`, in order. */
export type ReadValues = (refs: readonly ParameterRef[]) => MaybePromise<readonly string[]>;

/** Options of {@linkcode ValueChangeDetector.watch}. */
export interface WatchOptions {
  /** Paths to take a fresh baseline for even if already watched (their attributes were set). */
  readonly rebaseline?: Iterable<string>;
}

interface Watched {
  ref: ParameterRef;
  notification: WatchedNotification;
  baseline: string;
  /** Bumped by acknowledge(); a poll that saw another epoch ignores its read. */
  epoch: number;
}

/** Baselines of the watched parameters and the comparison against them. */
export class ValueChangeDetector {
  readonly #read: ReadValues;
  #watched = new Map<string, Watched>();

  /** Creates a detector that reads values through `read`. */
  constructor(read: ReadValues) {
    this.#read = read;
  }

  /** The watched parameters, in the order given to {@linkcode watch}. */
  watched(): WatchedParameter[] {
    return [...this.#watched.values()].map(({ ref, notification }) => ({ ref, notification }));
  }

  /**
   * Makes `parameters` the watched set. Parameters new to the set, those whose
   * notification changed and those in `options.rebaseline` get a fresh baseline (read
   * now); the others keep theirs; parameters no longer in the set are dropped.
   */
  async watch(
    parameters: readonly WatchedParameter[],
    options: WatchOptions = {},
  ): Promise<void> {
    const rebaseline = new Set(options.rebaseline ?? []);
    const next = new Map<string, Watched>();
    const fresh: Watched[] = [];
    for (const { ref, notification } of parameters) {
      const old = this.#watched.get(ref.path);
      if (
        old !== undefined && old.notification === notification && !rebaseline.has(ref.path)
      ) {
        old.ref = ref;
        next.set(ref.path, old);
        continue;
      }
      const entry: Watched = { ref, notification, baseline: "", epoch: (old?.epoch ?? 0) + 1 };
      next.set(ref.path, entry);
      fresh.push(entry);
    }
    this.#watched = next;
    await this.#rebase(fresh);
  }

  /**
   * Compares the watched parameters (or only `paths`, an explicit trigger; unwatched
   * paths are ignored) with their baselines. Changed ones are returned and become the
   * new baseline.
   */
  async poll(paths?: Iterable<string>): Promise<ValueChanges> {
    const targets = paths === undefined
      ? [...this.#watched.values()]
      : [...new Set(paths)].flatMap((p) => this.#watched.get(p) ?? []);
    const epochs = targets.map((t) => t.epoch);
    const values = await this.#read(targets.map((t) => t.ref));
    const passive: ChangedParameter[] = [];
    const active: ChangedParameter[] = [];
    const lightweight: LightweightChange[] = [];
    for (let i = 0; i < targets.length; i++) {
      const target = targets[i];
      if (this.#watched.get(target.ref.path) !== target || target.epoch !== epochs[i]) continue;
      if (values[i] === target.baseline) continue;
      target.baseline = values[i];
      const struct: ParameterValueStruct = {
        name: target.ref.name ?? target.ref.path,
        value: values[i],
        type: xsiType(target.ref.schema.type),
      };
      const inform = INFORM_KIND[target.notification];
      if (inform !== undefined) {
        (inform === 2 ? active : passive).push({ ...struct, notification: inform });
      }
      if (target.notification >= 3) {
        lightweight.push({ ...struct, active: target.notification >= 5 });
      }
    }
    return { passive, active, lightweight };
  }

  /**
   * Records values the ACS set (SetParameterValues) as the baseline of `paths`, so they
   * are not reported. With `values` (canonical, as the tree stores them) they are taken
   * as is; without, the paths are read again now. Unwatched paths are ignored.
   */
  async acknowledge(paths: readonly string[], values?: readonly string[]): Promise<void> {
    if (values !== undefined && values.length !== paths.length) {
      throw new RangeError(`Got ${values.length} values for ${paths.length} paths`);
    }
    const targets: Watched[] = [];
    for (let i = 0; i < paths.length; i++) {
      const target = this.#watched.get(paths[i]);
      if (target === undefined) continue;
      target.epoch++;
      if (values !== undefined) target.baseline = values[i];
      else targets.push(target);
    }
    await this.#rebase(targets);
  }

  async #rebase(targets: readonly Watched[]): Promise<void> {
    if (targets.length === 0) return;
    const epochs = targets.map((t) => t.epoch);
    const values = await this.#read(targets.map((t) => t.ref));
    for (let i = 0; i < targets.length; i++) {
      // A later watch/acknowledge of the same path owns the baseline now.
      if (targets[i].epoch === epochs[i]) targets[i].baseline = values[i];
    }
  }
}
