/**
 * Value-change notifications at run time (TR-069 §3.2.1, A.3.3.1): keeps the watch
 * list in step with the attributes and the tree, polls the watched parameters, queues
 * the changes, builds the Inform ParameterList (forced-inform, changed, InformParameter
 * entries) and tells the agent when an active change wants a session, after the
 * DefaultActiveNotificationThrottle.
 *
 * @module
 */

import type { AttributeStore, ParameterRef, ParameterTree } from "../datamodel/mod.ts";
import {
  activeNotificationAt,
  buildInformList,
  type ChangedParameter,
  type LightweightChange,
  NotificationQueue,
  notifiedParameters,
  VALUE_CHANGE,
  ValueChangeDetector,
} from "../notify/mod.ts";
import type { EventStruct, ParameterValueStruct } from "../soap/messages.ts";

const HEARTBEAT = "14 HEARTBEAT";

/** What the collectInform action needs. */
export interface InformContent {
  parameterList: ParameterValueStruct[];
  /** `4 VALUE CHANGE` when the list carries changed parameters. */
  events: EventStruct[];
  delivered: readonly ChangedParameter[];
}

/** Notification state of one agent. */
export class Notifier {
  readonly #model: ParameterTree;
  readonly #attributes: AttributeStore;
  readonly #informRefs: readonly ParameterRef[];
  readonly #detector: ValueChangeDetector;
  readonly #queue = new NotificationQueue();
  #lastSuccessEnd?: number;
  #inFlight = new Map<number, readonly ChangedParameter[]>();
  #onLightweight?: (changes: readonly LightweightChange[]) => void;

  /** A notifier over `model`; call {@linkcode Notifier.rewatch} before polling. */
  constructor(
    model: ParameterTree,
    attributes: AttributeStore,
    informRefs: readonly ParameterRef[],
  ) {
    this.#model = model;
    this.#attributes = attributes;
    this.#informRefs = informRefs;
    this.#detector = new ValueChangeDetector((refs) => model.read(refs));
  }

  /** Rebuilds the watch list (after attributes, AddObject or DeleteObject changed it). */
  async rewatch(rebaseline?: readonly string[]): Promise<void> {
    const watched = await notifiedParameters(
      this.#model,
      this.#attributes,
      this.#model.notableParameterSchemas(),
    );
    await this.#detector.watch(watched, { rebaseline });
  }

  /** Parameters the ACS itself set: their new values are the baseline, not a change. */
  async acknowledge(paths: readonly string[]): Promise<void> {
    await this.#detector.acknowledge(paths);
  }

  /**
   * Polls; resolves true when an active change is pending. Lightweight changes
   * (notification 3–6, TR-069 Annex M) go to the {@linkcode Notifier.onLightweight}
   * listener.
   */
  async poll(): Promise<boolean> {
    const changes = await this.#detector.poll();
    this.#queue.add(changes);
    if (changes.lightweight.length > 0) this.#onLightweight?.(changes.lightweight);
    return this.#queue.hasActive();
  }

  /** Where the lightweight changes of each poll go (the LWN sender). */
  onLightweight(listener: (changes: readonly LightweightChange[]) => void): void {
    this.#onLightweight = listener;
  }

  /** True when an active change waits for a session. */
  hasActive(): boolean {
    return this.#queue.hasActive();
  }

  /** When a session for pending active changes may start (the throttle). */
  activeSessionAt(now: number, throttleSeconds: number): number {
    return activeNotificationAt(now, this.#lastSuccessEnd, throttleSeconds);
  }

  /**
   * The ParameterList of session `session`'s Inform carrying `events`. A heartbeat Inform
   * (`14 HEARTBEAT` alone, TR-069 Annex O) carries no changed parameter: they wait for a
   * session of their own.
   */
  async informContent(session: number, events: readonly EventStruct[]): Promise<InformContent> {
    const heartbeat = events.length === 1 && events[0].eventCode === HEARTBEAT;
    const list = await buildInformList(this.#model, {
      eventCodes: events.map((e) => e.eventCode),
      forcedRefs: this.#informRefs,
      changed: heartbeat ? [] : this.#queue.pending(),
    });
    this.#inFlight.set(session, list.delivered);
    return {
      parameterList: list.parameterList,
      events: list.valueChange ? [{ eventCode: VALUE_CHANGE, commandKey: "" }] : [],
      delivered: list.delivered,
    };
  }

  /** Session `session` ended: on success its changes are delivered. */
  sessionEnded(session: number, success: boolean, now: number): void {
    const sent = this.#inFlight.get(session);
    this.#inFlight.delete(session);
    if (!success) return;
    this.#lastSuccessEnd = now;
    if (sent) this.#queue.delivered(sent);
  }

  /** Drops every pending change (factory reset). */
  clear(): void {
    this.#queue.clear();
  }
}
